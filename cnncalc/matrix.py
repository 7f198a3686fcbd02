"""Reading the small matrices the reference convolver works on.

A matrix argument is a literal (`"3 0 1; 1 5 8 | 2 2 2; 0 0 1"`), a text file
(one row a line, channels split by a blank line), a JSON file of nested lists,
`-` for standard input, or, for a filter, a preset such as `vertical`. Every
way ends in the same checked `Volume`, so the convolver never sees a ragged
row or a string. Numbers are exact: whole numbers are Python ints, decimals are
`Fraction`s (never floats), so 0.1 + 0.2 is 0.3.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Any

from cnncalc.errors import SpecError, Where, closest

Number = int | Fraction  # a Fraction here never has denominator 1: that is an int
Grid = tuple[tuple[Number, ...], ...]  # [row][column]

# Limits that keep every number exact and every computation short: products and
# sums of numbers this size stay far below Python's 4,300-digit int-to-text limit.
MAX_TOKEN = 100  # characters in one number
MAX_EXPONENT = 100  # |e| in 1.5e-3
MAX_BYTES = 16 * 1024 * 1024  # a file or standard input

PRESETS: dict[str, Grid] = {
    # The course's filters (week 1, "Edge detection" and "More edge detection").
    "vertical": ((1, 0, -1), (1, 0, -1), (1, 0, -1)),
    "horizontal": ((1, 1, 1), (0, 0, 0), (-1, -1, -1)),
    "sobel-vertical": ((1, 0, -1), (2, 0, -2), (1, 0, -1)),
    "sobel-horizontal": ((1, 2, 1), (0, 0, 0), (-1, -2, -1)),
    "scharr-vertical": ((3, 0, -3), (10, 0, -10), (3, 0, -3)),
    "scharr-horizontal": ((3, 10, 3), (0, 0, 0), (-3, -10, -3)),
}

_INT = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?\Z")
_SPLIT = re.compile(r"[\s,]+")
_LITERAL = re.compile(r"[\s0-9.,;|eE+\-−]*[0-9][\s0-9.,;|eE+\-−]*\Z")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass
class Volume:
    """A matrix of one or more channels, indexed [channel][row][column]."""

    data: tuple[Grid, ...]
    name: str = "matrix"  # what headings and messages call it: "input", "vertical", a path

    @property
    def height(self) -> int:
        return len(self.data[0])

    @property
    def width(self) -> int:
        return len(self.data[0][0])

    @property
    def depth(self) -> int:
        return len(self.data)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels), the course's order."""
        return (self.height, self.width, self.depth)


def exact(value: int | Fraction) -> Number:
    """A Fraction that is a whole number becomes an int, so that 2.0 prints 2."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def number(token: str, where: Where | None = None, context: str = "") -> Number:
    """One number as written: an int, or a decimal kept exact as a Fraction."""
    text = token.strip().replace("−", "-")
    at = f" ({context})" if context else ""
    if len(text) > MAX_TOKEN:
        raise SpecError(
            f"{_short(token)}{at} is too long to compute exactly: at most {MAX_TOKEN} characters",
            where,
        )
    if _INT.match(text):
        return int(text)
    found = _DECIMAL.match(text)
    if not found:
        raise SpecError(f"{_short(token)}{at} is not a number", where)
    if found.group(1) is not None and abs(int(found.group(1))) > MAX_EXPONENT:
        raise SpecError(
            f"{_short(token)}{at} has an exponent beyond ±{MAX_EXPONENT}, "
            "too large to compute exactly",
            where,
        )
    return exact(Fraction(text))


def coerce(value: object, where: Where | None = None) -> Number:
    """A value a library caller passed: ints and Fractions as they are, a float as the
    decimal it prints as (0.1 is 1/10, not the binary double), anything else refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise SpecError(f"{_json_value(value)} is not a number", where)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(f"{value} is not a finite number", where)
        return number(repr(value), where)
    if isinstance(value, Fraction) and decimal_places(value) is None:
        raise SpecError(f"{value} has no exact decimal form; give it as a decimal", where)
    return exact(value)


