"""Exact numbers: how one is read from text, and the convolver's arithmetic in integers.

Whole numbers are Python ints and decimals `Fraction`s, never floats, so 0.1 +
0.2 is 0.3. A number means what it looks like: ASCII digits only (Python's own
parsers take '٣' and '３' too), no inf or nan, no `1_000`, and no leading zero
(`007`), which a YAML spec file would read as octal. For the arithmetic,
decimals are scaled to ints by a power of ten, each filter slid tap by tap over
whole rows, and the sums divided back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import repeat
from operator import add, mul, sub
from typing import TYPE_CHECKING, cast

from cnncalc.errors import SpecError, Where
from cnncalc.geometry import Sides

if TYPE_CHECKING:
    from cnncalc.convolve import Pair
    from cnncalc.matrix import Grid, Volume

Number = int | Fraction  # a Fraction here never has denominator 1: that is an int

# Limits that keep every number exact and every computation short: products and
# sums of numbers this size stay far below Python's 4,300-digit int-to-text limit.
MAX_TOKEN = 100  # characters in one number
MAX_EXPONENT = 100  # |e| in 1.5e-3
_INT = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?\Z")
# A leading zero before another digit: 007, -00.5. Group 1 keeps the sign.
_ZEROS = re.compile(r"\A([+-]?)0+(?=[0-9])")
_NOT_FINITE = ("inf", "infinity", "nan")


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
            f"{quoted(token)}{at} is too long to compute exactly: at most {MAX_TOKEN} characters",
            where,
        )
    found = _DECIMAL.match(text)
    if not found or _ZEROS.match(text):
        raise SpecError(f"{quoted(token)}{at} {diagnosis(text) or 'is not a number'}", where)
    if _INT.match(text):
        return int(text)
    if found.group(1) is not None and abs(int(found.group(1))) > MAX_EXPONENT:
        raise SpecError(
            f"{quoted(token)}{at} has an exponent beyond ±{MAX_EXPONENT}, "
            "too large to compute exactly",
            where,
        )
    return exact(Fraction(text))


def diagnosis(text: str) -> str | None:
    """Why `text`, which looks like a number, is not one here; None when it does not."""
    if _DECIMAL.match(text):
        fixed = _unzeroed(text)
        if fixed == text:
            return None
        return f"has a leading zero, which cnncalc refuses (YAML reads 064 as octal); write {fixed}"
    odd = next((ch for ch in text if not ch.isascii() and ch.isnumeric()), None)
    if odd is not None:
        import unicodedata

        # Named, since a fullwidth '３' looks like an ASCII 3 in most fonts.
        about = [repr(odd) if len(text) > 1 else "", unicodedata.name(odd, "").lower()]
        named = ", ".join(filter(None, about))
        ascii_ = "".join(str(unicodedata.decimal(ch, ch)) for ch in text)
        fix = _unzeroed(ascii_) if _DECIMAL.match(ascii_) else "it with the digits 0–9"
        return f"is written with a digit other than 0–9 ({named}); write {fix}"
    if text.lstrip("+-−").lower() in _NOT_FINITE:
        return "is not a finite number; the convolver computes exactly, with finite decimals only"
    joined = text.replace("_", "")
    if joined != text and _DECIMAL.match(joined):
        return f"has an underscore; write {_unzeroed(joined)}"
    return None


def _unzeroed(text: str) -> str:
    """007 as 7, -00.5 as -0.5: how a number with leading zeros is written."""
    return _ZEROS.sub(r"\1", text, count=1)


def decimal_places(value: Fraction) -> int | None:
    """Decimal places that make `value` whole, or None when it has no finite decimal form."""
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    return max(twos, fives) if d == 1 else None


def quoted(token: str) -> str:
    """A token for a message: quoted, and cut short if long."""
    return repr(token if len(token) <= 24 else token[:23] + "…")


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
