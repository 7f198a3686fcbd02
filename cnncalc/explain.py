"""How each number of the table came about, in the course's notation.

For every layer: the output size worked out per axis, the parameters and MACs
with the numbers substituted, and for a conv layer the course's "why
convolutions" comparison with the fully connected layer that would map the
same input volume to the same output volume. Pure text building; the
`render.explain` module lays the sections out as plain text or Markdown.

Each layer type and block type has its own handler, registered with `_explain` (the
fully connected layer's, the normalisations' and more in `explain_layers`);
a type without one is an error, never a generic sentence (a test walks the
vocabulary to make sure none is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import singledispatch
from typing import Any, NamedTuple, TypeVar

from cnncalc import limits
from cnncalc.errors import counted
from cnncalc.geometry import formula, span
from cnncalc.layers import (
    Activation,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Layer,
    Pool,
    Softmax,
    ZeroPad,
    group_count,
)
from cnncalc.layers.base import per_axis, resolve_sides
from cnncalc.shapes import Shape, by, in_layout, size_of
from cnncalc.summary import Row, Summary

_FUNCTIONS = {
    "relu": "max(0, x)",
    "relu6": "min(max(0, x), 6)",
    "leakyrelu": "max(αx, x)",
    "elu": "x, or α(e^x − 1) below 0,",
    "gelu": "x·Φ(x)",
    "silu": "x·σ(x)",
    "hardswish": "x·min(max(0, x + 3), 6)/6",
    "sigmoid": "1/(1 + e^−x)",
    "tanh": "tanh(x)",
    "hardsigmoid": "min(max(0, x + 3), 6)/6",
    "mish": "x·tanh(softplus(x))",
    "softplus": "log(1 + e^x)",
    "hardtanh": "min(max(−1, x), 1)",
}
# The course's names for the output sizes, per number of spatial axes: n_H and n_W of an
# image, n_L along a 1-D signal, n_D, n_H and n_W of a 3-D volume.
_SIZE_NAMES = {1: ("n_L",), 2: ("n_H", "n_W"), 3: ("n_D", "n_H", "n_W")}


class Section(NamedTuple):
    """One layer's explanation: a heading and the lines of its arithmetic."""

    heading: str
    lines: tuple[str, ...]
    depth: int = 1  # inside how many blocks, for indenting


def dims(shape: Shape, layout: str = "hwc") -> str:
    """32×32×3, as the course writes a volume."""
    return "×".join(str(n) for n in in_layout(shape, layout))


def ratio(big: int, small: int) -> str:
    """big/small rounded to a whole number, in integers: 31,700."""
    return f"{(2 * big + small) // (2 * small):,}"


def explain(summary: Summary, layout: str = "hwc") -> list[Section]:
    """The input's section, then one section per layer."""
    size = summary.input_size
    sections = [
        Section("Input", (f"{dims(summary.input_shape, layout)} = {counted(size, 'value')}",))
    ]
    for row in summary.flat():
        heading, lines = _explain(row.layer, row, layout)
        lines += [f"note: {note}" for note in row.notes]
        branch = f"{row.branch}: " if row.branch else ""
        sections.append(Section(branch + heading, tuple(lines), row.depth))
    total = (
        f"{summary.params:,} parameters ({summary.weights:,} weights + {summary.biases:,} "
        f"biases) and {summary.macs:,} MACs in all"
    )
    sections.append(Section("Total", (total,)))
    return sections


def explains(layer_type: type[Layer]) -> bool:
    """Whether `layer_type` has an explanation of its own."""
    return _explain.dispatch(layer_type) is not _explain.dispatch(object)


_Explained = tuple[str, list[str]]  # the heading and the lines
L = TypeVar("L", bound=Layer)


@singledispatch
def _explain(layer: Layer, row: Row, layout: str) -> _Explained:
    raise NotImplementedError(f"cnncalc explain has no handler for {type(layer).__name__}")


def _handles(
    *types: type[L],
) -> Callable[[Callable[[L, Row, str], _Explained]], Callable[[L, Row, str], _Explained]]:
    def register(handler: Callable[[L, Row, str], _Explained]) -> Any:
        for layer_type in types:
            _explain.register(layer_type, handler)
        return handler

    return register


def _names(row: Row) -> Sequence[str]:
    rank = len(row.input_shape) - 1
    return _SIZE_NAMES.get(rank, tuple(f"n_{axis}" for axis in range(1, rank + 1)))


def _sizes(row: Row, ceil: bool = False) -> list[str]:
    """n_H and n_W worked out, on one line when every axis is alike."""
    assert row.window is not None and row.padding is not None
    before = row.input_shape
    worked = [
        formula(n, k, s, *side, ceil)
        for n, k, s, side in zip(
            before[:-1], row.window.kernel, row.window.stride, row.padding, strict=True
        )
    ]
    names = _names(row)
    if all(text == worked[0] for text in worked):
        return [" = ".join(names) + f" = {worked[0]}"]
    return [f"{name} = {text}" for name, text in zip(names, worked, strict=True)]


