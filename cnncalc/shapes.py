"""Shapes as cnncalc holds them, and as the course writes them.

A shape is a tuple: the spatial sizes then the channels, (H, W, C), or (n,) for
a vector. Layouts and the course's notation are applied only when a shape is
read or written: (C, H, W) is PyTorch's order, (28, 28, 8) and 3×5 the
course's.
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


def axis_names(rank: int) -> tuple[str, ...]:
    """height and width for an image; axis 1, axis 2, … for any other rank."""
    if rank == 2:
        return ("height", "width")
    return tuple(f"axis {number}" for number in range(1, rank + 1))


def by(sizes: int | Sequence[int]) -> str:
    """A per-axis value as the course writes it: 5 when every axis is alike, 3×5 when not."""
    if isinstance(sizes, int):
        return str(sizes)
    if all(n == sizes[0] for n in sizes):
        return str(sizes[0])
    return "×".join(str(n) for n in sizes)


def padding_text(padding: str | int | Sequence[tuple[int, int]]) -> str:
    """Padding as a spec writes it: same, 2, 1×2 (each side alike), or (0, 1, 0, 1)."""
    if isinstance(padding, (str, int)):
        return str(padding)
    if all(before == after for before, after in padding):
        return by([before for before, _ in padding])
    return "(" + ", ".join(str(n) for side in padding for n in side) + ")"
