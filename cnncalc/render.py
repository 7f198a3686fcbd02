"""Every way cnncalc writes a result: rich and plain tables, Markdown, CSV, JSON.

The only module that imports rich, and only when a rich table is printed, so
that `--format json` starts without it. Numbers are formatted here, never
rounded: every figure is the exact integer the engine computed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from cnncalc.geometry import INPUT_FIELD, Field, Padding4, Pair, Window
from cnncalc.layers import Shape, by, in_layout, padding_text, shape_text, size_of

if TYPE_CHECKING:  # annotations only: `cnncalc conv` need not import the engine and YAML
    from cnncalc.check import FileResult
    from cnncalc.convolve import Explanation, Result
    from cnncalc.engine import Row, Summary
    from cnncalc.errors import Diagnostic
    from cnncalc.explain import Section
    from cnncalc.matrix import Grid, Number
    from cnncalc.sizing import Answer, Size, Solved

FORMATS = ("rich", "markdown", "csv", "json")
DEFAULT_COLUMNS = ("shape", "size", "params")  # the course's table
DTYPES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}  # bytes a value


class View(NamedTuple):
    """How a summary is shown: its columns, and the units of shapes and memory."""

    columns: tuple[str, ...] = DEFAULT_COLUMNS
    dtype: str = "float32"
    batch: int | None = None  # the course's m; shapes then show it first
    layout: str = "hwc"  # or "chw", as PyTorch writes shapes
    depth: int | None = None  # rows inside blocks deeper than this are folded away

    def dims(self, shape: Shape) -> list[int]:
        """A shape in this view's layout, with the batch first when there is one."""
        dims = list(in_layout(shape, self.layout))
        return [self.batch, *dims] if self.batch else dims

    def shape(self, shape: Shape) -> str:
        """(28, 28, 8) as the course writes it; a vector as the column (120, 1)."""
        if self.batch:
            return "(" + ", ".join(str(n) for n in self.dims(shape)) + ")"
        return shape_text(shape, self.layout)

    @property
    def copies(self) -> int:
        return self.batch or 1


DEFAULT_VIEW = View()


class Line(NamedTuple):
    """One line of the table, the input's or a layer's, as the columns read it."""

    label: str
    shape: Shape
    weights: int = 0
    biases: int = 0
    macs: int = 0
    window: Window | None = None
    padding: Padding4 | None = None
    field: Field | None = INPUT_FIELD
    buffers: int = 0
    lost: str = "all"  # shown for the field when there is none

    @property
    def params(self) -> int:
        return self.weights + self.biases


def label(row: Row) -> str:
    """The layer column: CONV1 (f=5, s=1), as in the course's table."""
    notation = row.layer.notation()
    return f"{row.name} ({notation})" if notation else row.name


def _nested(row: Row, text: str, indent: str = "  ") -> str:
    """A row's label indented by its depth, and the branch of a block it is in."""
    branch = f"{row.branch}: " if row.branch else ""
    return indent * (row.depth - 1) + branch + text


def _line(row: Row, label: str) -> Line:
    return Line(
        label,
        row.shape,
        row.weights,
        row.biases,
        row.macs,
        row.window,
        row.padding,
        row.field,
        row.buffers,
        row.lost,
    )


