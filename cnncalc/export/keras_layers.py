"""The Keras code of each layer type: `EMITTERS`, one emitter per `Layer` class.

An emitter gives the Keras layers a row applies (`keras_steps.Use`). Shapes
are channels last, as cnncalc and Keras both hold them, so a layer on the
channels at each position is Keras's own (LayerNormalization, Dense on a
volume). What Keras has no layer for is a small Layer subclass defined in the
exported module (`HELPERS`: a learnt scale per channel, a split's part, a max
pool's padding), or a few of Keras's layers (a channel shuffle is a Reshape, a
Permute and a Reshape). Settings that change no count are Keras's defaults
(LeakyReLU's slope is 0.3 where PyTorch's is 0.01; a batch norm's epsilon
1e-3 where PyTorch's is 1e-5). A type Keras has no exact equivalent of would
be listed in `REFUSED` with the reason; none is, but some settings are refused
where they are met (`keras_windows`, `_upsample`).
"""

from __future__ import annotations

from cnncalc.export import keras_windows
from cnncalc.export.keras_steps import (
    Context,
    Emitter,
    Use,
    call,
    numbers_tuple,
    rank,
    ranked,
    sides_arg,
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
from cnncalc.layers.join import Crop, Join

# Each element-wise function as Keras names it, for layers.Activation; LeakyReLU is a
# layer of its own (its slope Keras's default, 0.3: no count depends on it).
ACTIVATIONS = {
    "relu": "relu",
    "relu6": "relu6",
    "leakyrelu": "",
    "elu": "elu",
    "gelu": "gelu",  # exact, erf: as PyTorch's default
    "silu": "silu",
    "hardswish": "hard_swish",
    "hardsigmoid": "hard_sigmoid",  # relu6(x + 3) / 6, as PyTorch's
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "hardtanh": "hard_tanh",
    "softplus": "softplus",
    "mish": "mish",
}

_REGISTERED = '@keras.saving.register_keras_serializable(package="cnncalc")'
# Classes the exported module defines when a layer needs one, in this order; each is
# registered, so that a saved model loads where the module has been imported.
HELPERS = {
    "LayerScale": (
        _REGISTERED,
        "class LayerScale(layers.Layer):",
        '    """A learnt scale per channel (ConvNeXt\'s layer_scale), the same at every',
        '    position."""',
        "",
        "    def __init__(self, init_values=1e-6, **kwargs):",
        "        super().__init__(**kwargs)",
        "        self.init_values = init_values",
        "",
        "    def build(self, input_shape):",
        "        self.gamma = self.add_weight(",
        "            shape=(input_shape[-1],),",
        "            initializer=keras.initializers.Constant(self.init_values),",
        '            name="gamma",',
        "        )",
        "",
        "    def call(self, x):",
        "        return x * self.gamma",
        "",
        "    def get_config(self):",
        '        return {**super().get_config(), "init_values": self.init_values}',
    ),
    "Channels": (
        _REGISTERED,
        "class Channels(layers.Layer):",
        '    """The channels from `start` to `stop` of a channels-last tensor: a split\'s part."""',
        "",
        "    def __init__(self, start, stop, **kwargs):",
        "        super().__init__(**kwargs)",
        "        self.start = start",
        "        self.stop = stop",
        "",
        "    def call(self, x):",
        "        return x[..., self.start : self.stop]",
        "",
        "    def get_config(self):",
        '        return {**super().get_config(), "start": self.start, "stop": self.stop}',
    ),
    "MaxPoolPadding": (
        _REGISTERED,
        "class MaxPoolPadding(layers.Layer):",
        '    """-inf around the spatial axes of a channels-last tensor, a (before, after) pair',
        "    an axis: a max pool's padding as PyTorch's, which no max picks (Keras's pools pad",
        '    only as \'same\' does)."""',
        "",
        "    def __init__(self, padding, **kwargs):",
        "        super().__init__(**kwargs)",
        "        self.padding = tuple(tuple(side) for side in padding)",
        "",
        "    def call(self, x):",
        "        sides = ((0, 0), *self.padding, (0, 0))",
        '        return ops.pad(x, sides, constant_values=float("-inf"))',
        "",
        "    def get_config(self):",
        '        return {**super().get_config(), "padding": self.padding}',
    ),
}

# Linear interpolation is Keras's bilinear, for 2-D inputs only.
_LINEAR = ("linear", "bilinear", "trilinear")


def _one(func: str, *args: Expr) -> list[Use]:
    return [Use(call(func, *args))]


def _affine(affine: bool, default: bool) -> tuple[Kw, ...]:
    """Keras's center and scale: a learnt shift and scale per channel."""
    if affine == default:
        return ()
    return (Kw("center", str(affine)), Kw("scale", str(affine)))


def _activation(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, Activation)
    if layer.function == "leakyrelu":
        return _one("layers.LeakyReLU")
    if layer.function == "hardtanh":
        context.needs((3, 7), "the hard_tanh activation")
    return _one("layers.Activation", literal(ACTIVATIONS[layer.function]))


def _batchnorm(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, BatchNorm)
    return _one("layers.BatchNormalization", *_affine(layer.affine, True))


def _layernorm(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, LayerNorm)
    return _one("layers.LayerNormalization", *_affine(layer.affine, True))


def _groupnorm(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, GroupNorm)
    return _one("layers.GroupNormalization", str(layer.groups), *_affine(layer.affine, True))


def _instancenorm(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, InstanceNorm)
    why = ("Instance norm: a group norm of a group per channel.",)
    groups = str(item.row.shape[-1])
    affine = _affine(layer.affine, True)  # Keras's center and scale are on by default
    return [Use(call("layers.GroupNormalization", groups, *affine), why=why)]


def _layerscale(item: Item, context: Context) -> list[Use]:
    context.helper("LayerScale")
    return _one("LayerScale")


def _prelu(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, PReLU)
    # Keras learns a slope per value; the axes it shares one over are the positions (one
    # a channel), or every axis (one in all).
    axes = list(range(1, len(item.row.shape) + (1 if layer.shared else 0)))
    if not axes:
        return _one("layers.PReLU")
    return _one("layers.PReLU", Kw("shared_axes", Seq(tuple(map(str, axes)), "[]")))


def _dense(item: Item, context: Context, activation: str | None = None) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, (Dense, Softmax)) and layer.units is not None
    options = [Kw("activation", literal(activation))] if activation else []
    if not layer.bias:
        options.append(Kw("use_bias", "False"))
    dense = Use(call("layers.Dense", str(layer.units), *options))
    if (isinstance(layer, Dense) and not layer.flatten) or len(row.input_shape) == 1:
        return [dense]
    return [Use(call("layers.Flatten"), "_flatten"), dense]


