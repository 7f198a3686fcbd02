"""One vocabulary across commands: the same formats, short options, standard input and
shape syntax wherever they mean the same thing."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SPECS

LENET = (SPECS / "lenet5.yaml").read_text(encoding="utf-8")


def test_text_is_the_tables_format_and_rich_its_old_name(run):
    """`--format text` is the default; `rich` still works and gives the same."""
    text = run("table", "lenet5", "--format", "text")
    assert text.exit_code == 0
    assert text.stdout == run("table", "lenet5").stdout
    assert text.stdout == run("table", "lenet5", "--format", "rich").stdout


@pytest.mark.parametrize(("command", "args"), [("table", ("lenet5",)), ("check", ("lenet5",))])
def test_plain_is_plain_even_on_a_colour_terminal(run, monkeypatch, command, args):
    """`--format plain` forces what a pipe gets: no colour, no box drawing."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run(command, *args).stdout
    plain = run(command, *args, "--format", "plain").stdout
    assert "\x1b[" in coloured
    assert "\x1b[" not in plain and "┏" not in plain
    monkeypatch.delenv("FORCE_COLOR")
    assert plain == run(command, *args).stdout


def test_explain_as_json(run):
    """`explain --format json`: each section's heading, depth and lines."""
    document = json.loads(run("explain", "lenet5", "--format", "json").stdout)
    assert document["name"] == "LeNet-5 (course variant)"
    conv1 = document["sections"][1]
    assert conv1["heading"] == "CONV1: conv, 8 filters of 5×5×3"
    assert "params = (5·5·3 + 1)·8 = 608" in conv1["lines"]
    assert document["sections"][-1]["heading"] == "Total"


@pytest.mark.parametrize(
    ("short", "long"),
    [
        (("conv", "1 2 3; 4 5 6; 7 8 9", "1 1; 1 1", "-s", "2", "-p", "1"),
         ("conv", "1 2 3; 4 5 6; 7 8 9", "1 1; 1 1", "--stride", "2", "--padding", "1")),
        (("pool", "1 2 3; 4 5 6; 7 8 9", "-f", "2", "-s", "1"),
         ("pool", "1 2 3; 4 5 6; 7 8 9", "--kernel", "2", "--stride", "1")),
        (("size", "9", "-f", "3", "-d", "2"), ("size", "9", "--kernel", "3", "--dilation", "2")),
    ],
)  # fmt: skip
def test_the_same_short_options_everywhere(run, short, long):
    """-f kernel, -s stride, -p padding, -d dilation mean the same in every command."""
    assert run(*short).stdout == run(*long).stdout
    assert run(*short).exit_code == 0


def test_conv_takes_a_dilation(run):
    """conv -d 2: each 2×2 filter spans 3×3; every cell is a[i][j] − a[i+2][j+2], and
    two rows and two columns on, this image is 2·5 + 2 larger: −12 everywhere."""
    image = "1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15; 16 17 18 19 20; 21 22 23 24 25"
    result = run("conv", image, "1 0; 0 -1", "-d", "2", "--format", "json")
    assert json.loads(result.stdout)["shape"] == [3, 3, 1]
    assert json.loads(result.stdout)["output"] == [[[-(2 * 5 + 2)] * 3] * 3]  # one filter


@pytest.mark.parametrize("command", ["table", "explain", "check"])
def test_a_dash_reads_the_spec_from_standard_input(run, command):
    """`-` is standard input, as for conv and pool's matrices; messages call it <stdin>."""
    result = run(command, "-", input=LENET)
    assert result.exit_code == 0, result.output
    assert "62,958" in result.stdout or "passed <stdin>" in result.stdout
    broken = run(command, "-", input="input: [8, 8, 3]\nlayers: [conv:4,9]\n")
    assert broken.exit_code == 1
    assert "<stdin>:2:17:" in broken.output


@pytest.mark.parametrize("shape", ["28x28x1", "28X28X1", "28×28×1", "28 x 28 x 1"])
def test_shapes_take_x_X_and_times(run, shape):
    """28x28x1, 28X28X1 and 28×28×1 are the same shape; the help writes HXWXC."""
    result = run("table", "--input", shape, "conv:4,3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["layers"][0]["shape"] == [26, 26, 4]


def test_an_output_path_that_cannot_be_written_is_a_usage_error(run, tmp_path):
    """check -o DIR exits 2, not 1: CI can tell a broken path from a broken model."""
    result = run("check", "lenet5", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert re.search(r"Invalid value for '--output' / '-o'", result.stderr)


def test_figures_have_thousands_separators_but_the_answer_line_stays_raw(run):
    """size's worked lines write 100,000; its first line, for $(cnncalc size -q), stays 100."""
    lines = run("size", "100000", "-f", "3", "-s", "1000").stdout.splitlines()
    assert lines[0] == str((100_000 - 3) // 1000 + 1)
    assert lines[1] == "⌊(n + 2p − f)/s⌋ + 1 = ⌊(100,000 + 2·0 − 3)/1,000⌋ + 1 = 100"


def test_counts_have_their_grammar(run):
    """1 byte, 1 parameter, 1 bias: no '1 bytes'."""
    footer = run("table", "--input", "1", "fc:1,bias=false", "--dtype", "int8", "--columns",
                 "memory").stdout  # fmt: skip
    assert "int8, 1 byte a value" in footer
    assert "1 parameter: 1 weight + 0 biases" in footer
