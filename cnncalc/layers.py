"""The layer types: the fields each accepts, and what each does to a shape.

A layer is a frozen dataclass of checked hyperparameters with one method that
matters, `apply(shape) -> Step`: the output shape and the weights and biases
the layer holds for that input. Blocks compose layers through the same method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from cnncalc import values
from cnncalc.geometry import (
    Padding4,
    PaddingSpec,
    Pair,
    Window,
    ceil_output_size,
    is_symmetric,
    output_size,
    resolve_padding,
    unused,
)
from cnncalc.records import Record

Shape = tuple[int, ...]  # (height, width, channels), or (n,) for a vector


class LayerProblem(Exception):
    """A layer cannot take its input; `field` names the culprit, if one field is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Note(NamedTuple):
    """Something worth a warning that does not stop the calculation."""

    message: str
    field: str | None = None


class Step(NamedTuple):
    """What one layer does to its input."""

    shape: Shape
    weights: int = 0
    biases: int = 0
    padding: Padding4 | None = None  # as applied, for layers that pad
    notes: tuple[Note, ...] = ()
    macs: int = 0  # multiply-accumulates, as torchvision and fvcore count them
    window: Window | None = None  # for layers that slide a window
    sees_all: bool = False  # every output depends on every input (fc, flatten)
    # The receptive field stops being one window (an upsample, a transposed
    # conv): from here on it is shown as n/a.
    breaks_field: bool = False
    buffers: int = 0  # non-trainable values, such as batch norm's running statistics
    # Rows and columns at the end of the output that are zeros a zeropad added;
    # None: as many as the input had if the layer is element-wise, else none.
    padded: Pair | None = None


def size_of(shape: Shape) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def in_layout(shape: Shape, layout: str = "hwc") -> Shape:
    """A shape as a layout writes it: (H, W, C), the course's, or (C, H, W), PyTorch's."""
    if layout == "chw" and len(shape) == 3:
        return (shape[2], shape[0], shape[1])
    return shape


def from_layout(shape: Shape, layout: str = "hwc") -> Shape:
    """A shape written in `layout`, as cnncalc holds it: (H, W, C)."""
    if layout == "chw" and len(shape) == 3:
        return (shape[1], shape[2], shape[0])
    return shape


def shape_text(shape: Shape, layout: str = "hwc") -> str:
    """The course's notation: (28, 28, 8) for a volume, (120, 1) for a vector."""
    dims = (*shape, 1) if len(shape) == 1 else in_layout(shape, layout)
    return "(" + ", ".join(str(n) for n in dims) + ")"


def by(pair: Pair) -> str:
    """A per-axis value as the course writes it: 5 when square, 3×5 when not."""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def padding_text(spec: PaddingSpec) -> str:
    if isinstance(spec, str):
        return spec
    top, bottom, left, right = spec
    if top == bottom and left == right:
        return by((top, left))
    return f"({top}, {bottom}, {left}, {right})"


def _volume(layer_type: str, shape: Shape) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise LayerProblem(
            f"{layer_type} needs a (height, width, channels) input, "
            f"but its input is a vector of {shape[0]:,}"
        )
    return shape[0], shape[1], shape[2]


