"""Nothing reinterpreted, nothing silently ignored, every cost bounded: one test a case.

Each test here is a case that an outside review found cnncalc getting wrong:
reading a number other than as written, dropping a value without a word, or
spending minutes on a small file.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc

import pytest

from cnncalc import spec
from cnncalc.errors import SpecError
from cnncalc.spec import source


def table_error(run, tmp_path, text: str, *args: str) -> str:
    """The error `cnncalc table` gives for the spec `text`; it must fail with exit 1."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("table", str(path), *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return result.stderr.strip().replace(str(path), "spec.yaml")


# YAML 1.1 reads these as numbers other than they look; the shorthand would read the
# same text differently (conv:064,3 is 64 filters), so both refuse them.
@pytest.mark.parametrize(
    ("written", "column", "message"),
    [
        ("064", 38, "064 has a leading zero, which in YAML 1.1 means octal; write it without, as 64"),
        ("0x40", 38, "0x40 is written in hexadecimal; write it in decimal digits, as 64"),
        ("0b101", 38, "0b101 is written in binary; write it in decimal digits, as 5"),
        ("1_000", 38, "1_000 holds underscores; write the digits alone, as 1000"),
        ("1:04", 38, "1:04 reads in YAML 1.1 as base 60 (sexagesimal); write it in decimal digits"),
    ],
)  # fmt: skip
def test_yaml_integer_forms_are_refused(run, tmp_path, written, column, message):
    text = f"input: [32, 32, 3]\nlayers:\n  - {{type: conv, kernel: 3, filters: {written}}}\n"
    error = table_error(run, tmp_path, text)
    assert error == f"Error: spec.yaml:3:{column}: {message}, or quote it if it is text"


def test_an_octal_looking_input_is_not_read_as_26(run, tmp_path):
    """`input: [032, 032, 3]` was read as 26×26 by YAML 1.1."""
    error = table_error(run, tmp_path, "input: [032, 032, 3]\nlayers: [relu]\n")
    assert error.startswith("Error: spec.yaml:1:9: 032 has a leading zero")


@pytest.mark.parametrize("written", [".inf", "-.inf", ".nan", ".NaN"])
def test_yaml_infinities_and_nan_are_refused(run, tmp_path, written):
    text = f"input: [32, 32, 3]\nlayers:\n  - {{type: dropout, rate: {written}}}\n"
    error = table_error(run, tmp_path, text)
    assert error.startswith("Error: spec.yaml:3:27: ")
    assert "is not a finite number; write a plain decimal number" in error


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("conv:064,3", "filters: 064 has a leading zero, which in YAML 1.1 means octal"),
        ("conv:8,03", "kernel: 03 has a leading zero"),
        ("conv:1_000,3", "filters: 1_000 holds underscores; write the digits alone, as 1000"),
        ("conv:\u0663,3", "filters: \u0663 is written in digits that are not ASCII"),
        ("dropout:1_0.5", "rate: 1_0.5 holds underscores"),
        ("dropout:nan", "rate: nan is not a finite number"),
        ("dropout:\u0660.\u0665", "rate: \u0660.\u0665 is written in digits that are not ASCII"),
    ],
)
def test_shorthand_numbers_mean_what_they_look_like(run, layer, message):
    """The shorthand refuses what YAML would misread, and what float() and int() would
    take but a person would not write (Python reads '1_0.5' as 10.5 and '٣' as 3)."""
    result = run("table", "--input", "32x32x3", layer)
    assert result.exit_code == 1
    assert message in result.stderr


def test_input_option_with_a_leading_zero_is_a_usage_error(run):
    result = run("table", "--input", "032x32x3", "relu")
    assert result.exit_code == 2
    assert "032x32x3 has a leading zero" in result.stderr


