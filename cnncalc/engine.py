"""The dimension engine: walks a spec and gives every layer's shape and counts.

`analyze(spec)` applies each layer to the shape the previous one produced and
returns a `Summary`: a tree of rows, since a block (residual, concat, repeat,
named block) holds the rows of its layers. A block's row sums its children's
counts, and totals sum only the top-level rows, so nothing is counted twice.
All counts are Python integers, so a network of any size is counted exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from cnncalc.errors import Diagnostic, LayerRef, SpecError, Where
from cnncalc.geometry import INPUT_FIELD, Field, Padding4, Pair, Window, grow
from cnncalc.layers import Layer, LayerProblem, Shape, shape_text, size_of
from cnncalc.records import Record
from cnncalc.spec import Block, Concat, LayerSpec, Residual, Sequential, Spec


class Memory(NamedTuple):
    """Bytes of a forward pass: the input, every layer's output, and the parameters."""

    input: int
    activations: int
    params: int

    @property
    def total(self) -> int:
        return self.input + self.activations + self.params


@dataclass(repr=False, eq=False)
class Row(Record):
    """One layer of the table: what it outputs and what it holds.

    A block's row holds its layers' rows as `children` and sums their counts.
    """

    index: int  # 1-based position among its siblings
    name: str
    layer: Layer
    shape: Shape
    weights: int
    biases: int
    padding: Padding4 | None = None
    notes: tuple[str, ...] = ()
    macs: int = 0
    window: Window | None = None  # kernel, stride and padding, for layers that slide
    field: Field | None = None  # None once the field is not one window (see `lost`)
    buffers: int = 0  # non-trainable values: batch norm's running mean and variance
    lost: str = "all"  # why there is no field: "all" (seen everything) or "n/a"
    path: str = ""  # "5.2.1": the layer's place in the spec
    branch: str = ""  # "shortcut", "branch 2": which list of a block it is in
    children: tuple[Row, ...] = ()
    input_shape: Shape = ()  # what the layer was given

    @property
    def kind(self) -> str:
        return self.layer.kind

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


@dataclass(repr=False, eq=False)
class Summary(Record):
    """The whole table: input, one row per top-level layer, totals, and warnings."""

    name: str | None
    input_shape: Shape
    rows: tuple[Row, ...]
    warnings: tuple[Diagnostic, ...] = ()
    unmet: tuple[Diagnostic, ...] = ()  # the spec's `expect`s that do not hold

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

    def flat(self, depth: int | None = None) -> Iterator[Row]:
        """Every row in table order, a block before its children, to `depth` deep."""

        def walk(rows: Sequence[Row]) -> Iterator[Row]:
            for row in rows:
                yield row
                if depth is None or row.depth < depth:
                    yield from walk(row.children)

        return walk(self.rows)

    def memory(self, per_value: int = 4, batch: int = 1) -> Memory:
        """Bytes for `batch` inputs of `per_value` bytes a value (4: float32).

        Activations are every layer's output, a block's children included but
        not the block itself (it is their sum); they scale with the batch, and
        the parameters (trainable and not) do not.
        """
        leaves = sum(row.size for row in self.flat() if not row.children)
        return Memory(
            self.input_size * batch * per_value,
            leaves * batch * per_value,
            (self.params + self.buffers) * per_value,
        )


class _State(NamedTuple):
    """What flows from one layer to the next."""

    shape: Shape
    field: Field | None = INPUT_FIELD
    lost: str = "all"
    padded: Pair = (0, 0)  # trailing rows and columns a zeropad added


def analyze(spec: Spec) -> Summary:
    """Walk the layers of `spec`; a layer that cannot take its input raises `SpecError`."""
    walker = _Walker(spec)
    rows, _ = walker.walk(spec.layers, _State(spec.input), ())
    summary = Summary(spec.name, spec.input, tuple(rows), tuple(walker.warnings))
    summary.unmet = tuple(walker.unmet + list(_unmet_totals(spec, summary)))
    return summary


