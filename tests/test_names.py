"""Names are data: shown exactly as written, never read as markup or run as a formula,
and refused where they would act on a terminal or a CI log."""

from __future__ import annotations

import json
import re

import pytest

MARKUP = ["a[/x]", "[link=http://example.com]y", "[bold]z", "ResNet-50 [v1.5]"]


@pytest.mark.parametrize("colour", [False, True])
def test_markup_in_names_is_shown_literally(run, tmp_path, monkeypatch, colour):
    """rich's markup in a title, a row or a note is text: shown as written, no hyperlink."""
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
    path = tmp_path / "net.yaml"
    path.write_text(
        'name: "ResNet-50 [v1.5]"\ninput: [8, 8, 3]\nlayers:\n'
        '  - {type: conv, filters: 4, kernel: 3, stride: 2, name: "a[/x]"}\n'
        '  - {type: relu, name: "[link=http://example.com]y"}\n'
        '  - {type: fc, units: 3, name: "[bold]z"}\n',
        encoding="utf-8",
    )
    result = run("table", str(path))
    assert result.exit_code == 0, result.output
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "\x1b]8;" not in result.stdout  # no hyperlink escape
    for name in MARKUP:
        assert name in text, name
    assert "[1] a[/x]: stride 2 leaves the last row and the last column unused" in text


@pytest.mark.parametrize(
    ("yaml_name", "char", "what"),
    [
        ('"ok\\e[2J"', "U+001B", "a control character"),
        ('"a\\nb"', "U+000A", "a control character"),
        ('"a\\u202eb"', "U+202E", "right-to-left override"),
        ('"a\\u2066b"', "U+2066", "left-to-right isolate"),
        ('"\\0"', "U+0000", "a control character"),
        ('"a\\rb"', "U+000D", "a control character"),
    ],
)
def test_control_characters_in_a_name_are_refused_at_their_place(
    run, tmp_path, yaml_name, char, what
):
    """ESC, LF, CR, NUL and bidi overrides in a name: exit 1 at the name's line:col."""
    path = tmp_path / "net.yaml"
    path.write_text(
        f"input: [8, 8, 3]\nlayers:\n  - {{type: relu, name: {yaml_name}}}\n", encoding="utf-8"
    )
    result = run("check", str(path))
    assert result.exit_code == 1
    assert f"net.yaml:3:24: error: layer 1: name holds {char} ({what})" in result.stdout


def test_a_spec_name_with_a_workflow_command_is_refused(run, tmp_path):
    """A newline then ::error in a name would print a GitHub workflow command: refused."""
    path = tmp_path / "net.yaml"
    path.write_text(
        'name: "x\\n::error file=a.py::owned"\ninput: [8, 8, 3]\nlayers: [relu]\n',
        encoding="utf-8",
    )
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "\n::error" not in result.stdout
    assert "net.yaml:1:7: error: name holds U+000A" in result.stdout


def test_control_characters_in_a_shorthand_name_are_refused(run):
    """The same on the command line, where the argument names the place."""
    result = run("table", "--input", "8x8x3", "relu:name=a\x1bb")
    assert result.exit_code == 1
    assert "argument 'relu:name=a\\x1bb'" in result.stderr
    assert "\x1b" not in result.stderr


def test_a_block_parameter_shown_in_its_row_is_held_to_the_same(run, tmp_path):
    """A named block's row shows its parameters: one with a control character is refused."""
    path = tmp_path / "net.yaml"
    path.write_text(
        "input: [8, 8, 3]\nblocks:\n  b: {params: {tag: null}, layers: [{type: relu, name: $tag}]}\n"
        'layers:\n  - {use: b, tag: "x\\e[31m"}\n',
        encoding="utf-8",
    )
    result = run("table", str(path))
    assert result.exit_code == 1
    assert "net.yaml:5:19: layer 1 (b): tag holds U+001B" in result.stderr


def test_a_file_name_that_cannot_be_refused_is_shown_escaped(run, tmp_path, monkeypatch):
    """A file's name is not the spec's to change: its control characters show as escapes."""
    monkeypatch.chdir(tmp_path)
    name = "bad\x1b[31mname.yaml"
    (tmp_path / name).write_text("input: [8, 8, 3]\nlayers: [conv:4,9]\n", encoding="utf-8")
    for fmt in ("text", "github"):
        result = run("check", name, "--format", fmt)
        assert result.exit_code == 1
        assert "\x1b" not in result.stdout
        assert "bad\\x1b[31mname.yaml" in result.stdout
    result = run("table", name)
    assert "\x1b" not in result.stderr and "bad\\x1b[31mname.yaml" in result.stderr


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)"])
def test_csv_names_never_run_as_formulas(run, name):
    """A name a spreadsheet would run gets a leading quote; JSON carries it unchanged."""
    csv = run("table", "--input", "8x8x3", f"relu:name={name}", "--format", "csv").stdout
    quoted = "'" + name
    assert f",{quoted}," in csv or f',"{quoted.replace(chr(34), chr(34) * 2)}",' in csv
    document = run("table", "--input", "8x8x3", f"relu:name={name}", "--format", "json")
    assert json.loads(document.stdout)["layers"][0]["name"] == name


def test_markdown_escapes_the_cell_separator(run):
    """A | in a name would end a Markdown cell: escaped."""
    out = run("table", "--input", "8x8x3", "relu:name=a|b", "--format", "markdown").stdout
    assert "| a\\|b |" in out
