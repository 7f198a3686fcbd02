"""Invariants of a rendered table, checked on the text a user reads, not on the engine.

A golden file proves that output did not change; these prove that what it says
holds together: every summed column adds up to its Total row, a block's row
is the sum of its own layers', params = weights + biases, FLOPs = 2 × MACs,
each row's memory is its size times the dtype's bytes, and the memory footer
is the input, the leaves' activations and the parameters, times the same.
Rounded figures ("3.21 MB") are held to the exact bytes within their rounding.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

SUMMED = {
    "# parameters": "params",
    "Weights": "weights",
    "Biases": "biases",
    "Non-trainable": "nontrainable",
    "MACs": "macs",
    "FLOPs": "flops",
}
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15}


def integer(cell: str) -> int:
    """A figure as the table prints it, 1,234 or 1234, as an int."""
    cleaned = cell.strip().strip("*").replace(",", "")
    assert re.fullmatch(r"-?[0-9]+", cleaned), f"not a whole number: {cell!r}"
    return int(cleaned)


def assert_bytes(shown: str, exact: int) -> None:
    """`shown` ("3.21 MB", "288 B" or a raw 3211264) is `exact` bytes, to its rounding."""
    text = shown.strip().strip("*").rstrip(".")
    if re.fullmatch(r"[0-9]+", text):
        assert int(text) == exact, f"{shown!r} is not {exact} bytes"
        return
    number, unit = text.split(" ")
    scale = _UNITS[unit]
    if scale == 1:
        assert integer(number) == exact, f"{shown!r} is not {exact} bytes"
        return
    value = Decimal(number.replace(",", "")) * scale
    # Two decimals, rounded half up: off by at most half a hundredth of the unit.
    assert abs(value - exact) * 200 <= scale, f"{shown!r} is not {exact:,} bytes"


def _bytes(shown: str) -> int:
    """Roughly the bytes `shown` stands for: 3.21 MB as 3,210,000."""
    number, _, unit = shown.strip().rstrip(".").partition(" ")
    return int(Decimal(number.replace(",", "")) * _UNITS[unit or "B"])


class Row:
    """One body row of a rendered table: its depth in the block tree and its cells."""

    def __init__(self, depth: int, cells: dict[str, str]) -> None:
        self.depth = depth
        self.cells = cells
        self.children: list[Row] = []

    def figure(self, header: str) -> int:
        return integer(self.cells[header])


def _tree(rows: Sequence[Row]) -> list[Row]:
    """The top-level rows, each holding the rows one level deeper that follow it."""
    top: list[Row] = []
    stack: list[Row] = []
    for row in rows:
        while stack and stack[-1].depth >= row.depth:
            stack.pop()
        assert len(stack) == row.depth - 1, "a row nests more than one level below its block"
        (stack[-1].children if stack else top).append(row)
        stack.append(row)
    return top


def _walk(rows: Iterable[Row]) -> Iterable[Row]:
    for row in rows:
        yield row
        yield from _walk(row.children)


def _check_rows(top: list[Row], headers: Sequence[str], total: dict[str, str] | None) -> None:
    summed = [header for header in headers if header in SUMMED]
    for row in _walk(top):
        if row.children:
            for header in summed:
                parts = sum(child.figure(header) for child in row.children)
                assert row.figure(header) == parts, (
                    f"{header} of a block row is {row.cells[header]}, its layers sum to {parts:,}"
                )
        if {"# parameters", "Weights", "Biases"} <= set(headers):
            assert row.figure("# parameters") == row.figure("Weights") + row.figure("Biases")
        if {"MACs", "FLOPs"} <= set(headers):
            assert row.figure("FLOPs") == 2 * row.figure("MACs")
    if total is not None:
        for header in summed:
            rows = sum(row.figure(header) for row in top)
            assert integer(total[header]) == rows, (
                f"the Total of {header} is {total[header]}, the rows sum to {rows:,}"
            )


def _check_memory(
    input_row: Row, top: list[Row], headers: Sequence[str], footer: str, total: dict[str, str]
) -> None:
    found = re.search(r"Memory \((\w+), (\d+) bytes? a value", footer)
    assert found, "no memory footer"
    per_value = int(found.group(2))
    leaves = 0
    for row in [input_row, *_walk(top)]:
        size = row.figure("Activation size")
        assert_bytes(row.cells["Memory"], size * per_value)
        if row is not input_row and not row.children:
            leaves += size
    parts = re.search(
        r"input (.+?) \+ activations (.+?) \+ parameters (.+?) = (.+?)(?:\.?\n|\.?$)", footer
    )
    assert parts, "the memory footer does not add up its parts"
    params = integer(total["# parameters"]) + integer(total["Non-trainable"])
    exact = (
        input_row.figure("Activation size") * per_value,
        leaves * per_value,
        params * per_value,
    )
    if "Blocks are folded" in footer:
        # The folded blocks' layers are not in the table: their activations are counted,
        # not shown. What is shown still adds up: input + activations + parameters = total.
        shown = [_bytes(text) for text in parts.groups()]
        assert_bytes(parts.group(1), exact[0])
        assert_bytes(parts.group(3), exact[2])
        # Each of the four is rounded to two decimals of its unit: off by at most half a
        # hundredth of it, so the sum may miss the total by those halves added up.
        units = [
            _UNITS[text.strip().rstrip(".").partition(" ")[2] or "B"] for text in parts.groups()
        ]
        assert abs(sum(shown[:3]) - shown[3]) * 200 <= sum(units)
        return
    for shown, value in zip(parts.groups(), (*exact, sum(exact)), strict=True):
        assert_bytes(shown, value)


def _check_percent(top: list[Row], total: dict[str, str]) -> None:
    whole = integer(total["# parameters"])
    for row in _walk(top):
        shown = Decimal(row.cells["% of parameters"].rstrip("%"))
        exact = Decimal(row.figure("# parameters") * 100) / whole
        assert abs(shown - exact) <= Decimal("0.05"), f"{shown}% is not {exact:.3f}%"


def _check_table(header: list[str], body: list[list[str]], total: list[str], after: str) -> None:
    rows = []
    for cells in body:
        label = cells[0]
        indent = len(label) - len(label.lstrip(" "))
        assert indent % 2 == 0, f"odd indentation in {label!r}"
        rows.append(Row(indent // 2 + 1, dict(zip(header, cells, strict=True))))
    assert rows[0].cells["Layer"].strip() == "Input"
    top = _tree(rows[1:])
    totals = dict(zip(header, total, strict=True))
    assert totals["Layer"].strip("* ") == "Total"
    _check_rows(top, header, totals)
    params = re.search(r"([0-9,]+) (?:trainable )?parameters", after)
    assert params, "no footer with the parameters"
    if "# parameters" in totals:
        assert integer(params.group(1)) == integer(totals["# parameters"])
    if "Memory" in header and "Activation size" in header and "Non-trainable" in header:
        _check_memory(rows[0], top, header, after, totals)
    if {"% of parameters", "# parameters"} <= set(header) and integer(totals["# parameters"]):
        _check_percent(top, totals)


def check_plain(text: str) -> None:
    """The plain ASCII table: | cells |, rules of +---+, the footer below."""
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    last_rule = max(index for index, line in enumerate(lines) if line.startswith("+-"))
    split = [[cell.strip(" ") for cell in line[2:-2].split(" | ")] for line in table]
    header, *body, total = split
    # Labels keep their indentation: strip only the cell padding on the right.
    body = [[line[2:-2].split(" | ")[0].rstrip(), *cells[1:]]
            for line, cells in zip(table[1:-1], body, strict=True)]  # fmt: skip
    _check_table(header, body, total, "\n".join(lines[last_rule + 1 :]))


def check_markdown(text: str) -> None:
    """The Markdown table: | cells |, a |---| line, the footer after a blank line."""
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    after = "\n".join(lines[lines.index(table[-1]) + 1 :])
    split = [re.split(r"(?<!\\) \| ", line[2:-2]) for line in table]
    header, *body, total = split
    body = [[cells[0].rstrip(), *(c.strip() for c in cells[1:])] for cells in body]
    _check_table(header, body, [cell.strip() for cell in total], after)


def check_json(text: str) -> dict[str, Any]:
    """The JSON document: the same sums on the tree it carries; returns its totals and
    the bytes a value."""
    document = json.loads(text)
    per_value = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}[document["dtype"]]
    keys = ("params", "weights", "biases", "nontrainable", "macs", "flops")
    leaves = 0

    def walk(layers: list[dict[str, Any]]) -> None:
        nonlocal leaves
        for layer in layers:
            assert layer["params"] == layer["weights"] + layer["biases"]
            assert layer["flops"] == 2 * layer["macs"]
            assert layer["memory"] == layer["size"] * per_value
            children = layer.get("children")
            if children:
                for key in keys:
                    assert layer[key] == sum(child[key] for child in children), key
                walk(children)
            elif "children" not in layer:
                leaves += layer["size"]

    walk(document["layers"])
    totals = document["totals"]
    for key in keys:
        assert totals[key] == sum(layer[key] for layer in document["layers"]), key
    assert totals["all"] == totals["params"] + totals["nontrainable"]
    memory = totals["memory"]
    assert memory["input"] == document["input"]["size"] * per_value
    assert memory["params"] == totals["all"] * per_value
    if not _folded(document["layers"]):
        assert memory["activations"] == leaves * per_value
    assert memory["total"] == memory["input"] + memory["activations"] + memory["params"]
    return {**totals, "per_value": per_value}


def _folded(layers: list[dict[str, Any]]) -> bool:
    """Whether --depth cut the tree: a block row without its children."""
    return any(
        (layer["type"] in ("residual", "concat", "repeat", "block") and "children" not in layer)
        or _folded(layer.get("children", []))
        for layer in layers
    )


# What a machine may find in each CSV column: whole numbers, per-axis values as cnncalc
# reads them back (7, 7x5, 0x1x0x1), and words only where the table has no figure.
CSV_CELLS = {
    **dict.fromkeys(
        ("size", "params", "weights", "biases", "nontrainable", "macs", "flops", "memory"),
        r"[0-9]+",
    ),
    **dict.fromkeys(("rf", "jump", "start"), r"-?[0-9]+(x-?[0-9]+)*|all|n/a"),
    **dict.fromkeys(("kernel", "stride", "padding"), r"([0-9]+(x[0-9]+)*)?"),
    "percent": r"[0-9]+\.[0-9]+|",
    "shape": r"\([0-9]+(, [0-9]+)*\)",
    "input": r"(\([0-9]+(, [0-9]+)*\))?",
    "type": r"[a-z0-9]+",
}


def check_csv(text: str, totals: dict[str, Any], per_value: int = 4) -> None:
    """The CSV: every cell raw, blocks sum their layers, the top-level rows sum to the
    JSON's totals, and each memory cell is the size times the dtype's bytes."""
    reader = list(csv.reader(io.StringIO(text)))
    header, *records = reader
    assert header[:3] == ["index", "name", "type"]
    assert records[0][:3] == ["0", "Input", "input"]
    names = {"params": "# parameters", "weights": "Weights", "biases": "Biases",
             "nontrainable": "Non-trainable", "macs": "MACs", "flops": "FLOPs"}  # fmt: skip
    rows = [
        Row(
            record[0].count(".") + 1,
            {names.get(key, key): cell for key, cell in zip(header, record, strict=True)},
        )
        for record in records[1:]
    ]
    for record in records:
        for key, cell in zip(header[3:], record[3:], strict=True):
            assert re.fullmatch(CSV_CELLS[key], cell), f"{key}: {cell!r} is not a raw figure"
        if {"size", "memory"} <= set(header):
            cells = dict(zip(header, record, strict=True))
            assert int(cells["memory"]) == int(cells["size"]) * per_value
    top = _tree(rows)
    headers = [names.get(key, key) for key in header]
    _check_rows(top, headers, None)
    for key, name in names.items():
        if name in headers:
            assert sum(row.figure(name) for row in top) == totals[key], key
