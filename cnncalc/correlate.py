"""The convolver's arithmetic, in integers: decimals scaled to ints by a power of ten,
each filter slid tap by tap over whole rows, and the sums divided back exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import repeat
from operator import add, mul, sub
from typing import TYPE_CHECKING, cast

from cnncalc.errors import SpecError
from cnncalc.geometry import Sides
from cnncalc.matrix import Grid, Number, Volume, decimal_places

if TYPE_CHECKING:
    from cnncalc.convolve import Pair


def places(values: Sequence[Number]) -> int:
    """Decimal places needed to make every value an int (0 when all are ints)."""
    most = 0
    for v in values:
        if type(v) is not int:
            found = decimal_places(Fraction(v))
            if found is None:  # `build` refuses these; a hand-made Volume may not
                raise SpecError(f"{v} has no exact decimal form; give it as a decimal")
            most = max(most, found)
    return most


def scaled(grid: Grid, scale: int) -> tuple[tuple[int, ...], ...]:
    """Every value times `scale`, as ints; the caller chose a scale that makes them whole."""
    if scale == 1:
        return cast("tuple[tuple[int, ...], ...]", grid)  # scale 1: the values are ints already
    return tuple(tuple(int(v * scale) for v in row) for row in grid)


def flat(volumes: Sequence[Volume]) -> list[Number]:
    return [v for vol in volumes for grid in vol.data for row in grid for v in row]


def _span(n: int, f_index: int, before: int, stride: int, out: int) -> tuple[int, int]:
    """Output positions q (0-based, [q0, q1)) where tap `f_index` lands on a real pixel.

    The tap reads input position q·stride − before + f_index; it must be in [0, n).
    """
    q0 = max(0, -(-(before - f_index) // stride))
    q1 = min(out, (n - 1 + before - f_index) // stride + 1)
    return q0, max(q0, q1)


def correlate(
    data: Sequence[Sequence[Sequence[int]]],
    filt: Sequence[Sequence[Sequence[int]]],
    kernel: Pair,
    stride: Pair,
    padding: Sides,
    out: tuple[int, int],
    dilation: Pair = (1, 1),
) -> list[list[int]]:
    """Cross-correlation of int channels with one int filter, summed over channels; the
    filter's taps `dilation` apart.

    Tap by tap rather than window by window: each nonzero weight adds a strided
    slice of an input row to a slice of an output row, so the inner loop is a
    `map` over a whole row and the padding is never built (a window only skips
    the taps that fall in it).
    """
    h, w = len(data[0]), len(data[0][0])
    out_h, out_w = out
    sh, sw = stride
    dh, dw = dilation
    (top, _), (left, _) = padding
    acc = [[0] * out_w for _ in range(out_h)]
    for j in range(kernel[1]):
        q0, q1 = _span(w, j * dw, left, sw, out_w)
        if q0 == q1:
            continue
        x0 = q0 * sw - left + j * dw
        x1 = x0 + (q1 - q0 - 1) * sw + 1
        whole = q0 == 0 and q1 == out_w
        for i in range(kernel[0]):
            r0, r1 = _span(h, i * dh, top, sh, out_h)
            for c, grid in enumerate(data):
                weight = filt[c][i][j]
                if weight == 0 or r0 == r1:
                    continue
                step: Callable[[list[int], Sequence[int]], list[int]]
                if weight == 1:
                    step = _plus
                elif weight == -1:
                    step = _minus
                else:
                    step = _times(weight)
                for r in range(r0, r1):
                    y = r * sh - top + i * dh
                    seg = grid[y][x0:x1:sw]
                    if whole:
                        acc[r] = step(acc[r], seg)
                    else:
                        acc[r][q0:q1] = step(acc[r][q0:q1], seg)
    return acc


def _plus(acc: list[int], seg: Sequence[int]) -> list[int]:
    return list(map(add, acc, seg))


def _minus(acc: list[int], seg: Sequence[int]) -> list[int]:
    return list(map(sub, acc, seg))


def _times(weight: int) -> Callable[[list[int], Sequence[int]], list[int]]:
    def step(acc: list[int], seg: Sequence[int]) -> list[int]:
        return list(map(add, acc, map(mul, seg, repeat(weight))))

    return step


def ratio(n: int, d: int) -> Number:
    """n/d exactly; an int whenever it divides, without building a Fraction."""
    return n // d if n % d == 0 else Fraction(n, d)


def divide(values: list[list[int]], scale: int) -> Grid:
    if scale == 1:
        return tuple(tuple(row) for row in values)
    return tuple(tuple(ratio(v, scale) for v in row) for row in values)
