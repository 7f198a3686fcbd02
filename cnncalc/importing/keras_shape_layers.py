"""Keras's layers without weights as spec rows: activations, pooling, padding and
cropping, resampling, reshaping, dropout, preprocessing, and the joins.

None of these holds a parameter, so a layer cnncalc has no type for but that changes no
shape (Rescaling, GaussianNoise, `x + 3.0`) is an identity row whose comment says what it
was; one that changes the shape in a way cnncalc cannot (Permute, a Reshape that moves
values) is refused. A global pool keeps 1×1×C in cnncalc where Keras gives a vector of
C unless keepdims: the node records both (`Node.kept`), a Reshape back to 1×1×C is then
an identity, and an fc after it flattens it the same.

Part of the core: it imports nothing of cnncalc but `importing`'s own modules and the
upsample modes a spec reads (`spec.values`).
"""

from __future__ import annotations

from typing import Any

from cnncalc.importing.graph import Dims, Node, Row, shown
from cnncalc.importing.keras_config import (
    KerasLayer,
    Unsupported,
    rank_of,
    size_of,
    slid,
    spatial,
)
from cnncalc.importing.keras_layers import (
    Converted,
    Converter,
    channel_axis,
    function,
    one_input,
    same_shape,
    window,
)
from cnncalc.spec.values import UPSAMPLE_MODES


