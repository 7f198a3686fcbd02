"""Golden files: every rendered output, byte for byte, and the table's invariants on each.

`pytest --overwrite` rewrites tests/golden/ from the current output; review the
diff before committing it. The files were first written before the package
was reorganised, so a move that changes any output shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnncalc import bundled
from tests import invariants

ROOT = Path(__file__).parent.parent
ZOO = "tests/data/zoo.yaml"
SPECS = [*bundled.names(), "zoo"]
EXTENSIONS = {"plain": "txt", "markdown": "md", "csv": "csv", "json": "json"}


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    """Paths in messages are relative to the working directory: make it the same everywhere."""
    monkeypatch.chdir(ROOT)


def _spec(name: str) -> str:
    return ZOO if name == "zoo" else name


def _table(run, spec: str, fmt: str, *options: str) -> str:
    format_ = "rich" if fmt == "plain" else fmt  # rich is plain when not on a terminal
    if fmt == "json":  # which has every column: --columns is refused there
        at = options.index("--columns") if "--columns" in options else len(options)
        options = options[:at] + options[at + 2 :]
    result = run("table", _spec(spec), "--format", format_, *options)
    assert result.exit_code == 0, result.output
    return result.stdout


def _check_invariants(run, text: str, fmt: str, spec: str, *options: str) -> None:
    if fmt == "plain":
        invariants.check_plain(text)
    elif fmt == "markdown":
        invariants.check_markdown(text)
    elif fmt == "json":
        invariants.check_json(text)
    else:
        totals = invariants.check_json(_table(run, spec, "json", *options))
        invariants.check_csv(text, totals, totals["per_value"])


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize("columns", ["default", "all"])
@pytest.mark.parametrize("spec", SPECS)
def test_table(run, golden, spec, columns, fmt):
    """Each bundled spec (and the zoo of every layer type) in each format, both column sets."""
    options = () if columns == "default" else ("--columns", "all")
    text = _table(run, spec, fmt, *options)
    _check_invariants(run, text, fmt, spec, *options)
    golden(f"table/{spec}.{columns}.{EXTENSIONS[fmt]}", text)


VIEWS = {
    "batch-float16-chw": ("--columns", "all", "--batch", "8", "--dtype", "float16",
                          "--layout", "chw"),
    "depth2": ("--depth", "2", "--columns", "shape,params,macs,memory,rf,nontrainable"),
    "int8-percent": ("--dtype", "int8", "--columns", "percent,memory,size,kernel,stride,padding"),
    "every-row": ("--depth", "all", "--columns", "all"),
}  # fmt: skip


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_table_views(run, golden, view, fmt):
    """Batch, dtype, layout, depth and column order, on a net with blocks."""
    options = VIEWS[view]
    text = _table(run, "resnet18", fmt, *options)
    _check_invariants(run, text, fmt, "resnet18", *options)
    golden(f"table/resnet18.{view}.{EXTENSIONS[fmt]}", text)


def test_table_inline_with_warnings(run, golden):
    """Layers on the command line, with footnotes for the warnings."""
    args = ("--input", "32x32x3", "conv:8,4,stride=3", "maxpool:2", "conv:4,3,padding=same,s=2")
    result = run("table", *args, "--columns", "all")
    assert result.exit_code == 0
    invariants.check_plain(result.stdout)
    golden("table/inline-warnings.txt", result.stdout)
    golden("table/inline-warnings.stderr", result.stderr)


@pytest.mark.parametrize("spec", SPECS)
def test_explain(run, golden, spec):
    """`cnncalc explain` of every bundled spec and the zoo."""
    result = run("explain", _spec(spec))
    assert result.exit_code == 0
    golden(f"explain/{spec}.txt", result.stdout)


@pytest.mark.parametrize("spec", ["lenet5", "zoo"])
def test_explain_markdown(run, golden, spec):
    """`cnncalc explain --format markdown`."""
    result = run("explain", _spec(spec), "--format", "markdown", "--layout", "chw")
    assert result.exit_code == 0
    golden(f"explain/{spec}.chw.md", result.stdout)


CHECK_FORMATS = {"text": "txt", "json": "json", "junit": "xml", "github": "github.txt"}


@pytest.mark.parametrize("fmt", list(CHECK_FORMATS))
@pytest.mark.parametrize("strict", [False, True])
def test_check(run, golden, fmt, strict):
    """`cnncalc check` of passing, warning, unmet, broken and misspelled specs."""
    options = ("--strict",) if strict else ()
    result = run("check", "tests/data/check", "lenet5", *options, "--format", fmt)
    assert result.exit_code == 1
    name = "strict" if strict else "default"
    golden(f"check/{name}.{CHECK_FORMATS[fmt]}", result.stdout)


@pytest.mark.parametrize("fmt", list(CHECK_FORMATS))
def test_check_passing(run, golden, fmt):
    """A run where every file passes."""
    result = run("check", "lenet5", "resnet18", "--format", fmt)
    assert result.exit_code == 0
    golden(f"check/passing.{CHECK_FORMATS[fmt]}", result.stdout)


COURSE_IMAGE = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
RGB = "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1 | 1 0 0 1; 0 1 1 0; 1 0 0 1; 0 1 1 0"
MATRIX_CASES = {
    "conv-course": ("conv", COURSE_IMAGE, "vertical"),
    "conv-course-explain": ("conv", COURSE_IMAGE, "vertical", "--explain", "2,3"),
    "conv-rgb": ("conv", RGB, "sobel-vertical", "1 0 0; 0 -1 0; 0 0 2", "--padding", "same", "--stride",
                 "2", "--bias", "1", "--bias", "-0.5", "--relu", "--explain", "1,2"),
    "conv-flip-decimal": ("conv", "0.5 1.25 2; -1 0 3.5; 2 2 0.1", "1 2; 3 4", "--flip",
                          "--padding", "0x1x1x0"),
    "pool-max": ("pool", COURSE_IMAGE, "--kernel", "3", "--stride", "2", "--padding", "1",
                 "--explain", "1,1"),
    "pool-avg": ("pool", "1 3 2 1; 2 9 1 1; 1 4 2 3; 5 6 1 2", "--kernel", "3", "--stride", "1",
                 "--mode", "avg", "--explain", "2,2"),
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
@pytest.mark.parametrize("case", list(MATRIX_CASES))
def test_matrix(run, golden, case, fmt):
    """`cnncalc conv` and `cnncalc pool`: the grid, the arithmetic, JSON and CSV."""
    result = run(*MATRIX_CASES[case], "--format", fmt)
    assert result.exit_code == 0, result.output
    golden(f"matrix/{case}.{fmt}", result.stdout)
    if result.stderr:
        golden(f"matrix/{case}.{fmt}.stderr", result.stderr)


SIZE_CASES = {
    "forward": ("32", "-f", "5", "-p", "2"),
    "forward-hw": ("28x22", "-f", "5x3", "-s", "2x1", "-p", "same"),
    "forward-unused": ("10", "-f", "3", "-s", "4"),
    "dilated-pool": ("9", "-f", "3", "-d", "2", "--pool", "-p", "1"),
    "solve-padding": ("32", "-f", "5", "--out", "32"),
    "solve-padding-none": ("32", "-f", "5", "-s", "2", "--out", "20"),
    "solve-padding-many": ("9", "-f", "25", "-s", "100", "--out", "1"),
    "solve-stride": ("32", "-f", "5", "--out", "7", "--solve", "stride"),
    "solve-stride-none": ("10", "-f", "3", "--out", "6", "--solve", "stride", "-p", "0"),
    "transposed": ("7", "-f", "3", "-s", "2", "--transposed"),
    "transposed-op": ("7x5", "-f", "3", "-s", "2", "-p", "1", "--transposed",
                      "--output-padding", "1x0"),
    "transposed-same": ("7", "-f", "3", "-s", "2", "-p", "same", "--transposed"),
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", list(SIZE_CASES))
def test_size(run, golden, case, fmt):
    """`cnncalc size`: forwards, solving for padding and stride, transposed."""
    result = run("size", *SIZE_CASES[case], "--format", fmt)
    assert result.exit_code == 0, result.output
    golden(f"size/{case}.{fmt}", result.stdout)


def test_size_quiet(run, golden):
    """-q prints the answer line alone."""
    golden("size/quiet.txt", run("size", "28x22", "-f", "5x3", "-q").stdout)


@pytest.mark.parametrize("layers", [False, True])
def test_list(run, golden, layers):
    """`cnncalc list` and `cnncalc list --layers`."""
    result = run("list", *(["--layers"] if layers else []))
    assert result.exit_code == 0
    golden("list/layers.txt" if layers else "list/specs.txt", result.stdout)
