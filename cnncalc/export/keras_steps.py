"""What a layer's Keras code is made of: the Keras layers it applies, each a `Use`, and
what a layer's emitter may ask of the writer.

Shared by the emitters (`keras_windows`, `keras_layers`) and the writer
(`keras_writer`), so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from cnncalc.export.rows import Item
from cnncalc.export.source import Call, Expr, Seq
from cnncalc.geometry import Sides
from cnncalc.shapes import Shape


class Use(NamedTuple):
    """A Keras layer the row applies: how it is built (the writer adds its `name=`), and
    what to. Each row has one layer of its own, named after it (`suffix` ''); a layer
    that only prepares or finishes its work (a padding, a flatten) is named after the
    row with a suffix: '_pad'."""

    call: Call  # layers.Conv2D(64, 3, padding="same")
    suffix: str = ""
    why: tuple[str, ...] = ()  # comment lines above it
    # What it is applied to, given the variable of the step before: [skip, x] for a join.
    takes: Callable[[str], Expr] | None = None
    source: str | None = None  # another variable to apply it to than the step before's
    into: str | None = None  # another variable to assign it to than the row's


class Context(Protocol):
    """What an emitter may ask of the writer."""

    def saved(self, name: str) -> tuple[str, Shape]:
        """The variable holding the tensor saved as `name`, and its shape."""
        ...

    def helper(self, name: str) -> None:
        """Use a layer class defined in the exported module (MaxPoolPadding…)."""
        ...

    def temporary(self, base: str) -> str:
        """A variable for the row's own use, given back after it."""
        ...

    def same(self) -> None:
        """A padding the spec gives as numbers is written padding="same"."""
        ...

    def needs(self, version: tuple[int, int], what: str) -> None:
        """The module uses `what`, which came in that Keras release (3, 13)."""
        ...


Emitter = Callable[[Item, Context], list[Use]]


def rank(item: Item) -> int:
    return len(item.row.input_shape) - 1


def ranked(name: str, rank: int) -> str:
    """layers.Conv2D for a 2-D input; layers.Conv1D for a signal."""
    return f"layers.{name}{rank}D"


def call(func: str, *args: Expr) -> Call:
    return Call(func, tuple(args))


def pairs(sides: Sides) -> Seq:
    """Sides as (before, after) pairs, one an axis: ((0, 1), (0, 1))."""
    return Seq(tuple(Seq((str(b), str(a)), "()") for b, a in sides), "()")


def sides_arg(sides: Sides) -> Expr:
    """Sides as Keras's ZeroPadding and Cropping layers take them: one number when every
    side is alike, one an axis when each axis is even, else (before, after) pairs (a
    signal's one pair: (1, 2))."""
    values = {n for side in sides for n in side}
    if len(values) == 1:
        return str(values.pop())
    if len(sides) == 1:
        return Seq(tuple(str(n) for n in sides[0]), "()")
    if all(before == after for before, after in sides):
        return Seq(tuple(str(before) for before, _ in sides), "()")
    return pairs(sides)


def numbers_tuple(values: Sequence[int]) -> Seq:
    return Seq(tuple(str(n) for n in values), "()")
