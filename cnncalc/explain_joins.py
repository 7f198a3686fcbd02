"""How `cnncalc explain` explains the layers that resize or join: upsampling, crops, and
joins with saved tensors (U-Net's skips).

Registered with `cnncalc.explain`'s handlers when that module imports this one.
"""

from __future__ import annotations

from cnncalc.explain import _Explained, _handles, _names, dims
from cnncalc.layers.base import per_axis
from cnncalc.layers.join import Crop, Join
from cnncalc.layers.pool import Upsample
from cnncalc.summary import Row

__all__: list[str] = []


@_handles(Upsample)
def _upsample(layer: Upsample, row: Row, layout: str) -> _Explained:
    mode = "nearest-neighbour" if layer.mode == "nearest" else layer.mode
    heading = f"{row.name}: {mode} upsampling"
    sizes = row.input_shape[:-1]
    if layer.factor is None:
        target = f"{layer.like}'s size" if layer.like else "the size given"
        return heading, [
            f"to {target}: {dims(row.input_shape, layout)} → {dims(row.shape, layout)}",
            "no parameters",
        ]
    factor = per_axis(layer.factor, sizes, "factor")
    lines = [
        f"{name} = {n}·{f} = {out}"
        for name, n, f, out in zip(_names(row), sizes, factor, row.shape[:-1], strict=True)
    ]
    return heading, [*lines, "no parameters"]


@_handles(Crop)
def _crop(layer: Crop, row: Row, layout: str) -> _Explained:
    assert row.padding is not None
    lines = [
        f"{name} = {n} − {before} − {after} = {out}"
        for name, n, (before, after), out in zip(
            _names(row), row.input_shape[:-1], row.padding, row.shape[:-1], strict=True
        )
    ]
    centred = [f"centred on {layer.like}'s size"] if layer.like else []
    return f"{row.name}: crop", [*centred, *lines, "no parameters"]


@_handles(Join)
def _join(layer: Join, row: Row, layout: str) -> _Explained:
    saved = ", ".join(layer.names)
    if layer.op == "concat":
        channels = row.shape[-1] - row.input_shape[-1]
        how = (
            f"{saved} ({channels} channels{', centre-cropped' if layer.crop else ''}) then the "
            f"input ({row.input_shape[-1]}), joined along the channels: {dims(row.shape, layout)}"
        )
    elif layer.op == "add":
        how = f"{saved} + the input, element by element: {dims(row.shape, layout)}"
    else:
        how = f"{saved} × the input, element by element, broadcast: {dims(row.shape, layout)}"
    return f"{row.name}: {layer.op} with saved tensors", [
        how,
        "no parameters and no MACs, as a residual's sum",
    ]