def _percent(part: int, whole: int) -> str:
    """part/whole as a percentage with one decimal, rounded half up in integers."""
    if not whole:
        return "–"
    tenths = (part * 1000 * 2 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def scaled(number: int, units: Sequence[str], base: int = 1000) -> str:
    """An exact integer for reading: 849,320 as 849.32 K; two decimals, rounded half up."""
    power = 0
    while power + 1 < len(units) and number >= base ** (power + 1):
        power += 1
    if power == 0:
        return f"{number} {units[0]}".rstrip()
    hundredths = (number * 100 * 2 + base**power) // (2 * base**power)
    return f"{hundredths // 100:,}.{hundredths % 100:02d} {units[power]}"


def nbytes(number: int) -> str:
    """Bytes in decimal units, as torchinfo prints them: 1 KB = 1,000 bytes."""
    return scaled(number, ("B", "KB", "MB", "GB", "TB", "PB"))


def _by(pair: Pair | None, none: str = "") -> str:
    return none if pair is None else by(pair)


def _field(line: Line, part: int) -> str:
    return line.lost if line.field is None else by(line.field[part])


# Each column: header, numeric (right-aligned), and the text of a line's cell.
COLUMNS: dict[str, tuple[str, bool, Callable[[Line, View, int], str]]] = {
    "shape": ("Activation shape", False, lambda line, view, total: view.shape(line.shape)),
    "size": ("Activation size", True,
             lambda line, view, total: f"{size_of(line.shape) * view.copies:,}"),
    "params": ("# parameters", True, lambda line, view, total: f"{line.params:,}"),
    "weights": ("Weights", True, lambda line, view, total: f"{line.weights:,}"),
    "biases": ("Biases", True, lambda line, view, total: f"{line.biases:,}"),
    "nontrainable": ("Non-trainable", True, lambda line, view, total: f"{line.buffers:,}"),
    "macs": ("MACs", True, lambda line, view, total: f"{line.macs:,}"),
    "flops": ("FLOPs", True, lambda line, view, total: f"{2 * line.macs:,}"),
    "memory": ("Memory", True, lambda line, view, total: nbytes(
        size_of(line.shape) * view.copies * DTYPES[view.dtype])),
    "rf": ("Receptive field", True, lambda line, view, total: _field(line, 0)),
    "jump": ("Jump", True, lambda line, view, total: _field(line, 1)),
    "start": ("Start", True, lambda line, view, total: _field(line, 2)),
    "kernel": ("Kernel", True, lambda line, view, total: _by(line.window and line.window.kernel)),
    "stride": ("Stride", True, lambda line, view, total: _by(line.window and line.window.stride)),
    "padding": ("Padding", True, lambda line, view, total: "" if line.padding is None
                else padding_text(line.padding)),
    "percent": ("% of parameters", True, lambda line, view, total: _percent(line.params, total)),
}  # fmt: skip
_SUMMED = {"params", "weights", "biases", "nontrainable", "macs", "flops"}


def _cells(summary: Summary, view: View) -> tuple[list[list[str]], list[str], list[str]]:
    """The table as text: header, body rows (input first) and totals; and its footnotes."""
    total = summary.params
    lines = [Line("Input", summary.input_shape)]
    footnotes: list[str] = []
    for row in summary.flat(view.depth):
        text = label(row)
        for note in row.notes:
            footnotes.append(f"[{len(footnotes) + 1}] {row.name}: {note}")
            text += f" [{len(footnotes)}]"
        lines.append(_line(row, _nested(row, text)))
    body = [[line.label] + [COLUMNS[key][2](line, view, total) for key in view.columns]
            for line in lines]  # fmt: skip
    sums = Line("Total", (), summary.weights, summary.biases, summary.macs, buffers=summary.buffers)
    totals = ["Total"] + [
        COLUMNS[key][2](sums, view, total) if key in _SUMMED
        else ("100.0%" if key == "percent" and total else "")
        for key in view.columns
    ]  # fmt: skip
    return body, totals, footnotes


def _headers(view: View) -> list[str]:
    return ["Layer"] + [COLUMNS[key][0] for key in view.columns]


def _footer(summary: Summary, view: View) -> list[str]:
    """The lines under the table: parameters, and the conventions of what is shown."""
    lines = [
        f"{summary.params:,} parameters: {summary.weights:,} weights + {summary.biases:,} biases"
    ]
    if summary.buffers:
        every = summary.params + summary.buffers
        lines[0] = (
            f"{summary.params:,} trainable parameters ({summary.weights:,} weights + "
            f"{summary.biases:,} biases) + {summary.buffers:,} non-trainable (batch norm's "
            f"running statistics) = {every:,} in all"
        )
    if {"macs", "flops"} & set(view.columns):
        each = " for each input of the batch" if view.batch else ""
        lines.append(
            f"{summary.macs:,} MACs ({scaled(summary.macs, ('', 'K', 'M', 'G', 'T'))}), "
            f"{summary.flops:,} FLOPs{each}. A MAC is a multiply-accumulate, counted as "
            "torchvision and fvcore do: a conv costs H_out·W_out·C_out·f_h·f_w·C_in/groups, a "
            "fully connected layer n_in·n_out; biases, batch norm, activations and pooling "
            "cost nothing; FLOPs = 2 × MACs."
        )
    if "memory" in view.columns:
        memory = summary.memory(DTYPES[view.dtype], view.copies)
        batch = f", batch of {view.batch}" if view.batch else ""
        lines.append(
            f"Memory ({view.dtype}, {DTYPES[view.dtype]} bytes a value{batch}; 1 KB = 1,000 "
            f"bytes): input {nbytes(memory.input)} + activations {nbytes(memory.activations)} "
            f"+ parameters {nbytes(memory.params)} = {nbytes(memory.total)}"
        )
    return lines


def explanation(sections: Sequence[Section], title: str | None, markdown: bool = False) -> str:
    """`cnncalc explain`: each section's heading and its arithmetic, plain or Markdown."""
    lines = []
    if title:
        lines += [f"### {title}" if markdown else title, ""]
    for section in sections:
        indent = "  " * (section.depth - 1)
        if markdown:
            lines += [f"{indent}- **{section.heading}**"]
            lines += [f"{indent}  - {_escape(line)}" for line in section.lines]
        else:
            lines.append(indent + section.heading)
            lines += [f"{indent}  {line}" for line in section.lines]
            lines.append("")
    if markdown:
        lines.append("")
    return "\n".join(lines)


def colour_terminal(file: IO[str] | None = None) -> bool:
    """Whether to draw with rich: a terminal that takes colour, as rich would decide.

    Everything else (a pipe, a file, NO_COLOR) gets plain text, without paying
    for rich's import or its layout of thousands of rows.
    """
    import os
    import sys

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = file or sys.stdout
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def plain_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: Sequence[str],
    title: str | None = None,
    left: int = 2,
) -> str:
    """An ASCII table; the first `left` columns are left-aligned, the rest right-aligned."""
    widths = [
        max(len(cell) for cell in column) for column in zip(headers, *rows, total, strict=True)
    ]

    def line(cells: Sequence[str]) -> str:
        aligned = (
            cell.ljust(width) if index < left else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(aligned) + " |"

    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    lines = [title.center(len(rule)).rstrip()] if title else []
    lines += [rule, line(headers), rule, *(line(cells) for cells in rows), rule, line(total), rule]
    return "\n".join(lines) + "\n"


def rich_table(summary: Summary, view: View = DEFAULT_VIEW, file: IO[str] | None = None) -> None:
    """The table: drawn with rich on a colour terminal, plain ASCII otherwise."""
    headers = _headers(view)
    body, totals, footnotes = _cells(summary, view)
    after = [*_footer(summary, view), *footnotes]
    left = 2 if view.columns[:1] == ("shape",) else 1
    if not colour_terminal(file):
        text = plain_table(headers, body, totals, summary.name, left)
        _write(text + "".join(f"{line}\n" for line in after), file)
        return

    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=summary.name, box=box.HEAVY_HEAD, header_style="bold", title_style="bold")
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index < left else "right")
    for cells in body:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*totals, style="bold")
    console = Console(file=file, highlight=False)
    console.print(table)
    for line in after:
        console.print(line)


