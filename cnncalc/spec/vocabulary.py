"""The spec's vocabulary: which layer types exist, their aliases and the fields each takes.

One registry drives everything that names a layer type: the reader, the
shorthand's positional order, the course's default names (CONV1, POOL1),
"did you mean" suggestions, `cnncalc list --layers` and the JSON Schema.
Each entry names the `Layer` class it builds, so that a concern kept outside
the layer classes (explaining, drawing, exporting) can be checked to have a
handler for every type.
"""

from __future__ import annotations

from typing import Any

from cnncalc.layers import (
    Activation,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Pool,
    Softmax,
    ZeroPad,
)
from cnncalc.spec import axes, values
from cnncalc.spec.layer_type import PADDING_HELP, RANKS, Field, LayerType, plain
from cnncalc.spec.more_types import NORMS, RESIZE_AND_JOIN

__all__ = ["LAYER_TYPES", "Field", "LayerType", "layer_type", "required_ranks", "type_names"]

_KERNEL = Field(
    "kernel", axes.sizes, "window size f, or one per axis: [f_h, f_w]", ("f", "kernel_size"),
    True,
)  # fmt: skip
_STRIDE = Field("stride", axes.sizes, "step s, or one per axis: [s_h, s_w]", ("s", "strides"))
_PADDING = Field("padding", axes.padding, f"{PADDING_HELP}, same or valid", ("p",))
_BIAS = Field(
    "bias", values.boolean, "whether the layer has biases", ("use_bias",), positional=False
)


