"""The PyTorch code of each layer type: `EMITTERS`, one emitter per `Layer` class.

An emitter gives the modules a row registers and the steps of `forward` that
are no module (`pytorch_steps`). Shapes reach it channels last, as cnncalc
holds them; what it writes is channels first, PyTorch's order. Layers that
work on the channels at each position (a LayerNorm, a fully connected layer
with flatten: false) move the channels last and back, in a small subclass
defined in the exported module (`HELPERS`). A type PyTorch has no exact
equivalent of would be listed in `REFUSED` with the reason; none is.
"""

from __future__ import annotations

from cnncalc.export import pytorch_windows
from cnncalc.export.pytorch_steps import (
    Context,
    Emitter,
    Fn,
    Mod,
    Step,
    call,
    pad_arg,
    rank,
    ranked,
    sliced,
)
from cnncalc.export.rows import Item
from cnncalc.export.source import Expr, Kw, Seq, literal, numbers
from cnncalc.layers import (
    Activation,
    AdaptiveAvgPool,
    BatchNorm,
    ChannelShuffle,
    Conv,
    ConvTranspose,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    GroupNorm,
    Identity,
    InstanceNorm,
    Layer,
    LayerNorm,
    LayerScale,
    Pool,
    PReLU,
    Softmax,
    Upsample,
    ZeroPad,
)
from cnncalc.layers.base import per_axis
from cnncalc.layers.join import Crop, Join
from cnncalc.shapes import size_of

# Each element-wise function's module, built with PyTorch's defaults (LeakyReLU's slope
# is 0.01 where Keras's is 0.3: no count depends on it).
ACTIVATIONS = {
    "relu": "nn.ReLU",
    "relu6": "nn.ReLU6",
    "leakyrelu": "nn.LeakyReLU",
    "elu": "nn.ELU",
    "gelu": "nn.GELU",
    "silu": "nn.SiLU",
    "hardswish": "nn.Hardswish",
    "hardsigmoid": "nn.Hardsigmoid",
    "sigmoid": "nn.Sigmoid",
    "tanh": "nn.Tanh",
    "hardtanh": "nn.Hardtanh",
    "softplus": "nn.Softplus",
    "mish": "nn.Mish",
}

_CHANNELS_LAST = (
    "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
    "        return super().forward(x.movedim(1, -1)).movedim(-1, 1)",
)
# Classes the exported module defines when a layer needs one, in this order.
HELPERS = {
    "ChannelLayerNorm": (
        "class ChannelLayerNorm(nn.LayerNorm):",
        '    """LayerNorm over the channels at each position of a channels-first tensor',
        '    (ConvNeXt\'s LayerNorm2d): the channels moved last, normalised, moved back."""',
        "",
        *_CHANNELS_LAST,
    ),
    "PositionwiseLinear": (
        "class PositionwiseLinear(nn.Linear):",
        '    """nn.Linear on the channels at each position of a channels-first tensor',
        '    (Keras\'s Dense on a volume; ConvNeXt\'s Linear between its Permutes)."""',
        "",
        *_CHANNELS_LAST,
    ),
    "LayerScale": (
        "class LayerScale(nn.Module):",
        '    """A learnt scale per channel (ConvNeXt\'s layer_scale): `channels` values shaped',
        '    to multiply a tensor of `dims` spatial axes."""',
        "",
        "    def __init__(self, channels: int, dims: int = 2, init: float = 1e-6) -> None:",
        "        super().__init__()",
        "        self.weight = nn.Parameter(torch.full((channels, *(1,) * dims), init))",
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        "        return x * self.weight",
    ),
}

# Upsampling modes by rank: linear interpolation is PyTorch's linear, bilinear or
# trilinear as the input has 1, 2 or 3 spatial axes.
_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _one(module: str, *args: Expr) -> list[Step]:
    return [Mod(call(module, *args))]


def _activation(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, Activation)
    return _one(ACTIVATIONS[layer.function])


def _affine(affine: bool, default: bool, key: str = "affine") -> tuple[Kw, ...]:
    return () if affine == default else (Kw(key, str(affine)),)


def _batchnorm(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, BatchNorm)
    return _one(
        ranked("BatchNorm", rank(item)), str(item.row.shape[-1]), *_affine(layer.affine, True)
    )