def test_plain_numbers_still_read(run):
    """Zero, signs, decimals and exponents as written are unchanged."""
    result = run(
        "table", "--input", "32x32x3", "--format", "json",
        "zeropad:0", "conv:8,3,padding=0", "dropout:0.5", "dropout:.25", "dropout:1e-1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    layers = json.loads(result.stdout)["layers"]
    assert [layer["shape"] for layer in layers][:2] == [[32, 32, 3], [30, 30, 8]]


def test_a_merged_key_given_again_is_refused(run, tmp_path):
    """YAML lets a key written beside `<<: *base` silently win; it is refused instead."""
    text = (
        "input: [32, 32, 3]\n"
        "layers:\n"
        "  - &base {type: conv, filters: 8, kernel: 3}\n"
        "  - <<: *base\n"
        "    filters: 16\n"
    )
    error = table_error(run, tmp_path, text)
    assert error == (
        "Error: spec.yaml:5:5: key 'filters' is given here and again by the '<<' merge at "
        "spec.yaml:3:5; give each key once"
    )


def test_two_merges_giving_one_key_are_refused(run, tmp_path):
    text = (
        "input: [32, 32, 3]\n"
        "layers:\n"
        "  - &a {type: conv, filters: 8, kernel: 3}\n"
        "  - &b {kernel: 5}\n"
        "  - <<: [*a, *b]\n"
    )
    assert "key 'kernel' is given here and again by the '<<' merge" in table_error(
        run, tmp_path, text
    )


def test_a_merge_without_conflict_still_reads():
    loaded = spec.from_text(
        "input: [32, 32, 3]\nlayers:\n  - &b {type: conv, filters: 8, kernel: 3}\n"
        "  - {<<: *b, name: again}\n"
    )
    assert [layer.name for layer in loaded.layers] == ["CONV1", "again"]
    assert loaded.layers[0].layer == loaded.layers[1].layer


@pytest.mark.parametrize("key", ["name", "expect"])
def test_a_shorthand_key_given_twice_is_refused(run, key):
    """`conv:8,3,name=a,name=b` silently took b."""
    value = {"name": ("a", "b"), "expect": ("30x30x8", "1x1x1")}[key]
    layer = f"conv:8,3,{key}={value[0]},{key}={value[1]}"
    result = run("table", "--input", "32x32x3", layer)
    assert result.exit_code == 1
    assert f"{key} is given twice in {layer!r}; give it once" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, expect: {}}\n",
            "spec.yaml:3:49: layer 1 (CONV1): a layer's expect is empty, so it checks nothing; "
            "give shape and/or params, or remove it",
        ),
        (
            "input: [32, 32, 3]\nexpect: {}\nlayers: [relu]\n",
            "spec.yaml:2:9: the spec's expect is empty, so it checks nothing; "
            "give output and/or params, or remove it",
        ),
    ],
)
def test_an_empty_expect_is_refused(run, tmp_path, text, message):
    """An expect that checks nothing would let a CI job pass on anything."""
    assert table_error(run, tmp_path, text) == f"Error: {message}"


def test_a_block_parameter_no_layer_uses_is_refused(run, tmp_path):
    """A value given for it would be ignored without a word."""
    text = (
        "input: [8, 8, 4]\n"
        "blocks:\n"
        "  b:\n"
        "    params: {width: 8, stride: 1}\n"
        "    layers: ['conv:$width,3']\n"
        "layers:\n"
        "  - {use: b, stride: 2}\n"
    )
    assert table_error(run, tmp_path, text) == (
        "Error: spec.yaml:4:13: block 'b' declares stride but none of its layers uses "
        "$stride; use or remove it"
    )


def aliased(levels: int) -> str:
    """A YAML flow list of 10**levels ones, written in a few dozen characters."""
    anchors = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    anchors += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "[" + ", ".join(anchors) + "]"