def _softmax(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, Softmax)
    if layer.units is None:
        return _one("layers.Softmax")
    return _dense(item, context, "softmax")


def _dropout(item: Item, context: Context) -> list[Use]:
    layer = item.row.layer
    assert isinstance(layer, Dropout)
    return _one("layers.Dropout", repr(0.5 if layer.rate is None else layer.rate))


def _channelshuffle(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, ChannelShuffle)
    *sizes, channels = row.shape
    groups = layer.groups
    axes = len(sizes)
    swap = (*range(1, axes + 1), axes + 2, axes + 1)  # Permute counts from 1, past the batch
    why = (
        f"A channel shuffle: the {channels:,} channels as {groups:,} groups of "
        f"{channels // groups:,}, the groups interleaved.",
    )
    return [
        Use(
            call("layers.Reshape", numbers_tuple((*sizes, groups, channels // groups))),
            "_groups",
            why,
        ),
        Use(call("layers.Permute", numbers_tuple(swap)), "_swap"),
        Use(call("layers.Reshape", numbers_tuple(row.shape))),
    ]


def _zeropad(item: Item, context: Context) -> list[Use]:
    assert item.row.padding is not None
    return _one(ranked("ZeroPadding", rank(item)), sides_arg(item.row.padding))


def _global(item: Item, context: Context) -> list[Use]:
    return _one(ranked("GlobalAveragePooling", rank(item)), Kw("keepdims", "True"))


def _adaptive(item: Item, context: Context) -> list[Use]:
    return _averaged(item, context, "An adaptive average pool", ())


def _averaged(item: Item, context: Context, what: str, why: tuple[str, ...]) -> list[Use]:
    """PyTorch's adaptive average pool (window i spans ⌊i·n/m⌋ to ⌈(i+1)·n/m⌉): a global
    pool, a pool of n/m where m divides n, a repeat where n divides m (each window one
    value), else Keras's AdaptiveAveragePooling."""
    dims = rank(item)
    sizes, out = item.row.input_shape[:-1], item.row.shape[:-1]
    if all(m == 1 for m in out):
        return [Use(call(ranked("GlobalAveragePooling", dims), Kw("keepdims", "True")), why=why)]
    if all(n % m == 0 for n, m in zip(sizes, out, strict=True)):
        window = numbers(tuple(n // m for n, m in zip(sizes, out, strict=True)))
        why = (*why, f"{what}: its windows are even here, an ordinary pool's.")
        return [Use(call(ranked("AveragePooling", dims), window), why=why)]
    if all(m % n == 0 for n, m in zip(sizes, out, strict=True)):
        factor = numbers(tuple(m // n for n, m in zip(sizes, out, strict=True)))
        why = (*why, f"{what}: each of its windows is one value here, repeated.")
        return [Use(call(ranked("UpSampling", dims), factor), why=why)]
    name = ranked("AdaptiveAveragePooling", dims)
    context.needs((3, 13), name.removeprefix("layers."))
    if what != "An adaptive average pool":
        why = (*why, f"{what}.")
    return [Use(call(name, numbers(out)), why=why)]


def _upsample(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Upsample)
    dims = rank(item)
    sizes, out = row.input_shape[:-1], row.shape[:-1]
    whole = all(m % n == 0 for n, m in zip(sizes, out, strict=True))
    factor = tuple(m // n for n, m in zip(sizes, out, strict=True))
    why = (f"Upsampled to the size of {layer.like}.",) if layer.like else ()
    mode = layer.mode
    if mode == "area":
        return _averaged(item, context, "Area interpolation, PyTorch's adaptive average pool", why)
    if mode == "bicubic":
        raise item.refusal(
            "Keras's bicubic interpolation is not PyTorch's on every backend (TensorFlow's "
            "and JAX's weigh with Keys's cubic of a = -0.5, PyTorch's with a = -0.75); "
            "bilinear or nearest would export",
            "mode",
        )
    linear = mode in _LINEAR
    if linear and mode != "bilinear" and dims == 2:
        why = (*why, f"{mode.capitalize()} interpolation of a 2-D input: Keras's bilinear.")
    if whole and (mode in ("nearest", "nearest-exact") or (linear and dims == 2)):
        # By a whole factor the nearest value is the one repeated, in either rule.
        options = [Kw("interpolation", literal("bilinear"))] if linear else []
        built = call(ranked("UpSampling", dims), numbers(factor), *options)
        return [Use(built, why=why)]
    if dims == 2 and (linear or mode == "nearest-exact"):
        interpolation = "bilinear" if linear else "nearest"
        if not linear:
            why = (*why, "Keras's nearest takes the nearest centre, as PyTorch's nearest-exact.")
        built = call("layers.Resizing", *map(str, out), Kw("interpolation", literal(interpolation)))
        return [Use(built, why=why)]
    if linear:
        raise item.refusal(
            f"Keras interpolates linearly only a 2-D input (UpSampling2D, Resizing), and this "
            f"one is {dims}-D; nearest, by a whole factor, or area would export",
            "mode",
        )
    if mode == "nearest":
        raise item.refusal(
            f"PyTorch's nearest takes value ⌊i·n/m⌋ and Keras's the nearest centre (PyTorch's "
            f"nearest-exact): they agree only when the size is a whole multiple, and "
            f"{out} is not one of {sizes}; nearest-exact (2-D) or area would export",
            "mode",
        )
    raise item.refusal(
        f"Keras resizes to a size only a 2-D input (Resizing), and this one is {dims}-D, "
        f"{out} from {sizes}, no whole multiple; area would export",
        "mode",
    )


def _crop(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Crop) and row.padding is not None
    why = (f"Centre-cropped to the size of {layer.like}.",) if layer.like else ()
    return [Use(call(ranked("Cropping", rank(item)), sides_arg(row.padding)), why=why)]


_MERGE = {"concat": "layers.Concatenate", "add": "layers.Add", "multiply": "layers.Multiply"}


def _join(item: Item, context: Context) -> list[Use]:
    layer, row = item.row.layer, item.row
    assert isinstance(layer, Join)
    sizes = row.input_shape[:-1]
    steps, parts = [], []
    for name in layer.names:
        variable, shape = context.saved(name)
        if layer.crop and layer.op == "concat" and shape[:-1] != sizes:
            cut = tuple(
                ((n - m) // 2, n - m - (n - m) // 2) for n, m in zip(shape[:-1], sizes, strict=True)
            )
            cropped = context.temporary(f"{variable}_cropped")
            why = (f"{name} centre-cropped to the size of the input, to be joined.",)
            crop = call(ranked("Cropping", len(sizes)), sides_arg(cut))
            steps.append(Use(crop, "_crop", why, source=variable, into=cropped))
            variable = cropped
        parts.append(variable)
    # A vector joined to a volume is broadcast as NumPy does, from the last axis: Keras's
    # Add and Multiply insert the axes it lacks after the batch's.
    merge = Use(call(_MERGE[layer.op]), takes=lambda x: Seq((*parts, x), "[]"))
    return [*steps, merge]


EMITTERS: dict[type[Layer], Emitter] = {
    Conv: keras_windows.conv,
    ConvTranspose: keras_windows.conv_transpose,
    Pool: keras_windows.pool,
    GlobalAvgPool: _global,
    AdaptiveAvgPool: _adaptive,
    Dense: _dense,
    BatchNorm: _batchnorm,
    LayerNorm: _layernorm,
    GroupNorm: _groupnorm,
    InstanceNorm: _instancenorm,
    LayerScale: _layerscale,
    PReLU: _prelu,
    Identity: lambda item, context: _one("layers.Identity"),
    ChannelShuffle: _channelshuffle,
    Dropout: _dropout,
    ZeroPad: _zeropad,
    Upsample: _upsample,
    Join: _join,
    Crop: _crop,
    Flatten: lambda item, context: _one("layers.Flatten"),
    Softmax: _softmax,
    Activation: _activation,
}

# Layer types Keras has no exact equivalent of, with the reason: none.
REFUSED: dict[type[Layer], str] = {}