def _slide(
    kernel: Pair,
    stride: Pair,
    padding: PaddingSpec,
    height: int,
    width: int,
    ceil: bool = False,
    dilation: Pair = (1, 1),
    padded: Pair = (0, 0),
) -> tuple[Padding4, Pair, tuple[Note, ...]]:
    """Where a window of `kernel` lands: padding applied, output size, warnings.

    A dilated kernel covers d(f − 1) + 1 rows; everything here uses that size.
    `padded` counts the input's last rows and columns that an earlier zeropad
    added: leaving those unused is no loss.
    """
    kernel = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    pad = resolve_padding(padding, (height, width), kernel, stride)
    top, bottom, left, right = pad
    total = (height + top + bottom, width + left + right)
    if kernel[0] > total[0] or kernel[1] > total[1]:
        dilated = " (dilated)" if dilation != (1, 1) else ""
        raise LayerProblem(
            f"kernel {by(kernel)}{dilated} is larger than the padded input {total[0]}×{total[1]}",
            "kernel",
        )
    size = ceil_output_size if ceil else output_size
    out = (
        size(height, kernel[0], stride[0], top, bottom),
        size(width, kernel[1], stride[1], left, right),
    )
    notes = []
    lost = []
    # A kernel smaller than its stride skips rows by design (ResNet's 1×1, stride 2
    # shortcut), and ceil mode takes the last rows in: no warning for either.
    rows = max(0, unused(height, kernel[0], stride[0], top, bottom) - padded[0])
    cols = max(0, unused(width, kernel[1], stride[1], left, right) - padded[1])
    if ceil or kernel[0] < stride[0]:
        rows = 0
    if ceil or kernel[1] < stride[1]:
        cols = 0
    if rows:
        lost.append("the last row" if rows == 1 else f"the last {rows} rows")
    if cols:
        lost.append("the last column" if cols == 1 else f"the last {cols} columns")
    if lost:
        notes.append(Note(f"stride {by(stride)} leaves {' and '.join(lost)} unused", "stride"))
    if padding == "same" and not is_symmetric(pad):
        notes.append(
            Note(
                f"'same' padding came out asymmetric: {top} top, {bottom} bottom, "
                f"{left} left, {right} right (TensorFlow's rule puts the odd pixel "
                "at the bottom and right)",
                "padding",
            )
        )
    return pad, out, tuple(notes)


class Layer(Record):
    """Base of every layer type: a dataclass of hyperparameters."""

    @property
    def kind(self) -> str:
        """The canonical spec type: conv, maxpool, fc…"""
        raise NotImplementedError

    @property
    def numbered(self) -> bool:
        """Whether the course's naming counts it (CONV1, FC3): the layers with weights
        of their own (a batch norm takes its conv's number, like a pool)."""
        return False

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        """What the layer gives for `shape`; `padded`: see `Step.padded`."""
        raise NotImplementedError

    def notation(self) -> str:
        """The hyperparameters in the course's notation, e.g. 'f=5, s=1'."""
        return ""