def decimal_places(value: Fraction) -> int | None:
    """Decimal places that make `value` whole, or None when it has no finite decimal form."""
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    return max(twos, fives) if d == 1 else None


def _short(token: str) -> str:
    return repr(token if len(token) <= 24 else token[:23] + "…")


def build(
    channels: Sequence[Sequence[Sequence[Number]]],
    name: str,
    lines: Sequence[Sequence[int]] | None = None,
) -> Volume:
    """A volume from lists of numbers, checked: not empty, no ragged row, channels alike.

    Rows are counted from 1 within each channel; messages name the channel when
    there is more than one, and the line of a file (`lines[channel][row]`) when given.
    """
    where = Where(name)

    def at(c: int, r: int) -> Where:
        return Where(name, lines[c - 1][r - 1]) if lines else where

    if not channels or all(not grid for grid in channels):
        raise SpecError("the matrix is empty", where)
    several = len(channels) > 1
    for c, grid in enumerate(channels, 1):
        of = f" of channel {c}" if several else ""
        if not grid:
            raise SpecError(f"channel {c} is empty", where)
        width = len(grid[0])
        if width == 0:
            raise SpecError(f"row 1{of} is empty", where)
        for r, row in enumerate(grid, 1):
            if len(row) != width:
                raise SpecError(
                    f"row {r}{of} has {_values(len(row))}, but row 1 has {_values(width)}",
                    at(c, r),
                )
    first = channels[0]
    for c, grid in enumerate(channels[1:], 2):
        if len(grid) != len(first) or len(grid[0]) != len(first[0]):
            raise SpecError(
                f"channel {c} is {len(grid)}×{len(grid[0])}, "
                f"but channel 1 is {len(first)}×{len(first[0])}",
                at(c, 1),
            )
    return Volume(
        tuple(
            tuple(tuple(v if type(v) is int else coerce(v, where) for v in row) for row in grid)
            for grid in channels
        ),
        name,
    )


def _values(n: int) -> str:
    return "1 value" if n == 1 else f"{n} values"


def literal(text: str, name: str) -> Volume:
    """`"3 0 1; 1 5 8 | 2 2 2; 0 0 1"`: rows split by `;`, channels by `|`."""
    where = Where(name)
    parts = text.split("|")
    several = len(parts) > 1
    channels: list[list[list[Number]]] = []
    for c, part in enumerate(parts, 1):
        rows = part.split(";")
        if len(rows) > 1 and not rows[-1].strip():
            rows.pop()  # "1 2; 3 4;" ends a row, it does not start an empty one
        grid: list[list[Number]] = []
        for r, row in enumerate(rows, 1):
            tokens = [t for t in _SPLIT.split(row.strip()) if t]
            of = f"row {r} of channel {c}" if several else f"row {r}"
            if not tokens and (len(rows) > 1 or several):
                raise SpecError(f"{of} is empty", where)
            grid.append([number(t, where, of) for t in tokens])
        # A lone row without values is an empty matrix; build says so.
        channels.append(grid if len(grid) > 1 or grid[0] else [])
    return build(channels, name)


def text_file(text: str, name: str) -> Volume:
    """One row a line, values split by spaces or commas; a blank line starts a channel.

    `#` starts a comment. Messages carry the line number in the file.
    """
    channels: list[list[list[Number]]] = []
    lines: list[list[int]] = []  # the line number of each row, for messages
    grid: list[list[Number]] = []
    rows_at: list[int] = []
    for index, line in enumerate(text.splitlines(), 1):
        content = line.split("#", 1)[0].strip()
        if not content:
            if not line.strip() and grid:  # a blank line, not a comment, ends a channel
                channels.append(grid)
                lines.append(rows_at)
                grid, rows_at = [], []
            continue
        where = Where(name, index)
        tokens = [t for t in _SPLIT.split(content) if t]
        grid.append([number(t, where) for t in tokens])
        rows_at.append(index)
    if grid:
        channels.append(grid)
        lines.append(rows_at)
    return build(channels, name, lines)


