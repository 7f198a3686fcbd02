"""How `cnncalc explain` explains a block: a residual sum, a concatenation, a run of layers.

Registered with `cnncalc.explain`'s handlers when that module imports this one.
"""

from __future__ import annotations

from cnncalc.errors import counted
from cnncalc.explain import _Explained, _handles, dims
from cnncalc.model import Concat, Multiply, Residual, Sequential, Side, Split
from cnncalc.shapes import axis_names
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
    if not block.add:
        return f"{row.name}: residual block without its sum (add: false)", [
            f"the layers alone, giving {dims(main.shape, layout)}",
            _totals(row),
        ]
    shortcut = row.part("shortcut")
    added = (
        f"the shortcut's output {dims(shortcut[0].shape, layout)}"
        if shortcut
        else f"the block's input {dims(row.input_shape, layout)}"
    )
    return f"{row.name}: residual block", [
        f"the layers' output {dims(main.shape, layout)} + {added}",
        _totals(row),
    ]


@_handles(Concat)
def _concat(block: Concat, row: Row, layout: str) -> _Explained:
    return f"{row.name}: concatenation", [*_joined(row, layout), _totals(row)]


def _joined(row: Row, layout: str) -> list[str]:
    """What the branches give, each, and joined along the channels."""
    branches = row.part("branch")
    channels = " + ".join(str(branch.shape[-1]) for branch in branches)
    lines = [
        f"joins {len(branches)} branches along the channels: {channels} = "
        f"{row.shape[-1]}, giving {dims(row.shape, layout)}"
    ]
    passed = [f"{branch.number}" for branch in branches if not branch.rows]
    if len(passed) == 1:
        lines.append(f"branch {passed[0]} ([]) passes its input on unchanged")
    elif passed:
        lines.append(f"branches {' and '.join(passed)} ([]) pass their input on unchanged")
    return lines


@_handles(Split)
def _split(block: Split, row: Row, layout: str) -> _Explained:
    channels = row.input_shape[-1]
    given = [branch.rows[0].input_shape[-1] if branch.rows else branch.shape[-1]
             for branch in row.part("branch")]  # fmt: skip
    how = "by sizes" if block.sizes else "evenly"
    return f"{row.name}: channel split", [
        f"divides the input's {channels} channels {how}: {' + '.join(map(str, given))}",
        *_joined(row, layout),
        _totals(row),
    ]


@_handles(Side)
def _side(block: Side, row: Row, layout: str) -> _Explained:
    return f"{row.name}: side head", [
        f"from {dims(row.input_shape, layout)} to {dims(row.shape, layout)}, an output of its "
        "own; the next layer takes the block's input",
        _totals(row),
    ]


@_handles(Multiply)
def _multiply(block: Multiply, row: Row, layout: str) -> _Explained:
    (gate,) = row.part("layers")
    # NumPy's rule: aligned from the last axis; an axis the gate lacks or has as 1 is spread.
    padded = (1,) * (len(row.shape) - len(gate.shape)) + gate.shape
    axes = zip(_axes(len(row.shape)), padded, row.shape, strict=True)
    spread = [name for name, g, n in axes if g == 1 and n != 1]
    broadcast = f", broadcast over its {' and '.join(spread)}" if spread else ""
    return f"{row.name}: multiply", [
        f"the layers' output {dims(gate.shape, layout)} times the block's input "
        f"{dims(row.input_shape, layout)}, element by element{broadcast}, giving "
        f"{dims(row.shape, layout)}",
        "the product itself has no parameters and no MACs, as a residual's sum",
        _totals(row),
    ]


def _axes(count: int) -> list[str]:
    """The names of a shape's axes, channels last: height, width, channels."""
    return [*axis_names(count - 1), "channels"] if count > 1 else ["values"]


@_handles(Sequential)
def _sequential(block: Sequential, row: Row, layout: str) -> _Explained:
    label = block.notation()
    heading = f"{row.name}: {label}" if label else row.name
    layers = counted(len(row.children), "layer")
    return heading, [f"{layers} in a row, giving {dims(row.shape, layout)}", _totals(row)]
