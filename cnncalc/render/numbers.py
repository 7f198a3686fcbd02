"""Exact figures written for people and for machines, never through a float.

For people: 849.32 K, 12.29 KB, 76.4% (rounded half up, in integers). For
machines: a whole number as it is, a per-axis value as cnncalc reads it back
(7, 7x5, 0x1x0x1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from cnncalc.shapes import by


class Share(NamedTuple):
    """part/whole as a percentage, kept exact (fractions costs startup to import)."""

    part: int
    whole: int


def scaled(number: int, units: Sequence[str]) -> str:
    """An exact integer for reading, in steps of 1,000: 849,320 as 849.32 K; two decimals,
    rounded half up."""
    power = 0
    while power + 1 < len(units) and number >= 1000 ** (power + 1):
        power += 1
    if power == 0:
        return f"{number} {units[0]}".rstrip()
    hundredths = (number * 100 * 2 + 1000**power) // (2 * 1000**power)
    return f"{hundredths // 100:,}.{hundredths % 100:02d} {units[power]}"


def nbytes(number: int) -> str:
    """Bytes in decimal units, as torchinfo prints them: 1 KB = 1,000 bytes."""
    return scaled(number, ("B", "KB", "MB", "GB", "TB", "PB"))


def _rounded(share: Share, places: int) -> tuple[int, int]:
    """The percentage to `places` decimals, rounded half up: (whole part, decimals)."""
    scale: int = 10**places
    units = (2 * 100 * share.part * scale + share.whole) // (2 * share.whole)
    return divmod(units, scale)


def percent(share: Share) -> str:
    """A percentage with one decimal, 76.4%; with as many as it takes for a share that is
    not nothing never to read 0.0% (0.04%, 0.00002%)."""
    for places in range(1, 13):
        whole, part = _rounded(share, places)
        if whole or part or not share.part:
            return f"{whole}.{part:0{places}d}%"
    return "<0.000000000001%"


def decimal(share: Share, places: int = 4) -> str:
    """A percentage as a plain number with at most `places` decimals: 76.4319, 0.0."""
    whole, part = _rounded(share, places)
    digits = f"{part:0{places}d}".rstrip("0") or "0"
    return f"{whole}.{digits}"


def axes_text(sizes: Sequence[int]) -> str:
    """A per-axis value for a machine: 7 when every axis is alike, else 7x5 (the course's
    3×5 with the x cnncalc reads back)."""
    return by(sizes).replace("×", "x")


def sides_text(sides: Sequence[tuple[int, int]]) -> str:
    """Padding for a machine, as cnncalc reads it: 3, 3x1 (before = after), or 0x1x0x1."""
    if all(before == after for before, after in sides):
        return axes_text([before for before, _ in sides])
    return "x".join(str(n) for side in sides for n in side)


def raw(value: Any) -> str:
    """A column's raw figure as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return decimal(value)
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return sides_text(value)
        return axes_text(value)
    return str(value)
