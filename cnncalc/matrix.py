"""Reading the small matrices the reference convolver works on.

A matrix argument is a literal (`"3 0 1; 1 5 8 | 2 2 2; 0 0 1"`), a text file
(one row a line, channels split by a blank line), a JSON file of nested lists,
`-` for standard input, or, for a filter, a preset such as `vertical`. Every
way ends in the same checked `Volume`, so the convolver never sees a ragged
row or a string. Numbers are exact and mean what they look like
(`correlate.number`). Files and standard input are read as bytes, up to
`MAX_BYTES` whatever their kind, so a device or a pipe cannot make the reader
run away; a name that is both a file and a literal or a preset is refused.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Any

from cnncalc import files
from cnncalc.correlate import MAX_TOKEN, Number, decimal_places, diagnosis, exact, number, quoted
from cnncalc.errors import SpecError, Where, closest

Grid = tuple[tuple[Number, ...], ...]  # [row][column]

MAX_BYTES = 16 * 1024 * 1024  # a file or standard input, in bytes

PRESETS: dict[str, Grid] = {
    # The course's filters (week 1, "Edge detection" and "More edge detection").
    "vertical": ((1, 0, -1), (1, 0, -1), (1, 0, -1)),
    "horizontal": ((1, 1, 1), (0, 0, 0), (-1, -1, -1)),
    "sobel-vertical": ((1, 0, -1), (2, 0, -2), (1, 0, -1)),
    "sobel-horizontal": ((1, 2, 1), (0, 0, 0), (-1, -2, -1)),
    "scharr-vertical": ((3, 0, -3), (10, 0, -10), (3, 0, -3)),
    "scharr-horizontal": ((3, 10, 3), (0, 0, 0), (-3, -10, -3)),
}

_SPLIT = re.compile(r"[\s,]+")
_LITERAL = re.compile(r"[\s0-9.,;|eE+\-−]*[0-9][\s0-9.,;|eE+\-−]*\Z")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# One token that is meant as a number even though it is not one (\d: any script's
# digits, _: Python's digit separator), so it gets a message about the number.
_NUMBERISH = re.compile(
    r"[+\-−]?(?:[\d_.]*\d[\d_.]*(?:[eE][+\-−]?[\d_]+)?|inf|infinity|nan)\Z", re.I
)
_JSON_TOKEN = re.compile(r'[^\s,\[\]{}:"]+')  # text between JSON's punctuation
# Larger than any number a token of MAX_TOKEN characters spells: only a caller's value.
_BIG = 10**MAX_TOKEN


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


def coerce(value: object, where: Where | None = None) -> Number:
    """A value a library caller passed: ints and Fractions as they are, a float as the
    decimal it prints as (0.1 is 1/10, not the binary double), anything else refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise SpecError(f"{_json_value(value)} is not a number", where)
    if not isinstance(value, float) and max(abs(value.numerator), value.denominator) >= _BIG:
        raise SpecError(f"a number of more than {MAX_TOKEN} digits is too long to compute", where)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(f"{value} is not a finite number", where)
        return number(repr(value), where)
    if isinstance(value, Fraction) and decimal_places(value) is None:
        raise SpecError(f"{value} has no exact decimal form; give it as a decimal", where)
    return exact(value)


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
            tuple(
                tuple(v if type(v) is int and -_BIG < v < _BIG else coerce(v, where) for v in row)
                for row in grid
            )
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

    def no_constant(token: str) -> Any:  # NaN, Infinity, -Infinity: json.loads takes them
        raise SpecError(f"{token} {diagnosis(token) or 'is not a number'}", where)

    try:
        document = json.loads(
            text,
            parse_int=lambda t: number(t, where),
            parse_float=lambda t: number(t, where),
            parse_constant=no_constant,
        )
    except json.JSONDecodeError as error:
        _json_number(text, error.pos, Where(name, error.lineno, error.colno))
        raise SpecError(
            f"not valid JSON: {error.msg}", Where(name, error.lineno, error.colno)
        ) from None
    except RecursionError:
        raise SpecError("the JSON is nested too deeply", where) from None
    if not isinstance(document, list):
        raise SpecError("the JSON must be a list of rows, or a list of channels", where)
    if not document:
        raise SpecError("the matrix is empty", where)
    nested = all(isinstance(item, list) and item and isinstance(item[0], list) for item in document)
    grids, several = (document, len(document) > 1) if nested else ([document], False)
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
        return quoted(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return str(value) if isinstance(value, (int, float, Fraction)) else f"a {type(value).__name__}"


def _json_number(text: str, pos: int, where: Where) -> None:
    """Raise what is wrong with the number JSON stopped at (`007`, `٣`, `1_000`, `nan`),
    where the decoder alone would only say that it expected a comma or a value."""
    start = pos
    while start > max(0, pos - MAX_TOKEN) and _JSON_TOKEN.match(text[start - 1]):
        start -= 1
    found = _JSON_TOKEN.match(text, start, start + MAX_TOKEN + 1)
    problem = diagnosis(found.group()) if found else None
    if found and problem:
        column = None if where.column is None else where.column - (pos - start)
        raise SpecError(f"{quoted(found.group())} {problem}", where._replace(column=column))


def parse(text: str, name: str) -> Volume:
    """File contents: JSON for a .json file or text that starts with `[` (no row can)."""
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        return json_file(text, name)
    return text_file(text, name)


def read_file(path: str) -> Volume:
    where = Where(path)
    try:
        data = files.read_bytes(path, MAX_BYTES)
    except FileNotFoundError:
        raise SpecError("no such file", where) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a matrix file", where) from None
    except files.NotReadable as error:
        raise SpecError(str(error), where) from None
    except OSError as error:
        raise SpecError(f"cannot read it: {error.strerror or error}", where) from None
    return parse(_text(data, where, "the file"), path)


def read_stdin(stream: IO[Any] | None) -> Volume:
    """Standard input, counted in bytes: from its binary buffer when it has one."""
    name = "<stdin>"
    where = Where(name)
    if stream is None:  # what sys.stdin is when the shell closed it (<&-)
        raise SpecError("standard input is closed; give the matrix some other way", where)
    buffer = getattr(stream, "buffer", None)
    try:
        if buffer is not None:
            data = buffer.read(MAX_BYTES + 1)
        else:  # a text stream, such as a library caller's StringIO: count its bytes too
            data = stream.read(MAX_BYTES + 1)
            if isinstance(data, str):
                data = data.encode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise SpecError("standard input is not UTF-8 text", where) from None
    except OSError as error:
        raise SpecError(f"cannot read standard input: {error.strerror or error}", where) from None
    return parse(_text(data, where, "standard input"), name)


def _text(data: bytes, where: Where, what: str) -> str:
    """The bytes read as UTF-8 text, refused when there were more than `MAX_BYTES`."""
    if len(data) > MAX_BYTES:
        raise SpecError(
            f"{what} holds more than {MAX_BYTES // (1024 * 1024)} MiB; "
            "the convolver is meant for small matrices",
            where,
        )
    if not data.strip():
        raise SpecError(f"{what} is empty", where)
    return files.utf8(data, where, what)


def preset(name: str) -> Volume | None:
    grid = PRESETS.get(name.strip().lower())
    return None if grid is None else Volume((grid,), name.strip().lower())


def load(argument: str, label: str, *, presets: bool = False) -> Volume:
    """A matrix argument: `-`, an existing file, a preset (if allowed) or a literal.

    `label` names a literal in messages and headings: "input", "filter 2". A
    name that is both a file and a preset or a literal is refused, not guessed.
    """
    if argument == "-":
        return read_stdin(sys.stdin)
    found = preset(argument) if presets else None
    as_literal = bool(
        _LITERAL.match(argument)
        or re.search(r"[\s,;|]", argument)
        or not argument.strip()
        or _NUMBERISH.match(argument.strip())
    )
    if os.path.exists(argument):
        if not any(sep and sep in argument for sep in ("/", os.sep, os.altsep)):
            _one_reading(argument, found, as_literal, label)  # ./vertical can only be a file
        return read_file(argument)
    if found is not None:
        return found
    if as_literal:
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


def _one_reading(path: str, found: Volume | None, as_literal: bool, label: str) -> None:
    """Refuse a file name that would also read as the preset or the literal it spells:
    which one the user meant depends on what happens to be in the directory."""
    from shlex import quote  # the spellings offered are ready to paste into a shell

    if found is not None:
        other, choose = f"the preset {found.name}", "rename the file to use the preset"
    elif as_literal:
        try:
            h, w, c = literal(path, label).shape
        except SpecError:
            return  # not a literal after all: only the file makes sense
        # A trailing ';' ends the last row, so the literal reads the same.
        spelt = f" {path}" if path.rstrip().endswith(";") else f"{path};"
        size = f"{h}×{w}" + (f"×{c}" if c > 1 else "")
        other, choose = f"a {size} matrix literal", f"{quote(spelt)} for the matrix"
    else:
        return
    raise SpecError(
        f"names a file in this directory and is also {other}; "
        f"write {quote('./' + path)} for the file, or {choose}",
        Where(path),
    )
