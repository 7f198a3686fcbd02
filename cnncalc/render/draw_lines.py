"""A drawing's lines: a network too wide for the page goes on under itself, as text
wraps, and saved tensors reach their joins by arcs over the volumes between.

The top-level nodes fill a line until the next would pass the width; a wire
leaves each line's end, runs back under it and enters the next line from the
left. A tensor kept by `save:` rises from the wire after the layer that made
it, runs over the line and comes down, with an arrow, into the wire before
the layer that joins it (U-Net's "copy and crop"). An arc that cannot end on
its own line leaves it on the right and enters each following line from the
left, named at each start as a map names a road that runs off its page. Arcs
over a line are stacked so that no two cross: a longer one runs above the
shorter ones it spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from cnncalc.render.draw_layout import (
    LINE,
    Anchor,
    Canvas,
    Group,
    Inline,
    Lane,
    Node,
    Rail,
    Spot,
    escape,
)
from cnncalc.render.draw_layout import number as n

MARGIN = 20
LINE_GAP = 30  # between one line's labels and the next line's arcs
LEVEL = LINE  # between arcs stacked over a line
RISE = 6  # from the top of a line to its lowest arc
NAME_ROOM = 12  # over the highest arc, for its name
ARROW = 4  # an arrowhead's half width


class Arc(NamedTuple):
    """A saved tensor, `name`, from the group that made it to the group that joins it."""

    name: str
    saver: str
    reader: str


class Segment(NamedTuple):
    """An arc's part over one line: from `start` to `end`, rising at its start when it
    `rises` and coming down at its end when it `lands`."""

    arc: Arc
    line: int
    start: float
    end: float
    rises: bool
    lands: bool


class Flow(Inline):
    """A block's layers one after another, which a drawing too wide for its page may
    break between lines (`Open` and `Close` mark where the block's group starts and ends)."""


class Open(Node):
    """Where a block broken between lines starts: its group opens."""

    def __init__(self, group: Group) -> None:
        self.group_of = group

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        group = self.group_of
        canvas.spots[group.id] = Spot(x, canvas.line, x, canvas.line)
        canvas.add(f'<g id="{escape(group.id)}">')
        canvas.add(f"<title>{escape(group.title)}</title>")
        return source


class Close(Node):
    """Where it ends."""

    def __init__(self, group: Group) -> None:
        self.group_of = group

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        ident = self.group_of.id
        canvas.spots[ident] = canvas.spots[ident]._replace(right=x, last=canvas.line)
        canvas.add("</g>")
        return source


def opened(nodes: Sequence[Node]) -> list[Node]:
    """The nodes with each `Flow` among them, at any depth, laid out as its own nodes
    between the marks of its group."""
    laid: list[Node] = []
    for node in nodes:
        if isinstance(node, Flow) and node.group is not None:
            laid += [Open(node.group), *opened(node.nodes), Close(node.group)]
        elif isinstance(node, Flow):
            laid += opened(node.nodes)
        else:
            laid.append(node)
    return laid


def split(nodes: Sequence[Node], width: float | None) -> list[list[Node]]:
    """The nodes in lines no wider than `width` (None: one line), a block's layers broken
    between lines as words are; a node wider than it has a line of its own. A block's
    start goes with its first layer; its end, with its last."""
    if width is None:
        return [list(nodes)]
    lines: list[list[Node]] = [[]]
    used = 0.0
    for node in opened(nodes):
        if node.width and used + node.width > width and used:
            starts: list[Node] = []  # the blocks opened last go on with the node
            while lines[-1] and isinstance(lines[-1][-1], Open):
                starts.insert(0, lines[-1].pop())
            lines.append(starts)
            used = 0.0
        lines[-1].append(node)
        used += node.width
    return lines


class Sheet:
    """Lines of nodes one under another, the first fed from `start`, with `arcs` between
    the groups they name."""

    def __init__(self, nodes: Sequence[Node], width: float | None, arcs: Sequence[Arc]) -> None:
        self.lanes = [Lane(line) for line in split(nodes, width)]
        self.arcs = list(arcs)
        self.inner = max(lane.width for lane in self.lanes)
        self.width = self.inner + 2 * MARGIN
        self.height = 0.0

    def place(self, canvas: Canvas, start: float) -> None:
        """Draw the lines and arcs on `canvas`; `start`, where the input's wire begins."""
        # Where each group lands along its line does not depend on how high the line is:
        # a first placing finds the arcs' spans, whose stacking sets the lines' heights.
        draft = Canvas()
        self._lines(draft, [0.0] * len(self.lanes), start)
        segments = self._segments(draft.spots)
        levels = _levels(segments)
        bands = [0.0] * len(self.lanes)
        for segment, level in zip(segments, levels, strict=True):
            bands[segment.line] = max(bands[segment.line], RISE + level * LEVEL + NAME_ROOM)
        axes: list[float] = []
        top = float(MARGIN)
        for lane, band in zip(self.lanes, bands, strict=True):
            axes.append(top + band + lane.up)
            top = axes[-1] + lane.down + LINE_GAP
        self.height = top - LINE_GAP + MARGIN
        self._lines(canvas, axes, start)
        for segment, level in zip(segments, levels, strict=True):
            self._arc(canvas, segment, axes[segment.line] - self.lanes[segment.line].up, level)

    def _lines(self, canvas: Canvas, axes: Sequence[float], start: float) -> None:
        source = Anchor(start, axes[0])
        for line, (lane, axis) in enumerate(zip(self.lanes, axes, strict=True)):
            canvas.line = line
            if line:  # the wire from the end of the line above, back under it, in from the left
                turn = self.lanes[line - 1].labelled + self.lanes[line - 1].inline.hang
                below = axes[line - 1] + turn + LINE_GAP / 2
                end = MARGIN + self.lanes[line - 1].width  # where a save at the end rises
                canvas.path(
                    "wire", "M", source.x, source.y, "H", end, "V", below,
                    "H", MARGIN / 2, "V", axis,
                )  # fmt: skip
                source = Anchor(MARGIN / 2, axis)
            source = lane.place(canvas, MARGIN, axis, Rail(0.0, 0.0), source)

    def _segments(self, spots: dict[str, Spot]) -> list[Segment]:
        segments = []
        for arc in self.arcs:
            saver, reader = spots.get(arc.saver), spots.get(arc.reader)
            if (
                saver is None
                or reader is None
                or (saver.line, saver.right)
                >= (
                    reader.line,
                    reader.left,
                )
            ):
                continue  # drawn within one volume, or not drawn at all
            for line in range(saver.line, reader.line + 1):
                first, last = line == saver.line, line == reader.line
                segments.append(
                    Segment(
                        arc,
                        line,
                        saver.right if first else MARGIN,
                        reader.left if last else self.width - MARGIN / 2,
                        first,
                        last,
                    )
                )
        return segments

    def _arc(self, canvas: Canvas, segment: Segment, top: float, level: int) -> None:
        axis_of = top + self.lanes[segment.line].up
        y = top - RISE - level * LEVEL
        steps: list[object] = ["M", segment.start, axis_of if segment.rises else y]
        steps += ["V", y, "H", segment.end]
        if segment.lands:
            steps += ["V", axis_of - 2 * ARROW]
        canvas.path("saved", *steps)
        if segment.rises:
            canvas.add(f'<circle class="tap" cx="{n(segment.start)}" cy="{n(axis_of)}" r="2"/>')
        if segment.lands:
            x, tip = segment.end, axis_of - 1
            back = tip - 2 * ARROW
            canvas.polygon("tip", (x - ARROW, back), (x + ARROW, back), (x, tip))
        left = segment.start + (4 if segment.rises else 2)
        canvas.add(
            f'<text class="n" x="{n(left)}" y="{n(y - 3)}">{escape(segment.arc.name)}</text>'
        )


def _levels(segments: Sequence[Segment]) -> list[int]:
    """Each segment's level over its line, from 0: a segment runs above every shorter one
    it overlaps, so that none cross."""
    levels = [0] * len(segments)
    order = sorted(range(len(segments)), key=lambda i: segments[i].end - segments[i].start)
    placed: list[int] = []
    for i in order:
        mine = segments[i]
        under = [
            levels[j]
            for j in placed
            if segments[j].line == mine.line
            and segments[j].start <= mine.end
            and mine.start <= segments[j].end
        ]
        levels[i] = max(under, default=-1) + 1
        placed.append(i)
    return levels
