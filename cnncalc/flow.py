"""What flows through the dimension engine's walk: the tensor's `State`, where a block is
(`At`), and the receptive field of tensors joined (`union`).

Shared by the engine's walk of layers (`cnncalc.engine`) and of blocks
(`cnncalc.blockwalks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from cnncalc import geometry
from cnncalc.errors import LayerRef, SpecError, Where
from cnncalc.geometry import Field, Sizes
from cnncalc.model import LayerSpec
from cnncalc.shapes import Shape


class State(NamedTuple):
    """What flows from one layer to the next."""

    shape: Shape
    field: Field | None
    lost: str = "all"
    padded: Sizes | None = None  # trailing positions a zeropad added, per axis


class At(NamedTuple):
    """Where a block is: its spec, its place in the tree, and how messages name it."""

    layer_spec: LayerSpec
    place: tuple[int, ...]
    ref: LayerRef

    def error(self, message: str) -> SpecError:
        return located(message, self.layer_spec, self.layer_spec.where, self.ref)


def union(outs: Sequence[State]) -> tuple[Field | None, str]:
    """The receptive field of a sum or a concatenation, and why there is none."""
    fields = [out.field for out in outs]
    if any(field is None for field in fields):
        lost = "n/a" if any(out.lost == "n/a" for out in outs if out.field is None) else "all"
        return None, lost
    field = geometry.union([field for field in fields if field is not None])
    return (field, "all") if field is not None else (None, "n/a")


def located(message: str, layer_spec: LayerSpec, where: Where | None, ref: LayerRef) -> SpecError:
    return SpecError(message + layer_spec.context, where, ref)
