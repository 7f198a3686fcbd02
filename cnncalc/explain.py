"""How each number of the table came about, in the course's notation.

For every layer: the output size worked out per axis, the parameters and MACs
with the numbers substituted, and for a conv layer the course's "why
convolutions" comparison with the fully connected layer that would map the
same input volume to the same output volume. Pure text building; `render`
lays the sections out as plain text or Markdown.
"""

from __future__ import annotations

from typing import NamedTuple

from cnncalc.engine import Row, Summary
from cnncalc.geometry import formula
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
    Shape,
    Softmax,
    Upsample,
    ZeroPad,
    by,
    group_count,
    in_layout,
    size_of,
)
from cnncalc.spec import Concat, Residual

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
}


class Section(NamedTuple):
    """One layer's explanation: a heading and the lines of its arithmetic."""

    heading: str
    lines: tuple[str, ...]
    depth: int = 1  # inside how many blocks, for indenting


def dims(shape: Shape, layout: str = "hwc") -> str:
    """32×32×3, as the course writes a volume."""
    return "×".join(str(n) for n in in_layout(shape, layout))


def count(number: int, noun: str) -> str:
    """1 unit, 120 units; 6,272 values."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def ratio(big: int, small: int) -> str:
    """big/small rounded to a whole number, in integers: 31,700."""
    return f"{(2 * big + small) // (2 * small):,}"


def explain(summary: Summary, layout: str = "hwc") -> list[Section]:
    """The input's section, then one section per layer."""
    size = summary.input_size
    sections = [
        Section("Input", (f"{dims(summary.input_shape, layout)} = {count(size, 'value')}",))
    ]
    for row in summary.flat():
        section = _block(row, layout) if row.children else _layer(row, row.input_shape, layout)
        branch = f"{row.branch}: " if row.branch else ""
        sections.append(Section(branch + section.heading, section.lines, row.depth))
    total = (
        f"{summary.params:,} parameters ({summary.weights:,} weights + {summary.biases:,} "
        f"biases) and {summary.macs:,} MACs in all"
    )
    sections.append(Section("Total", (total,)))
    return sections


