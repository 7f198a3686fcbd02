"""Rows into the nodes of a drawing: a layer's volume with its window, a block's
drawing (one per block type, in `BLOCK_DRAWINGS`), a run of alike blocks drawn
once; `render.draw` lays the nodes out and writes the document."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cnncalc import model
from cnncalc.errors import counted, visible
from cnncalc.layers.base import per_axis
from cnncalc.render.draw_layout import (
    Fork,
    Group,
    Inline,
    Join,
    Kernel,
    Node,
    Repeated,
    Volume,
)
from cnncalc.render.draw_lines import Flow
from cnncalc.render.table import label as row_label
from cnncalc.shapes import Shape, shape_text
from cnncalc.summary import Row

if TYPE_CHECKING:
    from cnncalc.render.draw import Drawing, Sizer

# Drawn with their window; a transposed conv's spreads each input value over the output.
SLIDING = ("conv", "convtranspose", "maxpool", "avgpool", "adaptiveavgpool")
_CSS = {
    "conv": "conv",
    "convtranspose": "conv",
    "maxpool": "pool",
    "avgpool": "pool",
    "globalavgpool": "pool",
    "adaptiveavgpool": "pool",
    "fc": "fc",
    "softmax": "fc",
}


def group_id(path: str) -> str:
    """A row's group in the drawing: 5.2.1 is layer-5-2-1."""
    return "layer-" + path.replace(".", "-")