_DILATION = Field(
    "dilation", axes.sizes, "spacing d of the kernel's taps; it covers d(f − 1) + 1",
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
        layer=Pool,
        build=lambda **fields: Pool(mode, **fields),
        help=f"{'max' if mode == 'max' else 'average'} pooling: no parameters, channels "
        "unchanged; stride defaults to the kernel",
        example=f"{mode}pool:2",
        fields=(
            Field("kernel", axes.sizes, "window size f", ("f", "pool_size", "kernel_size"), True),
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
        name_format="POOL{}",
        ranked=(f"{mode}pool{{}}d", f"{mode}pooling{{}}d")
        + (("averagepooling{}d",) if mode == "avg" else ()),
    )


def _activation(function: str, display: str, *aliases: str) -> LayerType:
    return LayerType(
        name=function,
        layer=Activation,
        build=lambda: Activation(function),
        help="element-wise; no parameters, shape unchanged",
        example=function,
        aliases=aliases,
        name_format=display,
    )


_UNITS = Field("units", values.positive_int, "number of units", required=True)
_FLATTEN = Field(
    "flatten", values.boolean, "false: on the channels at each position", positional=False
)


def _conv(**fields: Any) -> Conv:
    if "filters" not in fields and not fields.get("depthwise"):
        raise values.ValueProblem(
            "conv needs filters (number of filters n_c), e.g. conv:16,5; only a depthwise "
            "conv may leave them out"
        )
    return Conv(fields.pop("filters", None), **fields)


_TYPES = (
    LayerType(
        name="conv",
        layer=Conv,
        build=_conv,
        help="convolution: f_h·f_w·(c_in/groups)·filters weights + filters biases (f_l·… in "
        "1-D, f_d·f_h·f_w·… in 3-D)",
        example="conv:16,5",
        fields=(
            Field("filters", values.positive_int, "number of filters n_c"),
            _KERNEL,
            _STRIDE,
            Field(
                "padding",
                axes.conv_padding,
                f"{PADDING_HELP}, same, valid or causal (1-D)",
                ("p",),
            ),
            _BIAS,
            _DILATION,
            _GROUPS,
            _DEPTHWISE,
        ),
        name_format="CONV{}",
        numbered=True,
        ranked=("conv{}d",),
    ),
    LayerType(
        name="convtranspose",
        layer=ConvTranspose,
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
                axes.sizes_or_zero,
                "extra rows and columns on one side of the output",
                positional=False,
            ),
            _BIAS,
            _DILATION,
            _GROUPS,
            _DEPTHWISE,
        ),
        aliases=("deconv",),
        name_format="DECONV{}",
        numbered=True,
        ranked=("convtranspose{}d", "conv{}dtranspose"),
    ),
    _pool("max"),
    _pool("avg"),
    plain(
        "globalavgpool",
        GlobalAvgPool,
        "POOL{}",
        "the mean of each channel: H×W×C to 1×1×C; no parameters",
        aliases=("gap",),
        ranked=("globalaveragepooling{}d", "globalavgpool{}d"),
    ),
    LayerType(
        name="adaptiveavgpool",
        layer=AdaptiveAvgPool,
        build=AdaptiveAvgPool,
        help="average pooling to a given output size, PyTorch's windows",
        example="adaptiveavgpool:7",
        fields=(Field("output", axes.sizes, "output size", ("output_size",), True),),
        name_format="POOL{}",
        ranked=("adaptiveavgpool{}d",),
    ),
    LayerType(
        name="fc",
        layer=Dense,
        build=Dense,
        help="fully connected: n_in·units weights + units biases; flattens a volume first "
        "(flatten=false: C·units weights, used at each position)",
        example="fc:120",
        fields=(_UNITS, _BIAS, _FLATTEN),
        aliases=("dense", "linear"),
        name_format="FC{}",
        numbered=True,
    ),
    LayerType(
        name="batchnorm",
        layer=BatchNorm,
        build=BatchNorm,
        help="batch normalisation: 2·C trainable (scale, shift) and 2·C non-trainable "
        "(running mean, variance)",
        example="batchnorm",
        fields=(
            Field(
                "affine", values.boolean, "whether it learns a scale and a shift", positional=False
            ),
        ),
        aliases=("bn", "batchnormalization"),
        name_format="BN{}",
        ranked=("batchnorm{}d",),
    ),
    *NORMS,
    LayerType(
        name="dropout",
        layer=Dropout,
        build=Dropout,
        help="no parameters, shape unchanged",
        example="dropout:0.5",
        fields=(Field("rate", values.rate, "the share of values dropped", ("p",)),),
        name_format="Dropout",
        ranked=("dropout{}d", "spatialdropout{}d"),
    ),
    LayerType(
        name="zeropad",
        layer=ZeroPad,
        build=ZeroPad,
        help="zeros around the volume; no parameters",
        example="zeropad:3",
        fields=(
            Field(
                "padding",
                axes.numeric_padding,
                PADDING_HELP,
                ("p",),
                True,
            ),
        ),
        name_format="ZeroPad",
        ranked=("zeropad{}d", "zeropadding{}d"),
    ),
    *RESIZE_AND_JOIN,
    plain("flatten", Flatten, "Flatten", "a volume as a vector; no parameters"),
    LayerType(
        name="softmax",
        layer=Softmax,
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
    _activation("hardswish", "Hardswish", "hard_swish"),  # Keras's name
    _activation("sigmoid", "Sigmoid"),
    _activation("tanh", "Tanh"),
    _activation("hardsigmoid", "Hardsigmoid", "hard_sigmoid"),  # Keras's name
    *(_activation(f, f.capitalize()) for f in ("mish", "softplus", "hardtanh")),
)

LAYER_TYPES: dict[str, LayerType] = {t.name: t for t in _TYPES}
_BY_ALIAS: dict[str, LayerType] = {alias: t for t in _TYPES for alias in t.names}
# conv3d: (conv, (3,)). BatchNorm1d, as PyTorch's, takes a vector (N, C) as well as (N, C, L).
_RANKED: dict[str, tuple[LayerType, tuple[int, ...]]] = {
    pattern.format(rank): (t, (0, 1) if rank == 1 and t.name == "batchnorm" else (rank,))
    for t in _TYPES
    for pattern in t.ranked
    for rank in RANKS
}


def layer_type(name: str) -> LayerType | None:
    """The layer type called `name` or one of its aliases, in any case."""
    return _BY_ALIAS.get(name.strip().lower())


def required_ranks(name: str) -> tuple[int, ...]:
    """The ranks a type name demands of its input (conv3d: (3,)); () when any will do."""
    found = _RANKED.get(name.strip().lower())
    return found[1] if found else ()


def type_names() -> list[str]:
    """Every name a `type:` may take, aliases included (for suggestions)."""
    return list(_BY_ALIAS)