def _layernorm(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, LayerNorm)
    affine = _affine(layer.affine, True, "elementwise_affine")
    if rank(item) == 0:
        return _one("nn.LayerNorm", str(item.row.shape[-1]), *affine)
    context.helper("ChannelLayerNorm")
    return _one("ChannelLayerNorm", str(item.row.shape[-1]), *affine)


def _single(item: Item, module: str, values: int, what: str) -> None:
    """PyTorch refuses to normalise one value (its mean is itself, its variance nothing):
    a module that would raise on the input cnncalc computed is refused here instead."""
    if values == 1:
        raise item.refusal(
            f"PyTorch's {module} refuses to normalise a single value, and {what} of its input "
            f"is one (the input is {item.row.input_shape}, channels last)"
        )


def _groupnorm(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, GroupNorm)
    shape = item.row.input_shape
    _single(item, "GroupNorm", shape[-1] // layer.groups * size_of(shape[:-1]), "each group")
    channels = str(item.row.shape[-1])
    return _one("nn.GroupNorm", str(layer.groups), channels, *_affine(layer.affine, True))


def _instancenorm(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, InstanceNorm)
    module = ranked("InstanceNorm", rank(item))
    positions = size_of(item.row.input_shape[:-1])
    _single(item, module.removeprefix("nn."), positions, "each channel")
    return _one(module, str(item.row.shape[-1]), *_affine(layer.affine, False))


def _layerscale(item: Item, context: Context) -> list[Step]:
    context.helper("LayerScale")
    dims = () if rank(item) == 2 else (Kw("dims", str(rank(item))),)
    return _one("LayerScale", str(item.row.shape[-1]), *dims)


def _prelu(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, PReLU)
    if layer.shared:
        return _one("nn.PReLU")
    return _one("nn.PReLU", Kw("num_parameters", str(item.row.shape[-1])))


def _dense(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, (Dense, Softmax)) and layer.units is not None
    bias = () if layer.bias else (Kw("bias", "False"),)
    if isinstance(layer, Dense) and not layer.flatten and len(row.input_shape) > 1:
        context.helper("PositionwiseLinear")
        return _one("PositionwiseLinear", str(row.input_shape[-1]), str(layer.units), *bias)
    steps: list[Step] = []
    if len(row.input_shape) > 1:
        context.flattens()
        steps.append(Fn(lambda x: call("torch.flatten", x, "1")))
    linear = Mod(call("nn.Linear", str(size_of(row.input_shape)), str(layer.units), *bias))
    return [*steps, linear]


def _softmax(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, Softmax)
    if layer.units is None:
        return _one("nn.Softmax", Kw("dim", "1"))
    why = ("A softmax of units: this fully connected layer, then the softmax in forward.",)
    *flatten, linear = _dense(item, context)
    assert isinstance(linear, Mod)
    return [
        *flatten,
        linear._replace(why=why),
        Fn(lambda x: call(f"{x}.softmax", Kw("dim", "1")), keeps_shape=True),
    ]


def _flatten(item: Item, context: Context) -> list[Step]:
    if len(item.row.input_shape) > 1:
        context.flattens()
    return _one("nn.Flatten")


def _dropout(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, Dropout)
    return _one("nn.Dropout") if layer.rate is None else _one("nn.Dropout", repr(layer.rate))


def _channelshuffle(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, ChannelShuffle)
    return _one("nn.ChannelShuffle", str(layer.groups))


def _zeropad(item: Item, context: Context) -> list[Step]:
    assert item.row.padding is not None
    return _one(ranked("ZeroPad", rank(item)), pad_arg(item.row.padding))


def _global(item: Item, context: Context) -> list[Step]:
    return _one(ranked("AdaptiveAvgPool", rank(item)), "1")


def _adaptive(item: Item, context: Context) -> list[Step]:
    layer = item.row.layer
    assert isinstance(layer, AdaptiveAvgPool)
    output = per_axis(layer.output, item.row.input_shape[:-1], "output")
    return _one(ranked("AdaptiveAvgPool", rank(item)), numbers(output))


def _upsample(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Upsample)
    dims = rank(item)
    mode = _LINEAR[dims] if layer.mode in _LINEAR.values() else layer.mode
    if mode == "bicubic" and dims != 2:
        raise item.refusal(
            f"PyTorch's bicubic upsampling is for 2-D inputs, and this one is {dims}-D; "
            f"{_LINEAR[dims]} or nearest would export",
            "mode",
        )
    why: tuple[str, ...] = ()
    if mode != layer.mode:
        why = (f"{layer.mode.capitalize()} interpolation of a {dims}-D input: PyTorch's {mode}.",)
    options = [Kw("mode", literal(mode))] if mode != "nearest" else []
    if mode in (*_LINEAR.values(), "bicubic"):
        options.append(Kw("align_corners", "False"))  # Keras's; PyTorch's default
    if layer.like is not None:
        context.functional()
        saved, _ = context.saved(layer.like)
        if layer.like != saved:
            why = (*why, f"Upsampled to the size of {layer.like}.")
        return [
            Fn(
                lambda x: call("F.interpolate", x, Kw("size", f"{saved}.shape[2:]"), *options),
                why=why,
            )
        ]
    if layer.to is not None:
        size = Kw("size", numbers(per_axis(layer.to, row.input_shape[:-1], "to")))
    else:
        assert layer.factor is not None
        factor = per_axis(layer.factor, row.input_shape[:-1], "factor")
        size = Kw("scale_factor", numbers(factor))
    return [Mod(call("nn.Upsample", size, *options), why=why)]


def _crop(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Crop) and row.padding is not None
    sides, sizes = row.padding, row.input_shape[:-1]
    why = (f"Centre-cropped to the size of {layer.like}.",) if layer.like else ()
    return [Fn(lambda x: sliced(x, sides, sizes), why=why)]


def _join(item: Item, context: Context) -> list[Step]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Join)
    saved = [context.saved(name) for name in layer.names]
    sizes = row.input_shape[:-1]
    cropped = [
        name
        for name, (_, shape) in zip(layer.names, saved, strict=True)
        if layer.crop and shape[:-1] != sizes
    ]

    def joined(x: str) -> Expr:
        if layer.op == "concat":
            parts = []
            for variable, shape in saved:
                if layer.crop and shape[:-1] != sizes:
                    cut = tuple(
                        ((n - m) // 2, n - m - (n - m) // 2)
                        for n, m in zip(shape[:-1], sizes, strict=True)
                    )
                    variable = sliced(variable, cut, shape[:-1])
                parts.append(variable)
            return call("torch.cat", Seq((*parts, x), "[]"), Kw("dim", "1"))
        operands = [*saved, (x, row.input_shape)]
        sign = " + " if layer.op == "add" else " * "
        return sign.join(broadcast(variable, shape, len(row.shape)) for variable, shape in operands)

    why: tuple[str, ...] = ()
    if cropped:
        why = (f"{' and '.join(cropped)} centre-cropped to the size of the input, then joined.",)
    return [Fn(joined, why=why)]


def broadcast(variable: str, shape: tuple[int, ...], rank_out: int) -> str:
    """A tensor of channels-last `shape` made to broadcast, channels first, against one
    of `rank_out` axes as cnncalc (and NumPy) broadcast channels last: the axes it lacks
    inserted after its channels."""
    missing = rank_out - len(shape) if len(shape) > 1 else rank_out - 1
    if missing <= 0:
        return variable
    spatial = ", ".join(str(n) for n in shape[:-1]) if len(shape) > 1 else ""
    sizes = ", ".join(["-1", str(shape[-1]), *(["1"] * missing), *([spatial] if spatial else [])])
    return f"{variable}.reshape({sizes})"


EMITTERS: dict[type[Layer], Emitter] = {
    Conv: pytorch_windows.conv,
    ConvTranspose: pytorch_windows.conv_transpose,
    Pool: pytorch_windows.pool,
    GlobalAvgPool: _global,
    AdaptiveAvgPool: _adaptive,
    Dense: _dense,
    BatchNorm: _batchnorm,
    LayerNorm: _layernorm,
    GroupNorm: _groupnorm,
    InstanceNorm: _instancenorm,
    LayerScale: _layerscale,
    PReLU: _prelu,
    Identity: lambda item, context: _one("nn.Identity"),
    ChannelShuffle: _channelshuffle,
    Dropout: _dropout,
    ZeroPad: _zeropad,
    Upsample: _upsample,
    Join: _join,
    Crop: _crop,
    Flatten: _flatten,
    Softmax: _softmax,
    Activation: _activation,
}

# Layer types PyTorch has no exact equivalent of, with the reason: none.
REFUSED: dict[type[Layer], str] = {}