class Builder:
    """Rows into nodes, a block's through its entry in `BLOCK_DRAWINGS`."""

    def __init__(self, drawing: Drawing, sizer: Sizer) -> None:
        self.drawing, self.sizer = drawing, sizer
        self.shown: dict[str, str] = {}  # a row drawn as another: its path, the other's

    def node(self, row: Row) -> Node:
        if isinstance(row.layer, model.Block):
            folded = not row.branches or (
                self.drawing.depth is not None and row.depth >= self.drawing.depth
            )
            # One drawing per block type, as the engine has one walk (tests/test_draw.py).
            node = BLOCK_DRAWINGS[type(row.layer)](row, self, folded)
        else:
            node = self.volume(row, row.shape, _CSS.get(row.kind, "other"), self.kernel(row))
        node.group = Group(group_id(row.path), self.title(row))
        return node

    def nodes(self, rows: Sequence[Row]) -> list[Node]:
        """A node per row; with `once`, one for each run of alike blocks, marked ×N."""
        nodes: list[Node] = []
        start = 0
        while start < len(rows):
            first, end = rows[start], start + 1
            if self.drawing.once and isinstance(first.layer, model.Block):
                alike = likeness(first)
                while end < len(rows) and likeness(rows[end]) == alike:
                    end += 1
            node = self.node(first)
            if end - start > 1:
                node = self.repeated(node, rows[start:end])
            nodes.append(node)
            start = end
        return nodes

    def repeated(self, node: Node, run: Sequence[Row]) -> Node:
        """The first of a run of alike blocks, for them all; each row under the others
        shown as its counterpart under the first."""
        first, last = run[0], run[-1]
        for other in run[1:]:
            for row in [other, *_under(other)]:
                self.shown[row.path] = first.path + row.path[len(other.path) :]
        drawn = Repeated(node, len(run))
        assert node.group is not None
        shape = shape_text(first.shape, self.drawing.layout)
        each = f"{shape}, {counted(first.params, 'parameter')}"
        drawn.group = node.group._replace(
            title=f"{visible(row_label(first))} to {visible(row_label(last))}: "
            f"{len(run)} alike blocks, each {each}"
        )
        node.group = None
        return drawn

    def volume(
        self, row: Row | None, shape: Shape, css: str, kernel: Kernel | None = None
    ) -> Volume:
        return Volume(self.sizer.solid(shape), css, self.text(row, shape), kernel)

    def text(self, row: Row | None, shape: Shape) -> list[str]:
        """The label's lines, in a fixed order: name, shape, parameters."""
        lines = []
        if "name" in self.drawing.labels:
            lines.append(visible(row.name) if row else "Input")
        if "shape" in self.drawing.labels:
            lines.append(shape_text(shape, self.drawing.layout))
        if "params" in self.drawing.labels:
            lines.append(counted(row.params if row else 0, "param"))
        return lines

    def title(self, row: Row) -> str:
        shape = shape_text(row.shape, self.drawing.layout)
        return f"{visible(row_label(row))}: {shape}, {counted(row.params, 'parameter')}"

    def kernel(self, row: Row) -> Kernel | None:
        """A sliding layer's window at the drawing's scale, or None."""
        given = row.input_shape
        if row.kind not in SLIDING or len(given) < 2:
            return None
        if row.window is not None:
            kernel = row.window.kernel
        else:  # a transposed conv has no window of the input: its kernel, per axis
            kernel = per_axis(getattr(row.layer, "kernel", 1), given[:-1], "kernel")
        seen = 1  # the channels one filter sees: one for a pool
        if row.kind in ("conv", "convtranspose") and not getattr(row.layer, "depthwise", False):
            seen = max(1, given[-1] // max(1, getattr(row.layer, "groups", 1)))
        solid = self.sizer.solid((*kernel, seen))  # sized as a tensor of that shape
        return Kernel(solid.height, solid.deep, solid.thick)


def likeness(row: Row) -> tuple[object, ...]:
    """What makes two rows drawn alike, names aside: type, shapes, figures, window and
    padding, and the same of every row under them."""
    return (
        type(row.layer),
        row.kind,
        row.shape,
        row.input_shape,
        row.weights,
        row.biases,
        row.buffers,
        row.macs,
        row.window,
        row.padding,
        tuple((branch.role, tuple(map(likeness, branch.rows))) for branch in row.branches),
    )


def _under(row: Row) -> list[Row]:
    """Every row under a block's, at any depth."""
    return [inner for child in row.children for inner in [child, *_under(child)]]


# --- One drawing per block type: (row, builder, folded) -> node ---

BlockDrawing = Callable[[Row, Builder, bool], Node]


def _rows(row: Row, role: str) -> list[Row]:
    return [child for branch in row.part(role) for child in branch.rows]


def _folded(row: Row, builder: Builder) -> Volume:
    return builder.volume(row, row.shape, "block")


def _sequential(row: Row, builder: Builder, folded: bool) -> Node:
    if folded:
        return _folded(row, builder)
    return Flow(builder.nodes(row.children))


def _residual(row: Row, builder: Builder, folded: bool) -> Node:
    layer = row.layer
    assert isinstance(layer, model.Residual)
    if not layer.add:
        return _sequential(row, builder, folded)
    if folded:
        return Inline([_folded(row, builder), Join("+")], arc=True)
    layers, shortcut = builder.nodes(_rows(row, "layers")), _rows(row, "shortcut")
    if shortcut:
        return Fork([layers, builder.nodes(shortcut)], Join("+"))
    return Inline([*layers, Join("+")], arc=True)


def _branches(row: Row, builder: Builder, folded: bool) -> Node:
    """A concat's or a split's branches, one above the other, joined into its output."""
    if folded:
        return _folded(row, builder)
    return Fork([builder.nodes(branch.rows) for branch in row.branches], _folded(row, builder))


def _multiply(row: Row, builder: Builder, folded: bool) -> Node:
    if folded:
        return _folded(row, builder)
    return Fork([[], builder.nodes(_rows(row, "layers"))], Join("×"))


def _side(row: Row, builder: Builder, folded: bool) -> Node:
    head = [_folded(row, builder)] if folded else builder.nodes(_rows(row, "layers"))
    return Fork([[], head], None)


BLOCK_DRAWINGS: dict[type[model.Block], BlockDrawing] = {
    model.Sequential: _sequential,
    model.Deferred: _sequential,
    model.Residual: _residual,
    model.Concat: _branches,
    model.Split: _branches,
    model.Multiply: _multiply,
    model.Side: _side,
}