def test_a_huge_value_written_into_text_is_refused(run, tmp_path):
    """Writing a 10,000-item list into `conv:$w,1` once a use was the reported blow-up."""
    text = (
        "input: [8, 8, 4]\n"
        "blocks:\n"
        "  b:\n"
        "    params: [w]\n"
        "    layers: ['conv:$w,1']\n"
        "layers:\n"
        f"  - {{use: b, w: {aliased(5)}}}\n" + "  - {use: b, w: *a4}\n" * 7
    )
    started = time.perf_counter()
    error = table_error(run, tmp_path, text)
    assert time.perf_counter() - started < 10  # a guard against the minutes it took
    assert "block 'b' writes $w into text, but its value is longer than 100 characters" in error


def test_the_label_of_a_use_is_bounded(tmp_path):
    """A use's row shows its values, cut with … past 100 characters, never walked whole."""
    text = (
        "input: [8, 8, 4]\n"
        "blocks:\n"
        "  b:\n"
        "    params: [k]\n"
        "    layers: [{type: maxpool, kernel: $k, stride: 1}]\n"
        "layers:\n"
        "  - {use: b, k: 2}\n"
        f"  - {{use: b, k: {aliased(4)}}}\n"
    )
    with pytest.raises(SpecError, match=r"layer 2\.1 \(POOL0_2\): kernel must be"):
        spec.from_text(text)
    from cnncalc.spec.named import label_of

    assert label_of({"k": [3, 5], "name": "x"}) == "k=3x5, name=x"
    assert label_of({"k": [[1] * 10] * 10}) == "k=…"


def test_a_name_past_the_limit_is_refused_at_its_place(run, tmp_path):
    """A 1 MB name made the plain table pad every row to a megabyte."""
    text = "input: [8, 8, 3]\nlayers:\n  - {type: relu, name: " + "x" * 1_000_000 + "}\n"
    error = table_error(run, tmp_path, text, "--format", "plain")
    assert error == (
        "Error: spec.yaml:3:24: layer 1: name is 1,000,000 characters long, more than the "
        "limit of 100; shorten it"
    )


def test_a_block_name_past_the_limit_is_refused(run, tmp_path):
    long = "b" * 101
    text = f"input: [8, 8, 3]\nblocks:\n  {long}:\n    layers: [relu]\nlayers:\n  - use: {long}\n"
    error = table_error(run, tmp_path, text)
    assert error.startswith("Error: spec.yaml:3:3: a block's name must be a word such as")
    assert "of at most 100 characters" in error


def doubling(levels: int) -> str:
    """Named blocks each using the one before twice: 2**levels ReLUs in a few lines."""
    lines = ["input: [8, 8, 4]", "blocks:", "  b0:", "    layers: [relu]"]
    for n in range(1, levels + 1):
        lines += [f"  b{n}:", f"    layers: [{{use: b{n - 1}}}, {{use: b{n - 1}}}]"]
    return "\n".join([*lines, "layers:", f"  - use: b{levels}", ""])


