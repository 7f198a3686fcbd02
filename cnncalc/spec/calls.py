"""A PyTorch or Keras constructor typed as a layer, `Conv2d(3, 16, 3)`, and the shorthand
that means the same: what the "unknown layer type" message suggests.

The call is read with `ast`, never run: only numbers, strings, tuples and
booleans are understood; anything else leaves that argument out of the
suggestion. PyTorch's and Keras's names differ in case (`Conv2d`, `Conv2D`),
and so do their first arguments: PyTorch's convs and linear layers start with
the input's channels, which cnncalc takes from the layer before.
"""

from __future__ import annotations

import ast
from typing import Any

from cnncalc.spec.vocabulary import LAYER_TYPES

_CONV = ("in", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias")
_TRANSPOSED = ("in", "filters", "kernel", "stride", "padding", "output_padding", "groups",
               "bias", "dilation")  # fmt: skip
_POOL = ("kernel", "stride", "padding")
_KERAS_CONV = ("filters", "kernel", "stride", "padding")

# Constructor: (cnncalc's type, whose, its positional arguments as cnncalc's fields; "in"
# is the input's channels, which the layer before gives, and "-" an argument left out).
CALLS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    **{f"Conv{n}d": ("conv", "PyTorch's", _CONV) for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": ("convtranspose", "PyTorch's", _TRANSPOSED) for n in (1, 2, 3)},
    "Linear": ("fc", "PyTorch's", ("in", "units", "bias")),
    **{f"MaxPool{n}d": ("maxpool", "PyTorch's", _POOL) for n in (1, 2, 3)},
    **{f"AvgPool{n}d": ("avgpool", "PyTorch's", _POOL) for n in (1, 2, 3)},
    "AdaptiveAvgPool2d": ("adaptiveavgpool", "PyTorch's", ("output",)),
    **{f"BatchNorm{n}d": ("batchnorm", "PyTorch's", ("in",)) for n in (1, 2, 3)},
    "ZeroPad2d": ("zeropad", "PyTorch's", ("padding",)),
    "Upsample": ("upsample", "PyTorch's", ("-", "factor")),
    "Dropout": ("dropout", "PyTorch's or Keras's", ("rate",)),
    "Flatten": ("flatten", "PyTorch's or Keras's", ()),
    "Softmax": ("softmax", "PyTorch's or Keras's", ()),
    **{name: (name.lower(), "PyTorch's", ()) for name in (
        "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Hardswish", "Sigmoid", "Tanh")},
    **{f"Conv{n}D": ("conv", "Keras's", _KERAS_CONV) for n in (1, 2, 3)},
    **{f"Conv{n}DTranspose": ("convtranspose", "Keras's", _KERAS_CONV) for n in (1, 2, 3)},
    "Dense": ("fc", "Keras's", ("units",)),
    **{f"MaxPooling{n}D": ("maxpool", "Keras's", _POOL) for n in (1, 2, 3)},
    **{f"AveragePooling{n}D": ("avgpool", "Keras's", _POOL) for n in (1, 2, 3)},
    **{f"GlobalAveragePooling{n}D": ("globalavgpool", "Keras's", ()) for n in (1, 2, 3)},
    "BatchNormalization": ("batchnorm", "Keras's", ()),
    "ZeroPadding2D": ("zeropad", "Keras's", ("padding",)),
    "UpSampling2D": ("upsample", "Keras's", ("factor",)),
    "DepthwiseConv2D": ("conv", "Keras's", ("kernel", "stride", "padding")),
    "SeparableConv2D": ("conv", "Keras's", ("filters", "kernel", "stride", "padding")),
}  # fmt: skip
# The keywords that are not a cnncalc field's name or alias: the rest are looked up in
# the type's own fields, so that p is Dropout's rate and Conv2d's padding.
_KEYWORDS = {"out_channels": "filters", "out_features": "units"}


def _value(node: ast.expr) -> str | None:
    """A literal argument as shorthand writes it: 3, 3x5, same, false; None if not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str)):
        return str(node.value).lower()  # True → true; numbers have no capitals
    if isinstance(node, ast.Tuple | ast.List):
        items = [_value(item) for item in node.elts]
        if not items or None in items:
            return None
        return items[0] if len(set(items)) == 1 else "x".join(str(item) for item in items)
    return None


def _name(node: ast.expr) -> str | None:
    """Conv2d, nn.Conv2d, layers.Conv2D, tf.keras.layers.Dense: the constructor's name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def suggest(text: str) -> str:
    """'; …, in cnncalc conv:16,3' when `text` is a constructor call cnncalc knows."""
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return ""
    name = _name(call.func) if isinstance(call, ast.Call) else None
    if name is None or name not in CALLS:
        return ""
    assert isinstance(call, ast.Call)
    kind, whose, order = CALLS[name]
    fields: dict[str, Any] = {}
    for field, node in zip(order, call.args, strict=False):
        if field not in ("in", "-") and (value := _value(node)) is not None:
            fields[field] = value
    activation = None
    for keyword in call.keywords:
        value = _value(keyword.value)
        if keyword.arg == "activation" and value:
            activation = value
            continue
        named = LAYER_TYPES[kind].field(_KEYWORDS.get(keyword.arg or "", keyword.arg or ""))
        if named is not None and value is not None:
            fields[named.name] = value
    written = _shorthand(kind, fields, name)
    if activation and activation != "linear":
        written += f" then {activation}"
    return f"; that is {whose} {name}(…), which cnncalc writes {written}"


def _shorthand(kind: str, fields: dict[str, Any], name: str) -> str:
    if name == "DepthwiseConv2D":
        fields.pop("filters", None)
        fields["depthwise"] = "true"
    if name == "SeparableConv2D":
        filters = fields.pop("filters", "N")
        depthwise = _shorthand(kind, {**fields, "depthwise": "true"}, "")
        return f"{depthwise} then conv:{filters},1 (a depthwise conv, then a 1×1)"
    positional = [field.name for field in LAYER_TYPES[kind].positional]
    args = []
    for field in positional:  # in the type's order while each is given; the rest by name
        if field not in fields:
            break
        args.append(fields.pop(field))
    args += [f"{key}={value}" for key, value in fields.items()]
    return kind + (":" + ",".join(args) if args else "")
