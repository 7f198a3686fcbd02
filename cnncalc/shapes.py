"""Shapes as cnncalc holds them, and as the course writes them.

A shape is a tuple: the spatial sizes then the channels, (L, C) for a 1-D
signal, (H, W, C) for an image, (D, H, W, C) for a volume, or (n,) for a
vector; its rank is its number of spatial axes, 0 for a vector. Layouts and
the course's notation are applied only when a shape is read or written:
(C, H, W) is PyTorch's order, (28, 28, 8) and 3×5 the course's.
"""

from __future__ import annotations

from collections.abc import Sequence

Shape = tuple[int, ...]


def size_of(shape: Sequence[int]) -> int:
    """How many values a tensor of `shape` holds (1 for the empty shape)."""
    total = 1
    for n in shape:
        total *= n
    return total


def in_layout(shape: Shape, layout: str = "hwc") -> Shape:
    """A shape as a layout writes it: (H, W, C), the course's, or (C, H, W), PyTorch's."""
    if layout == "chw" and len(shape) > 1:
        return (shape[-1], *shape[:-1])
    return shape


def from_layout(shape: Shape, layout: str = "hwc") -> Shape:
    """A shape written in `layout`, as cnncalc holds it: channels last."""
    if layout == "chw" and len(shape) > 1:
        return (*shape[1:], shape[0])
    return shape


def shape_text(shape: Shape, layout: str = "hwc") -> str:
    """The course's notation: (28, 28, 8) for a volume, (120, 1) for a vector."""
    dims = (*shape, 1) if len(shape) == 1 else in_layout(shape, layout)
    return "(" + ", ".join(str(n) for n in dims) + ")"


def rank_of(shape: Sequence[int]) -> int:
    """The number of spatial axes: 1 for (L, C), 2 for (H, W, C), 3 for (D, H, W, C), 0 for a
    vector."""
    return len(shape) - 1


# Per rank: the axes' names, their sides, and what one position along each is called.
_AXES = {
    1: ("length",),
    2: ("height", "width"),
    3: ("depth", "height", "width"),
}
_SIDES = {
    1: (("left", "right"),),
    2: (("top", "bottom"), ("left", "right")),
    3: (("front", "back"), ("top", "bottom"), ("left", "right")),
}
_POSITIONS = {
    1: ("position",),
    2: ("row", "column"),
    3: ("slice", "row", "column"),
}


def axis_names(rank: int) -> tuple[str, ...]:
    """length; height and width; depth, height and width; axis 1, axis 2, … beyond."""
    return _AXES.get(rank) or tuple(f"axis {number}" for number in range(1, rank + 1))


def side_names(rank: int) -> tuple[tuple[str, str], ...]:
    """The two sides of each axis: (left, right) in 1-D, (top, bottom), (left, right) in 2-D,
    (front, back) first in 3-D."""
    return _SIDES.get(rank) or (("before", "after"),) * rank


def position_names(rank: int) -> tuple[str, ...]:
    """One position along each axis: a row, a column; a slice of a 3-D volume."""
    return _POSITIONS.get(rank) or tuple(f"position on axis {n}" for n in range(1, rank + 1))


def dimensions(rank: int) -> str:
    """1-D, 2-D, 3-D."""
    return f"{rank}-D"


def by(sizes: int | Sequence[int]) -> str:
    """A per-axis value as the course writes it: 5 when every axis is alike, 3×5 when not."""
    if isinstance(sizes, int):
        return str(sizes)
    if all(n == sizes[0] for n in sizes):
        return str(sizes[0])
    return "×".join(str(n) for n in sizes)


def padding_text(padding: str | int | Sequence[int] | Sequence[tuple[int, int]]) -> str:
    """Padding as a spec writes it: same, 2, 1×2 (each side alike), or (0, 1, 0, 1)."""
    if isinstance(padding, (str, int)):
        return str(padding)
    numbers = [n for side in padding for n in ((side,) if isinstance(side, int) else side)]
    if all(isinstance(side, int) for side in padding):  # written flat, not yet resolved
        return by(numbers) if len(set(numbers)) == 1 else "(" + ", ".join(map(str, numbers)) + ")"
    pairs = [side for side in padding if not isinstance(side, int)]
    if all(before == after for before, after in pairs):
        return by([before for before, _ in pairs])
    return "(" + ", ".join(str(n) for n in numbers) + ")"
