"""How `cnncalc explain` explains the fully connected layer, the normalisations other than
batch norm, and the layers that keep the shape with at most a value per channel (layer
scale, PReLU, identity, channel shuffle).

Registered with `cnncalc.explain`'s handlers when that module imports this one.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.errors import counted
from cnncalc.explain import _Explained, _fully_connected, _handles, _size_line, dims
from cnncalc.layers import (
    ChannelShuffle,
    Dense,
    GroupNorm,
    Identity,
    InstanceNorm,
    LayerNorm,
    LayerScale,
    PReLU,
)
from cnncalc.shapes import size_of
from cnncalc.summary import Row

__all__: list[str] = []

_NOTHING_KEPT = (
    "no running statistics: each input is normalised with its own mean and variance; no MACs"
)


def positions(sizes: Sequence[int]) -> str:
    """'7·7 = 49 positions', or '5 positions' on one axis."""
    count = counted(size_of(sizes), "position")
    return count if len(sizes) < 2 else f"{'·'.join(map(str, sizes))} = {count}"


def _scale_and_shift(row: Row, affine: bool) -> str:
    if affine:
        return f"params = 2·{row.shape[-1]} = {row.params:,}, a scale and a shift per channel"
    return "params = 0: with affine=false it learns no scale and no shift"


@_handles(Dense)
def _dense(layer: Dense, row: Row, layout: str) -> _Explained:
    if len(row.shape) == 1:
        heading = f"{row.name}: fully connected, {counted(row.shape[0], 'unit')}"
        return heading, _fully_connected(row, layout)
    # flatten=false on a volume: one fully connected layer, used at every position.
    sizes, c_in, units = row.input_shape[:-1], row.input_shape[-1], row.shape[-1]
    params = f"({c_in:,} + 1)·{units:,}" if row.biases else f"{c_in:,}·{units:,}"
    return f"{row.name}: fully connected at each position, {counted(units, 'unit')}", [
        f"the same weights at each of the {positions(sizes)}, on its {c_in:,} channels "
        "(as a 1×1 conv)",
        *_size_line(row, layout),
        f"params = {params} = {row.params:,}",
        f"MACs = {'·'.join(map(str, sizes))}·{c_in:,}·{units:,} = {row.macs:,}",
    ]


@_handles(LayerNorm)
def _layernorm(layer: LayerNorm, row: Row, layout: str) -> _Explained:
    channels, sizes = row.shape[-1], row.shape[:-1]
    over = (
        f"the {channels:,} channels at each of the {positions(sizes)}"
        if sizes
        else f"the vector's {channels:,} values"
    )
    return f"{row.name}: layer normalisation of {counted(channels, 'channel')}", [
        f"the mean and variance of {over}",
        _scale_and_shift(row, layer.affine),
        _NOTHING_KEPT,
    ]


@_handles(GroupNorm)
def _groupnorm(layer: GroupNorm, row: Row, layout: str) -> _Explained:
    channels, groups, sizes = row.shape[-1], layer.groups, row.shape[:-1]
    over = f" and its {positions(sizes)}" if sizes else ""
    return f"{row.name}: group normalisation, {counted(groups, 'group')}", [
        f"groups = {groups} of {channels}/{groups} = {counted(channels // groups, 'channel')} "
        f"each, normalised over its channels{over}",
        _scale_and_shift(row, layer.affine),
        _NOTHING_KEPT,
    ]


@_handles(InstanceNorm)
def _instancenorm(layer: InstanceNorm, row: Row, layout: str) -> _Explained:
    channels = row.shape[-1]
    learns = _scale_and_shift(row, layer.affine)
    if not layer.affine:
        learns = learns.replace("affine=false", "affine=false (PyTorch's default)")
    return f"{row.name}: instance normalisation of {counted(channels, 'channel')}", [
        f"each channel normalised over its own {positions(row.shape[:-1])}",
        learns,
        _NOTHING_KEPT,
    ]


@_handles(LayerScale)
def _layerscale(layer: LayerScale, row: Row, layout: str) -> _Explained:
    channels = row.shape[-1]
    return f"{row.name}: a learnt scale per channel", [
        f"params = {channels:,}, one γ per channel, multiplying its {channels:,} channels",
        "no MACs",
    ]


@_handles(PReLU)
def _prelu(layer: PReLU, row: Row, layout: str) -> _Explained:
    slopes = (
        "params = 1, one slope a for every channel (shared=true)"
        if layer.shared
        else f"params = {row.params:,}, a slope a per channel"
    )
    return f"{row.name}: element-wise prelu", [
        f"max(0, x) + a·min(0, x) on each of {counted(row.size, 'value')}; shape unchanged",
        slopes,
        "no MACs",
    ]


@_handles(Identity)
def _identity(layer: Identity, row: Row, layout: str) -> _Explained:
    return f"{row.name}: identity", [
        f"its input unchanged: {dims(row.shape, layout)} = {counted(row.size, 'value')}; "
        "no parameters"
    ]


@_handles(ChannelShuffle)
def _channelshuffle(layer: ChannelShuffle, row: Row, layout: str) -> _Explained:
    channels, groups = row.shape[-1], layer.groups
    each = channels // groups
    return f"{row.name}: channel shuffle, {counted(groups, 'group')}", [
        f"groups = {groups} of {channels}/{groups} = {counted(each, 'channel')} each, "
        f"interleaved: channel i of group g moves to i·{groups} + g",
        "shape unchanged; no parameters",
    ]
