"""What a layer's PyTorch code is made of: the modules it registers and the steps of
`forward` that are no module, and what a layer's emitter may ask of the writer.

Shared by the emitters (`pytorch_windows`, `pytorch_layers`) and the writer
(`pytorch`), so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from cnncalc.export.rows import Item
from cnncalc.export.source import Call, Expr, Seq
from cnncalc.geometry import Sides
from cnncalc.shapes import Shape


class Mod(NamedTuple):
    """A module the layer registers, applied to what the steps before it gave."""

    call: Call  # how it is built: nn.Conv2d(3, 64, kernel_size=7)
    suffix: str = ""  # '' for the row's own module; '_pad' or '_crop' for a helper of it
    why: tuple[str, ...] = ()  # comment lines above it in __init__


class Fn(NamedTuple):
    """A step of forward that is no module: its expression, given its input's variable."""

    make: Callable[[str], Expr]
    keeps_shape: bool = False  # the row's shape is its input's (a softmax after a Linear)
    why: tuple[str, ...] = ()  # comment lines above it in forward


Step = Mod | Fn


class Context(Protocol):
    """What an emitter may ask of the writer."""

    def saved(self, name: str) -> tuple[str, Shape]:
        """The variable holding the tensor saved as `name`, and its shape."""
        ...

    def helper(self, name: str) -> None:
        """Use a helper class defined in the exported module (ChannelLayerNorm…)."""
        ...

    def functional(self) -> None:
        """Use torch.nn.functional, imported as F."""
        ...

    def flattens(self) -> None:
        """A volume is flattened (its values' order is PyTorch's (C, H, W), not Keras's)."""
        ...


Emitter = Callable[[Item, Context], list[Step]]


def torch_order(shape: Shape) -> Shape:
    """A shape channels first, as PyTorch holds it without the batch: (C, H, W)."""
    return shape if len(shape) < 2 else (shape[-1], *shape[:-1])


def ranked(name: str, rank: int) -> str:
    """nn.Conv2d for a 2-D input; nn.BatchNorm1d for a vector (rank 0) or a signal."""
    return f"nn.{name}{max(rank, 1)}d"


def rank(item: Item) -> int:
    return len(item.row.input_shape) - 1


def pad_arg(sides: Sides, sign: int = 1) -> str:
    """Sides as nn.ZeroPad2d takes them: the last axis first, (left, right, top, bottom);
    one number when every side is alike. `sign` -1 crops."""
    values = [sign * n for before, after in reversed(sides) for n in (before, after)]
    if len(set(values)) == 1:
        return str(values[0])
    return "(" + ", ".join(str(n) for n in values) + ")"


def sliced(var: str, sides: Sides, sizes: Sequence[int]) -> str:
    """`var` with `sides` cut off each spatial axis of `sizes`: x[:, :, 1:29, 1:29]."""
    cuts = [f"{before}:{n - after}" for (before, after), n in zip(sides, sizes, strict=True)]
    return f"{var}[:, :, {', '.join(cuts)}]"


def call(func: str, *args: Expr) -> Call:
    return Call(func, tuple(args))


def numbers_tuple(values: Sequence[int]) -> Seq:
    return Seq(tuple(str(n) for n in values), "()")
