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
    is_symmetric,
    output_size,
    resolve_padding,
    unused,
)

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
    kernel: Pair, stride: Pair, padding: PaddingSpec, height: int, width: int
) -> tuple[Padding4, Pair, tuple[Note, ...]]:
    """Where a window of `kernel` lands: padding applied, output size, warnings."""
    pad = resolve_padding(padding, (height, width), kernel, stride)
    top, bottom, left, right = pad
    padded = (height + top + bottom, width + left + right)
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise LayerProblem(
            f"kernel {by(kernel)} is larger than the padded input {padded[0]}×{padded[1]}",
            "kernel",
        )
    out = (
        output_size(height, kernel[0], stride[0], top, bottom),
        output_size(width, kernel[1], stride[1], left, right),
    )
    notes = []
    lost = []
    rows = unused(height, kernel[0], stride[0], top, bottom)
    cols = unused(width, kernel[1], stride[1], left, right)
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


class Layer:
    """Base of every layer type."""

    @property
    def kind(self) -> str:
        """The canonical spec type: conv, maxpool, fc…"""
        raise NotImplementedError

    @property
    def has_weights(self) -> bool:
        return False

    def apply(self, shape: Shape) -> Step:
        raise NotImplementedError

    def notation(self) -> str:
        """The hyperparameters in the course's notation, e.g. 'f=5, s=1'."""
        return ""


@dataclass
class Conv(Layer):
    filters: int
    kernel: Pair
    stride: Pair = (1, 1)
    padding: PaddingSpec = (0, 0, 0, 0)
    bias: bool = True

    @property
    def kind(self) -> str:
        return "conv"

    @property
    def has_weights(self) -> bool:
        return True

    def apply(self, shape: Shape) -> Step:
        height, width, channels = _volume(self.kind, shape)
        pad, (out_h, out_w), notes = _slide(self.kernel, self.stride, self.padding, height, width)
        weights = self.kernel[0] * self.kernel[1] * channels * self.filters
        biases = self.filters if self.bias else 0
        # One multiply-accumulate per weight per output position; biases are not counted.
        macs = out_h * out_w * weights
        window = Window(self.kernel, self.stride, (pad[0], pad[2]))
        return Step((out_h, out_w, self.filters), weights, biases, pad, notes, macs, window)

    def notation(self) -> str:
        text = f"f={by(self.kernel)}, s={by(self.stride)}"
        if self.padding != (0, 0, 0, 0) and self.padding != "valid":
            text += f", p={padding_text(self.padding)}"
        return text


@dataclass
class Pool(Layer):
    mode: str  # "max" or "avg"
    kernel: Pair
    stride: Pair | None = None  # None: the kernel's size, as in Keras and PyTorch
    padding: PaddingSpec = (0, 0, 0, 0)

    @property
    def kind(self) -> str:
        return f"{self.mode}pool"

    def apply(self, shape: Shape) -> Step:
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
        pad, (out_h, out_w), notes = _slide(self.kernel, stride, self.padding, height, width)
        window = Window(self.kernel, stride, (pad[0], pad[2]))
        # Pooling has no weights: 0 MACs, as torchvision and fvcore count it.
        return Step((out_h, out_w, channels), padding=pad, notes=notes, window=window)


@dataclass
class Dense(Layer):
    """A fully connected layer; a volume is flattened first, as the course does."""

    units: int
    bias: bool = True

    @property
    def kind(self) -> str:
        return "fc"

    @property
    def has_weights(self) -> bool:
        return True

    def apply(self, shape: Shape) -> Step:
        weights = size_of(shape) * self.units
        biases = self.units if self.bias else 0
        return Step((self.units,), weights, biases, macs=weights, sees_all=True)


@dataclass
class Softmax(Layer):
    """Softmax; with `units`, a fully connected layer of that size before it."""

    units: int | None = None
    bias: bool = True

    @property
    def kind(self) -> str:
        return "softmax"

    @property
    def has_weights(self) -> bool:
        return self.units is not None

    def apply(self, shape: Shape) -> Step:
        if self.units is None:
            # It normalises over the whole vector: every output depends on every input.
            return Step(shape, sees_all=True)
        return Dense(self.units, self.bias).apply(shape)


@dataclass
class Flatten(Layer):
    @property
    def kind(self) -> str:
        return "flatten"

    def apply(self, shape: Shape) -> Step:
        # Each output is one input, but the spatial layout is gone: the receptive
        # field stops being a window, and the course's tables treat it as "all".
        return Step((size_of(shape),), sees_all=True)


@dataclass
class Activation(Layer):
    """An element-wise function: no parameters, shape unchanged."""

    function: str

    @property
    def kind(self) -> str:
        return self.function

    def apply(self, shape: Shape) -> Step:
        return Step(shape)


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


def _pool(mode: str) -> LayerType:
    return LayerType(
        name=f"{mode}pool",
        build=lambda **fields: Pool(mode, **fields),
        help=f"{mode} pooling: no parameters, channels unchanged; stride defaults to the kernel",
        example=f"{mode}pool:2",
        fields=(
            Field("kernel", values.pair, "window size f", ("f", "pool_size", "kernel_size"), True),
            _STRIDE,
            _PADDING,
        ),
        aliases=(f"{mode}pool2d", f"{mode}pooling2d"),
        name_format="POOL{}",
    )


def _activation(function: str, display: str) -> LayerType:
    return LayerType(
        name=function,
        build=lambda: Activation(function),
        help="element-wise; no parameters, shape unchanged",
        example=function,
        name_format=display,
    )


_TYPES = (
    LayerType(
        name="conv",
        build=Conv,
        help="convolution: f_h·f_w·c_in·filters weights + filters biases",
        example="conv:16,5",
        fields=(
            Field("filters", values.positive_int, "number of filters n_c", required=True),
            _KERNEL,
            _STRIDE,
            _PADDING,
            _BIAS,
        ),
        aliases=("conv2d",),
        name_format="CONV{}",
        numbered=True,
    ),
    _pool("max"),
    _pool("avg"),
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
