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
from cnncalc.summary import Row


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


class Kept(NamedTuple):
    """A tensor kept by `save: NAME`: the row whose output it is, and its state."""

    by: Row
    state: State


class Saved:
    """Tensors kept by `save: NAME`, in scopes: the spec's own, and one a use of a named
    block (what a use saves is its own; it sees what was saved outside it)."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Kept]] = [{}]

    def enter(self) -> None:
        self.scopes.append({})

    def leave(self) -> None:
        self.scopes.pop()

    def keep(self, name: str, row: Row, state: State) -> str | None:
        """Keep `state` as `name`; why not, when this scope has saved that name already."""
        scope = self.scopes[-1]
        if name in scope:
            return (
                f"{name!r} is saved twice: by {scope[name].by.name} and by {row.name}; give "
                "each saved tensor a name of its own"
            )
        scope[name] = Kept(row, state._replace(shape=row.shape))
        return None

    def find(self, name: str) -> Kept | str:
        """The tensor saved as `name`, or why there is none."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        known = sorted({key for scope in self.scopes for key in scope})
        listed = f"the names saved so far are {', '.join(known)}" if known else "none is saved yet"
        return (
            f"no tensor named {name!r} is saved before this layer ({listed}); save one with "
            f"save: {name} on an earlier layer or block"
        )
