"""Convolutions: ordinary, dilated, grouped and depthwise, and transposed."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc import geometry, limits
from cnncalc.geometry import Padding, Sizes
from cnncalc.layers.base import (
    Layer,
    LayerProblem,
    Step,
    per_axis,
    resolve_sides,
    slide,
    spatial,
)
from cnncalc.shapes import Shape, axis_names, by, dimensions, padding_text, size_of


def _padded(padding: Padding) -> bool:
    """Whether a spec's padding adds anything: 0, 'valid' and all-zero sides do not."""
    if isinstance(padding, (str, int)):
        return padding not in (0, "valid")
    return any(n for side in padding for n in ((side,) if isinstance(side, int) else side))


def _settings(kernel: int | Sizes, stride: int | Sizes, padding: Padding) -> str:
    text = f"f={by(kernel)}, s={by(stride)}"
    return text + (f", p={padding_text(padding)}" if _padded(padding) else "")


@dataclass(repr=False, eq=False)
class Conv(Layer):
    filters: int | None  # None with depthwise: one filter per input channel
    kernel: int | Sizes
    stride: int | Sizes = 1
    padding: Padding = 0
    bias: bool = True
    dilation: int | Sizes = 1
    groups: int = 1
    depthwise: bool = False  # groups = the input's channels

    @property
    def kind(self) -> str:
        return "conv"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        if self.padding == "causal" and len(sizes) != 1:
            raise LayerProblem(
                f"causal padding is for 1-D convs (d(f − 1) before each position, none after: "
                f"Keras's padding='causal'), but the input is {dimensions(len(sizes))}; write "
                "same, valid or numbers",
                "padding",
            )
        kernel = per_axis(self.kernel, sizes, "kernel")
        filters = self.filters or channels
        groups = _groups(self, channels, filters)
        slid = slide(
            sizes,
            kernel,
            per_axis(self.stride, sizes, "stride"),
            self.padding,
            dilation=None if self.dilation == 1 else per_axis(self.dilation, sizes, "dilation"),
            padded=padded,
        )
        # Each filter sees only its group's channels: c_in/groups of them.
        weights = size_of(kernel) * (channels // groups) * filters
        return Step(
            shape=(*slid.out, filters),
            weights=weights,
            biases=filters if self.bias else 0,
            # One multiply-accumulate per weight per output position; biases are not counted.
            macs=size_of(slid.out) * weights,
            padding=slid.padding,
            window=slid.window,
            notes=slid.notes,
        )

    def notation(self) -> str:
        text = _settings(self.kernel, self.stride, self.padding)
        if by(self.dilation) != "1":
            text += f", d={by(self.dilation)}"
        if self.depthwise:
            text += ", depthwise"
        elif self.groups != 1:
            text += f", groups={self.groups}"
        return text


def group_count(layer: Conv | ConvTranspose, channels: int) -> int:
    """How many groups a conv splits its `channels` input channels into."""
    return channels if layer.depthwise else layer.groups


def _groups(layer: Conv | ConvTranspose, channels: int, filters: int) -> int:
    """The number of groups, checked: it divides the input's and the output's channels."""
    if layer.depthwise:
        if filters % channels:
            raise LayerProblem(
                f"a depthwise conv needs filters a multiple of its input's {channels} "
                f"channels, got {filters}",
                "filters",
            )
        return channels
    groups = layer.groups
    if channels % groups:
        raise LayerProblem(
            f"groups {groups} does not divide the input's {channels} channels", "groups"
        )
    if filters % groups:
        raise LayerProblem(f"groups {groups} does not divide the {filters} filters", "groups")
    return groups


@dataclass(repr=False, eq=False)
class ConvTranspose(Layer):
    """A transposed convolution: PyTorch's ConvTranspose2d, Keras's Conv2DTranspose."""

    filters: int
    kernel: int | Sizes
    stride: int | Sizes = 1
    padding: Padding = 0
    output_padding: int | Sizes = 0
    bias: bool = True
    dilation: int | Sizes = 1
    groups: int = 1
    depthwise: bool = False

    @property
    def kind(self) -> str:
        return "convtranspose"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        sizes, channels = spatial(self.kind, shape)
        groups = _groups(self, channels, self.filters)
        kernel = per_axis(self.kernel, sizes, "kernel")
        stride = per_axis(self.stride, sizes, "stride")
        dilation = per_axis(self.dilation, sizes, "dilation")
        extra = per_axis(self.output_padding, sizes, "output_padding")
        for op, s, d in zip(extra, stride, dilation, strict=True):
            if not geometry.output_padding_allowed(op, s, d):
                raise LayerProblem(
                    f"output_padding {by(self.output_padding)} must be smaller than the "
                    "stride or the dilation (PyTorch's rule)",
                    "output_padding",
                )
        out = []
        # 'same' is Keras's n·s here, not TensorFlow's forward rule: no sides to resolve.
        sides = resolve_sides(0 if self.padding == "same" else self.padding, sizes, kernel, stride)
        names = axis_names(len(sizes))
        for axis, n in enumerate(sizes):
            if self.padding == "same":
                size = geometry.transposed_same_size(n, stride[axis])
            else:
                size = geometry.transposed_size(
                    n, kernel[axis], stride[axis], *sides[axis], dilation[axis], extra[axis]
                )
            if size < 1:
                # Padding of up to 10^18 a side can take it below −10^18: not printed.
                shown = limits.about(size) if limits.past(size) else str(size)
                raise LayerProblem(
                    f"the padding leaves no output: {shown} on the {names[axis]}", "padding"
                )
            out.append(size)
        weights = size_of(kernel) * channels * (self.filters // groups)
        return Step(
            shape=(*out, self.filters),
            weights=weights,
            biases=self.filters if self.bias else 0,
            # Every input value is multiplied by each weight of its group's filters.
            macs=size_of(sizes) * weights,
            breaks_field=True,
        )

    def notation(self) -> str:
        text = _settings(self.kernel, self.stride, self.padding)
        if by(self.output_padding) != "0":
            text += f", output_padding={by(self.output_padding)}"
        return text