def markdown(summary: Summary, view: View = DEFAULT_VIEW) -> str:
    body, totals, footnotes = _cells(summary, view)
    lines = [f"### {summary.name}", ""] if summary.name else []
    lines.append("| " + " | ".join(_headers(view)) + " |")
    aligns = ["---"] + ["--:" if COLUMNS[key][1] else "---" for key in view.columns]
    lines.append("|" + "|".join(aligns) + "|")
    lines += ["| " + " | ".join(_escape(cell) for cell in cells) + " |" for cells in body]
    lines.append("| " + " | ".join(f"**{cell}**" if cell else "" for cell in totals) + " |")
    lines += [""] + [
        f"{line}." if not line.endswith(".") else line for line in _footer(summary, view)
    ]
    if footnotes:
        lines += [""] + [f"{footnote}  " for footnote in footnotes]
    return "\n".join(lines) + "\n"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def csv_text(summary: Summary, view: View = DEFAULT_VIEW) -> str:
    """One line per layer after the input's, the chosen columns with raw integers.

    No totals line, to trip no parser; shapes as the table writes them.
    """
    import csv
    import io

    total = summary.params
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "name", "type", *view.columns])
    lines = [("0", "Input", "input", Line("Input", summary.input_shape))]
    lines += [
        (row.path, row.name, row.kind, _line(row, row.name)) for row in summary.flat(view.depth)
    ]
    for index, name, kind, line in lines:
        cells = [COLUMNS[key][2](line, view, total) for key in view.columns]
        # Raw integers for machines: no thousands separators.
        raw = [cell.replace(",", "") if COLUMNS[key][1] and key != "memory" else cell
               for key, cell in zip(view.columns, cells, strict=True)]  # fmt: skip
        writer.writerow([index, name, kind, *raw])
    return out.getvalue()


