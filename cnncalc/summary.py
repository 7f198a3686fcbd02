"""What the engine gives: a `Summary` of `Row`s, one per layer, with their figures.

A block's row holds its layers' rows in `branches` (its layers, its shortcut,
its branches) and sums their counts; the totals sum the top-level rows only,
so nothing is counted twice. Every count is a Python integer, and at most
10^18: the engine refuses a spec that would make one larger (`limits`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from cnncalc.errors import Diagnostic
from cnncalc.geometry import Field, Sides, Window
from cnncalc.layers import Layer
from cnncalc.naming import Default
from cnncalc.records import Record
from cnncalc.shapes import Shape, size_of


class Memory(NamedTuple):
    """Bytes of a forward pass: the input, every layer's output, and the parameters."""

    input: int
    activations: int
    params: int

    @property
    def total(self) -> int:
        return self.input + self.activations + self.params


class Branch(NamedTuple):
    """One list of rows inside a block: its layers, its shortcut, or one of its branches."""

    role: str  # "layers", "shortcut" or "branch"
    rows: tuple[Row, ...]
    number: int = 1  # of a concat's branches, from 1
    # What the list gives: its last row's shape, or, for a list with no layers (a concat's
    # `[]`), what it was given.
    shape: Shape = ()

    @property
    def label(self) -> str:
        """How the table marks the rows of this list: '', 'shortcut', 'branch 2'."""
        if self.role == "branch":
            return f"branch {self.number}"
        return "" if self.role == "layers" else self.role


@dataclass(repr=False, eq=False, kw_only=True)
class Row(Record):
    """One layer of the table: what it outputs and what it holds.

    A block's row holds its layers' rows in `branches` and sums their counts.
    """

    index: int  # 1-based position among its siblings
    name: str
    layer: Layer
    shape: Shape
    input_shape: Shape  # what the layer was given
    weights: int = 0
    biases: int = 0
    buffers: int = 0  # non-trainable values: batch norm's running mean and variance
    macs: int = 0
    padding: Sides | None = None  # as applied, for layers that pad
    window: Window | None = None  # kernel, stride and padding, for layers that slide
    field: Field | None = None  # None once the field is not one window (see `lost`)
    lost: str = "all"  # why there is no field: "all" (seen everything) or "n/a"
    notes: tuple[str, ...] = ()
    path: str = ""  # "5.2.1": the layer's place in the spec
    branch: str = ""  # the label of the block's list it is in: "shortcut", "branch 2"
    branches: tuple[Branch, ...] = ()  # a block's rows, list by list
    default: Default | None = None  # the default name's pattern, when the spec gave none
    reads: tuple[str, ...] = ()  # a join's or crop's saved tensors: the paths of their rows

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def children(self) -> tuple[Row, ...]:
        """A block's rows in table order: its layers, then its shortcut or branches."""
        return tuple(row for branch in self.branches for row in branch.rows)

    def part(self, role: str) -> tuple[Branch, ...]:
        """The lists of this block's rows that play `role`."""
        return tuple(branch for branch in self.branches if branch.role == role)

    @property
    def size(self) -> int:
        return size_of(self.shape)

    @property
    def params(self) -> int:
        """Trainable parameters: what PyTorch's `parameters()` counts."""
        return self.weights + self.biases

    @property
    def flops(self) -> int:
        """Two floating-point operations, a multiply and an add, per MAC."""
        return 2 * self.macs

    @property
    def depth(self) -> int:
        """1 for a top-level layer, 2 inside one block, and so on."""
        return self.path.count(".") + 1


@dataclass(repr=False, eq=False, kw_only=True)
class Summary(Record):
    """The whole table: input, one row per top-level layer, totals, and warnings."""

    name: str | None
    input_shape: Shape
    rows: tuple[Row, ...]
    warnings: tuple[Diagnostic, ...] = ()
    unmet: tuple[Diagnostic, ...] = ()  # the spec's `expect`s that do not hold

    @property
    def input_notes(self) -> tuple[str, ...]:
        """What the warnings say of the input itself: those of no layer."""
        return tuple(warning.message for warning in self.warnings if warning.layer is None)

    @property
    def input_size(self) -> int:
        return size_of(self.input_shape)

    @property
    def output_shape(self) -> Shape:
        return self.rows[-1].shape if self.rows else self.input_shape

    # The totals are asked for many times by a table; over 10,000 rows, once is enough.
    @cached_property
    def weights(self) -> int:
        return sum(row.weights for row in self.rows)

    @cached_property
    def biases(self) -> int:
        return sum(row.biases for row in self.rows)

    @property
    def params(self) -> int:
        """Trainable parameters."""
        return self.weights + self.biases

    @cached_property
    def buffers(self) -> int:
        """Non-trainable values (batch norm's statistics), which Keras counts as parameters."""
        return sum(row.buffers for row in self.rows)

    @cached_property
    def macs(self) -> int:
        return sum(row.macs for row in self.rows)

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def outputs(self) -> list[Row]:
        """The rows whose output leaves the network: each side head, then the last row."""
        heads = [row for row in self.flat() if not getattr(row.layer, "continues", True)]
        return [*heads, *self.rows[-1:]]

    def flat(self, depth: int | None = None) -> Iterator[Row]:
        """Every row in table order, a block before its children, to `depth` deep."""

        # A stack of iterators, not nested generators: each row passes through one frame,
        # not through one a level (blocks nest up to 50 deep).
        stack: list[Iterator[Row]] = [iter(self.rows)]
        while stack:
            row = next(stack[-1], None)
            if row is None:
                stack.pop()
                continue
            yield row
            if row.branches and (depth is None or row.depth < depth):
                stack.append(iter(row.children))

    def memory(self, per_value: int = 4, batch: int = 1) -> Memory:
        """Bytes for `batch` inputs of `per_value` bytes a value (4: float32).

        Activations are every layer's output, a block's children included but
        not the block itself (it is their sum); they scale with the batch, and
        the parameters (trainable and not) do not.
        """
        leaves = sum(row.size for row in self.flat() if not row.branches)
        return Memory(
            self.input_size * batch * per_value,
            leaves * batch * per_value,
            (self.params + self.buffers) * per_value,
        )
