"""The dimension engine: walks a spec and gives every layer's shape and counts.

`analyze(spec)` applies each layer to the shape the previous one produced and
returns a `Summary` (`cnncalc.summary`): a tree of rows, since a block
(residual, concat, repeat, named block) holds the rows of its layers. Each
block type has its own walk, registered in `cnncalc.blockwalks`; the receptive field
grows by `geometry`'s rule as the walk goes. Every figure is held to
`limits`' 10^18 as it is made, so a spec that grows without bound is refused
at the layer that takes it past, with the work still small.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cnncalc import geometry, limits
from cnncalc.blockwalks import BLOCK_WALKS, BlockWalks
from cnncalc.errors import Diagnostic, LayerRef, SpecError, counted
from cnncalc.flow import At, Kept, Saved, State, located, union
from cnncalc.geometry import Field, Sizes
from cnncalc.layers import LayerProblem
from cnncalc.limits import Storage
from cnncalc.model import Block, Expectation, LayerSpec, Requires, Spec
from cnncalc.naming import name_rows
from cnncalc.shapes import Shape, dimensions, rank_of, shape_text, size_of
from cnncalc.summary import Branch, Memory, Row, Summary

__all__ = ["Branch", "Memory", "Row", "Summary", "analyze"]


def analyze(spec: Spec, storage: Storage | None = None) -> Summary:
    """Walk the layers of `spec`; a layer that cannot take its input raises `SpecError`,
    and so does a figure past 10^18, memory included as `storage` counts it (what
    `table --dtype --batch` will print; float32 and a batch of 1 by default)."""
    storage = storage or Storage()
    problem = limits.input_problem(spec.input, storage)
    if problem is not None:
        raise SpecError(problem, spec.input_where)
    walker = _Walker(spec, storage)
    if walker.hint:
        walker.warnings.append(Diagnostic(walker.hint, spec.input_where, severity="warning"))
    start = State(spec.input, geometry.input_field(spec.input))
    rows, _ = walker.walk(spec.layers, start, ())
    renamed = name_rows(rows)
    summary = Summary(
        name=spec.name,
        input_shape=spec.input,
        rows=tuple(rows),
        warnings=tuple(_renamed(walker.warnings, renamed)),
    )
    totals = (
        ()
        if spec.expect is None
        else _unmet(spec.expect, summary.output_shape, summary.params, spec.layout)
    )
    summary.unmet = (*_renamed(walker.unmet, renamed), *totals)
    return summary


def _cut(state: State, cut: Sizes) -> State:
    """A saved tensor's state with `cut` positions cropped before each axis: its first
    value saw from `cut` jumps further in."""
    if state.field is None:
        return state
    size, jump, start = state.field
    moved = tuple(a + c * j for a, c, j in zip(start, cut, jump, strict=True))
    return state._replace(field=Field(size, jump, moved))


def _renamed(diagnostics: Sequence[Diagnostic], renamed: dict[str, str]) -> list[Diagnostic]:
    """The diagnostics, naming each layer by its name in the table."""
    if not renamed:
        return list(diagnostics)
    fixed = []
    for diagnostic in diagnostics:
        ref = diagnostic.layer
        name = renamed.get(ref.path or str(ref.number)) if ref is not None else None
        if ref is not None and name is not None:
            diagnostic = diagnostic._replace(layer=ref._replace(name=name))
        fixed.append(diagnostic)
    return fixed


class _Walker(BlockWalks):
    def __init__(self, spec: Spec, storage: Storage) -> None:
        self.layout = spec.layout
        self.totals = limits.Totals(storage, size_of(spec.input))
        self.warnings: list[Diagnostic] = []
        self.unmet: list[Diagnostic] = []
        self.hint = channels_first(spec.input, spec.layout)
        # Saved tensors by name: the spec's own, then one scope a use of a named block.
        self.saved = Saved()

    def walk(
        self, layers: Sequence[LayerSpec], state: State, path: tuple[int, ...], start: int = 0
    ) -> tuple[list[Row], State]:
        rows = []
        for number, layer_spec in enumerate(layers, start + 1):
            place = (*path, number)
            ref = LayerRef.at(place, layer_spec.name)
            if isinstance(layer_spec.layer, Block):
                row, state = self._block(layer_spec, layer_spec.layer, state, place, ref)
            else:
                row, state = self._layer(layer_spec, state, place, ref)
            if layer_spec.save is not None:
                problem = self.saved.keep(layer_spec.save, row, state)
                if problem is not None:
                    where = layer_spec.where_of("save")
                    raise located(problem, layer_spec, where, ref)
            if layer_spec.expect is not None:
                self.unmet += _unmet(layer_spec.expect, row.shape, row.params, self.layout, ref)
            rows.append(row)
        return rows, state

    def _layer(
        self, layer_spec: LayerSpec, state: State, place: tuple[int, ...], ref: LayerRef
    ) -> tuple[Row, State]:
        requires = layer_spec.requires
        if requires is not None and rank_of(state.shape) not in requires.ranks:
            raise located(
                self._rank_refusal(requires, state.shape), layer_spec, requires.where, ref
            )
        layer = layer_spec.layer
        kept = [self._saved(name, layer_spec, ref) for name in layer.reads()]
        others = [one.state for one in kept]
        try:
            if others:
                step = layer.apply_saved(state.shape, [other.shape for other in others])
            else:
                step = layer.apply(state.shape, state.padded)
        except LayerProblem as problem:
            where = layer_spec.where_of(problem.field)
            message = problem.message + (f"; {self.hint}" if self.hint else "")
            raise located(message, layer_spec, where, ref) from None
        for note in step.notes:
            where = layer_spec.where_of(note.field)
            self.warnings.append(
                Diagnostic(note.message + layer_spec.context, where, ref, note.severity)
            )
        field, lost = state.field, state.lost
        if layer.merges:  # a join: every output sees what each joined tensor saw
            if step.cut is not None:  # a cropped tensor's values start further in
                others = [_cut(other, cut) for other, cut in zip(others, step.cut, strict=True)]
            field, lost = union([state, *others])
        if step.sees_all and field is not None:
            field, lost = None, "all"
        elif step.breaks_field and field is not None:
            field, lost = None, "n/a"
        elif field is not None and step.window is not None:
            field = geometry.grow(field, step.window)
        # Only a field this layer grew is new; an unchanged one was checked before.
        grown = field if step.window is not None else None
        refused = self.totals.layer(
            step.shape, step.weights, step.biases, step.buffers, step.macs, grown
        )
        if refused is not None:
            raise located(refused, layer_spec, layer_spec.where, ref)
        row = Row(
            index=place[-1],
            name=layer_spec.name,
            layer=layer_spec.layer,
            shape=step.shape,
            input_shape=state.shape,
            weights=step.weights,
            biases=step.biases,
            buffers=step.buffers,
            macs=step.macs,
            padding=step.padding,
            window=step.window,
            field=field,
            lost=lost,
            notes=tuple(note.message for note in step.notes),
            path=".".join(map(str, place)),
            default=layer_spec.default,
            reads=tuple(one.by.path for one in kept),
        )
        return row, State(step.shape, field, lost, step.padded)

    def _block(
        self,
        layer_spec: LayerSpec,
        block: Block,
        state: State,
        place: tuple[int, ...],
        ref: LayerRef,
    ) -> tuple[Row, State]:
        at = At(layer_spec, place, ref)
        if block.scope:  # what a use of a named block saves is its own
            self.saved.enter()
        try:
            branches, out = BLOCK_WALKS[type(block)](self, block, state, at)
        finally:
            if block.scope:
                self.saved.leave()
        for branch in branches:
            for child in branch.rows:
                child.branch = branch.label
        children = [row for branch in branches for row in branch.rows]
        row = Row(
            index=place[-1],
            name=layer_spec.name,
            layer=block,
            shape=out.shape,
            input_shape=state.shape,
            weights=sum(child.weights for child in children),
            biases=sum(child.biases for child in children),
            buffers=sum(child.buffers for child in children),
            macs=sum(child.macs for child in children),
            field=out.field,
            lost=out.lost,
            path=".".join(map(str, place)),
            branches=tuple(branches),
            default=layer_spec.default,
        )
        # A block's sums are within the running totals; its output is not, when a branch is
        # the input itself (a concat of [] with [] doubles the channels with no layer).
        refused = limits.input_problem(
            out.shape, self.totals.storage, "the block's output", "fewer branches"
        )
        if refused is not None:
            raise at.error(refused)
        return row, out if block.continues else state

    def _saved(self, name: str, layer_spec: LayerSpec, ref: LayerRef) -> Kept:
        """The tensor saved as `name`, or an error at the field that names it."""
        found = self.saved.find(name)
        if isinstance(found, str):
            field = "like" if "like" in layer_spec.field_where else "with"
            raise located(found, layer_spec, layer_spec.where_of(field), ref)
        return found

    def _shape(self, shape: Shape) -> str:
        return shape_text(shape, self.layout)

    def _rank_refusal(self, requires: Requires, shape: Shape) -> str:
        """conv3d takes a 3-D input, but its input (28, 28, 1) is 2-D."""
        forms = _FORMS[self.layout]
        wanted = " or ".join(
            "a vector" if rank == 0 else f"a {dimensions(rank)} input {forms[rank - 1]}"
            for rank in requires.ranks
        )
        rank = rank_of(shape)
        has = (
            f"is a vector of {shape[0]:,}"
            if rank == 0
            else f"{self._shape(shape)} is {dimensions(rank)}"
        )
        return (
            f"{requires.alias} takes {wanted}, but its input {has}; "
            f"write {requires.kind} to take the rank from the input"
        )


# How a spec writes an input of each rank, in each layout.
_FORMS = {
    "hwc": ("(L, C)", "(H, W, C)", "(D, H, W, C)"),
    "chw": ("(C, L)", "(C, H, W)", "(C, D, H, W)"),
}


def channels_first(shape: Shape, layout: str) -> str:
    """What to say when an input written channels last looks like PyTorch's channels first:
    a small first axis and much larger ones after it, (3, 224, 224) or (1, 16000). Empty
    when it does not."""
    if layout != "hwc" or not 2 <= len(shape) <= 4:
        return ""
    first, rest = shape[0], shape[1:]
    if first > 4 or any(n < 8 * first for n in rest):
        return ""
    unit = _UNITS[len(shape) - 1]
    sizes = "×".join(str(n) for n in shape[:-1])
    moved = "×".join(str(n) for n in rest)
    reads = unit[:-1] if sizes == "1" else unit
    return (
        f"the input {shape_text(shape)} reads as {sizes} {reads} of {shape[-1]} channels; "
        "if it is channels first, as PyTorch writes it, add --layout chw (layout: chw in a "
        f"spec): it is then {moved} {unit} of {first} channel" + ("s" if first > 1 else "")
    )


_UNITS = {1: "samples", 2: "pixels", 3: "voxels"}


def _unmet(
    expect: Expectation, shape: Shape, params: int, layout: str, ref: LayerRef | None = None
) -> Iterator[Diagnostic]:
    """What of `expect` a layer (`ref`) or, without one, the whole network does not give."""
    whole = ref is None
    if expect.shape is not None and expect.shape != shape:
        yield Diagnostic(
            f"expected {'output ' if whole else ''}shape {shape_text(expect.shape, layout)}, "
            f"got {shape_text(shape, layout)}",
            expect.shape_where,
            ref,
        )
    if expect.params is not None and expect.params != params:
        yield Diagnostic(
            f"expected {counted(expect.params, 'parameter')}{' in total' if whole else ''}, "
            f"got {params:,}",
            expect.params_where,
            ref,
        )
