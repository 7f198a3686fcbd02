"""How `cnncalc explain` explains a block: a residual sum, a concatenation, a run of layers.

Registered with `cnncalc.explain`'s handlers when that module imports this one.
"""

from __future__ import annotations

from cnncalc.errors import counted
from cnncalc.explain import _Explained, _handles, dims
from cnncalc.model import Concat, Residual, Sequential
from cnncalc.summary import Row

__all__: list[str] = []


def _totals(row: Row) -> str:
    totals = f"params = {row.params:,} in its {counted(len(row.children), 'layer')}"
    if row.buffers:
        totals += f", and {row.buffers:,} non-trainable"
    return totals


@_handles(Residual)
def _residual(block: Residual, row: Row, layout: str) -> _Explained:
    (main,) = row.part("layers")
    shortcut = row.part("shortcut")
    added = (
        f"the shortcut's output {dims(shortcut[0].rows[-1].shape, layout)}"
        if shortcut
        else f"the block's input {dims(row.input_shape, layout)}"
    )
    return f"{row.name}: residual block", [
        f"the layers' output {dims(main.rows[-1].shape, layout)} + {added}",
        _totals(row),
    ]


@_handles(Concat)
def _concat(block: Concat, row: Row, layout: str) -> _Explained:
    branches = row.part("branch")
    channels = " + ".join(str(branch.rows[-1].shape[-1]) for branch in branches)
    return f"{row.name}: concatenation", [
        f"joins {len(branches)} branches along the channels: {channels} = "
        f"{row.shape[-1]}, giving {dims(row.shape, layout)}",
        _totals(row),
    ]


@_handles(Sequential)
def _sequential(block: Sequential, row: Row, layout: str) -> _Explained:
    label = block.notation()
    heading = f"{row.name}: {label}" if label else row.name
    layers = counted(len(row.children), "layer")
    return heading, [f"{layers} in a row, giving {dims(row.shape, layout)}", _totals(row)]
