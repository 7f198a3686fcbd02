"""Small random networks for the export tests: spec documents that cnncalc accepts, built a
layer at a time on the shape the engine gives so far (the engine only says which layers
fit; the figures the tests compare come from elsewhere).

Sequential layers of every type, with varied kernels, strides, dilations, groups and
padding (numbers, (before, after) pairs, same, valid, causal), and blocks: residuals with
and without a shortcut, concats, multiplies, splits, side heads, and tensors saved and
joined (concat, add, multiply with, crop and upsample like). Sizes are small, so that a
network runs in milliseconds.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from cnncalc import engine, spec
from cnncalc.errors import SpecError

ACTIVATIONS = ["relu", "relu6", "leakyrelu", "elu", "gelu", "silu", "hardswish",
               "hardsigmoid", "sigmoid", "tanh", "hardtanh", "softplus", "mish"]  # fmt: skip
MODES = ["nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area"]
# What a layer on a volume may be, weighted; fc, gap and flatten end the volume, so rarely.
KINDS = ["conv"] * 4 + ["pool"] * 3 + ["norm", "activation"] * 2 + ["join"] * 2 + [
    "convtranspose", "fc", "gap", "adaptive", "zeropad", "upsample", "crop", "shuffle",
    "flatten", "positionwise", "residual", "concat", "multiply", "split", "side",
]  # fmt: skip


def document(input_shape: list[int], layers: list[Any]) -> dict[str, Any]:
    return {"name": "random network", "input": input_shape, "layers": layers}


def walked(input_shape: list[int], layers: list[Any]):
    """The spec and its summary, or None when cnncalc refuses it."""
    try:
        read = spec.from_document(document(input_shape, layers))
        return read, engine.analyze(read)
    except SpecError:
        return None


def _padding(draw, rank: int, kernel: int) -> Any:
    choice = draw(st.sampled_from(["number", "same", "valid", "pairs", "per axis"]))
    if choice in ("same", "valid"):
        return choice
    if choice == "number":
        return draw(st.integers(0, kernel // 2))
    if choice == "per axis":
        return [draw(st.integers(0, kernel // 2)) for _ in range(rank)]
    return [draw(st.integers(0, kernel // 2)) for _ in range(2 * rank)]


def _spatial(draw, shape: tuple[int, ...], saved: list[str]) -> Any:
    rank, channels = len(shape) - 1, shape[-1]
    kernel = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(KINDS))
    if kind == "conv":
        groups = draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
        layer = {"type": "conv", "filters": groups * draw(st.integers(1, 3)), "kernel": kernel,
                 "stride": draw(st.integers(1, 2)), "dilation": draw(st.integers(1, 2)),
                 "groups": groups, "bias": draw(st.booleans())}  # fmt: skip
        padding = _padding(draw, rank, kernel)
        if rank == 1 and draw(st.booleans()):
            padding = "causal"
        layer["padding"] = padding
        if draw(st.integers(0, 5)) == 0:
            layer = {"type": "conv", "kernel": kernel, "depthwise": True, "padding": padding}
        return layer
    if kind == "convtranspose":
        stride = draw(st.integers(1, 3))
        groups = draw(st.sampled_from([g for g in (1, 2) if channels % g == 0]))
        layer = {"type": "convtranspose", "filters": groups * draw(st.integers(1, 3)),
                 "kernel": kernel, "stride": stride, "groups": groups,
                 "dilation": draw(st.integers(1, 2)),
                 "padding": draw(st.sampled_from([0, 1, "same", "valid"]))}  # fmt: skip
        if layer["padding"] != "same" and stride > 1:
            layer["output_padding"] = draw(st.integers(0, stride - 1))
        if draw(st.booleans()) and layer["padding"] not in ("same", "valid"):
            layer["padding"] = [draw(st.integers(0, 1)) for _ in range(2 * rank)]
        return layer
    if kind == "pool":
        return {"type": draw(st.sampled_from(["maxpool", "avgpool"])), "kernel": kernel,
                "stride": draw(st.integers(1, 3)), "padding": _padding(draw, rank, kernel),
                "ceil": draw(st.booleans())}  # fmt: skip
    if kind == "norm":
        norm = draw(st.sampled_from(["bn", "layernorm", "groupnorm", "instancenorm",
                                     "layerscale", "prelu", "identity", "dropout"]))  # fmt: skip
        if norm == "groupnorm":
            return {"type": "groupnorm", "groups": draw(st.sampled_from(
                [g for g in (1, 2, 3) if channels % g == 0])), "affine": draw(st.booleans())}  # fmt: skip
        if norm in ("bn", "layernorm", "instancenorm"):
            return {"type": norm, "affine": draw(st.booleans())}
        if norm == "prelu":
            return {"type": "prelu", "shared": draw(st.booleans())}
        return norm
    if kind == "activation":
        return draw(st.sampled_from(ACTIVATIONS))
    if kind == "fc":
        return {"type": "fc", "units": draw(st.integers(1, 8)), "bias": draw(st.booleans())}
    if kind == "positionwise":
        return {"type": "fc", "units": draw(st.integers(1, 5)), "flatten": False}
    if kind == "gap":
        return "globalavgpool"
    if kind == "adaptive":
        return {"type": "adaptiveavgpool", "output": draw(st.integers(1, 3))}
    if kind == "zeropad":
        return {"type": "zeropad", "padding": _padding(draw, rank, 2) if rank else 1}
    if kind == "upsample":
        layer = {"type": "upsample", "factor": draw(st.integers(1, 2)),
                 "mode": draw(st.sampled_from(MODES))}  # fmt: skip
        if saved and draw(st.booleans()):
            layer = {"type": "upsample", "like": draw(st.sampled_from(saved))}
        return layer
    if kind == "crop":
        if saved and draw(st.booleans()):
            return {"type": "crop", "like": draw(st.sampled_from(saved))}
        return {"type": "crop", "cropping": draw(st.integers(0, 1))}
    if kind == "shuffle":
        return {"type": "channelshuffle", "groups": draw(st.sampled_from(
            [g for g in (1, 2, 3) if channels % g == 0]))}  # fmt: skip
    if kind == "flatten":
        return "flatten"
    same = {"type": "conv", "filters": channels, "kernel": kernel, "padding": "same"}
    if kind == "residual":
        block: dict[str, Any] = {"residual": [same, "bn", "relu"]}
        if draw(st.booleans()):
            stride = draw(st.integers(1, 2))
            filters = draw(st.integers(1, 4))
            block = {"residual": [{**same, "filters": filters, "stride": stride}, "bn"],
                     "shortcut": [{"type": "conv", "filters": filters, "kernel": 1,
                                   "stride": stride}]}  # fmt: skip
        return block
    if kind == "concat":
        branches = [[], [{**same, "filters": draw(st.integers(1, 3))}, "relu"],
                    [{"type": "maxpool", "kernel": 3, "stride": 1, "padding": 1}]]  # fmt: skip
        return {"concat": draw(st.permutations(branches))[: draw(st.integers(2, 3))]}
    if kind == "multiply":
        gate = draw(st.sampled_from([
            ["globalavgpool", {"type": "conv", "filters": channels, "kernel": 1}, "sigmoid"],
            ["globalavgpool", "flatten", {"type": "fc", "units": channels}, "sigmoid"],
            [{"type": "conv", "filters": 1, "kernel": 1}, "sigmoid"],
        ]))  # fmt: skip
        return {"multiply": gate}
    if kind == "split":
        return {"split": [[], [{**same, "filters": draw(st.integers(1, 3))}]]}
    if kind == "side":
        return {"side": ["globalavgpool", "flatten", {"type": "fc", "units": 3}]}
    if saved:  # a join with a saved tensor
        op = draw(st.sampled_from(["concat", "add", "multiply"]))
        join = {"type": op, "with": draw(st.sampled_from(saved))}
        if op == "concat" and draw(st.booleans()):
            join["crop"] = True
        return join
    return "relu"


def _vector(draw, saved: list[str]) -> Any:
    kind = draw(st.sampled_from(["fc", "fc", "softmax", "activation", "norm", "join"]))
    if kind == "join" and saved:  # a vector times a volume is a volume (NumPy's broadcast)
        return {
            "type": draw(st.sampled_from(["add", "multiply"])),
            "with": draw(st.sampled_from(saved)),
        }
    if kind == "fc":
        return {"type": "fc", "units": draw(st.integers(1, 8)), "bias": draw(st.booleans())}
    if kind == "softmax":
        units = draw(st.none() | st.integers(1, 5))
        return "softmax" if units is None else {"type": "softmax", "units": units}
    if kind == "activation":
        return draw(st.sampled_from(ACTIVATIONS))
    return draw(st.sampled_from(["bn", "layernorm", "dropout", "prelu", "identity",
                                 "layerscale", {"type": "groupnorm", "groups": 1}]))  # fmt: skip


# Names a spec may give that PyTorch cannot take as they are: dotted ones that nest, ones
# that repeat, attributes every module has, keys that are no Python names.
NAMES = ["a", "a", "a.b", "a.b.c", "a.0", "0", "0.1", "forward", "keys", "x y", "a..b", "a.",
         "self", "class", "layer1.0.conv1", "layer1.0", "é", "'); import os #", '"""', "\\"]  # fmt: skip