def json_file(text: str, name: str) -> Volume:
    """Nested lists: [rows][columns] or [channels][rows][columns]."""
    import json  # only a JSON matrix needs it

    where = Where(name)

    def no_constant(token: str) -> Any:
        raise SpecError(f"{token} is not a number", where)

    try:
        document = json.loads(
            text,
            parse_int=lambda t: number(t, where),
            parse_float=lambda t: number(t, where),
            parse_constant=no_constant,
        )
    except json.JSONDecodeError as error:
        raise SpecError(
            f"not valid JSON: {error.msg}", Where(name, error.lineno, error.colno)
        ) from None
    except RecursionError:
        raise SpecError("the JSON is nested too deeply", where) from None
    if not isinstance(document, list):
        raise SpecError("the JSON must be a list of rows, or a list of channels", where)
    if not document:
        raise SpecError("the matrix is empty", where)
    if all(isinstance(item, list) and item and isinstance(item[0], list) for item in document):
        grids = document
        several = len(grids) > 1
    else:
        grids = [document]
        several = False
    channels: list[list[list[Number]]] = []
    for c, grid in enumerate(grids, 1):
        of = f" of channel {c}" if several else ""
        rows: list[list[Number]] = []
        for r, row in enumerate(grid, 1):
            if not isinstance(row, list):
                raise SpecError(
                    f"row {r}{of} must be a list of numbers, got {_json_value(row)}", where
                )
            for k, value in enumerate(row, 1):
                if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
                    raise SpecError(
                        f"{_json_value(value)} (row {r}{of}, value {k}) is not a number", where
                    )
            rows.append(row)
        channels.append(rows)
    return build(channels, name)


def _json_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return _short(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return str(value) if isinstance(value, (int, float, Fraction)) else f"a {type(value).__name__}"


def parse(text: str, name: str) -> Volume:
    """File contents: JSON for a .json file or text that starts with `[` (no row can)."""
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        return json_file(text, name)
    return text_file(text, name)


def read_file(path: str) -> Volume:
    where = Where(path)
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise SpecError(
                f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; "
                "the convolver is meant for small matrices",
                where,
            )
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except UnicodeDecodeError:
        raise SpecError("not a text file (it is not UTF-8)", where) from None
    except OSError as error:
        raise SpecError(f"cannot read it: {error.strerror or error}", where) from None
    if not text.strip():
        raise SpecError("the file is empty", where)
    return parse(text, path)


def read_stdin(stream: IO[str]) -> Volume:
    name = "<stdin>"
    try:
        text = stream.read(MAX_BYTES + 1)
    except UnicodeDecodeError:
        raise SpecError("standard input is not UTF-8 text", Where(name)) from None
    if len(text) > MAX_BYTES:
        raise SpecError(
            f"standard input holds more than {MAX_BYTES // (1024 * 1024)} MiB; "
            "the convolver is meant for small matrices",
            Where(name),
        )
    if not text.strip():
        raise SpecError("standard input is empty", Where(name))
    return parse(text, name)


def preset(name: str) -> Volume | None:
    grid = PRESETS.get(name.strip().lower())
    return None if grid is None else Volume((grid,), name.strip().lower())


def load(argument: str, label: str, *, presets: bool = False) -> Volume:
    """A matrix argument: `-`, an existing file, a preset (if allowed) or a literal.

    `label` names a literal in messages and headings: "input", "filter 2".
    """
    if argument == "-":
        return read_stdin(sys.stdin)
    if os.path.exists(argument):
        return read_file(argument)
    if presets:
        found = preset(argument)
        if found is not None:
            return found
    if _LITERAL.match(argument) or re.search(r"[\s,;|]", argument) or not argument.strip():
        return literal(argument, label)
    if presets and _WORD.match(argument):
        names = list(PRESETS)
        close = closest(argument.lower(), names)
        hint = f"; did you mean {close}?" if close else ""
        raise SpecError(
            f"no such file, and no preset of that name; the presets are {', '.join(names)}" + hint,
            Where(argument),
        )
    raise SpecError("no such file, and it is not a matrix literal like '1 0; 0 1'", Where(argument))