def _size_line(row: Row, layout: str) -> list[str]:
    return [f"activation: {dims(row.shape, layout)} = {counted(row.size, 'value')}"]


@_handles(Conv)
def _conv(layer: Conv, row: Row, layout: str) -> _Explained:
    before = row.input_shape
    kernel = per_axis(layer.kernel, before[:-1], "kernel")
    groups = group_count(layer, before[-1])
    kind = "depthwise conv" if layer.depthwise else "conv"
    heading = (
        f"{row.name}: {kind}, {row.shape[-1]} filters of "
        f"{'×'.join(map(str, kernel))}×{before[-1] // groups}"
    )
    filters = row.shape[-1]
    c_in = f"{before[-1]}" if groups == 1 else f"({before[-1]}/{groups})"
    per_filter = "·".join(map(str, kernel)) + f"·{c_in}"
    params = f"({per_filter} + 1)·{filters}" if layer.bias else f"{per_filter}·{filters}"
    n_in, n_out = size_of(before), row.size
    dense = n_in * n_out + n_out
    lines = []
    dilation = per_axis(layer.dilation, before[:-1], "dilation")
    if any(d != 1 for d in dilation):
        covered = [span(f, d) for f, d in zip(kernel, dilation, strict=True)]
        lines.append(
            f"dilated by {by(dilation)}, the {'×'.join(map(str, kernel))} kernel covers "
            f"d(f − 1) + 1 = {by(covered)}"
        )
    if layer.padding == "causal" and row.padding is not None:
        ((left, _),) = row.padding
        lines.append(
            f"causal: all d(f − 1) = {left:,} of the padding before, none after, so that no "
            "output sees a later input"
        )
    out = "·".join(str(n) for n in row.shape[:-1])
    # The course's "why convolutions": the same mapping done by a dense layer. That layer
    # is hypothetical, so its count past 10^18 is said, not refused (nor printed).
    need = f"would need {n_in:,}·{n_out:,} weights + {n_out:,} biases"
    if limits.past(dense):
        need += f", past 10^18 parameters ({limits.about(dense)}), against the conv layer's"
    else:
        need += f" = {dense:,} parameters, {ratio(dense, row.params)} times the conv layer's"
    return heading, [
        *lines,
        *_sizes(row),
        f"n_C = {filters}, the number of filters",
        *_size_line(row, layout),
        f"params = {params} = {row.params:,}",
        f"MACs = {out}·{filters}·({per_filter}) = {row.macs:,}",
        f"a fully connected layer from {dims(before, layout)} to {dims(row.shape, layout)} "
        f"{need} {row.params:,}",
    ]


@_handles(ConvTranspose)
def _transposed(layer: ConvTranspose, row: Row, layout: str) -> _Explained:
    before = row.input_shape
    sizes = before[:-1]
    kernel = per_axis(layer.kernel, sizes, "kernel")
    stride = per_axis(layer.stride, sizes, "stride")
    dilation = per_axis(layer.dilation, sizes, "dilation")
    extra = per_axis(layer.output_padding, sizes, "output_padding")
    # 'same' is Keras's n·s for a transposed conv: no padding to write out.
    sides = None if layer.padding == "same" else resolve_sides(layer.padding, sizes, kernel, stride)
    lines = []
    for axis, name in enumerate(_names(row)):
        n, f, s, d = sizes[axis], kernel[axis], stride[axis], dilation[axis]
        if sides is None:
            lines.append(f"{name} = {n:,}·{s:,} = {row.shape[axis]:,} ('same', Keras's rule)")
            continue
        first, second = sides[axis]
        pad = f"2·{first:,}" if first == second else f"({first:,} + {second:,})"
        lines.append(
            f"{name} = {s:,}·({n:,} − 1) − {pad} + {d:,}·({f:,} − 1) + "
            f"{extra[axis]:,} + 1 = {row.shape[axis]:,}"
        )
    c_in = before[-1]
    groups = group_count(layer, c_in)
    per_filter = "·".join(map(str, kernel)) + f"·{c_in}"
    out = f"{layer.filters}" if groups == 1 else f"({layer.filters}/{groups})"
    params = f"{per_filter}·{out}" + (f" + {layer.filters}" if layer.bias else "")
    inputs = "·".join(map(str, sizes))
    return f"{row.name}: transposed conv, {layer.filters} filters", [
        *lines,
        *_size_line(row, layout),
        f"params = {params} = {row.params:,}",
        f"MACs = {inputs}·{per_filter}·{out} = {row.macs:,}",
    ]