def activation(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Activation('relu'): the function as a row of its own name; linear is an identity."""
    node = one_input(inputs)
    kind = function(layer)
    if kind is None:
        return same_shape(node, Row("identity", {}, layer.name, "Keras's Activation('linear')"))
    return same_shape(node, Row(kind, {}, layer.name))


def relu(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """ReLU(max_value, negative_slope, threshold): relu, relu6 or leakyrelu."""
    node = one_input(inputs)
    top, slope, threshold = (layer.get(key) for key in ("max_value", "negative_slope", "threshold"))
    kind = None
    if threshold in (None, 0):
        if top is None and slope in (None, 0):
            kind = "relu"
        elif top == 6 and slope in (None, 0):
            kind = "relu6"
        elif top is None and isinstance(slope, (int, float)) and slope > 0:
            kind = "leakyrelu"
    if kind is None:
        raise Unsupported(
            f"ReLU(max_value={top!r}, negative_slope={slope!r}, threshold={threshold!r}) is "
            "none of cnncalc's relu, relu6 and leakyrelu"
        )
    return same_shape(node, Row(kind, {}, layer.name))


def _fixed(kind: str) -> Converter:
    def convert(layer: KerasLayer, inputs: list[Node]) -> Converted:
        return same_shape(one_input(inputs), Row(kind, {}, layer.name))

    return convert


def softmax(layer: KerasLayer, inputs: list[Node]) -> Converted:
    node = one_input(inputs)
    axis = layer.get("axis", -1)
    comment = "" if axis in (-1, [-1], len(node.shape)) else f"over axis {axis!r}"
    return same_shape(node, Row("softmax", {}, layer.name, comment))


def _pool_fields(layer: KerasLayer, rank: int) -> tuple[dict[str, Any], Any, Any, str]:
    kernel = layer.sizes("pool_size", rank)
    stride = kernel if layer.get("strides") is None else layer.sizes("strides", rank)
    padding = layer.word("padding", ("valid", "same"), "valid")
    fields: dict[str, Any] = {"kernel": kernel}
    window(fields, stride, padding, kernel)
    return fields, kernel, stride, padding


def pool(mode: str) -> Converter:
    """MaxPooling1D…3D, AveragePooling1D…3D."""

    def convert(layer: KerasLayer, inputs: list[Node]) -> Converted:
        rank = rank_of(layer)
        layer.channels_last()
        sizes, channels = spatial(layer, one_input(inputs), rank)
        fields, kernel, stride, padding = _pool_fields(layer, rank)
        out = tuple(slid(n, k, s, padding) for n, k, s in zip(sizes, kernel, stride, strict=True))
        return Converted((Row(f"{mode}pool", fields, layer.name),), shape=(*out, channels))

    return convert


def global_pool(mode: str) -> Converter:
    """GlobalAveragePooling1D…3D; GlobalMaxPooling1D…3D as a max pool over the whole
    input, which is what it is. Without keepdims Keras gives a vector of C."""

    def convert(layer: KerasLayer, inputs: list[Node]) -> Converted:
        rank = rank_of(layer)
        layer.channels_last()
        sizes, channels = spatial(layer, one_input(inputs), rank)
        pooled = (*(1 for _ in sizes), channels)
        comment = ""
        if mode == "avg":
            row = Row("globalavgpool", {}, layer.name)
        else:
            if None in sizes:
                raise Unsupported("its input's size is not fixed, so neither is its window")
            whole = tuple(n for n in sizes if n is not None)
            comment = f"Keras's {layer.cls}: a max pool over the whole {_by(whole)}"
            row = Row("maxpool", {"kernel": whole}, layer.name)
        if layer.flag("keepdims", False):
            row.comment = comment
            return Converted((row,), shape=pooled)
        keras = f"Keras gives ({channels},), cnncalc keeps {_by(pooled)}"
        row.comment = f"{comment}; {keras}" if comment else keras
        return Converted((row,), shape=(channels,), kept=pooled)

    return convert


def _by(sizes: Dims) -> str:
    return "×".join(str(n) for n in sizes)


def _sides_field(sides: tuple[tuple[int, int], ...]) -> Any:
    """(before, after) per axis, or one number per axis when each is the same both sides."""
    if all(before == after for before, after in sides):
        return tuple(before for before, _ in sides)
    return sides


def pad(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """ZeroPadding1D…3D."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, channels = spatial(layer, one_input(inputs), rank)
    sides = layer.sides("padding", rank)
    out = tuple(None if n is None else n + b + a for n, (b, a) in zip(sizes, sides, strict=True))
    row = Row("zeropad", {"padding": _sides_field(sides)}, layer.name)
    return Converted((row,), shape=(*out, channels))


def crop(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Cropping1D…3D."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, channels = spatial(layer, one_input(inputs), rank)
    sides = layer.sides("cropping", rank)
    out = tuple(None if n is None else n - b - a for n, (b, a) in zip(sizes, sides, strict=True))
    if any(n is not None and n < 1 for n in out):
        raise Unsupported(f"its cropping leaves nothing of its input {shown(sizes)}")
    row = Row("crop", {"cropping": _sides_field(sides)}, layer.name)
    return Converted((row,), shape=(*out, channels))


def upsample(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """UpSampling1D…3D; the interpolation is the row's mode when cnncalc knows its name."""
    rank = rank_of(layer)
    layer.channels_last()
    sizes, channels = spatial(layer, one_input(inputs), rank)
    factor = layer.sizes("size", rank, 2)
    fields: dict[str, Any] = {"factor": factor}
    mode = layer.get("interpolation", "nearest")
    comment = ""
    if mode in UPSAMPLE_MODES and mode != "nearest":
        fields["mode"] = mode
    elif mode != "nearest":
        comment = f"interpolation {mode!r}"
    out = tuple(None if n is None else n * f for n, f in zip(sizes, factor, strict=True))
    return Converted((Row("upsample", fields, layer.name, comment),), shape=(*out, channels))


def flatten(layer: KerasLayer, inputs: list[Node]) -> Converted:
    node = one_input(inputs)
    layer.channels_last()
    return Converted((Row("flatten", {}, layer.name),), shape=(size_of(node.shape),))


def _squeezed(shape: Dims) -> Dims:
    """A shape without its leading 1s: what broadcasts the same."""
    index = 0
    while index < len(shape) - 1 and shape[index] == 1:
        index += 1
    return shape[index:]


def reshape(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Reshape, when it moves no value: to the shape cnncalc has already (a global pool's
    1×1×C), to a vector (a flatten), or adding leading 1s, which broadcast the same."""
    node = one_input(inputs)
    target = layer.get("target_shape")
    total = size_of(node.shape)
    if (
        not isinstance(target, list)
        or any(isinstance(n, bool) or not isinstance(n, int) or n == 0 or n < -1 for n in target)
        or target.count(-1) > 1
    ):
        raise Unsupported(f"its target_shape is {target!r}, not whole numbers")
    if -1 in target:
        known = size_of(tuple(n for n in target if n != -1))
        if total is None or not known or total % known:
            raise Unsupported(f"its target_shape {target!r} does not fit {shown(node.shape)}")
        target = [total // known if n == -1 else n for n in target]
    shape = tuple(target)
    mine = node.spec_shape
    if total is not None and size_of(shape) != total:
        raise Unsupported(f"its target_shape {target!r} does not fit {shown(node.shape)}")
    if shape == mine:
        comment = f"Keras's Reshape to {shown(shape)}: cnncalc's tensor is that shape"
        return Converted((Row("identity", {}, layer.name, comment),), shape=shape)
    if len(shape) == 1:
        return Converted((Row("flatten", {}, layer.name),), shape=shape)
    if _squeezed(shape) == _squeezed(mine):
        comment = f"Keras's Reshape to {shown(shape)}, which broadcasts as {shown(mine)}"
        return Converted((Row("identity", {}, layer.name, comment),), shape=shape, kept=mine)
    raise Unsupported(
        f"it reshapes {shown(node.shape)} to {shown(shape)}, which no cnncalc layer does"
    )


def dropout(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Dropout, SpatialDropout1D…3D."""
    node = one_input(inputs)
    rate = layer.get("rate")
    fields = {"rate": float(rate)} if isinstance(rate, (int, float)) and 0 <= rate < 1 else {}
    return same_shape(node, Row("dropout", fields, layer.name))


def described(what: str) -> Converter:
    """A layer with no weights that keeps its input's shape, which cnncalc has no type
    for: an identity whose comment says what it was."""

    def convert(layer: KerasLayer, inputs: list[Node]) -> Converted:
        settings = ", ".join(
            f"{key}={value!r}"
            for key, value in layer.config.items()
            if key in ("scale", "offset", "stddev", "rate") and len(repr(value)) <= 60
        )
        comment = f"Keras's {layer.cls}({settings}): {what}"
        return same_shape(one_input(inputs), Row("identity", {}, layer.name, comment))

    return convert


def normalization(layer: KerasLayer, inputs: list[Node]) -> Converted:
    """Normalization: with a given mean and variance it holds no weights; adapted, it
    holds them and a count (2·C + 1 non-trainable values), which no cnncalc layer does."""
    node = one_input(inputs)
    channel_axis(layer, node)
    if layer.get("mean") is None or layer.get("variance") is None:
        raise Unsupported(
            "it holds the mean, variance and count that adapt() sets, 2·C + 1 non-trainable "
            "values, which no cnncalc layer holds; give it mean= and variance= instead"
        )
    what = "a fixed mean and variance, no weights, shape unchanged"
    comment = f"Keras's Normalization{'(invert=True)' if layer.get('invert') else ''}: {what}"
    return same_shape(node, Row("identity", {}, layer.name, comment))


def join(kind: str) -> Converter:
    """Add, Multiply, Concatenate (and keras.ops' add and multiply of two tensors): a join
    of its inputs, which `emit` writes as a block or a layer reading saved tensors."""

    def convert(layer: KerasLayer, inputs: list[Node]) -> Converted:
        if layer.constants:  # keras.ops: x + 3.0, x * (1 / 6)
            if len(inputs) != 1 or len(layer.constants) != 1:
                raise Unsupported("it takes numbers besides tensors")
            node = inputs[0]
            comment = f"keras.ops {kind}(x, {layer.constants[0]!r}): no weights, shape unchanged"
            return same_shape(node, Row("identity", {}, layer.name, comment))
        if len(inputs) == 1:
            return same_shape(
                inputs[0], Row("identity", {}, layer.name, f"Keras's {layer.cls} of one")
            )
        if kind == "concat":
            channel_axis(layer, inputs[0])
        shape = _joined(kind, [node.shape for node in inputs])
        mine = _joined(kind, [node.spec_shape for node in inputs])
        return Converted(join=kind, shape=shape, kept=None if mine == shape else mine)

    return convert


def _joined(kind: str, shapes: list[Dims]) -> Dims:
    """The output of a join, as NumPy broadcasts a sum or product."""
    if kind == "concat":
        channels = [shape[-1] for shape in shapes]
        total = None if None in channels else sum(n for n in channels if n is not None)
        return (*shapes[0][:-1], total)
    rank = max(len(shape) for shape in shapes)
    out: list[int | None] = []
    for axis in range(1, rank + 1):
        sizes = {shape[-axis] for shape in shapes if len(shape) >= axis} - {1}
        out.append(sizes.pop() if len(sizes) == 1 else None if sizes else 1)
    return tuple(reversed(out))


SHAPED: dict[str, Converter] = {
    "Activation": activation,
    "ReLU": relu,
    "LeakyReLU": _fixed("leakyrelu"),
    "ELU": _fixed("elu"),
    "Softmax": softmax,
    **{f"MaxPooling{rank}D": pool("max") for rank in (1, 2, 3)},
    **{f"AveragePooling{rank}D": pool("avg") for rank in (1, 2, 3)},
    **{f"GlobalAveragePooling{rank}D": global_pool("avg") for rank in (1, 2, 3)},
    **{f"GlobalMaxPooling{rank}D": global_pool("max") for rank in (1, 2, 3)},
    **{f"ZeroPadding{rank}D": pad for rank in (1, 2, 3)},
    **{f"Cropping{rank}D": crop for rank in (1, 2, 3)},
    **{f"UpSampling{rank}D": upsample for rank in (1, 2, 3)},
    "Flatten": flatten,
    "Reshape": reshape,
    "Dropout": dropout,
    **{f"SpatialDropout{rank}D": dropout for rank in (1, 2, 3)},
    "GaussianDropout": described("training-time noise, no weights, shape unchanged"),
    "AlphaDropout": described("training-time dropout, no weights, shape unchanged"),
    "GaussianNoise": described("training-time noise, no weights, shape unchanged"),
    "Identity": _fixed("identity"),
    "Rescaling": described("no weights, shape unchanged"),
    "Normalization": normalization,
    "Add": join("add"),
    "Multiply": join("multiply"),
    "Concatenate": join("concat"),
}
# keras.ops applied to tensors (ConvNeXt's x + y), which Keras saves as layers of
# keras.src.ops.numpy.
OPS: dict[str, Converter] = {"Add": join("add"), "Multiply": join("multiply")}