@dataclass(repr=False, eq=False)
class Conv(Layer):
    filters: int | None  # None with depthwise: one filter per input channel
    kernel: Pair
    stride: Pair = (1, 1)
    padding: PaddingSpec = (0, 0, 0, 0)
    bias: bool = True
    dilation: Pair = (1, 1)
    groups: int = 1
    depthwise: bool = False  # groups = the input's channels

    @property
    def kind(self) -> str:
        return "conv"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        filters = self.filters or channels
        groups = _groups(self, channels, filters)
        pad, (out_h, out_w), notes = _slide(
            self.kernel, self.stride, self.padding, height, width, False, self.dilation, padded
        )
        # Each filter sees only its group's channels: c_in/groups of them.
        weights = self.kernel[0] * self.kernel[1] * (channels // groups) * filters
        biases = filters if self.bias else 0
        # One multiply-accumulate per weight per output position; biases are not counted.
        macs = out_h * out_w * weights
        covered = tuple(d * (f - 1) + 1 for d, f in zip(self.dilation, self.kernel, strict=True))
        window = Window((covered[0], covered[1]), self.stride, (pad[0], pad[2]))
        return Step((out_h, out_w, filters), weights, biases, pad, notes, macs, window)

    def notation(self) -> str:
        text = f"f={by(self.kernel)}, s={by(self.stride)}"
        if self.padding != (0, 0, 0, 0) and self.padding != "valid":
            text += f", p={padding_text(self.padding)}"
        if self.dilation != (1, 1):
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
    kernel: Pair
    stride: Pair = (1, 1)
    padding: PaddingSpec = (0, 0, 0, 0)
    output_padding: Pair = (0, 0)
    bias: bool = True
    dilation: Pair = (1, 1)
    groups: int = 1
    depthwise: bool = False

    @property
    def kind(self) -> str:
        return "convtranspose"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        groups = _groups(self, channels, self.filters)
        for axis in (0, 1):
            if self.output_padding[axis] >= max(self.stride[axis], self.dilation[axis]):
                raise LayerProblem(
                    f"output_padding {by(self.output_padding)} must be smaller than the "
                    "stride or the dilation (PyTorch's rule)",
                    "output_padding",
                )
        out = []
        for axis, n in enumerate((height, width)):
            f, s, d = self.kernel[axis], self.stride[axis], self.dilation[axis]
            if self.padding == "same":
                size = n * s  # Keras's rule for 'same'
            else:
                pad = (0, 0, 0, 0) if self.padding == "valid" else self.padding
                total = pad[0] + pad[1] if axis == 0 else pad[2] + pad[3]
                size = s * (n - 1) - total + d * (f - 1) + self.output_padding[axis] + 1
            if size < 1:
                raise LayerProblem(
                    f"the padding leaves no output: {size} on the "
                    f"{'height' if axis == 0 else 'width'}",
                    "padding",
                )
            out.append(size)
        weights = self.kernel[0] * self.kernel[1] * channels * (self.filters // groups)
        biases = self.filters if self.bias else 0
        # Every input value is multiplied by each weight of its group's filters.
        macs = height * width * weights
        return Step((out[0], out[1], self.filters), weights, biases, macs=macs, breaks_field=True)

    def notation(self) -> str:
        text = f"f={by(self.kernel)}, s={by(self.stride)}"
        if self.padding != (0, 0, 0, 0) and self.padding != "valid":
            text += f", p={padding_text(self.padding)}"
        if self.output_padding != (0, 0):
            text += f", output_padding={by(self.output_padding)}"
        return text


@dataclass(repr=False, eq=False)
class Pool(Layer):
    mode: str  # "max" or "avg"
    kernel: Pair
    stride: Pair | None = None  # None: the kernel's size, as in Keras and PyTorch
    padding: PaddingSpec = (0, 0, 0, 0)
    ceil: bool = False  # PyTorch's ceil_mode: round the output size up

    @property
    def kind(self) -> str:
        return f"{self.mode}pool"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        stride = self.stride or self.kernel
        if not isinstance(self.padding, str):
            top, bottom, left, right = self.padding
            # PyTorch refuses this too: a window could lie wholly in the padding.
            if 2 * max(top, bottom) > self.kernel[0] or 2 * max(left, right) > self.kernel[1]:
                raise LayerProblem(
                    f"padding {padding_text(self.padding)} is more than half the kernel "
                    f"{by(self.kernel)}: a window could hold nothing but padding",
                    "padding",
                )
        pad, (out_h, out_w), notes = _slide(
            self.kernel, stride, self.padding, height, width, self.ceil, padded=padded
        )
        window = Window(self.kernel, stride, (pad[0], pad[2]))
        # Pooling has no weights: 0 MACs, as torchvision and fvcore count it.
        return Step((out_h, out_w, channels), padding=pad, notes=notes, window=window)


@dataclass(repr=False, eq=False)
class Dense(Layer):
    """A fully connected layer; a volume is flattened first, as the course does."""

    units: int
    bias: bool = True

    @property
    def kind(self) -> str:
        return "fc"

    @property
    def numbered(self) -> bool:
        return True

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        weights = size_of(shape) * self.units
        biases = self.units if self.bias else 0
        return Step((self.units,), weights, biases, macs=weights, sees_all=True)


@dataclass(repr=False, eq=False)
class Softmax(Layer):
    """Softmax; with `units`, a fully connected layer of that size before it."""

    units: int | None = None
    bias: bool = True

    @property
    def kind(self) -> str:
        return "softmax"

    @property
    def numbered(self) -> bool:
        return self.units is not None

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        if self.units is None:
            # It normalises over the whole vector: every output depends on every input.
            return Step(shape, sees_all=True)
        return Dense(self.units, self.bias).apply(shape)


@dataclass(repr=False, eq=False)
class Flatten(Layer):
    @property
    def kind(self) -> str:
        return "flatten"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        # Each output is one input, but the spatial layout is gone: the receptive
        # field stops being a window, and the course's tables treat it as "all".
        return Step((size_of(shape),), sees_all=True)


@dataclass(repr=False, eq=False)
class Activation(Layer):
    """An element-wise function: no parameters, shape unchanged."""

    function: str

    @property
    def kind(self) -> str:
        return self.function

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        return Step(shape)


@dataclass(repr=False, eq=False)
class BatchNorm(Layer):
    """Batch normalisation: a scale and a shift per channel, trainable, and a running
    mean and variance per channel, which are not."""

    affine: bool = True  # PyTorch's affine; Keras's scale and center

    @property
    def kind(self) -> str:
        return "batchnorm"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        channels = shape[-1]
        scale = channels if self.affine else 0
        # No MACs: like a bias, it folds into the conv before it at inference.
        return Step(shape, weights=scale, biases=scale, buffers=2 * channels)


@dataclass(repr=False, eq=False)
class Dropout(Layer):
    rate: float | None = None  # kept for the reader; no effect on shapes or counts

    @property
    def kind(self) -> str:
        return "dropout"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        return Step(shape)


@dataclass(repr=False, eq=False)
class GlobalAvgPool(Layer):
    """The mean of each channel over the whole height and width: H×W×C → 1×1×C."""

    @property
    def kind(self) -> str:
        return "globalavgpool"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        _, _, channels = _volume(self.kind, shape)
        return Step((1, 1, channels), sees_all=True)


@dataclass(repr=False, eq=False)
class AdaptiveAvgPool(Layer):
    """PyTorch's AdaptiveAvgPool2d: window i spans ⌊i·n/out⌋ to ⌈(i+1)·n/out⌉."""

    output: Pair

    @property
    def kind(self) -> str:
        return "adaptiveavgpool"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        out_h, out_w = self.output
        if (out_h, out_w) == (1, 1):  # a global pool: each output sees everything
            return Step((1, 1, channels), sees_all=True)
        if height % out_h == 0 and width % out_w == 0:
            # Even windows: an ordinary pool of n/out, with a receptive field to match.
            step = (height // out_h, width // out_w)
            return Step((out_h, out_w, channels), window=Window(step, step, (0, 0)))
        # Uneven windows (they overlap, or differ in size): no single window.
        return Step((out_h, out_w, channels), breaks_field=True)

    def notation(self) -> str:
        return f"output {by(self.output)}"


@dataclass(repr=False, eq=False)
class ZeroPad(Layer):
    padding: Padding4

    @property
    def kind(self) -> str:
        return "zeropad"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        top, bottom, left, right = self.padding
        out = (height + top + bottom, width + left + right, channels)
        window = Window((1, 1), (1, 1), (top, left))
        trailing = (padded[0] + bottom, padded[1] + right)
        return Step(out, padding=self.padding, window=window, padded=trailing)

    def notation(self) -> str:
        return f"p={padding_text(self.padding)}"


@dataclass(repr=False, eq=False)
class Upsample(Layer):
    """Nearest-neighbour upsampling by a whole factor per axis."""

    factor: Pair

    @property
    def kind(self) -> str:
        return "upsample"

    def apply(self, shape: Shape, padded: Pair = (0, 0)) -> Step:
        height, width, channels = _volume(self.kind, shape)
        out = (height * self.factor[0], width * self.factor[1], channels)
        # A fraction of a pixel per output unit: no receptive field in whole pixels.
        return Step(out, breaks_field=True)

    def notation(self) -> str:
        return f"×{by(self.factor)}"


# --- The spec vocabulary: which types exist and which fields each takes ---


class Field(NamedTuple):
    """One key a layer type accepts, with the reader that checks its value."""

    name: str
    read: Callable[[str, Any], Any]
    help: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    positional: bool = True  # takes a place in shorthand's positional order


class LayerType(NamedTuple):
    """A `type:` of the spec format: its fields and how to build the layer."""

    name: str
    build: Callable[..., Layer]
    help: str
    example: str
    fields: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()
    # The course's default names: CONV1, POOL1, CONV2, POOL2, FC3, FC4, Softmax.
    # Layers with weights are counted; a numbered type takes the next number,
    # a pool the number of the layer before it.
    name_format: str = ""
    numbered: bool = False

    def default_name(self, weighted_so_far: int) -> str:
        return self.name_format.format(weighted_so_far + 1 if self.numbered else weighted_so_far)

    def field(self, key: str) -> Field | None:
        """The field `key` names, by its name or an alias."""
        return _FIELDS[self.name].get(key)

    @property
    def positional(self) -> tuple[Field, ...]:
        """The fields shorthand fills in order: conv:FILTERS,KERNEL,STRIDE,PADDING."""
        return _POSITIONAL[self.name]


_KERNEL = Field("kernel", values.pair, "window size f, or [f_h, f_w]", ("f", "kernel_size"), True)
_STRIDE = Field("stride", values.pair, "step s, or [s_h, s_w]", ("s", "strides"))
_PADDING = Field(
    "padding", values.padding, "p, [p_h, p_w], [top, bottom, left, right], same or valid", ("p",)
)
_BIAS = Field(
    "bias", values.boolean, "whether the layer has biases", ("use_bias",), positional=False
)


_DILATION = Field(
    "dilation", values.pair, "spacing d of the kernel's taps; it covers d(f − 1) + 1",
    ("d", "dilation_rate"), positional=False,
)  # fmt: skip
_GROUPS = Field(
    "groups", values.positive_int, "groups of channels, each with its own filters",
    positional=False,
)  # fmt: skip
_DEPTHWISE = Field(
    "depthwise", values.boolean, "one group per input channel (groups = c_in)",
    positional=False,
)  # fmt: skip


def _pool(mode: str) -> LayerType:
    return LayerType(
        name=f"{mode}pool",
        build=lambda **fields: Pool(mode, **fields),
        help=f"{'max' if mode == 'max' else 'average'} pooling: no parameters, channels "
        "unchanged; stride defaults to the kernel",
        example=f"{mode}pool:2",
        fields=(
            Field("kernel", values.pair, "window size f", ("f", "pool_size", "kernel_size"), True),
            _STRIDE,
            _PADDING,
            Field(
                "ceil",
                values.boolean,
                "round the output size up (PyTorch's ceil_mode)",
                ("ceil_mode",),
                positional=False,
            ),
        ),
        aliases=(f"{mode}pool2d", f"{mode}pooling2d"),
        name_format="POOL{}",
    )


def _activation(function: str, display: str, *aliases: str) -> LayerType:
    return LayerType(
        name=function,
        build=lambda: Activation(function),
        help="element-wise; no parameters, shape unchanged",
        example=function,
        aliases=aliases,
        name_format=display,
    )


def _conv(**fields: Any) -> Conv:
    if "filters" not in fields and not fields.get("depthwise"):
        raise values.ValueProblem(
            "conv needs filters (number of filters n_c), e.g. conv:16,5; only a depthwise "
            "conv may leave them out"
        )
    return Conv(fields.pop("filters", None), **fields)


def _zeropad(padding: PaddingSpec) -> ZeroPad:
    if isinstance(padding, str):
        raise values.ValueProblem(f"zeropad needs the padding in numbers, got {padding!r}")
    return ZeroPad(padding)


_TYPES = (
    LayerType(
        name="conv",
        build=_conv,
        help="convolution: f_h·f_w·(c_in/groups)·filters weights + filters biases",
        example="conv:16,5",
        fields=(
            Field("filters", values.positive_int, "number of filters n_c"),
            _KERNEL,
            _STRIDE,
            _PADDING,
            _BIAS,
            _DILATION,
            _GROUPS,
            _DEPTHWISE,
        ),
        aliases=("conv2d",),
        name_format="CONV{}",
        numbered=True,
    ),
    LayerType(
        name="convtranspose",
        build=ConvTranspose,
        help="transposed convolution: output s(n − 1) − 2p + d(f − 1) + output_padding + 1",
        example="convtranspose:16,3,2",
        fields=(
            Field("filters", values.positive_int, "number of filters", required=True),
            _KERNEL,
            _STRIDE,
            _PADDING,
            Field(
                "output_padding",
                values.pair_or_zero,
                "extra rows and columns on one side of the output",
                positional=False,
            ),
            _BIAS,
            _DILATION,
            _GROUPS,
            _DEPTHWISE,
        ),
        aliases=("deconv", "conv2dtranspose", "convtranspose2d"),
        name_format="DECONV{}",
        numbered=True,
    ),
    _pool("max"),
    _pool("avg"),
    LayerType(
        name="globalavgpool",
        build=GlobalAvgPool,
        help="the mean of each channel: H×W×C to 1×1×C; no parameters",
        example="globalavgpool",
        aliases=("globalaveragepooling2d", "gap"),
        name_format="POOL{}",
    ),
    LayerType(
        name="adaptiveavgpool",
        build=AdaptiveAvgPool,
        help="average pooling to a given output size, PyTorch's windows",
        example="adaptiveavgpool:7",
        fields=(Field("output", values.pair, "output size", ("output_size",), True),),
        aliases=("adaptiveavgpool2d",),
        name_format="POOL{}",
    ),
    LayerType(
        name="fc",
        build=Dense,
        help="fully connected: n_in·units weights + units biases; flattens a volume first",
        example="fc:120",
        fields=(Field("units", values.positive_int, "number of units", required=True), _BIAS),
        aliases=("dense", "linear"),
        name_format="FC{}",
        numbered=True,
    ),
    LayerType(
        name="batchnorm",
        build=BatchNorm,
        help="batch normalisation: 2·C trainable (scale, shift) and 2·C non-trainable "
        "(running mean, variance)",
        example="batchnorm",
        fields=(
            Field(
                "affine", values.boolean, "whether it learns a scale and a shift", positional=False
            ),
        ),
        aliases=("bn", "batchnorm2d", "batchnormalization"),
        name_format="BN{}",
    ),
    LayerType(
        name="dropout",
        build=Dropout,
        help="no parameters, shape unchanged",
        example="dropout:0.5",
        fields=(Field("rate", values.rate, "the share of values dropped", ("p",)),),
        name_format="Dropout",
    ),
    LayerType(
        name="zeropad",
        build=_zeropad,
        help="zeros around the volume; no parameters",
        example="zeropad:3",
        fields=(
            Field(
                "padding",
                values.padding,
                "p, [p_h, p_w] or [top, bottom, left, right]",
                ("p",),
                True,
            ),
        ),
        aliases=("zeropadding2d",),
        name_format="ZeroPad",
    ),
    LayerType(
        name="upsample",
        build=Upsample,
        help="nearest-neighbour upsampling by a factor; no parameters",
        example="upsample:2",
        fields=(
            Field("factor", values.pair, "how many times larger", ("size", "scale_factor"), True),
        ),
        aliases=("upsampling2d",),
        name_format="Upsample",
    ),
    LayerType(
        name="flatten",
        build=Flatten,
        help="a volume as a vector; no parameters",
        example="flatten",
        name_format="Flatten",
    ),
    LayerType(
        name="softmax",
        build=Softmax,
        help="softmax; with units, a fully connected layer of that size first",
        example="softmax:10",
        fields=(Field("units", values.positive_int, "number of classes"), _BIAS),
        name_format="Softmax",
    ),
    _activation("relu", "ReLU"),
    _activation("relu6", "ReLU6"),
    _activation("leakyrelu", "LeakyReLU"),
    _activation("elu", "ELU"),
    _activation("gelu", "GELU"),
    _activation("silu", "SiLU", "swish"),
    _activation("hardswish", "Hardswish"),
    _activation("sigmoid", "Sigmoid"),
    _activation("tanh", "Tanh"),
)

LAYER_TYPES: dict[str, LayerType] = {t.name: t for t in _TYPES}
# Looked up for every field of every layer read, so computed once.
_FIELDS = {t.name: {key: f for f in t.fields for key in (f.name, *f.aliases)} for t in _TYPES}
_POSITIONAL = {t.name: tuple(f for f in t.fields if f.positional) for t in _TYPES}
_BY_ALIAS: dict[str, LayerType] = {alias: t for t in _TYPES for alias in (t.name, *t.aliases)}


def layer_type(name: str) -> LayerType | None:
    """The layer type called `name` or one of its aliases, in any case."""
    return _BY_ALIAS.get(name.strip().lower())


def type_names() -> list[str]:
    """Every name a `type:` may take, aliases included (for suggestions)."""
    return list(_BY_ALIAS)
