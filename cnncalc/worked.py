"""The work behind one output cell of the reference convolver, in the course's style.

The window over the input (padding marked), the filter beside it, the sum of
products written out column by column as the course reads it, then the bias
and the ReLU; for pooling, the maximum or the mean of the window. Every value
is printed exactly: a true minus sign, decimals as written, a fraction that
never ends as 4/3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

from cnncalc.correlate import Number, decimal_places, exact
from cnncalc.errors import SpecError
from cnncalc.matrix import Grid, Volume

if TYPE_CHECKING:
    from cnncalc.convolve import Convolution, Pair, Pooling, Result

Fill = TypeVar("Fill")  # what a window holds where a tap lies in the padding


@dataclass
class Explanation:
    """How one output value came about: the window, the terms, the result."""

    row: int  # 1-based, in the output
    col: int
    channel: int
    value: Number
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def own_name(k: int, filt: Volume) -> str | None:
    """Filter k's name when it has one of its own (a preset, a file); None for the
    "filter k" a literal is given."""
    return None if filt.name == f"filter {k}" else filt.name


def called(k: int, filt: Volume) -> str:
    """filter 2, or filter 2 (vertical) when it has a name of its own."""
    name = own_name(k, filt)
    return f"filter {k}" if name is None else f"filter {k} ({name})"


def origin(result: Result, row: int, col: int) -> tuple[int, int]:
    """The 0-based input position of the window's top-left cell (maybe in the padding)."""
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (row, col)):
        raise SpecError("a cell is a row and a column, whole numbers counted from 1")
    if not (1 <= row <= result.height.out and 1 <= col <= result.width.out):
        # A caller's row may be an int too long for str() (4,300 digits): not named then.
        cell = f"cell {row},{col}" if max(abs(row), abs(col)) < 10**18 else "the cell"
        raise SpecError(f"{cell} is outside the {result.height.out}×{result.width.out} output")
    (top, _), (left, _) = result.padding
    return (row - 1) * result.stride[0] - top, (col - 1) * result.stride[1] - left


def place(result: Result, row: int, col: int, channel: int, what: str) -> str:
    """Which input rows and columns the window of an output cell covers."""
    y, x = origin(result, row, col)
    kh, kw = result.spans
    every = "" if result.taps == (1, 1) else f", every {_every(result.taps)}"
    text = (
        f"output row {row}, column {col}, channel {channel}{what}: "
        f"input rows {y + 1}–{y + kh}, columns {x + 1}–{x + kw}{every}"
    )
    h, w = result.input.height, result.input.width
    if _padded(y, x, (kh, kw), h, w):
        text += f" (outside rows 1–{h}, columns 1–{w} is padding)"
    return text


def convolution_cell(result: Convolution, row: int, col: int) -> tuple[Explanation, ...]:
    """One explanation per filter: each channel's window and sum, then bias and ReLU."""
    y, x = origin(result, row, col)
    found = []
    for k, filt in enumerate(result.filters):
        own = own_name(k + 1, filt)
        name = "" if own is None else f" (filter {own})"
        if result.operation == "convolution":
            name += ", the filter turned by 180°"
        lines = [place(result, row, col, k + 1, name)]
        partials: list[Number] = []
        for c in range(result.input.depth):
            window = _window(result.input.data[c], y, x, result.kernel, 0, result.taps)
            if result.input.depth > 1:
                lines.append(f"input channel {c + 1}:")
            lines += _side_by_side(window, filt.data[c])
            terms = [
                f"{_factor(window[i][j])}×{_factor(filt.data[c][i][j])}"
                for j in range(result.kernel[1])  # down each column, as the course reads it
                for i in range(result.kernel[0])
            ]
            partial = exact(
                sum(
                    (
                        Fraction(window[i][j]) * filt.data[c][i][j]
                        for i in range(result.kernel[0])
                        for j in range(result.kernel[1])
                    ),
                    Fraction(0),
                )
            )
            partials.append(partial)
            lines.append("  " + " + ".join(terms) + f" = {course(partial)}")
        total = exact(sum((Fraction(p) for p in partials), Fraction(0)))
        if len(partials) > 1:
            lines.append(
                "sum over channels: "
                + " + ".join([course(partials[0]), *(_factor(p) for p in partials[1:])])
                + f" = {course(total)}"
            )
        if result.bias:
            b = result.bias[k]
            biased = exact(Fraction(total) + b)
            lines.append(f"plus bias: {course(total)} + {_factor(b)} = {course(biased)}")
            total = biased
        if result.relu:
            rectified = max(total, 0)
            lines.append(f"ReLU: max(0, {course(total)}) = {course(rectified)}")
            total = rectified
        found.append(Explanation(row, col, k + 1, total, tuple(lines)))
    return tuple(found)