# Saved tensors' names that are no Python variable as they are, or are forward's own.
SAVED = ["skip", "__x", "x", "getattr", "self", "torch", "F", "nn", "a b", "é", "1st"]


@st.composite
def networks(draw, most: int = 8, named: bool = False) -> dict[str, Any]:
    """A spec document cnncalc accepts: an input of 1 to 3 spatial axes and up to `most`
    layers or blocks; some layers save their output for a later join; with `named`, the
    layers have names from NAMES."""
    rank = draw(st.sampled_from([1, 2, 2, 2, 3]))
    low, high = {1: (6, 24), 2: (4, 12), 3: (3, 6)}[rank]
    input_shape = [*(draw(st.integers(low, high)) for _ in range(rank)), draw(st.integers(1, 6))]
    layers: list[Any] = []
    saved: list[str] = []
    shape = tuple(input_shape)
    for _ in range(draw(st.integers(2, most))):
        for _attempt in range(5):
            layer = _spatial(draw, shape, saved) if len(shape) > 1 else _vector(draw, saved)
            if named and draw(st.booleans()):
                layer = {**({"type": layer} if isinstance(layer, str) else layer)}
                layer["name"] = draw(st.sampled_from(NAMES))
            if draw(st.integers(0, 4)) == 0:
                layer = {**({"type": layer} if isinstance(layer, str) else layer)}
                free = [name for name in SAVED if name not in saved] if named else []
                layer["save"] = draw(st.sampled_from(free)) if free else f"t{len(saved)}"
            result = walked(input_shape, [*layers, layer])
            if result is not None:
                layers.append(layer)
                if isinstance(layer, dict) and "save" in layer:
                    saved.append(layer["save"])
                shape = result[1].output_shape
                break
    return document(input_shape, layers)
