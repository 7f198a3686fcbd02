"""`cnncalc table`: the course's LeNet-style table, as rich, plain, Markdown, CSV or JSON.

`FORMATS` is the registry: the command's `--format` choices and the function
that writes each. Every figure is the exact integer the engine computed; the
columns (`render.columns`) say how each is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

from cnncalc import geometry
from cnncalc.errors import counted
from cnncalc.render import jsonout
from cnncalc.render.columns import COLUMNS, DEFAULT_COLUMNS, Line, View
from cnncalc.render.numbers import nbytes, scaled
from cnncalc.render.output import colour_terminal, escape_markdown, write
from cnncalc.shapes import rank_of

if TYPE_CHECKING:
    from cnncalc.errors import Diagnostic
    from cnncalc.render.columns import Figures
    from cnncalc.summary import Row, Summary

DEFAULT_VIEW = View()
ROWS = 50  # past this, a table for people folds its deepest blocks unless told otherwise
FOR_PEOPLE = ("text", "plain", "markdown", "rich")


# A conv's MACs in each rank's notation; a vector input has no conv, so the image's.
_CONV_COST = {
    0: "H_out·W_out·C_out·f_h·f_w·C_in/groups",
    1: "L_out·C_out·f·C_in/groups",
    2: "H_out·W_out·C_out·f_h·f_w·C_in/groups",
    3: "D_out·H_out·W_out·C_out·f_d·f_h·f_w·C_in/groups",
}


def fitting_depth(summary: Summary, rows: int = ROWS) -> int | None:
    """The deepest depth whose table keeps to `rows` rows (1 at least); None when every
    row fits."""
    if sum(1 for _ in summary.flat()) <= rows:
        return None
    depth = 1
    while sum(1 for _ in summary.flat(depth + 1)) <= rows:
        depth += 1
    return depth


def label(row: Row) -> str:
    """The layer column: CONV1 (f=5, s=1), as in the course's table."""
    notation = row.layer.notation()
    return f"{row.name} ({notation})" if notation else row.name


def _nested(row: Row, text: str) -> str:
    """A row's label indented by its depth, and the branch of a block it is in."""
    branch = f"{row.branch}: " if row.branch else ""
    return "  " * (row.depth - 1) + branch + text


def input_line(summary: Summary) -> Line:
    return Line(summary.input_shape, field=geometry.input_field(summary.input_shape))


def _of(summary: Summary, view: View) -> View:
    """The view, knowing the total that each row's share of the parameters is of."""
    return view._replace(total=summary.params)


def _cells(summary: Summary, view: View) -> tuple[list[list[str]], list[str], list[str]]:
    """The table as text: body rows (input first) and totals; and its footnotes."""
    view = _of(summary, view)
    columns = [COLUMNS[key] for key in view.columns]
    footnotes: list[str] = []

    def marked(text: str, name: str, notes: Sequence[str]) -> str:
        """`text` with a [n] for each note, the note numbered under the table."""
        for note in notes:
            footnotes.append(f"[{len(footnotes) + 1}] {name}: {note}")
            text += f" [{len(footnotes)}]"
        return text

    unmet = unmet_by_row(summary)
    lines: list[tuple[str, Figures]] = [
        (marked("Input", "Input", summary.input_notes), input_line(summary))
    ]
    for row in summary.flat(view.depth):
        notes = [*row.notes, *unmet.get(row.path, ())]
        lines.append((_nested(row, marked(label(row), row.name, notes)), row))
    body = [
        [name] + [column.text(column.value(line, view), view) for column in columns]
        for name, line in lines
    ]
    totals = [marked("Total", "Total", unmet.get("", ()))]
    for column in columns:
        figure = None if column.total is None else column.total(summary)
        totals.append("" if figure is None else column.text(figure, view))
    return body, totals, footnotes


def unmet_by_row(summary: Summary) -> dict[str, list[str]]:
    """Each failed `expect`, by the path of its row ("" for the whole network's)."""
    found: dict[str, list[str]] = {}
    for problem in summary.unmet:
        layer = problem.layer
        path = "" if layer is None else (layer.path or str(layer.number))
        found.setdefault(path, []).append(problem.message)
    return found


def _headers(view: View) -> list[str]:
    return ["Layer"] + [COLUMNS[key].header for key in view.columns]


