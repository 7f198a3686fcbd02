"""Hostile and random input: every run ends in a message and exit 0, 1 or 2."""

from __future__ import annotations

import json
import string
import time
import tracemalloc
from xml.etree import ElementTree

import pytest
import yaml
from click.testing import Result
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from cnncalc.errors import SpecError
from cnncalc.limits import MAX_SIZE as LIMIT
from cnncalc.render.columns import COLUMNS
from cnncalc.spec import source
from cnncalc.spec.vocabulary import LAYER_TYPES
from tests import hostile_strategies as hs
from tests.hostile_strategies import SGR, Budget, assert_clean

VOCABULARY = sorted(
    {name for kind in LAYER_TYPES.values() for name in kind.names}
    | {key for kind in LAYER_TYPES.values() for f in kind.fields for key in (f.name, *f.aliases)}
    | {"type", "name", "expect", "shape", "params", "input", "layers", "output", "layout"}
    | {"residual", "shortcut", "concat", "repeat", "use", "blocks", "$width"}
    | {"multiply", "split", "sizes", "side", "save", "with", "like", "if", "add"}
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 300)
    | st.integers()
    | st.floats(allow_nan=True)
    | st.sampled_from(["same", "valid", "3x5", "0x1x0x1", "", "x", "1e9", "SAME", "-1"])
    | st.sampled_from(["causal", "3x3x3", "1x2", "0x1x0x1x2x2", "1x2x3x4x5x6x7", "Conv3D"])
    | st.sampled_from(["${in.c * 2}", "${1/0}", "${in.c // 3 if true else 2}", "${", "$in"])
    | st.text(max_size=12)
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5), max_leaves=12)
keys = st.sampled_from(VOCABULARY) | st.text(max_size=8)
layer_mappings = st.dictionaries(keys, values, max_size=6).map(
    lambda d: d if "type" in d else {"type": "conv", **d}
)
# Blocks hold layers: residual, concat, repeat and uses of a named block.
block_mappings = st.one_of(
    st.builds(lambda body: {"residual": body}, st.lists(layer_mappings, max_size=3)),
    st.builds(lambda a, b: {"concat": [a, b]}, st.lists(layer_mappings, max_size=2),
              st.lists(layer_mappings, max_size=2)),
    st.builds(lambda n, body: {"repeat": n, "layers": body}, values, st.lists(layer_mappings,
              max_size=2)),
    st.builds(lambda body: {"multiply": body}, st.lists(layer_mappings, max_size=3)),
    st.builds(lambda a, b, sizes: {"split": [a, b], **sizes}, st.lists(layer_mappings,
              max_size=2), st.lists(layer_mappings, max_size=2),
              st.fixed_dictionaries({}, optional={"sizes": values})),
    st.builds(lambda name, extra: {"use": name, **extra}, st.sampled_from(["b", "c", "x"]),
              st.dictionaries(keys, values, max_size=2)),
)  # fmt: skip
shorthand = st.text(
    alphabet=string.ascii_lowercase[:6] + "convmaxpolfcsftidex0123456789:,=-× ", max_size=24
) | st.builds(
    lambda kind, args: f"{kind}:{args}",
    st.sampled_from(VOCABULARY),
    st.text(alphabet="0123456789,=x-samevlidkrnspcu ", max_size=16),
)
# An input of each rank (and one too many) as often as a random value, so that layers meet
# volumes they can take.
inputs = st.sampled_from([[100, 2], [16, 16, 3], [6, 12, 12, 2], [4, 4, 4, 4, 1], [10]])
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
) | st.fixed_dictionaries(
    {
        "input": inputs | values,
        "layers": st.lists(layer_mappings | shorthand | values, max_size=6),
    },
    optional={"name": values, "expect": values},
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "spec.yaml"


@given(document=documents)
def test_random_documents(run, spec_file, document):
    """Random YAML documents through check and table."""
    spec_file.write_text(yaml.safe_dump(document, allow_unicode=True))
    for command in ("check", "table"):
        assert_clean(run(command, str(spec_file)))


@given(layers=st.lists(layer_mappings, min_size=1, max_size=4), input=inputs | values)
def test_random_layer_mappings(run, spec_file, layers, input):
    """Random layer mappings built from cnncalc's own keys and awkward values."""
    spec_file.write_text(yaml.safe_dump({"input": input, "layers": layers}, allow_unicode=True))
    for command in ("check", "table"):
        assert_clean(run(command, str(spec_file)))


@given(
    layers=st.lists(block_mappings | layer_mappings, min_size=1, max_size=3),
    blocks=st.dictionaries(
        st.sampled_from(["b", "c"]),
        st.fixed_dictionaries(
            {"layers": st.lists(block_mappings | layer_mappings | shorthand, max_size=3)},
            optional={"params": st.dictionaries(keys, values, max_size=2)},
        ),
        max_size=2,
    ),
)
def test_random_blocks(run, spec_file, layers, blocks):
    """Random blocks, named blocks and uses, nested and self-referring."""
    document = {"input": [8, 8, 4], "blocks": blocks, "layers": layers}
    spec_file.write_text(yaml.safe_dump(document, allow_unicode=True))
    for command in ("check", "table", "draw", "report"):
        assert_clean(run(command, str(spec_file)))


@given(layers=st.lists(shorthand, min_size=1, max_size=4), input=inputs)
def test_random_shorthand(run, spec_file, layers, input):
    """Random shorthand strings, in a file and on the command line, in every rank."""
    spec_file.write_text(yaml.safe_dump({"input": input, "layers": layers}))
    assert_clean(run("check", str(spec_file)))
    shape = "x".join(map(str, input))
    assert_clean(run("table", "--input", shape, "--format", "json", *layers))


@given(text=st.text(max_size=200))
def test_random_text(run, spec_file, text):
    """Text that is mostly not YAML at all."""
    spec_file.write_text(text, encoding="utf-8")
    assert_clean(run("check", str(spec_file)))


BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "input: [32, 32, 3]",
        "layers: *i",
    ]
)


