"""The model types: a `Spec` of `LayerSpec`s, their `Expectation`s, and the blocks.

What the spec reader builds and the engine walks, importable without PyYAML:
a Python user can build a `Spec` by hand, and `cnncalc.engine` needs nothing
else. A block is a `Layer` made of layers; the engine walks its children
instead of calling `apply`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from cnncalc.errors import Where
from cnncalc.layers import Layer
from cnncalc.naming import Default
from cnncalc.records import Record
from cnncalc.shapes import Shape

LAYOUTS = ("hwc", "chw")


class Expectation(NamedTuple):
    """What the author expects a layer (or the whole network) to give.

    `cnncalc check` fails a spec whose expectations do not hold; each figure
    keeps the place it was written, so the failure points at it.
    """

    shape: Shape | None = None
    params: int | None = None
    shape_where: Where | None = None
    params_where: Where | None = None


class Requires(NamedTuple):
    """A type name that also demands a rank of its input: conv3d a 3-D one."""

    alias: str  # as the spec spells it: Conv3D
    kind: str  # the type without a rank: conv
    ranks: tuple[int, ...]  # spatial axes; 0 is a vector (BatchNorm1d takes one)
    where: Where | None = None


@dataclass(repr=False, eq=False, kw_only=True)
class LayerSpec(Record):
    """One checked layer, its name, and where each of its fields was written."""

    layer: Layer
    name: str
    where: Where | None = None
    field_where: Mapping[str, Where] = field(default_factory=dict)
    expect: Expectation | None = None
    context: str = ""  # ", in block 'x' used at f.yaml:40:5" for layers inside a named block
    requires: Requires | None = None  # the rank its type name demands, if it demands one
    save: str | None = None  # `save: NAME`: its output is kept for a later join
    default: Default | None = None  # how it is named when the spec names it not

    def where_of(self, field_name: str | None) -> Where | None:
        """Where a field was written, or the layer itself if it was not."""
        if field_name is not None and field_name in self.field_where:
            return self.field_where[field_name]
        return self.where


class Block(Layer):
    """A layer made of layers: the engine walks its children instead of calling apply."""

    # Whether the network goes on from the block's output; a side head's does not: the
    # layers after it take the block's input.
    continues = True

    @property
    def scope(self) -> bool:
        """Whether the names its layers save are its own (a use of a named block's are)."""
        return False


@dataclass(repr=False, eq=False)
class Sequential(Block):
    """Layers one after another: a `repeat`, or a use of a named block."""

    layers: tuple[LayerSpec, ...]
    label: str  # the parameters a named block was used with: "width=64, stride=2"
    what: str = "block"  # "repeat" or "block"

    @property
    def kind(self) -> str:
        return self.what

    @property
    def scope(self) -> bool:
        return self.what == "block"

    def notation(self) -> str:
        return self.label


@dataclass(repr=False, eq=False)
class Deferred(Sequential):
    """A use of a named block that reads the size of its input (`in.c`): its layers are
    read when the walk reaches it and that size is known, by `read`, once for each size."""

    read: Callable[[Shape], tuple[LayerSpec, ...]] | None = None
    _read: dict[Shape, tuple[LayerSpec, ...]] = field(default_factory=dict)

    def layers_for(self, shape: Shape) -> tuple[LayerSpec, ...]:
        if shape not in self._read:
            assert self.read is not None
            self._read[shape] = self.read(shape)
        return self._read[shape]


@dataclass(repr=False, eq=False)
class Residual(Block):
    """The layers' output added to the block's input, or to the shortcut's output."""

    layers: tuple[LayerSpec, ...]
    shortcut: tuple[LayerSpec, ...] = ()
    add: bool = True  # false: the layers alone, no sum (torchvision's use_res_connect)

    @property
    def kind(self) -> str:
        return "residual"


@dataclass(repr=False, eq=False)
class Concat(Block):
    """Branches applied to the same input, joined along the channels; an empty branch is
    the input itself (DenseNet's layer)."""

    branches: tuple[tuple[LayerSpec, ...], ...]

    @property
    def kind(self) -> str:
        return "concat"


@dataclass(repr=False, eq=False)
class Multiply(Block):
    """The layers' output, a gate, multiplied element-wise into the block's input; its axes
    of size 1 are broadcast: squeeze-and-excitation's 1×1×C gate, an H×W×1 attention map."""

    layers: tuple[LayerSpec, ...]

    @property
    def kind(self) -> str:
        return "multiply"


@dataclass(repr=False, eq=False)
class Split(Block):
    """The input's channels divided among branches, evenly or by `sizes`; each branch is
    applied to its slice (an empty one passes it on) and the results are joined along the
    channels (ShuffleNetV2's unit)."""

    branches: tuple[tuple[LayerSpec, ...], ...]
    sizes: tuple[int, ...] | None = None

    @property
    def kind(self) -> str:
        return "split"


@dataclass(repr=False, eq=False)
class Side(Block):
    """Layers on the current tensor whose output is not the network's way on: an auxiliary
    head (Inception's, FCN's). Counted in the totals; the next layer takes its input."""

    layers: tuple[LayerSpec, ...]
    continues = False

    @property
    def kind(self) -> str:
        return "side"


BLOCK_TYPES: tuple[type[Block], ...] = (
    Sequential, Deferred, Residual, Concat, Multiply, Split, Side,
)  # fmt: skip


@dataclass(repr=False, eq=False, kw_only=True)
class Spec(Record):
    """A network to analyse: the input shape ((L, C), (H, W, C) or (D, H, W, C), or (n,))
    and the layers in order."""

    input: Shape
    layers: tuple[LayerSpec, ...]
    name: str | None = None
    input_where: Where | None = None  # where the input shape was written
    description: str | None = None
    source: str | None = None
    expect: Expectation | None = None  # of the output shape and the total parameters
    layout: str = "hwc"  # how the spec writes its shapes; they are held channels last
