"""`cnncalc report`: one self-contained HTML page of a network, for people and for print.

The page holds the spec's name and description; the drawing `cnncalc draw`
makes (inline, each volume focusable); the table with every column, its
totals and the lines under it; the notes and warnings; and each layer's
arithmetic, as `cnncalc explain` works it out. Nothing is fetched: the style
and the one small script are inline, and the page shows everything without
the script, which only lights a volume's row as the volume is hovered or
focused, and the reverse.

Every name is escaped; nothing depends on a clock or a random number, so the
same network gives the same bytes. A row of the table is `<tr id="row-PATH">`,
as its volume is `<g id="layer-PATH">` (the path's dots written -).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from cnncalc.errors import counted, visible
from cnncalc.explain import Section, explain
from cnncalc.render import draw, draw_build
from cnncalc.render.columns import COLUMNS, Line, View
from cnncalc.render.report_style import CSS, SCRIPT
from cnncalc.render.table import footer_lines, input_line, label, table_warnings, unmet_by_row
from cnncalc.shapes import shape_text
from cnncalc.summary import Row, Summary


class Report(NamedTuple):
    """What the page shows: shapes in `layout`; blocks open down to `depth` (None: all),
    `folded` when that depth was chosen to keep the page readable; the spec's description."""

    layout: str = "hwc"
    depth: int | None = None
    folded: bool = False
    description: str | None = None


def text(value: str) -> str:
    """Text for HTML content or an attribute: what would act shown as an escape, then
    the markup characters escaped."""
    return html.escape(visible(value), quote=True)


def anchor(row: Row) -> str:
    """A row's path as an id's tail: 5.2.1 is 5-2-1."""
    return row.path.replace(".", "-")


DEFAULT = Report()


def page(summary: Summary, report: Report = DEFAULT) -> str:
    """The HTML document."""
    return "".join(chunks(summary, report))