def test_billion_laughs_is_refused_fast_and_small():
    """9^9 'lol's with aliases expanded: refused within a second, in little memory."""
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(SpecError, match="'billion laughs' bomb"):
        source.parse_yaml(BOMB, "bomb.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024


def test_billion_laughs_through_check(run, tmp_path):
    """The CLI reports the bomb as a failed file."""
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "more than 1,000,000 values once its YAML aliases are expanded" in result.stdout


def test_recursive_alias_is_refused():
    """A collection that contains itself is not a spec."""
    with pytest.raises(SpecError, match="alias refers to a collection that contains it"):
        source.parse_yaml("a: &x [1, *x]\n")


def test_file_over_the_size_limit(run, tmp_path):
    """Past 8 MiB a file is refused before it is parsed."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (source.MAX_BYTES + 1))
    result = run("check", str(path))
    assert "the file is larger than 8 MiB, the limit for a spec" in result.stdout


def test_not_utf8(run, tmp_path):
    """Latin-1 text is refused with the byte and its place."""
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    result = run("check", str(path), "--format", "json")
    problem = json.loads(result.stdout)[0]["problems"][0]
    assert (problem["line"], problem["column"]) == (1, 10)
    assert problem["message"] == "the file is not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_binary_and_empty_files(run, tmp_path):
    """A binary file and an empty file each get their own message."""
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)))
    (tmp_path / "empty.yaml").write_bytes(b"")
    result = run("check", str(tmp_path))
    assert "this is a binary file, not a YAML spec" in result.stdout
    assert "the file is empty; a spec needs 'input' and 'layers'" in result.stdout


def test_unsafe_tags_build_nothing(tmp_path):
    """A python/object tag is refused before anything could be constructed."""
    with pytest.raises(SpecError, match="unsupported YAML tag"):
        source.parse_yaml("!!python/object/apply:os.system ['echo hi']\n")


def test_huge_numbers_are_exact(run):
    """Input 10^6 × 10^6 × 3, 1,000 filters, 10 units: exact integers near the 10^18
    limit, no float, no overflow."""
    n = 10**6
    result = run("table", "--input", f"{n}x{n}x3", "--format", "json", "conv:1000,3", "fc:10")
    assert result.exit_code == 0
    conv, fc = json.loads(result.stdout)["layers"]
    assert conv["shape"] == [n - 2, n - 2, 1000]
    assert conv["params"] == 3 * 3 * 3 * 1000 + 1000
    assert fc["weights"] == (n - 2) * (n - 2) * 1000 * 10 == 9_999_960_000_040_000
    assert fc["macs"] == fc["weights"]


def test_numbers_beyond_the_limit_are_refused(run):
    """Past 10^18 a size is refused with a message, even with thousands of digits."""
    for value in (str(10**19), "9" * 5000):
        result = run("table", "--input", "32x32x3", f"fc:{value}")
        assert result.exit_code == 1
        assert "units is larger than 10^18, far beyond any real network" in result.stderr


# --- Round two: each example's runs go through `hs.Budget`, a time and memory budget.
COMMANDS = (("check",), ("table",), ("explain",), ("table", "--format", "json"))


def budgeted(fraction: float = 1.0) -> settings:
    """The loaded profile's examples, scaled for the dearer properties; and no explain
    phase, whose tracing of every line would blow any budget."""
    return settings(
        max_examples=max(10, int(settings.default.max_examples * fraction)),
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )


def on_terminal(budget, width: int, *args: str) -> Result:
    """A run as on a colour terminal `width` columns wide: no ESC but rich's colours."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORCE_COLOR", "1")
        patch.setenv("COLUMNS", str(width))
        result = budget(*args)
    assert "\x1b" not in SGR.sub("", result.stdout)
    return result


def assert_within_limit(text: str) -> None:
    """No integer in the JSON `text` is past 10^18, either way."""
    json.loads(text, parse_int=lambda n: int(n) if abs(int(n)) <= LIMIT else pytest.fail(n))


@pytest.fixture(scope="module", autouse=True)
def _warm(run, spec_file):
    """Every command and rich imported before any budget: an import is paid once."""
    spec_file.write_text("input: [8, 8, 3]\nlayers: ['conv:4,3', relu]\n")
    for args in (*COMMANDS, ("draw",), ("report",)):
        run(*args, str(spec_file))
    on_terminal(run, 80, "table", str(spec_file))


@budgeted(0.2)
@given(named=hs.named_specs())
def test_hostile_names(run, spec_file, named):
    """Names with markup, control characters, other scripts and around 100 characters: a
    name cnncalc takes is shown as written, never read as markup; any other is refused."""
    text, valid, shown = named
    spec_file.write_text(text, encoding="utf-8")
    budget = Budget(run)
    results = [budget(*args, str(spec_file)) for args in COMMANDS]
    results.append(on_terminal(budget, 200, "table", str(spec_file)))
    if not valid:
        assert {result.exit_code for result in results} == {1}
        return
    assert [result.exit_code for result in results] == [0] * 5, results[0].output
    # The picture and the page take every name the table takes, escaped: both parse.
    picture, page = budget("draw", str(spec_file)), budget("report", str(spec_file))
    assert (picture.exit_code, page.exit_code) == (0, 0), picture.output + page.output
    ElementTree.fromstring(picture.stdout.encode("utf-8"))
    svg = page.stdout[page.stdout.index("<svg") : page.stdout.index("</svg>") + 6]
    ElementTree.fromstring(svg.encode("utf-8"))
    _, table, explained, as_json, drawn = (result.stdout for result in results)
    assert all(name in table and name in explained for name in shown)
    assert "\x1b" not in table + explained + as_json
    document = json.loads(as_json)
    conv, use = document["layers"]
    names = (document["name"], conv["name"], use["name"], use["children"][0]["name"])
    assert names == shown
    # rich folds a title wider than its table, and a row wider than its column: at 200
    # columns no layer's name is, unless its letters are wide (日本語).
    drawn = SGR.sub("", drawn)
    frame = next((len(line) for line in drawn.splitlines() if line.startswith("┏")), 0)
    title, layer, _, inner = shown
    for name in (layer, inner, *([title] if cell_len(title) <= frame else [])):
        assert name in drawn or cell_len(name) > len(name)


@budgeted(0.15)
@given(case=hs.aliased_specs())
def test_aliased_parameter_values(run, spec_file, case):
    """Block uses given large aliased lists, again and again, whole and in text."""
    text, least, most, refused = case
    spec_file.write_text(text)
    budget = Budget(run)
    results = [budget(*args, str(spec_file)) for args in COMMANDS]
    bomb = f"more than {source.MAX_VALUES:,} values once its YAML aliases are expanded"
    if least > source.MAX_VALUES:
        assert all(result.exit_code == 1 and bomb in result.output for result in results)
    elif most <= source.MAX_VALUES:
        assert not any(bomb in result.output for result in results)
        if refused is not None:
            assert all(result.exit_code == 1 and refused in result.output for result in results)
    if results[-1].exit_code == 0:
        assert_within_limit(results[-1].stdout)


@budgeted(0.2)
@given(case=hs.expansions())
def test_nested_expansion(run, spec_file, case):
    """Repeats, residual blocks and named blocks nested at random: a spec of a few hundred
    layers reads, every one of them there; past MAX_LAYERS, a repeat past 10,000, blocks
    past 50 deep or a block that uses itself are refused, at once."""
    text, layers, refused = case
    spec_file.write_text(text)
    budget = Budget(run)
    results = [budget(*args, str(spec_file)) for args in COMMANDS]
    if refused is None:
        assert [result.exit_code for result in results] == [0] * 4, results[0].output
        assert hs.layers_in(json.loads(results[-1].stdout)["layers"]) == layers
    else:
        assert all(result.exit_code == 1 and refused in result.output for result in results)


@budgeted(0.15)
@given(
    text=hs.overflow_specs(),
    batch=st.sampled_from([[], ["--batch", "1000000000"]])
    | st.integers(1, 10**9).map(lambda n: ["--batch", str(n)]),
    dtype=st.sampled_from(["float32", "float16", "int8"]),
)
def test_computed_overflow(run, spec_file, text, batch, dtype):
    """Sizes, strides and factors near 10^18 and large batches: every run clean, and no
    figure written past 10^18."""
    spec_file.write_text(text)
    budget = Budget(run)
    for args in (("check",), ("table", *batch), ("explain",)):
        budget(*args, str(spec_file))
    result = budget("table", "--format", "json", "--dtype", dtype, *batch, str(spec_file))
    if result.exit_code == 0:
        assert_within_limit(result.stdout)


@budgeted(0.5)
@given(form=hs.number_forms, field=st.sampled_from(list(hs.FIELDS)))
def test_yaml_number_forms(run, spec_file, form, field):
    """Each of YAML's ways to write a number, in whole and decimal fields, in YAML and in
    shorthand: read only when plain decimal, and then as written; otherwise refused, with
    the number as written."""
    _, kind, path = hs.FIELDS[field]
    spec_file.write_text(hs.spec_with(field, form) + "\n", encoding="utf-8")
    budget = Budget(run)
    results = [budget("check", str(spec_file)), budget("table", "--format", "json", str(spec_file))]
    if field.startswith("shorthand"):
        layer = ("conv:{x},1" if kind == "int" else "dropout:{x}").format(x=form)
        results.append(budget("table", "--format", "json", "--input", "8x8x3", layer))
    for result in results:
        if not hs.PLAIN_NUMBER["dec"].fullmatch(form):
            assert result.exit_code == 1 and form in result.output, result.output
        elif not hs.PLAIN_NUMBER[kind].fullmatch(form):
            assert result.exit_code == 1, result.output
        elif result.exit_code == 0 and result.stdout.startswith("{"):
            if path:
                assert hs.read_as(json.loads(result.stdout), path) == int(form)
            else:
                assert 0 <= float(form) < 1


# Specs from all of the above for the terminal: names with markup and wide letters, nested
# blocks, figures near 10^18 in wide columns, aliased values; most of them drawn.
terminal_specs = st.one_of(
    hs.named_specs(hostile=False).map(lambda case: case[0]),
    hs.expansions(modes=("reads",)).map(lambda case: case[0]),
    hs.overflow_specs(),
    hs.aliased_specs().map(lambda case: case[0]),
)


@budgeted(0.5)
@given(
    text=terminal_specs,
    width=st.integers(20, 200),
    options=st.lists(
        st.sampled_from(["--depth=1", "--depth=2", "--depth=all", "--columns=all", "--batch=8"])
        | st.lists(st.sampled_from(list(COLUMNS)), min_size=1, max_size=6, unique=True).map(
            lambda keys: "--columns=" + ",".join(keys)
        ),
        max_size=3,
        unique_by=lambda option: option.split("=")[0],
    ),
)
def test_rich_table_on_a_forced_terminal(run, spec_file, text, width, options):
    """The table drawn by rich on colour terminals 20 to 200 columns wide: clean, no
    escape but rich's colours, and what rich draws no wider than the terminal."""
    spec_file.write_text(text, encoding="utf-8")
    result = on_terminal(Budget(run), width, "table", *options, str(spec_file))
    for line in SGR.sub("", result.stdout).splitlines():
        if line[:1] in "┏┃┡│└":
            assert cell_len(line) <= width, line