@_handles(BatchNorm)
def _batchnorm(layer: BatchNorm, row: Row, layout: str) -> _Explained:
    channels = row.input_shape[-1]
    params = (
        f"params = 2·{channels} = {row.params:,}, a scale and a shift per channel"
        if layer.affine
        else "params = 0: with affine=false it learns no scale and no shift"
    )
    return f"{row.name}: batch normalisation of {counted(channels, 'channel')}", [
        params,
        f"non-trainable = 2·{channels} = {row.buffers:,}, a running mean and variance",
        "no MACs: at inference it folds into the layer before it",
    ]


@_handles(Dropout)
def _dropout(layer: Dropout, row: Row, layout: str) -> _Explained:
    return f"{row.name}: dropout", [
        "zeroes a random share of the values while training; shape unchanged"
    ]


@_handles(GlobalAvgPool)
def _global_pool(layer: GlobalAvgPool, row: Row, layout: str) -> _Explained:
    before = row.input_shape
    return f"{row.name}: global average pooling", [
        f"the mean of each channel's {'×'.join(map(str, before[:-1]))} values: "
        f"{dims(before, layout)} → {dims(row.shape, layout)}; no parameters"
    ]


@_handles(AdaptiveAvgPool)
def _adaptive_pool(layer: AdaptiveAvgPool, row: Row, layout: str) -> _Explained:
    axes = zip(_names(row), row.input_shape[:-1], row.shape[:-1], strict=True)
    spans = [
        (name, f"window i spans ⌊i·{n}/{out}⌋ to ⌈(i + 1)·{n}/{out}⌉") for name, n, out in axes
    ]
    if all(text == spans[0][1] for _, text in spans):  # 2-D: rows, as the course's images
        lines = [f"{spans[0][1]} {'rows' if len(spans) == 2 else 'positions on each axis'}"]
    else:
        lines = [f"{name}: {text}" for name, text in spans]
    return f"{row.name}: adaptive average pooling to {by(layer.output)}", [
        *lines[:-1],
        lines[-1] + ", PyTorch's rule",
        *_size_line(row, layout),
        "no parameters",
    ]


@_handles(ZeroPad)
def _zeropad(layer: ZeroPad, row: Row, layout: str) -> _Explained:
    assert row.padding is not None
    lines = [
        f"{name} = {n} + {first} + {second} = {out}"
        for name, n, (first, second), out in zip(
            _names(row), row.input_shape[:-1], row.padding, row.shape[:-1], strict=True
        )
    ]
    return f"{row.name}: zero padding", [*lines, "no parameters"]


@_handles(Pool)
def _pool(layer: Pool, row: Row, layout: str) -> _Explained:
    mode = "max" if layer.mode == "max" else "average"
    kernel = per_axis(layer.kernel, row.input_shape[:-1], "kernel")
    windows = (
        f"windows of {kernel[0]}" if len(kernel) == 1 else f"{'×'.join(map(str, kernel))} windows"
    )
    return f"{row.name}: {mode} pooling, {windows}", [
        *_sizes(row, layer.ceil),
        f"n_C = {row.input_shape[-1]}, unchanged",
        *_size_line(row, layout),
        "no parameters: pooling computes a fixed function",
    ]


@_handles(Softmax)
def _softmax(layer: Softmax, row: Row, layout: str) -> _Explained:
    if layer.units:
        heading = f"{row.name}: fully connected to {counted(row.shape[0], 'unit')}, then softmax"
        return heading, _fully_connected(row, layout)
    values = counted(size_of(row.input_shape), "value")
    return f"{row.name}: softmax", [f"e^x / Σ e^x over {values}; no parameters"]


def _fully_connected(row: Row, layout: str) -> list[str]:
    before = row.input_shape
    n_in, units = size_of(before), row.shape[0]
    lines = []
    if len(before) > 1:
        lines.append(f"input: {dims(before, layout)} = {counted(n_in, 'value')}, flattened")
    params = f"({n_in:,} + 1)·{units:,}" if row.biases else f"{n_in:,}·{units:,}"
    lines.append(f"params = {params} = {row.params:,}")
    lines.append(f"MACs = {n_in:,}·{units:,} = {row.macs:,}")
    return lines


@_handles(Flatten)
def _flatten(layer: Flatten, row: Row, layout: str) -> _Explained:
    before = row.input_shape
    return f"{row.name}: the volume as one vector", [
        f"{dims(before, layout)} = {counted(size_of(before), 'value')} in a row",
        "no parameters",
    ]


@_handles(Activation)
def _activation(layer: Activation, row: Row, layout: str) -> _Explained:
    function = layer.function
    return f"{row.name}: element-wise {function}", [
        f"{_FUNCTIONS.get(function, function)} on each of {counted(row.size, 'value')}; "
        "shape unchanged; no parameters"
    ]


# The blocks' handlers, and those of explain_layers and explain_joins, live in modules of
# their own, which register them with `_handles` when imported: last, once what they take
# from here is defined.
from cnncalc import explain_blocks, explain_joins, explain_layers  # noqa: E402, F401
