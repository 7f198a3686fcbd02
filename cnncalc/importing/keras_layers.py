"""Keras's layers as spec rows: one converter per Keras class, and the registry of them.

Each converter reads a layer's config and its input (its shape as Keras saved it) and
gives the rows that mean the same to cnncalc, exactly: the same trainable and
non-trainable counts and the same output shape. What cannot be exact is refused with
the reason (`Unsupported`), never dropped or approximated: a BatchNormalization that
learns a shift without a scale, a Normalization that holds adapt()'s statistics. A
Conv or Dense layer's `activation` is a row of its own after it, named `layer/relu`;
a layer with no weights that cnncalc has no type for but changes no count or shape
(Rescaling) is an identity row whose comment says what it was.

The element-wise layers, pooling, padding, reshaping and joins are in `keras_shape_layers`.
Part of the core: it imports nothing of cnncalc but `importing`'s own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnncalc.importing.graph import Dims, Node, Row, shown
from cnncalc.importing.keras_config import (
    KerasLayer,
    Unsupported,
    rank_of,
    slid,
    spatial,
    transposed,
)


@dataclass(eq=False)
class Converted:
    """What a Keras layer is in the spec: its rows (or a join of its inputs), and its
    output as Keras has it (and as cnncalc does, when that differs: `Node.kept`)."""

    rows: tuple[Row, ...] = ()
    join: str | None = None
    shape: Dims = ()
    kept: Dims | None = None


Converter = Callable[[KerasLayer, list[Node]], Converted]

# Keras's activation functions (keras.activations) and cnncalc's types for them; linear
# is none at all.
ACTIVATIONS = {
    "relu": "relu", "relu6": "relu6", "elu": "elu", "gelu": "gelu", "silu": "silu",
    "swish": "silu", "tanh": "tanh", "sigmoid": "sigmoid", "hard_sigmoid": "hardsigmoid",
    "hard_silu": "hardswish", "hard_swish": "hardswish", "mish": "mish",
    "softplus": "softplus", "softmax": "softmax", "leaky_relu": "leakyrelu",
    "hard_tanh": "hardtanh",
}  # fmt: skip


def function(layer: KerasLayer, key: str = "activation") -> str | None:
    """The cnncalc type of the layer's activation, None for linear; refused when cnncalc
    has none (selu, a custom function)."""
    value = layer.get(key, "linear")
    if value is None or value == "linear":
        return None
    if not isinstance(value, str):
        raise Unsupported(f"its {key} is a custom function, which cnncalc has no layer for")
    if value not in ACTIVATIONS:
        raise Unsupported(f"its {key} {value!r} has no cnncalc layer")
    return ACTIVATIONS[value]


def activation_rows(layer: KerasLayer) -> list[Row]:
    """A layer's `activation` argument as a row after it: `conv1/relu`."""
    kind = function(layer)
    value = layer.get("activation")
    return [] if kind is None else [Row(kind, {}, f"{layer.name}/{value}")]


def one_input(inputs: list[Node]) -> Node:
    if len(inputs) != 1:
        raise Unsupported(f"it takes {len(inputs)} inputs; cnncalc's layer of it takes one")
    return inputs[0]


def window(
    fields: dict[str, Any], stride: tuple[int, ...], padding: str, usual: tuple[int, ...]
) -> None:
    """The stride when it is not the `usual` one (1, or a pool's kernel) or the padding is
    written after it; the padding when it is not valid (the spec's default of 0)."""
    if padding != "valid" or stride != usual:
        fields["stride"] = stride
    if padding != "valid":
        fields["padding"] = padding


def _paddings(layer: KerasLayer, rank: int) -> tuple[str, ...]:
    """The paddings a conv takes: causal too for Conv1D, as Keras's."""
    causal = rank == 1 and layer.cls.startswith("Conv")
    return ("valid", "same", "causal") if causal else ("valid", "same")


