"""The table on a colour terminal, as a person meets it: rich consoles 60, 80 and 120
columns wide. No figure is ever cut, and what rich draws says what the plain table says."""

from __future__ import annotations

import io
import re

import pytest

from cnncalc import engine, spec
from cnncalc.render import table
from cnncalc.render.columns import COLUMNS, View

WIDTHS = [60, 80, 120]
CASES = {
    "lenet5": ("lenet5", None, ("shape", "size", "params")),
    "lenet5-wide": ("lenet5", None, ("shape", "macs", "flops", "memory", "rf", "percent")),
    "resnet50-all": ("resnet50", None, tuple(COLUMNS)),
    "resnet18-depth": ("resnet18", 2, ("shape", "params", "macs")),
    "googlenet": ("googlenet", None, ("shape", "size", "params", "nontrainable")),
}


def render(name: str, depth: int | None, columns: tuple[str, ...], width: int, monkeypatch):
    """The rich output at `width`, and the plain table, for the same view."""
    from cnncalc import bundled

    path = bundled.path(name)
    assert path is not None
    summary = engine.analyze(spec.load(path))
    view = View(columns, depth=depth)
    plain = io.StringIO()
    table.rich_table(summary, view, plain)  # not a terminal: the plain table
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    drawn = io.StringIO()
    table.rich_table(summary, view, drawn)
    return re.sub(r"\x1b\[[0-9;]*m", "", drawn.getvalue()), plain.getvalue()


def _columns(text: str, separator: str) -> list[list[str]]:
    """Each column's non-empty cells, top to bottom, of the body and Total rows of a table
    whose cells `separator` splits (rich's header row uses another, ┃)."""
    columns: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith(separator) or line.startswith(f"{separator} Layer "):
            continue
        cells = [cell.strip() for cell in line.strip(separator).split(separator)]
        columns += [[] for _ in range(len(cells) - len(columns))]
        for column, cell in zip(columns, cells, strict=False):
            if cell:
                column.append(cell)
    return columns


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_no_figure_is_cut(case, width, monkeypatch):
    """Every figure rich draws is the plain table's, whole; names may wrap, never figures."""
    drawn, plain = render(*CASES[case], width, monkeypatch)
    assert "…" not in drawn
    if "printed plain" in drawn:
        # Too wide for the terminal even with the names folded: the plain table, whole.
        assert drawn.startswith(plain.split("\n", 1)[0])
        assert plain.rstrip("\n") in drawn
        assert len(drawn.splitlines()[-1]) > 0
        return
    assert max(len(line) for line in drawn.splitlines() if "│" in line) <= width
    drawn_columns = _columns(drawn, "│")
    plain_columns = _columns(plain, "|")
    # Every figure column holds the plain table's cells, in order, each whole.
    assert drawn_columns[1:] == plain_columns[1:]
    # The names: the same characters in the same order, however they wrapped or folded.
    assert "".join("".join(drawn_columns[0]).split()) == "".join("".join(plain_columns[0]).split())


def test_the_wide_table_says_how_to_see_it(monkeypatch):
    """ResNet-50 with every column cannot fit 80 columns: plain, with one line saying so."""
    drawn, plain = render("resnet50", None, tuple(COLUMNS), 80, monkeypatch)
    assert plain.rstrip("\n") in drawn
    assert drawn.splitlines()[-1].startswith("The table is ")
    assert "less -S" in drawn.splitlines()[-1]
    # The stem's 7·7·3·64 weights, and torchvision's published ResNet-50 total.
    assert f"{7 * 7 * 3 * 64:,}" in drawn and "25,557,032" in drawn


def test_a_narrow_enough_table_is_drawn_by_rich(monkeypatch):
    """LeNet's table fits 80 columns: drawn with rich's boxes, figures whole."""
    drawn, _ = render("lenet5", None, ("shape", "size", "params"), 80, monkeypatch)
    # FC3's (400 + 1)·120 and the course's total, 608 + 3,216 + 48,120 + 10,164 + 850.
    assert "┏" in drawn and f"{(400 + 1) * 120:,}" in drawn
    assert f"{608 + 3_216 + 48_120 + 10_164 + 850:,}" in drawn