def _layer(row: Row, before: Shape, layout: str) -> Section:
    layer = row.layer
    lines: list[str]
    if isinstance(layer, Conv):
        lines = _conv(row, before, layout)
        per_filter = before[-1] // group_count(layer, before[-1])
        kind = "depthwise conv" if layer.depthwise else "conv"
        heading = (
            f"{row.name}: {kind}, {row.shape[-1]} filters of "
            f"{layer.kernel[0]}×{layer.kernel[1]}×{per_filter}"
        )
    elif isinstance(layer, ConvTranspose):
        heading = f"{row.name}: transposed conv, {layer.filters} filters"
        lines = _transposed(row, layer, before, layout)
    elif isinstance(layer, BatchNorm):
        channels = before[-1]
        heading = f"{row.name}: batch normalisation of {count(channels, 'channel')}"
        lines = [
            f"params = 2·{channels} = {row.params:,}, a scale and a shift per channel",
            f"non-trainable = 2·{channels} = {row.buffers:,}, a running mean and variance",
            "no MACs: at inference it folds into the layer before it",
        ]
    elif isinstance(layer, Dropout):
        heading = f"{row.name}: dropout"
        lines = ["zeroes a random share of the values while training; shape unchanged"]
    elif isinstance(layer, GlobalAvgPool):
        heading = f"{row.name}: global average pooling"
        lines = [
            f"the mean of each channel's {before[0]}×{before[1]} values: "
            f"{dims(before, layout)} → {dims(row.shape, layout)}; no parameters"
        ]
    elif isinstance(layer, AdaptiveAvgPool):
        heading = f"{row.name}: adaptive average pooling to {by(layer.output)}"
        lines = [
            f"window i spans ⌊i·{before[0]}/{row.shape[0]}⌋ to ⌈(i + 1)·{before[0]}/"
            f"{row.shape[0]}⌉ rows, PyTorch's rule",
            *_size_line(row, layout),
            "no parameters",
        ]
    elif isinstance(layer, ZeroPad):
        top, bottom, left, right = layer.padding
        heading = f"{row.name}: zero padding"
        lines = [
            f"n_H = {before[0]} + {top} + {bottom} = {row.shape[0]}",
            f"n_W = {before[1]} + {left} + {right} = {row.shape[1]}",
            "no parameters",
        ]
    elif isinstance(layer, Upsample):
        heading = f"{row.name}: nearest-neighbour upsampling"
        lines = [
            f"n_H = {before[0]}·{layer.factor[0]} = {row.shape[0]}",
            f"n_W = {before[1]}·{layer.factor[1]} = {row.shape[1]}",
            "no parameters",
        ]
    elif isinstance(layer, Pool):
        mode = "max" if layer.mode == "max" else "average"
        heading = f"{row.name}: {mode} pooling, {layer.kernel[0]}×{layer.kernel[1]} windows"
        lines = [*_sizes(row, before), f"n_C = {before[-1]}, unchanged", *_size_line(row, layout)]
        lines.append("no parameters: pooling computes a fixed function")
    elif isinstance(layer, Dense) or (isinstance(layer, Softmax) and layer.units):
        units = row.shape[0]
        heading = (
            f"{row.name}: fully connected, {count(units, 'unit')}"
            if isinstance(layer, Dense)
            else f"{row.name}: fully connected to {count(units, 'unit')}, then softmax"
        )
        lines = _dense(row, before, layout)
    elif isinstance(layer, Flatten):
        heading = f"{row.name}: the volume as one vector"
        lines = [f"{dims(before, layout)} = {count(size_of(before), 'value')} in a row"]
        lines.append("no parameters")
    elif isinstance(layer, Softmax):
        heading = f"{row.name}: softmax"
        lines = [f"e^x / Σ e^x over {count(size_of(before), 'value')}; no parameters"]
    else:
        function = layer.function if isinstance(layer, Activation) else layer.kind
        heading = f"{row.name}: element-wise {function}"
        lines = [
            f"{_FUNCTIONS.get(function, function)} on each of {count(row.size, 'value')}; "
            "shape unchanged; no parameters"
        ]
    lines += [f"note: {note}" for note in row.notes]
    return Section(heading, tuple(lines))


def _block(row: Row, layout: str) -> Section:
    """A block's section: what it does with its layers; their own sections follow."""
    block = row.layer
    layers = count(len(row.children), "layer")
    totals = f"params = {row.params:,} in its {layers}"
    if row.buffers:
        totals += f", and {row.buffers:,} non-trainable"
    if isinstance(block, Residual):
        main = [child for child in row.children if child.branch != "shortcut"]
        shortcut = [child for child in row.children if child.branch == "shortcut"]
        added = (
            f"the shortcut's output {dims(shortcut[-1].shape, layout)}"
            if shortcut
            else f"the block's input {dims(row.input_shape, layout)}"
        )
        lines = [f"the layers' output {dims(main[-1].shape, layout)} + {added}"]
        return Section(f"{row.name}: residual block", (*lines, totals))
    if isinstance(block, Concat):
        branches = [
            [child for child in row.children if child.branch == f"branch {number}"]
            for number in range(1, len(block.branches) + 1)
        ]
        channels = " + ".join(str(branch[-1].shape[-1]) for branch in branches)
        lines = [f"joins {len(branches)} branches along the channels: {channels} = "
                 f"{row.shape[-1]}, giving {dims(row.shape, layout)}"]  # fmt: skip
        return Section(f"{row.name}: concatenation", (*lines, totals))
    label = block.notation()
    heading = f"{row.name}: {label}" if label else row.name
    return Section(heading, (f"{layers} in a row, giving {dims(row.shape, layout)}", totals))


def _sizes(row: Row, before: Shape) -> list[str]:
    """n_H and n_W worked out, on one line when both axes are alike."""
    assert row.window is not None and row.padding is not None
    top, bottom, left, right = row.padding
    kernel, stride = row.window.kernel, row.window.stride
    ceil = isinstance(row.layer, Pool) and row.layer.ceil
    height = formula(before[0], kernel[0], stride[0], top, bottom, ceil)
    width = formula(before[1], kernel[1], stride[1], left, right, ceil)
    if height == width:
        return [f"n_H = n_W = {height}"]
    return [f"n_H = {height}", f"n_W = {width}"]