def as_json(summary: Summary, view: View = DEFAULT_VIEW) -> dict[str, Any]:
    """`cnncalc table --format json`: the issue's contract, plus every other figure."""
    total = summary.params
    per_value = DTYPES[view.dtype]
    memory = summary.memory(per_value, view.copies)

    def pair(value: Pair | None) -> list[int] | None:
        return None if value is None else list(value)

    def figures(row: Row) -> dict[str, Any]:
        field, window = row.field, row.window
        size = row.size * view.copies
        entry: dict[str, Any] = {
            "index": row.index,
            "name": row.name,
            "type": row.kind,
            "shape": view.dims(row.shape),
            "size": size,
            "weights": row.weights,
            "biases": row.biases,
            "params": row.params,
            "nontrainable": row.buffers,
            "macs": row.macs,
            "flops": row.flops,
            "memory": size * per_value,
            "rf": pair(field and field.size),
            "jump": pair(field and field.jump),
            "start": pair(field and field.start),
            "rf_lost": None if field else row.lost,
            "kernel": pair(window and window.kernel),
            "stride": pair(window and window.stride),
            "padding": None if row.padding is None else list(row.padding),
            "percent": round(100 * row.params / total, 4) if total else None,
            "path": row.path,
            "depth": row.depth,
        }
        if row.branch:
            entry["branch"] = row.branch
        if row.children and (view.depth is None or row.depth < view.depth):
            entry["children"] = [figures(child) for child in row.children]
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
        "layers": [figures(row) for row in summary.rows],
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
        "warnings": [diagnostic_json(warning) for warning in table_warnings(summary)],
    }


def table_warnings(summary: Summary) -> tuple[Diagnostic, ...]:
    """What `table` warns of: the engine's warnings, and each `expect` that fails
    (check's business, but a table that contradicts the spec should say so)."""
    return (*summary.warnings, *(unmet._replace(severity="warning") for unmet in summary.unmet))


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    where, layer = diagnostic.where, diagnostic.layer
    return {
        "severity": diagnostic.severity,
        "message": diagnostic.message,
        "file": where.source if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
        "layer": layer.number if layer else None,
        "name": layer.name if layer else None,
    }


def json_text(summary: Summary, view: View = DEFAULT_VIEW) -> str:
    return pretty_json(as_json(summary, view))


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def pretty_json(document: dict[str, Any]) -> str:
    """JSON a person can read too: one key per line, one list item per line, and a
    block's children each on a line of their own, indented.

    json.dumps(indent=2) would spread every shape over four lines.
    """

    compact = _ENCODER.encode  # one encoder for the thousands of lines of a large spec

    def item(value: Any, indent: str) -> str:
        if isinstance(value, dict) and value.get("children"):
            head = compact({k: v for k, v in value.items() if k != "children"})[:-1]
            inner = ",\n".join(item(child, indent + "  ") for child in value["children"])
            return f'{indent}{head}, "children": [\n{inner}\n{indent}]}}'
        return indent + compact(value)

    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n".join(item(entry, "    ") for entry in value)
            lines.append(f"  {compact(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def print_table(
    summary: Summary, format: str, view: View = DEFAULT_VIEW, file: IO[str] | None = None
) -> None:
    """Write `summary` in one of `FORMATS` to `file` (standard output by default)."""
    if format == "rich":
        rich_table(summary, view, file)
        return
    text = {"markdown": markdown, "csv": csv_text, "json": json_text}[format](summary, view)
    _write(text, file)


def _write(text: str, file: IO[str] | None) -> None:
    import sys

    (file or sys.stdout).write(text)


def layer_types() -> str:
    """`cnncalc list --layers`: each type, its aliases, what it counts, and its keys."""
    from cnncalc.layers import LAYER_TYPES

    lines = []
    for kind in LAYER_TYPES.values():
        aliases = f" ({', '.join(kind.aliases)})" if kind.aliases else ""
        lines.append(f"{kind.name}{aliases}: {kind.help}")
        keys = [
            field.name + (f" ({', '.join(field.aliases)})" if field.aliases else "")
            for field in kind.fields
        ]
        lines.append(f"    keys: {', '.join([*keys, 'name', 'expect'])}; e.g. {kind.example}")
    return "\n".join(lines) + "\n"


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows of text in aligned columns, for simple listings."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


