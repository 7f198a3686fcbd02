"""Every way cnncalc writes a result: rich and plain tables, Markdown, CSV, JSON.

The only module that imports rich, and only when a rich table is printed, so
that `--format json` starts without it. Numbers are formatted here, never
rounded: every figure is the exact integer the engine computed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any

from cnncalc.engine import Row, Summary
from cnncalc.errors import Diagnostic
from cnncalc.layers import Shape

FORMATS = ("rich", "markdown", "csv", "json")
HEADERS = ("Layer", "Activation shape", "Activation size", "# parameters")


def shape_text(shape: Shape) -> str:
    """The course's notation: (28, 28, 8) for a volume, (120, 1) for a vector."""
    dims = (*shape, 1) if len(shape) == 1 else shape
    return "(" + ", ".join(str(n) for n in dims) + ")"


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


def rich_table(summary: Summary, file: IO[str] | None = None) -> None:
    """Print the table with rich: coloured on a terminal, plain ASCII otherwise."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, highlight=False)
    plain = not console.is_terminal or console.no_color
    table = Table(
        title=summary.name,
        box=box.ASCII2 if plain else box.HEAVY_HEAD,
        header_style="" if plain else "bold",
        title_style="" if plain else "bold",
    )
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index < 2 else "right")
    rows, footnotes = _cells(summary)
    for cells in rows:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*_total(summary), style="" if plain else "bold")
    console.print(table)
    console.print(_breakdown(summary))
    for footnote in footnotes:
        console.print(footnote)


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
        "warnings": [diagnostic_json(warning) for warning in summary.warnings],
    }


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
