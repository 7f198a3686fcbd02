"""Pooling and resampling: max and average pools, global and adaptive pools,
zero padding and upsampling. None of them has parameters or MACs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc import geometry
from cnncalc.geometry import Padding, Sides, Sizes, Window
from cnncalc.layers.base import (
    Layer,
    LayerProblem,
    Step,
    per_axis,
    resolve_sides,
    slide,
    spatial,
)
from cnncalc.shapes import Shape, by, padding_text


@dataclass(repr=False, eq=False)
class Pool(Layer):
    mode: str  # "max" or "avg"
    kernel: int | Sizes
    stride: int | Sizes | None = None  # None: the kernel's size, as in Keras and PyTorch
    padding: Padding = 0
    ceil: bool = False  # PyTorch's ceil_mode: round the output size up

    @property
    def kind(self) -> str:
        return f"{self.mode}pool"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        kernel = per_axis(self.kernel, sizes, "kernel")
        stride = kernel if self.stride is None else per_axis(self.stride, sizes, "stride")
        if not isinstance(self.padding, str):
            sides = resolve_sides(self.padding, sizes, kernel, stride)
            # PyTorch refuses this too: a window could lie wholly in the padding.
            if any(
                max(side) > geometry.pool_padding_limit(f)
                for side, f in zip(sides, kernel, strict=True)
            ):
                raise LayerProblem(
                    f"padding {padding_text(self.padding)} is more than half the kernel "
                    f"{by(self.kernel)}: a window could hold nothing but padding",
                    "padding",
                )
        # A pool's floor dropping the last rows is common and harmless (Keras's MNIST
        # convnet does it): a note. A conv's is a warning: it may be a mistake.
        slid = slide(
            sizes, kernel, stride, self.padding, ceil=self.ceil, padded=padded, unused_is="note"
        )
        # Pooling has no weights: 0 MACs, as torchvision and fvcore count it.
        return Step(
            shape=(*slid.out, channels),
            padding=slid.padding,
            window=slid.window,
            notes=slid.notes,
        )


@dataclass(repr=False, eq=False)
class GlobalAvgPool(Layer):
    """The mean of each channel over the whole height and width: H×W×C → 1×1×C."""

    @property
    def kind(self) -> str:
        return "globalavgpool"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        return Step(shape=(*(1 for _ in sizes), channels), sees_all=True)


@dataclass(repr=False, eq=False)
class AdaptiveAvgPool(Layer):
    """PyTorch's AdaptiveAvgPool2d: window i spans ⌊i·n/out⌋ to ⌈(i+1)·n/out⌉."""

    output: int | Sizes

    @property
    def kind(self) -> str:
        return "adaptiveavgpool"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        out = per_axis(self.output, sizes, "output")
        if all(n == 1 for n in out):  # a global pool: each output sees everything
            return Step(shape=(*out, channels), sees_all=True)
        if all(n % m == 0 for n, m in zip(sizes, out, strict=True)):
            # Even windows: an ordinary pool of n/out, with a receptive field to match.
            step = tuple(n // m for n, m in zip(sizes, out, strict=True))
            window = Window(step, step, (0,) * len(sizes))
            return Step(shape=(*out, channels), window=window)
        # Uneven windows (they overlap, or differ in size): no single window.
        return Step(shape=(*out, channels), breaks_field=True)

    def notation(self) -> str:
        return f"output {by(self.output)}"


@dataclass(repr=False, eq=False)
class ZeroPad(Layer):
    padding: int | Sides

    @property
    def kind(self) -> str:
        return "zeropad"

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        ones = (1,) * len(sizes)
        sides = resolve_sides(self.padding, sizes, ones, ones)
        out = tuple(geometry.padded_size(n, *side) for n, side in zip(sizes, sides, strict=True))
        window = Window(ones, ones, tuple(before for before, _ in sides))
        earlier = padded or (0,) * len(sizes)
        trailing = tuple(zeros + after for zeros, (_, after) in zip(earlier, sides, strict=True))
        return Step(shape=(*out, channels), padding=sides, window=window, padded=trailing)

    def notation(self) -> str:
        return f"p={padding_text(self.padding)}"


@dataclass(repr=False, eq=False)
class Upsample(Layer):
    """Upsampling by a whole factor per axis, to a size (`to`), or to a saved tensor's size
    (`like`). The mode (nearest, bilinear…) changes no count."""

    factor: int | Sizes | None = None
    to: int | Sizes | None = None
    like: str | None = None
    mode: str = "nearest"

    @property
    def kind(self) -> str:
        return "upsample"

    def reads(self) -> tuple[str, ...]:
        return (self.like,) if self.like else ()

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        if self.to is not None:
            out = per_axis(self.to, sizes, "to")
        else:
            assert self.factor is not None
            factor = per_axis(self.factor, sizes, "factor")
            out = tuple(n * f for n, f in zip(sizes, factor, strict=True))
        # A fraction of a pixel per output unit: no receptive field in whole pixels.
        return Step(shape=(*out, channels), breaks_field=True)

    def apply_saved(self, shape: Shape, saved: Sequence[Shape]) -> Step:
        (like,) = saved
        sizes, channels = spatial(self.kind, shape)
        if len(like) != len(shape):
            raise LayerProblem(
                f"{self.like} has {len(like) - 1} spatial axes and the input {len(sizes)}", "like"
            )
        return Step(shape=(*like[:-1], channels), breaks_field=True)

    def notation(self) -> str:
        mode = "" if self.mode == "nearest" else f", {self.mode}"
        if self.like:
            return f"like {self.like}{mode}"
        if self.to is not None:
            return f"to {by(self.to)}{mode}"
        assert self.factor is not None
        return f"×{by(self.factor)}{mode}"