# The reference convolver's output: `cnncalc conv` and `cnncalc pool`.


def matrix_value(value: Number) -> str:
    """A value for a person: 3, -5, 3.75 exactly; a fraction that never ends as 4/3."""
    from cnncalc.convolve import plain

    return plain(value)


def matrix_number(value: Number) -> str:
    """A value for JSON and CSV: exact when it has a finite decimal form, else the
    nearest double (4/3 → 1.3333333333333333), since neither format has fractions."""
    text = matrix_value(value)
    return repr(float(value)) if "/" in text else text


def _grid(grid: Grid, width: int) -> str:
    return "".join(" ".join(matrix_value(v).rjust(width) for v in row) + "\n" for row in grid)


def _padding_text(result: Result) -> str:
    top, bottom, left, right = result.padding
    if top == bottom == left == right:
        applied = str(top)
    elif top == bottom and left == right:
        applied = f"{top}×{left}"
    else:
        applied = f"{top} top, {bottom} bottom, {left} left, {right} right"
    return f"{result.padding_spec} ({applied})" if isinstance(result.padding_spec, str) else applied


def convolution_text(result: Result, explanations: Sequence[Explanation] = ()) -> str:
    """A heading with the shape and its formula, then each output channel as a grid."""
    from cnncalc.convolve import Convolution

    h, w, c = result.input.shape
    kh, kw = result.kernel
    settings = f"stride {by(result.stride)}, padding {_padding_text(result)}"
    if isinstance(result, Convolution):
        count = len(result.filters)
        plural = "filter" if count == 1 else "filters"
        heading = f"{result.operation} of a {h}×{w}×{c} input with {count} {plural} {kh}×{kw}×{c}"
        heading += f", {settings}"
        if result.bias:
            heading += ", bias " + ", ".join(matrix_value(b) for b in result.bias)
        if result.relu:
            heading += ", then ReLU"
    else:
        heading = f"{result.operation} of a {h}×{w}×{c} input, kernel {kh}×{kw}, {settings}"
        if result.operation == "average pooling" and any(result.padding):
            heading += " (padded zeros count in the divisor)"
    out_h, out_w, out_c = result.shape
    fh, fw = result.height.formula(), result.width.formula()
    sides = f"each side {fh}" if fh == fw else f"height {fh}, width {fw}"
    lines = [heading, f"output {out_h}×{out_w}×{out_c}: {sides}"]
    lines += [f"note: {note}" for note in result.notes]
    width = max(len(matrix_value(v)) for grid in result.output for row in grid for v in row)
    text = "\n".join(lines) + "\n"
    for k, grid in enumerate(result.output, 1):
        label = f"channel {k}"
        if isinstance(result, Convolution):
            name = result.filters[k - 1].name
            label += f": filter {k}" + ("" if name == f"filter {k}" else f" ({name})")
        text += f"\n{label}\n" + _grid(grid, width)
    if explanations:
        text += "\n" + explanation_text(explanations)
    return text


def explanation_text(explanations: Sequence[Explanation]) -> str:
    return "\n".join(str(explanation) + "\n" for explanation in explanations)


def convolution_json(result: Result) -> str:
    """The JSON contract: {"shape": [H, W, C], "output": [channel][row][column]}."""
    channels = []
    for grid in result.output:
        rows = ",\n".join(
            "      [" + ", ".join(matrix_number(v) for v in row) + "]" for row in grid
        )
        channels.append("    [\n" + rows + "\n    ]")
    shape = ", ".join(str(n) for n in result.shape)
    return '{\n  "shape": [' + shape + '],\n  "output": [\n' + ",\n".join(channels) + "\n  ]\n}\n"


def convolution_csv(result: Result) -> str:
    """One line per row, channels apart by a blank line: the matrix file format, so
    `cnncalc conv` can read it back."""
    return "\n".join(
        "".join(",".join(matrix_number(v) for v in row) + "\n" for row in grid)
        for grid in result.output
    )


# --- `cnncalc check` reports ---