def pooling_cell(result: Pooling, row: int, col: int) -> tuple[Explanation, ...]:
    """One explanation per channel: the window, and its maximum or its mean."""
    y, x = origin(result, row, col)
    found = []
    for c in range(result.input.depth):
        # Max pooling's padding never wins, so it is shown as · and left out.
        fill = None if result.mode == "max" else 0
        window = _window(result.input.data[c], y, x, result.kernel, fill)
        lines = [place(result, row, col, c + 1, ""), *_grid_lines(window)]
        values = [
            window[i][j]
            for j in range(result.kernel[1])  # down each column, as for convolution
            for i in range(result.kernel[0])
        ]
        if result.mode == "max":
            real = [v for v in values if v is not None]
            value = max(real)
            line = f"  max({', '.join(course(v) for v in real)}) = {course(value)}"
            if len(real) < len(values):
                line += " (the padding never wins, so it is left out)"
        else:
            total = exact(sum((Fraction(v) for v in values if v is not None), Fraction(0)))
            count = result.kernel[0] * result.kernel[1]
            value = exact(Fraction(total) / count)
            terms = " + ".join(_factor(v) for v in values if v is not None)
            line = f"  ({terms})/{count} = {course(total)}/{count}"
            if isinstance(value, Fraction) and _decimal(value) is None:
                line += f" = {value} ≈ {float(value):.6g}"
            else:
                line += f" = {course(value)}"
            if _padded(y, x, result.kernel, result.input.height, result.input.width):
                line += " (padded zeros count in the divisor)"
        lines.append(line)
        found.append(Explanation(row, col, c + 1, value, tuple(lines)))
    return tuple(found)


def _every(taps: Pair) -> str:
    """2nd; 2nd row and 3rd column: how far apart a dilated filter's taps are."""

    def nth(n: int) -> str:
        return f"{n}{'nd' if n == 2 else 'rd' if n == 3 else 'th'}"

    if taps[0] == taps[1]:
        return f"{nth(taps[0])} row and column"
    return f"{nth(taps[0])} row and {nth(taps[1])} column"


def _padded(y: int, x: int, kernel: Pair, h: int, w: int) -> bool:
    """Whether a window of `kernel` from (y, x), 0-based, reaches into the padding."""
    return y < 0 or x < 0 or y + kernel[0] > h or x + kernel[1] > w


def _window(
    grid: Grid, y: int, x: int, kernel: Pair, fill: Fill, taps: Pair = (1, 1)
) -> list[list[Number | Fill]]:
    """The values under a kernel's taps from (y, x), 0-based, `taps` apart, with `fill`
    where a tap lies in the padding."""
    h, w = len(grid), len(grid[0])
    dh, dw = taps
    return [
        [
            grid[y + i * dh][x + j * dw] if 0 <= y + i * dh < h and 0 <= x + j * dw < w else fill
            for j in range(kernel[1])
        ]
        for i in range(kernel[0])
    ]


def _decimal(value: Fraction) -> str | None:
    """The exact decimal text of a Fraction, or None when it never ends (4/3)."""
    places = decimal_places(value)
    if places is None:
        return None
    scaled = abs(value.numerator) * 10**places // value.denominator
    whole, frac = divmod(scaled, 10**places)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac:0{places}d}"


def plain(value: Number) -> str:
    """A value as text: 3, -5, 3.75 exactly; a fraction that never ends as 4/3."""
    if isinstance(value, int):
        return str(value)
    text = _decimal(value)
    return text if text is not None else f"{value.numerator}/{value.denominator}"


def course(value: Number | None) -> str:
    """A value in the course's print: a true minus sign, · for padding that never wins."""
    if value is None:
        return "·"
    return plain(value).replace("-", "−")


def _factor(value: Number | None) -> str:
    """A factor of a product: negatives and fractions in parentheses, 1×(−1)."""
    text = course(value)
    return f"({text})" if text.startswith("−") or "/" in text else text


def _grid_lines(grid: Sequence[Sequence[Number | None]], indent: str = "  ") -> list[str]:
    cells = [[course(v) for v in row] for row in grid]
    width = max(len(cell) for row in cells for cell in row)
    return [indent + " ".join(cell.rjust(width) for cell in row) for row in cells]


def _side_by_side(window: Sequence[Sequence[Number | None]], filt: Grid) -> list[str]:
    left, right = _grid_lines(window, ""), _grid_lines(filt, "")
    span = max(len("window"), *(len(line) for line in left))
    gap = " " * 4
    lines = [f"  {'window'.ljust(span)}{gap}filter"]
    lines += [f"  {a.ljust(span)}{gap}{b}" for a, b in zip(left, right, strict=True)]
    return lines
