"""The dimension engine: walks a spec and gives every layer's shape and counts.

`analyze(spec)` applies each layer to the shape the previous one produced and
returns a `Summary` of rows. All counts are Python integers, so a network of
any size is counted exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

from cnncalc.errors import Diagnostic, LayerRef, SpecError
from cnncalc.geometry import INPUT_FIELD, Field, Padding4, Window, grow
from cnncalc.layers import Layer, LayerProblem, Shape, shape_text, size_of
from cnncalc.spec import Spec


class Memory(NamedTuple):
    """Bytes of a forward pass: the input, every layer's output, and the parameters."""

    input: int
    activations: int
    params: int

    @property
    def total(self) -> int:
        return self.input + self.activations + self.params


@dataclass
class Row:
    """One layer of the table: what it outputs and what it holds."""

    index: int  # 1-based position in the spec
    name: str
    layer: Layer
    shape: Shape
    weights: int
    biases: int
    padding: Padding4 | None = None
    notes: tuple[str, ...] = ()
    macs: int = 0
    window: Window | None = None  # kernel, stride and padding, for layers that slide
    field: Field | None = None  # None once a layer has seen all of its input

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def flops(self) -> int:
        """Two floating-point operations, a multiply and an add, per MAC."""
        return 2 * self.macs

    @property
    def size(self) -> int:
        return size_of(self.shape)

    @property
    def params(self) -> int:
        return self.weights + self.biases


@dataclass
class Summary:
    """The whole table: input, one row per layer, totals, and warnings."""

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

    @property
    def weights(self) -> int:
        return sum(row.weights for row in self.rows)

    @property
    def biases(self) -> int:
        return sum(row.biases for row in self.rows)

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def macs(self) -> int:
        return sum(row.macs for row in self.rows)

    @property
    def flops(self) -> int:
        return 2 * self.macs

    def memory(self, per_value: int = 4, batch: int = 1) -> Memory:
        """Bytes for `batch` inputs of `per_value` bytes a value (4: float32).

        Activations scale with the batch; parameters do not.
        """
        return Memory(
            self.input_size * batch * per_value,
            sum(row.size for row in self.rows) * batch * per_value,
            self.params * per_value,
        )


def analyze(spec: Spec) -> Summary:
    """Walk the layers of `spec`; a layer that cannot take its input raises `SpecError`."""
    shape = spec.input
    field: Field | None = INPUT_FIELD
    rows = []
    warnings = []
    for index, layer_spec in enumerate(spec.layers, 1):
        ref = LayerRef(index, layer_spec.name)
        try:
            step = layer_spec.layer.apply(shape)
        except LayerProblem as problem:
            raise SpecError(problem.message, layer_spec.where_of(problem.field), ref) from None
        for note in step.notes:
            warnings.append(
                Diagnostic(note.message, layer_spec.where_of(note.field), ref, "warning")
            )
        if step.sees_all:
            field = None
        elif field is not None and step.window is not None:
            field = grow(field, step.window)
        rows.append(
            Row(
                index,
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
            )
        )
        shape = step.shape
    summary = Summary(spec.name, spec.input, tuple(rows), tuple(warnings))
    if spec.expect or any(layer_spec.expect for layer_spec in spec.layers):
        summary = replace(summary, unmet=tuple(_unmet(spec, summary)))
    return summary


def _unmet(spec: Spec, summary: Summary) -> Iterator[Diagnostic]:
    """Each figure an `expect` states that the network does not have."""
    for layer_spec, row in zip(spec.layers, summary.rows, strict=True):
        expect = layer_spec.expect
        if expect is None:
            continue
        ref = LayerRef(row.index, row.name)
        if expect.shape is not None and expect.shape != row.shape:
            yield Diagnostic(
                f"expected shape {shape_text(expect.shape, spec.layout)}, "
                f"got {shape_text(row.shape, spec.layout)}",
                expect.shape_where,
                ref,
            )
        if expect.params is not None and expect.params != row.params:
            yield Diagnostic(
                f"expected {expect.params:,} parameters, got {row.params:,}",
                expect.params_where,
                ref,
            )
    expect = spec.expect
    if expect is not None:
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