def check_report(results: Sequence[FileResult], format: str, file: IO[str] | None = None) -> None:
    """Write the results of `cnncalc check` as text, json, junit or github."""
    if format == "text":
        check_text(results, file)
        return
    text = {"json": check_json, "junit": check_junit, "github": check_github}[format](results)
    _write(text, file)


def _located(problem: Diagnostic) -> str:
    """file:line:col: severity: layer N (NAME): message, as compilers write it."""
    where = f"{problem.where}: " if problem.where else ""
    layer = f"{problem.layer}: " if problem.layer else ""
    return f"{where}{problem.severity}: {layer}{problem.message}"


def _tally(results: Sequence[FileResult]) -> str:
    failed = sum(not result.passed for result in results)
    files = "1 file" if len(results) == 1 else f"{len(results)} files"
    return f"{files} checked: {len(results) - failed} passed, {failed} failed"


def check_text(results: Sequence[FileResult], file: IO[str] | None = None) -> None:
    """One line per file, passed or failed, then its problems; coloured on a terminal."""
    lines = []  # (text, style) pairs
    for result in results:
        verdict = ("passed ", "green") if result.passed else ("FAILED ", "bold red")
        lines.append([verdict, (result.file, "")])
        for problem in result.problems:
            style = "red" if problem.severity == "error" else "yellow"
            lines.append([("       ", ""), (_located(problem), style)])
    lines.append([(_tally(results), "")])
    if not colour_terminal(file):
        _write("".join("".join(text for text, _ in line) + "\n" for line in lines), file)
        return

    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, highlight=False)
    for line in lines:
        console.print(Text.assemble(*line))