def _size_line(row: Row, layout: str) -> list[str]:
    return [f"activation: {dims(row.shape, layout)} = {count(row.size, 'value')}"]


def _conv(row: Row, before: Shape, layout: str) -> list[str]:
    layer = row.layer
    assert isinstance(layer, Conv)
    f_h, f_w = layer.kernel
    groups = group_count(layer, before[-1])
    filters = row.shape[-1]
    c_in = f"{before[-1]}" if groups == 1 else f"({before[-1]}/{groups})"
    per_filter = f"{f_h}·{f_w}·{c_in}"
    params = f"({per_filter} + 1)·{filters}" if layer.bias else f"{per_filter}·{filters}"
    out_h, out_w, _ = row.shape
    n_in, n_out = size_of(before), row.size
    dense = n_in * n_out + n_out
    lines = []
    if layer.dilation != (1, 1):
        d = layer.dilation
        covered = (d[0] * (f_h - 1) + 1, d[1] * (f_w - 1) + 1)
        lines.append(
            f"dilated by {by(d)}, the {f_h}×{f_w} kernel covers d(f − 1) + 1 = {by(covered)}"
        )
    return [
        *lines,
        *_sizes(row, before),
        f"n_C = {filters}, the number of filters",
        *_size_line(row, layout),
        f"params = {params} = {row.params:,}",
        f"MACs = {out_h}·{out_w}·{filters}·({per_filter}) = {row.macs:,}",
        # The course's "why convolutions": the same mapping done by a dense layer.
        f"a fully connected layer from {dims(before, layout)} to {dims(row.shape, layout)} "
        f"would need {n_in:,}·{n_out:,} weights + {n_out:,} biases = {dense:,} parameters, "
        f"{ratio(dense, row.params)} times the conv layer's {row.params:,}",
    ]


def _transposed(row: Row, layer: ConvTranspose, before: Shape, layout: str) -> list[str]:
    lines = []
    for axis, name in enumerate(("n_H", "n_W")):
        n, f, s, d = before[axis], layer.kernel[axis], layer.stride[axis], layer.dilation[axis]
        if layer.padding == "same":
            lines.append(f"{name} = {n}·{s} = {row.shape[axis]} ('same', Keras's rule)")
            continue
        padding = (0, 0, 0, 0) if layer.padding == "valid" else layer.padding
        pair = padding[0:2] if axis == 0 else padding[2:4]
        pad = f"2·{pair[0]}" if pair[0] == pair[1] else f"({pair[0]} + {pair[1]})"
        lines.append(
            f"{name} = {s}·({n} − 1) − {pad} + {d}·({f} − 1) + "
            f"{layer.output_padding[axis]} + 1 = {row.shape[axis]}"
        )
    c_in = before[-1]
    groups = group_count(layer, c_in)
    per_filter = f"{layer.kernel[0]}·{layer.kernel[1]}·{c_in}"
    out = f"{layer.filters}" if groups == 1 else f"({layer.filters}/{groups})"
    params = f"{per_filter}·{out}" + (f" + {layer.filters}" if layer.bias else "")
    return [
        *lines,
        *_size_line(row, layout),
        f"params = {params} = {row.params:,}",
        f"MACs = {before[0]}·{before[1]}·{per_filter}·{out} = {row.macs:,}",
    ]


def _dense(row: Row, before: Shape, layout: str) -> list[str]:
    n_in, units = size_of(before), row.shape[0]
    lines = []
    if len(before) > 1:
        lines.append(f"input: {dims(before, layout)} = {count(n_in, 'value')}, flattened")
    params = f"({n_in:,} + 1)·{units:,}" if row.biases else f"{n_in:,}·{units:,}"
    lines.append(f"params = {params} = {row.params:,}")
    lines.append(f"MACs = {n_in:,}·{units:,} = {row.macs:,}")
    return lines