def chunks(summary: Summary, report: Report = DEFAULT) -> Iterator[str]:
    """The HTML document in pieces, made as they are written: a page of many thousand
    rows is never whole in memory."""
    name = summary.name or "A network"
    view = View(
        columns=tuple(COLUMNS),
        layout=report.layout,
        depth=report.depth,
        total=summary.params,
        folded=report.folded,
    )
    rows = list(summary.flat(report.depth))
    left_out = draw.too_many(summary, report.depth)
    drawing = (
        draw.Picture("", {})
        if left_out
        else draw.picture(summary, draw.Drawing(report.layout, report.depth))
    )
    shown = drawing.shown
    yield "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="cnncalc report">',
            f"<title>{text(name)} — cnncalc report</title>",
            f"<style>\n{CSS}</style>",
            "</head>",
            "<body>",
            *_header(summary, name, report),
            "<main>",
            *_drawing(drawing.text, left_out),
            "",
        ]
    )
    del drawing
    for part in (
        _table(summary, view, rows, shown),
        _warnings(summary),
        _explained(explain(summary, report.layout), list(summary.flat()), rows),
    ):
        for line in part:
            yield line + "\n"
    yield "\n".join(
        [
            "</main>",
            '<footer class="muted"><p>Made by cnncalc report: every figure is exact, computed '
            "from the spec without a framework.</p></footer>",
            f"<script>\n{SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _header(summary: Summary, name: str, report: Report) -> list[str]:
    lines = ["<header>", f"<h1>{text(name)}</h1>"]
    if report.description:
        described = "<br>".join(text(line) for line in report.description.splitlines())
        lines.append(f'<p class="muted">{described}</p>')
    shapes = (
        f"Input {shape_text(summary.input_shape, report.layout)} → output "
        f"{shape_text(summary.output_shape, report.layout)}; "
        f"{counted(summary.params, 'parameter')}, {summary.macs:,} MACs"
    )
    lines += [f"<p>{text(shapes)}</p>", "</header>"]
    return lines


_GROUP = re.compile(r'<g id="(layer-[0-9-]+|input)">')


def _drawing(picture: str, left_out: str | None) -> list[str]:
    """`cnncalc draw`'s picture, without its XML declaration, each volume focusable; or
    why there is none."""
    if left_out is not None:
        return [
            '<section aria-labelledby="drawing-heading">',
            '<h2 id="drawing-heading">Drawing</h2>',
            f'<p class="muted">No drawing: {text(left_out)}.</p>',
            "</section>",
        ]
    picture = picture.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n').rstrip("\n")
    picture = _GROUP.sub(r'<g id="\1" tabindex="0">', picture)
    return [
        '<section aria-labelledby="drawing-heading">',
        '<h2 id="drawing-heading">Drawing</h2>',
        '<p class="muted hint">Each activation is a box H tall, W deep and C thick. Hover '
        "over or tab to a volume to light its row in the table, and a row to light its "
        "volume.</p>",
        '<div class="scroll drawing">',
        picture,
        "</div>",
        "</section>",
    ]


class _Notes:
    """The table's footnotes: each note numbered in the order the rows mark them."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []  # (whose, note)

    def mark(self, whose: str, notes: Iterable[str]) -> str:
        marks = []
        for note in notes:
            self.notes.append((whose, note))
            number = len(self.notes)
            marks.append(f'<sup><a href="#note-{number}">[{number}]</a></sup>')
        return "".join(marks)


def _cells(line: Line | Row, view: View) -> str:
    cells = []
    for column in COLUMNS.values():
        shown = column.text(column.value(line, view), view)
        css = ' class="n"' if column.numeric else ""
        cells.append(f"<td{css}>{text(shown)}</td>")
    return "".join(cells)


def _table(
    summary: Summary, view: View, rows: Sequence[Row], shown: Mapping[str, str]
) -> Iterator[str]:
    """The table; a row drawn as another (alike blocks are drawn once) lights that one."""
    notes = _Notes()
    unmet = unmet_by_row(summary)
    headers = "".join(f'<th scope="col">{text(column.header)}</th>' for column in COLUMNS.values())
    marks = notes.mark("Input", summary.input_notes)
    caption = (
        f"Every layer's figures, shapes as {view.layout.upper()}: "
        f"{counted(len(rows), 'row')} under the input"
    )
    yield from [
        '<section aria-labelledby="table-heading">',
        '<h2 id="table-heading">Table</h2>',
        '<div class="scroll table" role="region" aria-labelledby="table-heading" tabindex="0">',
        "<table>",
        f"<caption>{text(caption)}</caption>",
        f'<thead><tr><th scope="col">Layer</th>{headers}</tr></thead>',
        "<tbody>",
        '<tr id="input-row" data-volume="input"><th scope="row">'
        f'<a href="#explain-input">Input</a>{marks}</th>{_cells(input_line(summary), view)}</tr>',
    ]
    for row in rows:
        marks = notes.mark(row.name, [*row.notes, *unmet.get(row.path, ())])
        branch = f'<span class="branch">{text(row.branch)}:</span> ' if row.branch else ""
        volume = draw_build.group_id(shown.get(row.path, row.path))
        yield (
            f'<tr id="row-{anchor(row)}" data-volume="{volume}">'
            f'<th scope="row" style="--d:{row.depth - 1}">{branch}'
            f'<a href="#explain-{anchor(row)}">{text(label(row))}</a>{marks}</th>'
            f"{_cells(row, view)}</tr>"
        )
    totals = []
    for column in COLUMNS.values():
        figure = None if column.total is None else column.total(summary)
        total = "" if figure is None else column.text(figure, view)
        css = ' class="n"' if column.numeric else ""
        totals.append(f"<td{css}>{text(total)}</td>")
    total_marks = notes.mark("Total", unmet.get("", ()))
    lines = [
        "</tbody>",
        f'<tfoot><tr><th scope="row">Total{total_marks}</th>{"".join(totals)}</tr></tfoot>',
        "</table>",
        "</div>",
        '<ul class="totals">',
        *(f"<li>{text(line)}</li>" for line in footer_lines(summary, view)),
        "</ul>",
    ]
    if notes.notes:
        lines.append('<ol class="footnotes muted">')
        lines += [
            f'<li id="note-{number}">{text(whose)}: {text(note)}</li>'
            for number, (whose, note) in enumerate(notes.notes, 1)
        ]
        lines.append("</ol>")
    lines.append("</section>")
    yield from lines


def _warnings(summary: Summary) -> list[str]:
    warnings = table_warnings(summary)
    if not warnings:
        return []
    return [
        '<section aria-labelledby="warnings-heading">',
        '<h2 id="warnings-heading">Warnings</h2>',
        '<ul class="warnings">',
        *(
            f"<li>{'Note' if warning.severity == 'note' else 'Warning'}: {text(str(warning))}</li>"
            for warning in warnings
        ),
        "</ul>",
        "</section>",
    ]


def _explained(
    sections: Iterable[Section], every: Sequence[Row], shown: Sequence[Row]
) -> Iterator[str]:
    """`explain`'s sections, one `<details>` each, open: the input's, each layer's (every
    row, those of folded blocks too), and the totals."""
    visible_rows = {row.path for row in shown}
    ids = ["input", *(anchor(row) for row in every), "total"]
    paths = ["", *(row.path for row in every), ""]
    yield '<section aria-labelledby="arithmetic-heading">'
    yield '<h2 id="arithmetic-heading">How each number came about</h2>'
    for section, tail, path in zip(sections, ids, paths, strict=True):
        back = ""
        if path in visible_rows:
            back = f' <a href="#row-{tail}" class="muted">(row)</a>'
        elif tail == "input":
            back = ' <a href="#input-row" class="muted">(row)</a>'
        yield (
            f'<details open id="explain-{tail}" style="--d:{section.depth - 1}">'
            f"<summary>{text(section.heading)}{back}</summary>"
        )
        if section.lines:
            yield "<ul>" + "".join(f"<li>{text(line)}</li>" for line in section.lines) + "</ul>"
        yield "</details>"
    yield "</section>"