def check_json(results: Sequence[FileResult]) -> str:
    """A list with one object per file; each problem has its file, line, column and layer."""
    document = [
        {
            "file": result.file,
            "passed": result.passed,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "problems": [diagnostic_json(problem) for problem in result.problems],
        }
        for result in results
    ]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_junit(results: Sequence[FileResult]) -> str:
    """JUnit XML, one test case per file, for CI systems' test views."""
    import xml.etree.ElementTree as ET

    failures = str(sum(not result.passed for result in results))
    counts = {"tests": str(len(results)), "failures": failures, "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "cnncalc check", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "cnncalc check", **counts})
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="cnncalc.check",
            name=_xml(result.file),
            file=_xml(result.file),
        )
        failing = result.failing
        if failing:
            failure = ET.SubElement(
                case, "failure", message=_xml(_located(failing[0])), type=failing[0].severity
            )
            failure.text = _xml("\n".join(_located(problem) for problem in failing))
        others = [problem for problem in result.problems if problem not in failing]
        if others:
            ET.SubElement(case, "system-out").text = _xml(
                "\n".join(_located(problem) for problem in others)
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _xml(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold (from a binary file name, say)."""
    import re

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "\ufffd", text)


def check_github(results: Sequence[FileResult]) -> str:
    """GitHub Actions workflow commands: an annotation on each problem's line."""
    lines = []
    for result in results:
        for problem in result.problems:
            level = "error" if problem in result.failing else "warning"
            where = problem.where
            file = (where.source if where else None) or result.file
            properties = [f"file={_github_property(file)}"]
            if where and where.line is not None:
                properties.append(f"line={where.line}")
                if where.column is not None:
                    properties.append(f"col={where.column}")
            properties.append("title=cnncalc check")
            message = f"{problem.layer}: {problem.message}" if problem.layer else problem.message
            lines.append(f"::{level} {','.join(properties)}::{_github_data(message)}")
    lines.append(_tally(results))
    return "\n".join(lines) + "\n"


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


# --- `cnncalc size`: the output-size formula on its own ---


_LISTED = 10  # solutions listed one by one; beyond, the first and last
_STRIDE_FROM_KERNEL = "pooling: the stride is the kernel's, s = f = {} (Keras and PyTorch)"


def size_text(answers: Sequence[tuple[str | None, Answer]], quiet: bool = False) -> str:
    """The answer alone on the first line, then the arithmetic behind it.

    One axis, or a section each for height and width when they differ.
    """
    tokens = [_size_answer(answer) for _, answer in answers]
    if len(tokens) == 1:
        first = tokens[0]
    elif all(" " not in token and token != "none" for token in tokens):
        first = "×".join(tokens)
    else:
        named = zip((axis for axis, _ in answers), tokens, strict=True)
        first = "; ".join(f"{axis}: {token}" for axis, token in named)
    if quiet:
        return first + "\n"
    lines = [first]
    for axis, answer in answers:
        worked = _size_lines(answer, axis)
        lines += [f"{axis}:", *("  " + line for line in worked)] if axis else worked
    return "\n".join(lines) + "\n"


def size_json(answers: Sequence[tuple[str | None, Answer]]) -> str:
    """One object per axis; {"height": …, "width": …} when the axes differ."""
    if len(answers) == 1:
        document = _size_document(answers[0][1])
    else:
        document = {str(axis): _size_document(answer) for axis, answer in answers}
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _size_answer(answer: Answer) -> str:
    """The bare result: 32; the solutions 1 2 (or 1..50); none."""
    from cnncalc.sizing import Size

    if isinstance(answer, Size):
        return str(answer.output)
    if answer.first is None or answer.last is None:
        return "none"
    if answer.count > _LISTED:
        return f"{answer.first}..{answer.last}"
    return " ".join(str(value) for value in range(answer.first, answer.last + 1))


def _size_lines(answer: Answer, axis: str | None) -> list[str]:
    from cnncalc.sizing import Size

    lines = []
    if answer.dilation != 1:
        d, f = answer.dilation, answer.f
        lines.append(
            f"k = d(f − 1) + 1 = {d}·({f} − 1) + 1 = {answer.kernel}, the dilated kernel's span"
        )
    if isinstance(answer, Size):
        if answer.transposed:
            return lines + _transposed_lines(answer)
        return lines + _forward_lines(answer, axis)
    return lines + _solved_lines(answer)


def _f(dilation: int) -> str:
    """The kernel's letter in a formula: f, or k for a dilated kernel's span."""
    return "f" if dilation == 1 else "k"


def _forward_lines(size: Size, axis: str | None) -> list[str]:
    from cnncalc.geometry import formula

    n, k, s, before, after = size.n, size.kernel, size.s, size.before, size.after
    lines = []
    if size.stride_from_kernel:
        lines.append(_STRIDE_FROM_KERNEL.format(s))
    if size.rule == "same":
        out = -(-n // s)
        need = f"({out} − 1)·{s} + {k} − {n}"
        if (out - 1) * s + k - n < 0:
            need = f"max({need}, 0)"
        lines.append(
            f"'same' padding (TensorFlow's rule): ⌈{n}/{s}⌉ = {out} outputs need "
            f"{need} = {before + after}: {before} before, {after} after"
        )
    elif size.rule == "valid":
        lines.append("'valid' padding: p = 0")
    p = "2p" if before == after else "p_before + p_after"
    lines.append(f"⌊(n + {p} − {_f(size.dilation)})/s⌋ + 1 = {formula(n, k, s, before, after)}")
    if size.unused:
        padded = f"2·{before}" if before == after else f"{before} + {after}"
        dropped = f"({n} + {padded} − {k}) mod {s} = {size.leftover}"
        if size.leftover > size.unused:
            dropped += f", {size.leftover - size.unused} of them padding"
        rows = _rows(size.unused, axis, last=True)
        lines.append(f"note: the floor leaves {rows} of the input unused: {dropped}")
    if k < s:
        lines.append(
            f"note: the kernel {k} is smaller than the stride {s}: {_rows(s - k, axis)} "
            "between windows "
            f"{'is' if s - k == 1 else 'are'} skipped too"
        )
    if size.rule == "same" and before != after:
        lines.append(
            "note: asymmetric; TensorFlow puts the odd one after (bottom, right), "
            "which PyTorch's padding=p cannot"
        )
    return lines


def _rows(count: int, axis: str | None, last: bool = False) -> str:
    """1 row; 3 columns; 2 rows and columns; with `last`, the last row, the last 3 rows."""
    noun = {"height": "row", "width": "column"}.get(axis or "", "row and column")
    if count != 1:
        noun = " and ".join(word + "s" for word in noun.split(" and "))
    if last:
        return f"the last {noun}" if count == 1 else f"the last {count} {noun}"
    return f"{count} {noun}"


def _transposed_lines(size: Size) -> list[str]:
    n, k, s, before, after = size.n, size.kernel, size.s, size.before, size.after
    if size.rule == "same":
        return [f"'same' padding, Keras's rule: n·s = {n}·{s} = {size.output}"]
    lines = ["'valid' padding: p = 0"] if size.rule == "valid" else []
    letter = _f(size.dilation)
    if before == after:
        symbols, numbers = f"s(n − 1) + {letter} − 2p", f"{s}·({n} − 1) + {k} − 2·{before}"
    else:
        symbols = f"s(n − 1) + {letter} − p_before − p_after"
        numbers = f"{s}·({n} − 1) + {k} − {before} − {after}"
    if size.output_padding:
        symbols += " + output_padding"
        numbers += f" + {size.output_padding}"
    lines.append(f"{symbols} = {numbers} = {size.output}")
    if size.rule == "valid" and k < s:
        lines.append(
            f"note: Keras's Conv2DTranspose with 'valid' gives n·s = {n * s} here instead, "
            "as its kernel is smaller than the stride"
        )
    return lines


def _solved_lines(solved: Solved) -> list[str]:
    from cnncalc.geometry import formula

    letter = "p" if solved.unknown == "padding" else "s"

    def worked(value: int) -> str:
        if solved.unknown == "padding":
            text = formula(solved.n, solved.kernel, solved.s, value, value)
        else:
            text = formula(solved.n, solved.kernel, value, solved.before, solved.after)
        return f"{letter} = {value}: {text}"

    lines = []
    if solved.stride_from_kernel:
        lines.append(_STRIDE_FROM_KERNEL.format(solved.s))
    if solved.first is not None and solved.last is not None:
        if solved.count > _LISTED:
            lines += [worked(solved.first), "…", worked(solved.last)]
            every = f"every {letter} from {solved.first} to {solved.last}"
            lines.append(f"{solved.count} {solved.unknown}s: {every}")
        else:
            lines += [worked(value) for value in range(solved.first, solved.last + 1)]
    else:
        lines.append(
            f"no {solved.unknown} {letter} from {solved.low} to {solved.high} gives {solved.wanted}"
            + ("; the nearest:" if solved.nearest else "; with none of them does the kernel fit")
        )
        lines += ["  " + worked(value) for value, _ in solved.nearest]
        if solved.unknown == "padding" and all(out > solved.wanted for _, out in solved.nearest):
            lines.append("padding only makes it larger; a larger stride shrinks it: --solve stride")
        if solved.asymmetric:
            before, after = solved.asymmetric
            text = formula(solved.n, solved.kernel, solved.s, before, after)
            lines.append(f"asymmetric padding would: {before} before, {after} after: {text}")
    if solved.unknown == "padding":
        why = (
            "⌊f/2⌋, PyTorch's limit for pooling"
            if solved.pool
            else f"{_f(solved.dilation)} − 1: with more, the first window sees only padding"
        )
    else:
        why = "n + 2p, the padded input: any larger stride gives 1 too"
    lines.append(f"searched {letter} = {solved.low} to {solved.high} ({why})")
    return lines


def _size_document(answer: Answer) -> dict[str, Any]:
    from cnncalc.sizing import Size

    if isinstance(answer, Size):
        document: dict[str, Any] = {
            "operation": "transposed" if answer.transposed else "pool" if answer.pool else "conv",
            "n": answer.n,
            "f": answer.f,
            "s": answer.s,
            "padding": [answer.before, answer.after],
            "padding_rule": answer.rule,
            "dilation": answer.dilation,
            "kernel": answer.kernel,
        }
        if answer.transposed:
            document["output_padding"] = answer.output_padding
        document["output"] = answer.output
        if not answer.transposed:
            document["unused"] = answer.unused
        return document
    solved = answer
    document = {"solve": solved.unknown, "operation": "pool" if solved.pool else "conv"}
    document["n"], document["f"] = solved.n, solved.f
    if solved.unknown == "padding":
        document["s"] = solved.s
    else:
        document["padding"] = [solved.before, solved.after]
    document["dilation"], document["kernel"] = solved.dilation, solved.kernel
    document["out"] = solved.wanted
    document["searched"] = [solved.low, solved.high]
    document["solutions"] = (
        {"first": solved.first, "last": solved.last, "count": solved.count}
        if solved.count
        else None
    )
    document["nearest"] = [
        {solved.unknown: value, "output": output} for value, output in solved.nearest
    ]
    document["asymmetric"] = list(solved.asymmetric) if solved.asymmetric else None
    return document