def footer_lines(summary: Summary, view: View) -> list[str]:
    """The lines under the table: parameters, and the conventions of what is shown."""
    weights = counted(summary.weights, "weight")
    biases = counted(summary.biases, "bias", "biases")
    lines = [f"{counted(summary.params, 'parameter')}: {weights} + {biases}"]
    if summary.buffers:
        every = summary.params + summary.buffers
        lines[0] = (
            f"{counted(summary.params, 'trainable parameter')} ({weights} + {biases}) + "
            f"{summary.buffers:,} non-trainable (batch norm's running statistics) = "
            f"{every:,} in all"
        )
    if {"macs", "flops"} & set(view.columns):
        each = " for each input of the batch" if view.batch else ""
        cost = _CONV_COST.get(rank_of(summary.input_shape), _CONV_COST[2])
        lines.append(
            f"{summary.macs:,} MACs ({scaled(summary.macs, ('', 'K', 'M', 'G', 'T'))}), "
            f"{summary.flops:,} FLOPs{each}. A MAC is a multiply-accumulate, counted as "
            f"torchvision and fvcore do: a conv costs {cost}, "
            "a fully connected layer n_in·n_out; biases, batch norm, activations and pooling "
            "cost nothing; FLOPs = 2 × MACs."
        )
    if view.folded and view.depth is not None:
        shown = sum(1 for _ in summary.flat(view.depth))
        every = sum(1 for _ in summary.flat())
        lines.append(
            f"Blocks are folded {view.depth} deep: {shown} of {every} rows are shown "
            "(--depth all shows every row, --depth N another depth)."
        )
    if "memory" in view.columns:
        memory = summary.memory(view.per_value, view.copies)
        batch = f", batch of {view.batch}" if view.batch else ""
        lines.append(
            f"Memory ({view.dtype}, {counted(view.per_value, 'byte')} a value{batch}; 1 KB = 1,000 "
            f"bytes): input {nbytes(memory.input)} + activations {nbytes(memory.activations)} "
            f"+ parameters {nbytes(memory.params)} = {nbytes(memory.total)}"
        )
    return lines


