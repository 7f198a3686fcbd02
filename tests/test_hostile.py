"""Hostile and random input: every run ends in a message and exit 0, 1 or 2."""

from __future__ import annotations

import json
import string
import time
import tracemalloc

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.errors import SpecError
from cnncalc.spec import source
from cnncalc.spec.vocabulary import LAYER_TYPES

VOCABULARY = sorted(
    {name for kind in LAYER_TYPES.values() for name in (kind.name, *kind.aliases)}
    | {key for kind in LAYER_TYPES.values() for f in kind.fields for key in (f.name, *f.aliases)}
    | {"type", "name", "expect", "shape", "params", "input", "layers", "output", "layout"}
    | {"residual", "shortcut", "concat", "repeat", "use", "blocks", "$width"}
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 300)
    | st.integers()
    | st.floats(allow_nan=True)
    | st.sampled_from(["same", "valid", "3x5", "0x1x0x1", "", "x", "1e9", "SAME", "-1"])
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
    st.builds(lambda name, extra: {"use": name, **extra}, st.sampled_from(["b", "c", "x"]),
              st.dictionaries(keys, values, max_size=2)),
)  # fmt: skip
shorthand = st.text(
    alphabet=string.ascii_lowercase[:6] + "convmaxpolfcsftidex0123456789:,=-× ", max_size=24
) | st.builds(
    lambda kind, args: f"{kind}:{args}",
    st.sampled_from(VOCABULARY),
    st.text(alphabet="0123456789,=x-samevlidkrnsp ", max_size=16),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
) | st.fixed_dictionaries(
    {"input": values, "layers": st.lists(layer_mappings | shorthand | values, max_size=6)},
    optional={"name": values, "expect": values},
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "spec.yaml"


def assert_clean(result):
    """Exit 0, 1 or 2; a message when it fails; never an exception."""
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.output.strip()


@given(document=documents)
def test_random_documents(run, spec_file, document):
    """Random YAML documents through check and table."""
    spec_file.write_text(yaml.safe_dump(document, allow_unicode=True))
    for command in ("check", "table"):
        assert_clean(run(command, str(spec_file)))


@given(layers=st.lists(layer_mappings, min_size=1, max_size=4), input=values)
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
    for command in ("check", "table"):
        assert_clean(run(command, str(spec_file)))


@given(layers=st.lists(shorthand, min_size=1, max_size=4))
def test_random_shorthand(run, spec_file, layers):
    """Random shorthand strings, in a file and on the command line."""
    spec_file.write_text(yaml.safe_dump({"input": [32, 32, 3], "layers": layers}))
    assert_clean(run("check", str(spec_file)))
    assert_clean(run("table", "--input", "32x32x3", "--format", "json", *layers))


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