def test_exponential_named_blocks_are_refused_before_expanding(layers_read):
    """2^25 layers asked for by 55 lines: refused at the use, in a blink, in little memory.
    Counted after expanding, this took 12 s for the first 200,000 (then the limit)."""
    tracemalloc.start()
    with pytest.raises(SpecError, match=r"expands to more than 100,000 layers") as raised:
        spec.from_text(doubling(25), "spec.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert layers_read() == 0  # refused with the list that holds the use, before it
    assert peak < 20 * 1024 * 1024
    assert (
        str(raised.value.where) == "spec.yaml:56:5"
    )  # the use, after 4 + 2 × 25 lines and `layers:`


def test_a_large_nested_spec_under_the_limit_still_reads():
    """2^15 ReLUs and 2^15 - 1 block rows: 65,535 layers, under the limit."""
    loaded = spec.from_text(doubling(15))
    leaves = 0
    stack = list(loaded.layers)
    while stack:
        layer_spec = stack.pop()
        inner = getattr(layer_spec.layer, "layers", None)
        if inner is None:
            leaves += 1
        else:
            stack.extend(inner)
    assert leaves == 2**15


def test_a_repeat_past_the_limit_is_refused_before_expanding(layers_read):
    text = "input: [8, 8, 4]\nlayers:\n  - repeat: 10000\n    layers:\n      - repeat: 21\n"
    text += "        layers: [relu]\n"
    with pytest.raises(SpecError, match="expands to more than 100,000 layers"):
        spec.from_text(text)
    assert layers_read() == 0  # refused with the list that holds the repeat, before it


@pytest.mark.parametrize("depth", [200, 900])
def test_deep_nesting_is_refused_not_a_recursion_error(run, tmp_path, depth):
    """A deeply nested list inside a block's layer crashed the substitution (exit 70)."""
    nested = "[" * depth + "1" + "]" * depth
    text = (
        "input: [8, 8, 3]\nblocks:\n  b:\n    params: [w]\n"
        f"    layers:\n      - {{type: conv, filters: $w, kernel: {nested}}}\n"
        "layers:\n  - {use: b, w: 4}\n"
    )
    error = table_error(run, tmp_path, text)
    assert "lists and mappings nest more than 120 deep here" in error


def test_blocks_nested_fifty_deep_still_work(run, tmp_path):
    """The nesting limit of YAML leaves room for the 50 levels of blocks allowed."""
    layers = "relu"
    for _ in range(50):
        layers = f"{{residual: [{layers}]}}"
    path = tmp_path / "deep.yaml"
    path.write_text(f"input: [8, 8, 4]\nlayers: [{layers}]\n")
    for args in (["table", "--depth", "all"], ["table", "--format", "json"], ["explain"]):
        result = run(*args, str(path))
        assert result.exit_code == 0, result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_is_refused_not_waited_on(run, tmp_path):
    """A FIFO named x.yaml hung `table`: nothing ever writes to it."""
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    started = time.perf_counter()
    result = run("table", str(fifo))
    assert time.perf_counter() - started < 30  # a guard against waiting forever
    assert result.exit_code == 1
    assert "is a named pipe (FIFO), not a regular file; cnncalc reads only files and" in (
        result.stderr
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_not_read():
    """/dev/zero has size 0 and no end: it must never be read."""
    with pytest.raises(SpecError, match="is a character device, not a regular file"):
        source.read_text("/dev/zero")


def test_a_long_table_on_a_terminal_is_printed_plain_with_a_note(run, monkeypatch):
    """rich laid out 200,000 rows for 42 s; past 2,000 rows the terminal gets plain text."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("table", "--input", "8x8x4", *["relu"] * 2001)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("+---")  # the plain table's frame, not rich's box
    assert len([line for line in lines if line.startswith("| ReLU")]) == 2001
    assert lines[-1] == (
        "The table has 2,002 rows, more than the 2,000 drawn in colour, so it is printed "
        "plain: choose a smaller --depth, or --format plain for no note."
    )
    short = run("table", "--input", "8x8x4", *["relu"] * 10)
    assert "━" in short.stdout  # rich's heavy head: drawn in colour as before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("table", "lenet5", "--format", "json", "--columns", "macs"),
            "--columns chooses the columns of a table; --format json has every figure of "
            "every layer, so leave --columns out",
        ),
        (
            ("table", "lenet5", "--dtype", "float16"),
            "--dtype sets the bytes a value of the memory column, which this table does not "
            "show; add it (--columns shape,size,params,memory) or leave --dtype out",
        ),
        (
            ("size", "32", "-f", "3", "-q", "--format", "json"),
            "-q is for the text answer; --format json has no other lines",
        ),
    ],
)
def test_an_option_that_would_change_nothing_is_refused(run, args, message):
    """Given but without effect, it was silently ignored; now it is a usage error."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_the_options_still_work_where_they_have_an_effect(run):
    memory = run("table", "lenet5", "--dtype", "float16", "--columns", "memory")
    assert memory.exit_code == 0
    # LeNet-5's input, 32 × 32 × 3 values, at 2 bytes each: 6,144 bytes.
    assert "input 6.14 KB" in memory.stdout
    as_json = run("table", "lenet5", "--format", "json", "--dtype", "float16")
    assert json.loads(as_json.stdout)["totals"]["memory"]["input"] == 32 * 32 * 3 * 2


def test_a_file_named_like_a_bundled_spec_is_read_with_a_note(run, tmp_path, monkeypatch):
    """`cnncalc table lenet5` with a file `lenet5` here: the file wins, and says so."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lenet5").write_text("input: [8, 8, 3]\nlayers: ['conv:2,3']\n")
    result = run("table", "lenet5", "--format", "json")
    assert json.loads(result.stdout)["layers"][0]["shape"] == [6, 6, 2]
    assert result.stderr == (
        "Note: 'lenet5' is a file here and also a bundled spec; the file is read: write "
        "'./lenet5' to say so, or rename the file to read the bundled spec\n"
    )
    assert run("table", "./lenet5", "--format", "json").stderr == ""


def test_a_name_with_bytes_that_are_not_utf8_is_refused(run):
    """From a command line such a name arrived as a lone surrogate and was written raw,
    which a UTF-8 standard output cannot encode."""
    result = run("table", "--input", "8x8x3", "relu:name=a" + "\udcff")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: argument 'relu:name=a\\xff': layer 1: name holds a byte that is not UTF-8 "
        "(\\xff); write the text in UTF-8\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        # 50 uses side by side of a block of 2,001 layers: 100,050 layers.
        "blocks: {b: {layers: [{repeat: 2000, layers: [relu]}]}}\nlayers:\n"
        + "  - {use: b}\n" * 50,
        # The same inside one residual block.
        "blocks: {b: {layers: [{repeat: 2000, layers: [relu]}]}}\nlayers:\n  - residual:\n"
        + "    - {use: b}\n" * 50,
        # A repeat whose count is a parameter: 30 × 10,002 layers.
        "blocks: {b: {params: [n], layers: [{repeat: $n, layers: [relu]}]}}\n"
        "layers: [{repeat: 30, layers: [{use: b, n: 10000}]}]\n",
    ],
    ids=["side by side", "in a residual", "count from a parameter"],
)
def test_a_spec_past_the_layer_limit_is_refused_before_most_is_read(text, layers_read):
    """Found by the fuzz suite: these were refused only once 100,000 layers were read.
    Counted in layers read, not in seconds, which a busy machine stretches."""
    with pytest.raises(SpecError, match="expands to more than 100,000 layers"):
        spec.from_text("input: [4, 4, 2]\n" + text)
    assert layers_read() <= 10_003  # at most one pass of the repeat: its row and 10,002


@pytest.fixture
def layers_read(monkeypatch):
    """How many layers the reader has read so far, blocks and repeats expanded."""
    from cnncalc.spec.layer_reader import LayerReader

    calls = []
    read = LayerReader.read

    def counted(self, *args, **kwargs):
        calls.append(1)
        return read(self, *args, **kwargs)

    monkeypatch.setattr(LayerReader, "read", counted)
    return lambda: len(calls)


@pytest.mark.parametrize(("written", "problem"), [
    ("064", "064 has a leading zero"),
    ("1_000", "1_000 holds underscores"),
    ("\u0663", "is written in digits that are not ASCII"),
    ("1000000001", "must be at most 1,000,000,000, got 1,000,000,001"),
])  # fmt: skip
def test_batch_numbers_are_read_as_every_other(run, written, problem):
    """--batch read numbers as Python's int() does: 064 was 64, ٣ was 3."""
    result = run("table", "--input", "8x8x3", "relu", "--batch", written)
    assert result.exit_code == 2
    assert problem in result.stderr