def plain_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: Sequence[str],
    title: str | None = None,
    right: Sequence[bool] = (),
) -> str:
    """An ASCII table; the columns `right` marks are right-aligned, the others left."""
    widths = [
        max(len(cell) for cell in column) for column in zip(headers, *rows, total, strict=True)
    ]

    def line(cells: Sequence[str]) -> str:
        aligned = (
            cell.rjust(width) if index < len(right) and right[index] else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(aligned) + " |"

    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    lines = [title.center(len(rule)).rstrip()] if title else []
    lines += [rule, line(headers), rule, *(line(cells) for cells in rows), rule, line(total), rule]
    return "\n".join(lines) + "\n"


def plain(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    """The plain ASCII table, wherever it goes."""
    _table(summary, view, file, colour=False)


def rich_table(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    """The table: drawn with rich on a colour terminal, plain ASCII otherwise."""
    _table(summary, view, file, colour=colour_terminal(file))


def _table(summary: Summary, view: View, file: IO[str] | None, colour: bool) -> None:
    headers = _headers(view)
    body, totals, footnotes = _cells(summary, view)
    after = [*footer_lines(summary, view), *footnotes]
    # Figures right-aligned, words and shapes left, as the course's table has them.
    right = [False, *(COLUMNS[key].numeric for key in view.columns)]
    text = plain_table(headers, body, totals, summary.name, right)
    if not colour:
        write(text + "".join(f"{line}\n" for line in after), file)
        return
    from cnncalc.render import terminal

    terminal.draw(summary.name, headers, body, totals, after, right, text, file)


def markdown(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    body, totals, footnotes = _cells(summary, view)
    lines = [f"### {summary.name}", ""] if summary.name else []
    lines.append("| " + " | ".join(_headers(view)) + " |")
    aligns = ["---"] + ["--:" if COLUMNS[key].numeric else "---" for key in view.columns]
    lines.append("|" + "|".join(aligns) + "|")
    lines += ["| " + " | ".join(escape_markdown(cell) for cell in cells) + " |" for cells in body]
    lines.append("| " + " | ".join(f"**{cell}**" if cell else "" for cell in totals) + " |")
    lines += [""] + [
        f"{line}." if not line.endswith(".") else line for line in footer_lines(summary, view)
    ]
    if footnotes:
        lines += [""] + [f"{footnote}  " for footnote in footnotes]
    write("\n".join(lines) + "\n", file)


def csv_table(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    """One line per layer after the input's, each column's raw figure: whole numbers
    without separators, bytes, per-axis values as cnncalc reads them (7, 7x5, 0x1x0x1).

    No totals line, to trip no parser; shapes as the table writes them.
    """
    import csv
    import io

    view = _of(summary, view)
    columns = [COLUMNS[key] for key in view.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "name", "type", *view.columns])
    lines: list[tuple[str, str, str, Figures]] = [("0", "Input", "input", input_line(summary))]
    lines += [(row.path, row.name, row.kind, row) for row in summary.flat(view.depth)]
    for index, name, kind, line in lines:
        figures = (column.csv(column.value(line, view), view) for column in columns)
        writer.writerow([index, _inert(name), kind, *figures])
    write(out.getvalue(), file)


def _inert(name: str) -> str:
    """A name a spreadsheet will not run as a formula: one that starts with =, +, - or @
    gets a leading ', as OWASP advises and spreadsheets show without it."""
    return "'" + name if name[:1] in ("=", "+", "-", "@") else name


# The JSON contract's order of each layer's figures; a column not listed follows them.
_JSON_ORDER = (
    "shape", "size", "weights", "biases", "params", "nontrainable", "macs", "flops", "memory",
    "rf", "jump", "start", "rf_lost", "kernel", "stride", "padding", "percent",
)  # fmt: skip
_ROW = jsonout.Layout(spread=False)
_ROW.keys["children"] = jsonout.Layout(items=_ROW)
_DOCUMENT = jsonout.Layout(
    keys={"layers": jsonout.Layout(items=_ROW), "warnings": jsonout.Layout()}
)


def as_json(summary: Summary, view: View = DEFAULT_VIEW, lazy: bool = False) -> dict[str, Any]:
    """`cnncalc table --format json`: the issue's contract, plus every other figure.
    `lazy`: the lists of rows are generators, made as `jsonout.dump` writes them."""

    def rows(of: Sequence[Row]) -> Any:
        return (figures(row) for row in of) if lazy else [figures(row) for row in of]

    view = _of(summary, view)
    memory = summary.memory(view.per_value, view.copies)
    keys = [*_JSON_ORDER, *(key for key in COLUMNS if key not in _JSON_ORDER)]
    plan = [(key, COLUMNS[key].value, COLUMNS[key].json) if key in COLUMNS else (key, None, None)
            for key in keys]  # fmt: skip

    def figures(row: Row) -> dict[str, Any]:
        entry: dict[str, Any] = {"index": row.index, "name": row.name, "type": row.kind}
        for key, value, convert in plan:
            if key in entry:
                continue  # the contract's own: the type
            if value is None:  # rf_lost: why there is no receptive field
                entry[key] = None if row.field else row.lost
                continue
            figure = value(row, view)
            entry[key] = figure if convert is None else convert(figure, view)
        entry["path"] = row.path
        entry["depth"] = row.depth
        if row.branch:
            entry["branch"] = row.branch
        if row.branches and (view.depth is None or row.depth < view.depth):
            entry["children"] = rows(row.children)
        return entry

    return {
        "name": summary.name,
        "input": {
            "shape": view.dims(summary.input_shape),
            "size": summary.input_size * view.copies,
        },
        "layout": view.layout,
        "batch": view.batch,
        "dtype": view.dtype,
        "layers": rows(summary.rows),
        "outputs": [
            {"name": row.name, "path": row.path, "shape": view.dims(row.shape)}
            for row in summary.outputs
        ],
        "totals": {
            "params": summary.params,
            "weights": summary.weights,
            "biases": summary.biases,
            "nontrainable": summary.buffers,
            "all": summary.params + summary.buffers,
            "macs": summary.macs,
            "flops": summary.flops,
            "memory": {**memory._asdict(), "total": memory.total},
        },
        "warnings": [jsonout.diagnostic(warning) for warning in table_warnings(summary)],
    }


def json_table(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    jsonout.dump(as_json(summary, view, lazy=True), _DOCUMENT, file or sys.stdout)


def table_warnings(summary: Summary) -> tuple[Diagnostic, ...]:
    """What `table` warns of: the engine's warnings, and each `expect` that fails
    (check's business, but a table that contradicts the spec should say so)."""
    return (*summary.warnings, *(unmet._replace(severity="warning") for unmet in summary.unmet))


Format = Callable[["Summary", View, "IO[str] | None"], None]
FORMATS: dict[str, Format] = {
    "text": rich_table,
    "plain": plain,
    "markdown": markdown,
    "csv": csv_table,
    "json": json_table,
    "rich": rich_table,  # the name `text` had before; kept so that old scripts work
}

__all__ = ["DEFAULT_COLUMNS", "FORMATS", "View", "as_json", "label", "table_warnings"]