def conv(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Conv1D, Conv2D, Conv3D: filters, kernel, strides, padding, dilation and groups."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, _ = spatial(layer, one_input(inputs), rank)
    filters = layer.integer("filters")
    kernel = layer.sizes("kernel_size", rank)
    stride = layer.sizes("strides", rank, 1)
    padding = layer.word("padding", _paddings(layer, rank), "valid")
    dilation = layer.sizes("dilation_rate", rank, 1)
    groups = layer.integer("groups", 1)
    fields: dict[str, Any] = {"filters": filters, "kernel": kernel}
    window(fields, stride, padding, (1,) * rank)
    if not layer.flag("use_bias", True):
        fields["bias"] = False
    if dilation != (1,) * rank:
        fields["dilation"] = dilation
    if groups != 1:
        fields["groups"] = groups
    out = tuple(
        slid(n, k, s, padding, d)
        for n, k, s, d in zip(sizes, kernel, stride, dilation, strict=True)
    )
    rows = [Row("conv", fields, layer.name), *activation_rows(layer)]
    return Converted(tuple(rows), shape=(*out, filters))


def _depthwise_fields(layer: KerasLayer, rank: int, channels: int | None) -> dict[str, Any]:
    """A depthwise conv's fields: one filter per channel, or depth_multiplier of them."""
    multiplier = layer.integer("depth_multiplier", 1)
    fields: dict[str, Any] = {}
    if multiplier != 1:
        if channels is None:
            raise Unsupported("its input's channels are not known")
        fields["filters"] = channels * multiplier
    kernel = layer.sizes("kernel_size", rank)
    fields["kernel"] = kernel
    padding = layer.word("padding", ("valid", "same"), "valid")
    window(fields, layer.sizes("strides", rank, 1), padding, (1,) * rank)
    fields["depthwise"] = True
    return fields


def depthwise(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """DepthwiseConv1D, DepthwiseConv2D: a depthwise conv, depth_multiplier filters each."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, channels = spatial(layer, one_input(inputs), rank)
    fields = _depthwise_fields(layer, rank, channels)
    if not layer.flag("use_bias", True):
        fields["bias"] = False
    dilation = layer.sizes("dilation_rate", rank, 1)
    if dilation != (1,) * rank:
        fields["dilation"] = dilation
    out = _slid(layer, sizes, rank, dilation)
    filters = None if channels is None else channels * layer.integer("depth_multiplier", 1)
    rows = [Row("conv", fields, layer.name), *activation_rows(layer)]
    return Converted(tuple(rows), shape=(*out, filters))


def _slid(layer: KerasLayer, sizes: Dims, rank: int, dilation: tuple[int, ...]) -> Dims:
    kernel = layer.sizes("kernel_size", rank)
    stride = layer.sizes("strides", rank, 1)
    padding = layer.word("padding", ("valid", "same"), "valid")
    return tuple(
        slid(n, k, s, padding, d)
        for n, k, s, d in zip(sizes, kernel, stride, dilation, strict=True)
    )


def separable(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """SeparableConv1D, SeparableConv2D: a depthwise conv without biases, then a 1×1 conv
    with the layer's one bias per filter, exactly Keras's weights."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, channels = spatial(layer, one_input(inputs), rank)
    fields = _depthwise_fields(layer, rank, channels)
    fields["bias"] = False
    dilation = layer.sizes("dilation_rate", rank, 1)
    if dilation != (1,) * rank:
        fields["dilation"] = dilation
    filters = layer.integer("filters")
    pointwise: dict[str, Any] = {"filters": filters, "kernel": 1}
    if not layer.flag("use_bias", True):
        pointwise["bias"] = False
    note = f"with the 1×1 conv after it, Keras's {layer.cls} {layer.name}"
    rows = [
        Row("conv", fields, f"{layer.name}/depthwise", note),
        Row("conv", pointwise, layer.name),
        *activation_rows(layer),
    ]
    return Converted(tuple(rows), shape=(*_slid(layer, sizes, rank, dilation), filters))


def transposed_conv(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Conv1DTranspose, Conv2DTranspose, Conv3DTranspose, with Keras's output sizes:
    valid gives n·s + max(f − s, 0), which an output_padding of s − f makes of PyTorch's
    rule when the kernel is smaller than the stride."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, _ = spatial(layer, one_input(inputs), rank)
    filters = layer.integer("filters")
    kernel = layer.sizes("kernel_size", rank)
    stride = layer.sizes("strides", rank, 1)
    padding = layer.word("padding", ("valid", "same"), "valid")
    dilation = layer.sizes("dilation_rate", rank, 1)
    ones = (1,) * rank
    given = None
    if layer.get("output_padding") is not None:
        given = layer.naturals("output_padding", rank)
    spans = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True))
    fields: dict[str, Any] = {"filters": filters, "kernel": kernel}
    comment = ""
    if given is None and padding == "same":
        window(fields, stride, "same", ones)  # n·s: the spec's same for a transposed conv
    else:
        if padding == "same":  # Keras's span // 2 a side, then the output padding
            fields["stride"] = stride
            fields["padding"] = tuple(span // 2 for span in spans)
        elif stride != ones:
            fields["stride"] = stride
        extra = given
        if extra is None:
            extra = tuple(max(s - span, 0) for s, span in zip(stride, spans, strict=True))
            if any(extra):
                comment = "Keras's valid output is n·s + max(f − s, 0): the output_padding"
        if any(extra):
            fields["output_padding"] = extra
    if not layer.flag("use_bias", True):
        fields["bias"] = False
    if dilation != (1,) * rank:
        fields["dilation"] = dilation
    out = tuple(
        transposed(n, k, s, padding, d, None if given is None else given[axis])
        for axis, (n, k, s, d) in enumerate(zip(sizes, kernel, stride, dilation, strict=True))
    )
    rows = [Row("convtranspose", fields, layer.name, comment), *activation_rows(layer)]
    return Converted(tuple(rows), shape=(*out, filters))


def dense(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Dense: on a vector, cnncalc's fc; on a volume, Keras maps the channels at each
    position, cnncalc's fc with flatten: false."""
    node = one_input(inputs)
    units = layer.integer("units")
    fields: dict[str, Any] = {"units": units}
    if not layer.flag("use_bias", True):
        fields["bias"] = False
    if len(node.shape) > 1:
        fields["flatten"] = False
    shape = (*node.shape[:-1], units)
    mine = node.spec_shape
    kept = (*mine[:-1], units) if len(node.shape) > 1 and len(mine) > 1 else (units,)
    rows = [Row("fc", fields, layer.name), *activation_rows(layer)]
    return Converted(tuple(rows), shape=shape, kept=None if kept == shape else kept)


def channel_axis(layer: KerasLayer, node: Node, key: str = "axis") -> None:
    """A normalisation's axis must be the channels': -1, or the last axis counted with the
    batch's, as Keras writes it ([3] for an image)."""
    value = layer.get(key, -1)
    axes = value if isinstance(value, list) else [value]
    if axes not in ([-1], [len(node.shape)]):
        raise Unsupported(
            f"it normalises over axis {value!r}; cnncalc's normalises over the channels "
            "(axis -1) only"
        )


def _affine(layer: KerasLayer) -> dict[str, Any]:
    center, scale = layer.flag("center", True), layer.flag("scale", True)
    if center != scale:
        learns = "a shift (center) without a scale" if center else "a scale without a shift"
        raise Unsupported(f"it learns {learns}; cnncalc's learns both or neither")
    return {} if center else {"affine": False}


def batchnorm(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """BatchNormalization: gamma and beta trainable, the moving mean and variance not."""
    node = one_input(inputs)
    channel_axis(layer, node)
    if layer.get("renorm"):
        raise Unsupported("it renormalises (renorm), which keeps more statistics")
    return same_shape(node, Row("batchnorm", _affine(layer), layer.name))


def layernorm(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """LayerNormalization over the channels."""
    node = one_input(inputs)
    channel_axis(layer, node)
    if layer.get("rms_scaling"):
        raise Unsupported("it scales by the root mean square (rms_scaling), a scale alone")
    return same_shape(node, Row("layernorm", _affine(layer), layer.name))


def groupnorm(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """GroupNormalization; groups=-1 is a group per channel."""
    node = one_input(inputs)
    channel_axis(layer, node)
    groups = layer.integer("groups", 32)
    comment = ""
    if groups == -1:
        if node.shape[-1] is None:
            raise Unsupported("its input's channels are not known")
        groups, comment = node.shape[-1], "groups=-1: one group per channel"
    return same_shape(
        node, Row("groupnorm", {"groups": groups, **_affine(layer)}, layer.name, comment)
    )


def layerscale(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """ConvNeXt's LayerScale (keras.applications.convnext): a learnt scale per channel."""
    node = one_input(inputs)
    if layer.get("projection_dim") != node.shape[-1]:
        raise Unsupported(
            f"its projection_dim {layer.get('projection_dim')!r} is not its input's "
            f"channels, {node.shape[-1]}"
        )
    return same_shape(node, Row("layerscale", {}, layer.name))


def same_shape(node: Node, *rows: Row) -> Converted:
    """Rows that keep their input's shape, in Keras and in cnncalc."""
    return Converted(tuple(rows), shape=node.shape, kept=node.kept)


def prelu(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """PReLU: a slope for each value its shared_axes do not share; cnncalc has one per
    channel (the spatial axes shared) or one in all."""
    node = one_input(inputs)
    shared = layer.get("shared_axes") or []
    shared = shared if isinstance(shared, list) else [shared]
    rank = len(node.shape)
    spread = {axis for axis in range(1, rank + 1) if axis not in shared}
    if spread == {rank}:
        return same_shape(node, Row("prelu", {}, layer.name))
    if not spread:
        return same_shape(node, Row("prelu", {"shared": True}, layer.name))
    raise Unsupported(
        f"its shared_axes {layer.get('shared_axes')!r} give slopes per position of "
        f"{shown(node.shape)}; cnncalc's prelu has one per channel or one in all"
    )


WEIGHTED: dict[str, Converter] = {
    **{f"Conv{rank}D": conv for rank in (1, 2, 3)},
    **{f"Conv{rank}DTranspose": transposed_conv for rank in (1, 2, 3)},
    "DepthwiseConv1D": depthwise,
    "DepthwiseConv2D": depthwise,
    "SeparableConv1D": separable,
    "SeparableConv2D": separable,
    "Dense": dense,
    "BatchNormalization": batchnorm,
    "LayerNormalization": layernorm,
    "GroupNormalization": groupnorm,
    "PReLU": prelu,
}