class _Walker:
    def __init__(self, spec: Spec) -> None:
        self.layout = spec.layout
        self.warnings: list[Diagnostic] = []
        self.unmet: list[Diagnostic] = []

    def walk(
        self, layers: Sequence[LayerSpec], state: _State, path: tuple[int, ...], start: int = 0
    ) -> tuple[list[Row], _State]:
        rows = []
        for number, layer_spec in enumerate(layers, start + 1):
            place = (*path, number)
            nested = ".".join(map(str, place)) if len(place) > 1 else ""
            ref = LayerRef(place[0], layer_spec.name, nested)
            if isinstance(layer_spec.layer, Block):
                row, state = self._block(layer_spec, layer_spec.layer, state, place, ref)
            else:
                row, state = self._layer(layer_spec, state, place, ref)
            self._check(layer_spec, row, ref)
            rows.append(row)
        return rows, state

    def _layer(
        self, layer_spec: LayerSpec, state: _State, place: tuple[int, ...], ref: LayerRef
    ) -> tuple[Row, _State]:
        try:
            step = layer_spec.layer.apply(state.shape, state.padded)
        except LayerProblem as problem:
            where = layer_spec.where_of(problem.field)
            raise _error(problem.message, layer_spec, where, ref) from None
        for note in step.notes:
            where = layer_spec.where_of(note.field)
            self.warnings.append(
                Diagnostic(note.message + layer_spec.context, where, ref, "warning")
            )
        field, lost = state.field, state.lost
        if step.sees_all and field is not None:
            field, lost = None, "all"
        elif step.breaks_field and field is not None:
            field, lost = None, "n/a"
        elif field is not None and step.window is not None:
            field = grow(field, step.window)
        row = Row(
            place[-1],
            layer_spec.name,
            layer_spec.layer,
            step.shape,
            step.weights,
            step.biases,
            step.padding,
            tuple(note.message for note in step.notes),
            step.macs,
            step.window,
            field,
            step.buffers,
            lost,
            ".".join(map(str, place)),
            input_shape=state.shape,
        )
        padded = step.padded
        if padded is None:  # element-wise layers keep the zeros where they were
            same = step.window is None and step.shape == state.shape
            padded = state.padded if same else (0, 0)
        return row, _State(step.shape, field, lost, padded)

    def _block(
        self,
        layer_spec: LayerSpec,
        block: Block,
        state: _State,
        place: tuple[int, ...],
        ref: LayerRef,
    ) -> tuple[Row, _State]:
        if isinstance(block, Sequential):
            children, out = self.walk(block.layers, state, place)
        elif isinstance(block, Residual):
            children, out = self._residual(layer_spec, block, state, place, ref)
        else:
            assert isinstance(block, Concat)
            children, out = self._concat(layer_spec, block, state, place, ref)
        row = Row(
            place[-1],
            layer_spec.name,
            block,
            out.shape,
            sum(child.weights for child in children),
            sum(child.biases for child in children),
            macs=sum(child.macs for child in children),
            field=out.field,
            buffers=sum(child.buffers for child in children),
            lost=out.lost,
            path=".".join(map(str, place)),
            children=tuple(children),
            input_shape=state.shape,
        )
        return row, out

    def _residual(
        self,
        layer_spec: LayerSpec,
        block: Residual,
        state: _State,
        place: tuple[int, ...],
        ref: LayerRef,
    ) -> tuple[list[Row], _State]:
        main, out = self.walk(block.layers, state, place)
        shortcut, other = self.walk(block.shortcut, state, place, len(main))
        shortcut = [_in_branch(row, "shortcut") for row in shortcut]
        if out.shape != other.shape:
            what = "its shortcut gives" if block.shortcut else "its input is"
            raise _error(
                f"the residual block's layers give {self._shape(out.shape)} but {what} "
                f"{self._shape(other.shape)}; they cannot be added",
                layer_spec,
                layer_spec.where,
                ref,
            )
        return main + shortcut, _State(out.shape, *_union([out, other]))

    def _concat(
        self,
        layer_spec: LayerSpec,
        block: Concat,
        state: _State,
        place: tuple[int, ...],
        ref: LayerRef,
    ) -> tuple[list[Row], _State]:
        children: list[Row] = []
        outs = []
        for number, branch in enumerate(block.branches, 1):
            rows, out = self.walk(branch, state, place, len(children))
            children += [_in_branch(row, f"branch {number}") for row in rows]
            outs.append(out)
        shapes = [out.shape for out in outs]
        if len({len(shape) for shape in shapes}) > 1 or len({shape[:-1] for shape in shapes}) > 1:
            listed = ", ".join(
                f"branch {number} gives {self._shape(shape)}"
                for number, shape in enumerate(shapes, 1)
            )
            raise _error(
                f"the concat block's branches differ in size ({listed}); they can be "
                "joined only along the channels",
                layer_spec,
                layer_spec.where,
                ref,
            )
        joined = (*shapes[0][:-1], sum(shape[-1] for shape in shapes))
        return children, _State(joined, *_union(outs))

    def _check(self, layer_spec: LayerSpec, row: Row, ref: LayerRef) -> None:
        """Hold the row to its `expect`, if the spec gave one."""
        expect = layer_spec.expect
        if expect is None:
            return
        if expect.shape is not None and expect.shape != row.shape:
            self.unmet.append(
                Diagnostic(
                    f"expected shape {self._shape(expect.shape)}, got {self._shape(row.shape)}",
                    expect.shape_where,
                    ref,
                )
            )
        if expect.params is not None and expect.params != row.params:
            self.unmet.append(
                Diagnostic(
                    f"expected {expect.params:,} parameters, got {row.params:,}",
                    expect.params_where,
                    ref,
                )
            )

    def _shape(self, shape: Shape) -> str:
        return shape_text(shape, self.layout)


def _in_branch(row: Row, branch: str) -> Row:
    row.branch = branch
    return row


def _union(outs: Sequence[_State]) -> tuple[Field | None, str]:
    """The receptive field of a sum or a concatenation: what any branch sees."""
    fields = [out.field for out in outs]
    if any(field is None for field in fields):
        lost = "n/a" if any(out.lost == "n/a" for out in outs if out.field is None) else "all"
        return None, lost
    first = fields[0]
    assert first is not None
    if any(field is not None and field.jump != first.jump for field in fields):
        return None, "n/a"  # branches that step differently have no single field
    sizes = [field.size for field in fields if field is not None]
    starts = [field.start for field in fields if field is not None]
    return (
        Field(
            (max(size[0] for size in sizes), max(size[1] for size in sizes)),
            first.jump,
            (min(start[0] for start in starts), min(start[1] for start in starts)),
        ),
        "all",
    )


def _error(message: str, layer_spec: LayerSpec, where: Where | None, ref: LayerRef) -> SpecError:
    return SpecError(message + layer_spec.context, where, ref)


def _unmet_totals(spec: Spec, summary: Summary) -> Iterator[Diagnostic]:
    """The spec's own `expect`: the output shape and the total parameters."""
    expect = spec.expect
    if expect is None:
        return
    if expect.shape is not None and expect.shape != summary.output_shape:
        yield Diagnostic(
            f"expected output shape {shape_text(expect.shape, spec.layout)}, "
            f"got {shape_text(summary.output_shape, spec.layout)}",
            expect.shape_where,
        )
    if expect.params is not None and expect.params != summary.params:
        yield Diagnostic(
            f"expected {expect.params:,} parameters in total, got {summary.params:,}",
            expect.params_where,
        )
