"""Layers that take saved tensors besides their input: joins (U-Net's skip connections)
and crops to a saved tensor's size.

A layer or block with `save: NAME` keeps its output; these name it with `with:` or
`like:`, and the engine hands them the saved shapes (`Layer.apply_saved`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc.geometry import Sides, Sizes, Window
from cnncalc.layers.base import Layer, LayerProblem, Step, resolve_sides, spatial
from cnncalc.shapes import Shape, padding_text

# How a join combines its tensors, for messages: concat's "joined along the channels".
_HOW = {"concat": "joined along the channels", "add": "added", "multiply": "multiplied"}


@dataclass(repr=False, eq=False)
class Join(Layer):
    """Saved tensors and the input joined: concatenated along the channels (the saved ones
    first, in order, then the input: U-Net's torch.cat([skip, x])), added, or multiplied
    as NumPy broadcasts. With `crop`, a concat first centre-crops each saved tensor to the
    input's size, as U-Net's paper does."""

    op: str  # "concat", "add" or "multiply"
    names: tuple[str, ...]
    crop: bool = False

    @property
    def kind(self) -> str:
        return self.op

    def reads(self) -> tuple[str, ...]:
        return self.names

    @property
    def merges(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        raise NotImplementedError("a join needs its saved tensors: apply_saved")

    def apply_saved(self, shape: Shape, saved: Sequence[Shape]) -> Step:
        shapes = list(saved)
        cut = None
        if self.crop and self.op == "concat":
            shapes = [
                _cropped_to(other, shape, name)
                for other, name in zip(saved, self.names, strict=True)
            ]
            cut = tuple(
                tuple(before for before, _ in _centre(shape, other, name, "with"))
                for other, name in zip(saved, self.names, strict=True)
            )
        shapes.append(shape)
        if self.op == "concat":
            if len({len(s) for s in shapes}) > 1 or len({s[:-1] for s in shapes}) > 1:
                raise self._mismatch(
                    shapes,
                    "spatial sizes differ"
                    + ("" if self.crop else "; crop: true centre-crops the saved ones"),
                )
            return Step(shape=(*shape[:-1], sum(s[-1] for s in shapes)), cut=cut)
        if self.op == "add":
            if any(s != shape for s in shapes):
                raise self._mismatch(shapes, "shapes differ")
            return Step(shape=shape)
        out = _broadcast(shapes)
        if out is None:
            raise self._mismatch(
                shapes, "they do not broadcast: each axis, from the last, must be the same or 1"
            )
        return Step(shape=out)

    def _mismatch(self, shapes: Sequence[Shape], why: str) -> LayerProblem:
        listed = ", ".join(
            f"{name} {_text(s)}" for name, s in zip((*self.names, "the input"), shapes, strict=True)
        )
        return LayerProblem(f"{listed} cannot be {_HOW[self.op]}: {why}", "with")

    def notation(self) -> str:
        return "with " + ", ".join(self.names) + (", cropped" if self.crop else "")


@dataclass(repr=False, eq=False)
class Crop(Layer):
    """Rows and columns cut from each side (Keras's Cropping2D), or the input centre-cropped
    to a saved tensor's spatial size (`like`)."""

    cropping: int | Sizes | Sides | None = None
    like: str | None = None

    @property
    def kind(self) -> str:
        return "crop"

    def reads(self) -> tuple[str, ...]:
        return (self.like,) if self.like else ()

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, _ = spatial(self.kind, shape)
        ones = (1,) * len(sizes)
        assert self.cropping is not None
        return _crop(shape, resolve_sides(self.cropping, sizes, ones, ones), "cropping")

    def apply_saved(self, shape: Shape, saved: Sequence[Shape]) -> Step:
        (like,) = saved
        spatial(self.kind, shape)
        return _crop(shape, _centre(like, shape, self.like or "", "like"), "like")

    def notation(self) -> str:
        if self.like:
            return f"like {self.like}"
        assert self.cropping is not None
        return f"{padding_text(self.cropping)}"


def _crop(shape: Shape, sides: Sides, field: str) -> Step:
    out = []
    for n, (before, after) in zip(shape[:-1], sides, strict=True):
        if before + after >= n:
            raise LayerProblem(
                f"cropping {before} + {after} leaves nothing of an axis of {n:,}", field
            )
        out.append(n - before - after)
    # A crop is a padding taken away: each output position starts `before` further in.
    window = Window((1,) * len(out), (1,) * len(out), tuple(-before for before, _ in sides))
    return Step(shape=(*out, shape[-1]), padding=sides, window=window)


def _centre(like: Shape, shape: Shape, name: str, field: str = "like") -> Sides:
    """What to cut from each side of `shape` to centre it on `like`'s spatial size: half
    of the difference before, the odd one after."""
    if len(like) != len(shape):
        raise LayerProblem(
            f"{name} {_text(like)} and the input {_text(shape)} differ in rank", field
        )
    sides = []
    for axis, (want, n) in enumerate(zip(like[:-1], shape[:-1], strict=True)):
        if want > n:
            raise LayerProblem(
                f"{name} {_text(like)} is larger than the input {_text(shape)} on axis "
                f"{axis + 1}: a crop can only make it smaller",
                field,
            )
        extra = n - want
        sides.append((extra // 2, extra - extra // 2))
    return tuple(sides)


def _cropped_to(saved: Shape, shape: Shape, name: str) -> Shape:
    """A saved tensor centre-cropped to `shape`'s spatial size, its channels kept."""
    if len(saved) != len(shape):
        raise LayerProblem(
            f"{name} {_text(saved)} and the input {_text(shape)} differ in rank", "with"
        )
    for want, n in zip(shape[:-1], saved[:-1], strict=True):
        if want > n:
            raise LayerProblem(
                f"{name} {_text(saved)} is smaller than the input {_text(shape)}: crop: true "
                "can only cut it down to the input's size",
                "with",
            )
    return (*shape[:-1], saved[-1])


def _broadcast(shapes: Sequence[Shape]) -> Shape | None:
    """NumPy's broadcast of `shapes`: aligned from the last axis, each axis the same or 1."""
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(1, rank + 1):
        sizes = {s[-axis] for s in shapes if len(s) >= axis} - {1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(reversed(out))


def _text(shape: Shape) -> str:
    return "(" + ", ".join(f"{n:,}" for n in shape) + ")"
