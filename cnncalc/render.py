"""Every way cnncalc writes a result: rich and plain tables, Markdown, CSV, JSON.

The only module that imports rich, and only when a rich table is printed, so
that `--format json` starts without it. Numbers are formatted here, never
rounded: every figure is the exact integer the engine computed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from cnncalc.layers import shape_text

if TYPE_CHECKING:  # annotations only: `cnncalc conv` need not import the engine and YAML
    from cnncalc.check import FileResult
    from cnncalc.convolve import Explanation, Result
    from cnncalc.engine import Row, Summary
    from cnncalc.errors import Diagnostic
    from cnncalc.matrix import Grid, Number

FORMATS = ("rich", "markdown", "csv", "json")
HEADERS = ("Layer", "Activation shape", "Activation size", "# parameters")


def label(row: Row) -> str:
    """The layer column: CONV1 (f=5, s=1), as in the course's table."""
    notation = row.layer.notation()
    return f"{row.name} ({notation})" if notation else row.name


def _cells(summary: Summary) -> tuple[list[list[str]], list[str]]:
    """The table's rows as text, with numbered marks for layers that carry notes."""
    rows = [["Input", shape_text(summary.input_shape), f"{summary.input_size:,}", "0"]]
    footnotes: list[str] = []
    for row in summary.rows:
        text = label(row)
        for note in row.notes:
            footnotes.append(f"[{len(footnotes) + 1}] {row.name}: {note}")
            text += f" [{len(footnotes)}]"
        rows.append([text, shape_text(row.shape), f"{row.size:,}", f"{row.params:,}"])
    return rows, footnotes


def _total(summary: Summary) -> list[str]:
    return ["Total", "", "", f"{summary.params:,}"]


def _breakdown(summary: Summary) -> str:
    return f"{summary.params:,} parameters: {summary.weights:,} weights + {summary.biases:,} biases"


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


def rich_table(summary: Summary, file: IO[str] | None = None) -> None:
    """The course's table: drawn with rich on a colour terminal, plain ASCII otherwise."""
    rows, footnotes = _cells(summary)
    after = [_breakdown(summary), *footnotes]
    if not colour_terminal(file):
        text = plain_table(HEADERS, rows, _total(summary), summary.name)
        _write(text + "".join(f"{line}\n" for line in after), file)
        return

    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=summary.name, box=box.HEAVY_HEAD, header_style="bold", title_style="bold")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index < 2 else "right")
    for cells in rows:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*_total(summary), style="bold")
    console = Console(file=file, highlight=False)
    console.print(table)
    for line in after:
        console.print(line)


def markdown(summary: Summary) -> str:
    rows, footnotes = _cells(summary)
    lines = [f"### {summary.name}", ""] if summary.name else []
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|---|---|--:|--:|")
    lines += ["| " + " | ".join(_escape(cell) for cell in cells) + " |" for cells in rows]
    lines.append("| **Total** | | | **" + f"{summary.params:,}" + "** |")
    lines += ["", _breakdown(summary) + "."]
    if footnotes:
        lines += [""] + [f"{footnote}  " for footnote in footnotes]
    return "\n".join(lines) + "\n"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


CSV_HEADERS = ("index", "name", "type", "shape", "size", "weights", "biases", "params")


def csv_text(summary: Summary) -> str:
    """One line per layer after the input's, raw integers; no totals line to trip a parser."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    writer.writerow(
        [0, "Input", "input", shape_text(summary.input_shape), summary.input_size, 0, 0, 0]
    )
    for row in summary.rows:
        writer.writerow(
            [
                row.index,
                row.name,
                row.kind,
                shape_text(row.shape),
                row.size,
                row.weights,
                row.biases,
                row.params,
            ]
        )
    return out.getvalue()


def as_json(summary: Summary) -> dict[str, Any]:
    """The JSON contract of `cnncalc table --format json`."""
    return {
        "name": summary.name,
        "input": {"shape": list(summary.input_shape), "size": summary.input_size},
        "layers": [
            {
                "index": row.index,
                "name": row.name,
                "type": row.kind,
                "shape": list(row.shape),
                "size": row.size,
                "weights": row.weights,
                "biases": row.biases,
                "params": row.params,
            }
            for row in summary.rows
        ],
        "totals": {"params": summary.params, "weights": summary.weights, "biases": summary.biases},
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


def json_text(summary: Summary) -> str:
    return pretty_json(as_json(summary))


def pretty_json(document: dict[str, Any]) -> str:
    """JSON a person can read too: one key per line, one list item per line.

    json.dumps(indent=2) would spread every shape over four lines.
    """

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {compact(item)}" for item in value)
            lines.append(f"  {compact(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def print_table(summary: Summary, format: str, file: IO[str] | None = None) -> None:
    """Write `summary` in one of `FORMATS` to `file` (standard output by default)."""
    if format == "rich":
        rich_table(summary, file)
        return
    text = {"markdown": markdown, "csv": csv_text, "json": json_text}[format](summary)
    _write(text, file)


def _write(text: str, file: IO[str] | None) -> None:
    import sys

    (file or sys.stdout).write(text)


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


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def convolution_text(result: Result, explanations: Sequence[Explanation] = ()) -> str:
    """A heading with the shape and its formula, then each output channel as a grid."""
    from cnncalc.convolve import Convolution

    h, w, c = result.input.shape
    kh, kw = result.kernel
    settings = f"stride {_pair_text(result.stride)}, padding {_padding_text(result)}"
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

CHECK_FORMATS = ("text", "json", "junit", "github")


def check_report(results: Sequence[FileResult], format: str, file: IO[str] | None = None) -> None:
    """Write the results of `cnncalc check` in one of `CHECK_FORMATS`."""
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
        failing = [p for p in result.problems if p.severity == "error" or result.strict]
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
            level = "error" if problem.severity == "error" or result.strict else "warning"
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
