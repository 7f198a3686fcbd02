"""Where `draw` puts things: the nodes of a drawing, measured and laid out.

A drawing is a tree of nodes, each measured first (its width, and how far it
reaches above and below the axis it sits on) and then placed, writing its SVG
into a `Canvas`. A `Lane` is a row of nodes on one axis with its labels on one
line under them; an `Inline` group (a block's layers, a residual with its skip
arc) sits in the lane it is in; a `Fork` stacks lanes one above the other
(branches, a shortcut, a gate, a side head) between two bus lines. Every
coordinate is written to a tenth of a pixel, and nothing depends on a clock,
a random number or the order of a set: the same network gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

FONT = 11  # label font size, px
LINE = 14  # label line height, px
CHAR = 0.6 * FONT  # a character's estimated width (a monospace font)
GAP = 28  # between neighbouring cells
LABEL_PAD = 10  # between the lowest volume of a lane and its labels' first baseline
OBLIQUE = 0.4  # the receding axis, drawn at 45° and foreshortened
LANE_GAP = 22  # between lanes stacked in a fork
BUS = 24  # a fork's margin on each side, for its bus lines
ARC_CLEAR = 16  # how far a skip arc clears the tallest volume under it
ARC_ROUND = 6  # the radius of its corners
BAR = 8  # a vector's width
JOIN = 7  # a join's radius (⊕, ×)
REPEAT = LINE + 6  # the room a ×N bracket takes over what it marks


class Solid(NamedTuple):
    """A box in oblique projection: `thick` along the row, `height` up, `deep` receding
    up and to the right at 45°; `slices`, the frames of a 3-D volume."""

    thick: float
    height: float
    deep: float
    slices: int = 1

    @property
    def width(self) -> float:
        return self.thick + self.deep

    @property
    def tall(self) -> float:
        return self.height + self.deep


class Placed(NamedTuple):
    """A solid where it was drawn: the top left corner of its front face."""

    x: float
    top: float
    solid: Solid


class Anchor(NamedTuple):
    """Where the next node's line starts, and the volume its kernel is drawn on."""

    x: float
    y: float
    volume: Placed | None = None


def number(value: float) -> str:
    """A coordinate: a tenth of a pixel at most, no '.0', no '-0'."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def escape(text: str) -> str:
    """Text for XML content and attribute values."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def text_width(text: str) -> float:
    return len(text) * CHAR


class Spot(NamedTuple):
    """Where a group was drawn: its left edge and the line of the drawing it starts on,
    its right edge and the line it ends on."""

    left: float
    line: int
    right: float
    last: int


class Canvas:
    """The SVG being written, line by line, and where each group went (`spots`)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spots: dict[str, Spot] = {}
        self.line = 0  # the line of the drawing being placed

    def add(self, part: str) -> None:
        self.parts.append(part)

    def path(self, css: str, *steps: object) -> None:
        words = (number(step) if isinstance(step, float | int) else str(step) for step in steps)
        self.add(f'<path class="{css}" d="{" ".join(words)}"/>')

    def box(self, css: str, at: Placed) -> None:
        """A solid's front, top and side faces, each with its own shade."""
        x, top, (thick, height, deep, slices) = at
        self.add(
            f'<rect class="f {css}" x="{number(x)}" y="{number(top)}" '
            f'width="{number(thick)}" height="{number(height)}"/>'
        )
        if deep <= 0:
            return
        right = x + thick
        self.polygon(
            f"t {css}", (x, top), (right, top), (right + deep, top - deep), (x + deep, top - deep)
        )
        self.polygon(
            f"s {css}",
            (right, top),
            (right + deep, top - deep),
            (right + deep, top + height - deep),
            (right, top + height),
        )
        if slices > 1:  # a 3-D volume's frames, on its top and its side
            steps: list[object] = []
            count = min(slices, 16)
            for i in range(1, count):
                shift = deep * i / count
                steps += ["M", x + shift, top - shift, "H", right + shift, "v", height]
            self.path("slice", *steps)

    def polygon(self, css: str, *points: tuple[float, float]) -> None:
        listed = " ".join(f"{number(x)},{number(y)}" for x, y in points)
        self.add(f'<polygon class="{css}" points="{listed}"/>')

    def label(self, x: float, y: float, lines: Sequence[str]) -> None:
        for i, line in enumerate(lines):
            self.add(
                f'<text class="l" x="{number(x)}" y="{number(y + i * LINE)}">{escape(line)}</text>'
            )


class Group(NamedTuple):
    """What makes a node an SVG group: its id and its title."""

    id: str
    title: str


class Rail(NamedTuple):
    """A lane's label line: the first baseline, and the bottom under which lanes hang."""

    labels: float
    floor: float


class Node:
    """Something drawn in a lane: measured, then placed once."""

    width = 0.0
    up = 0.0  # how far it reaches above the axis
    body = 0.0  # how far its volumes reach below the axis: the lane's labels go under
    lines = 0  # label lines of its volumes
    hang = 0.0  # how far the lanes stacked under it reach below the lane's labels
    group: Group | None = None

    def place(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        """Draw at `x` on `axis`, labelled on `rail`, fed from `source`; where the next node
        is fed from."""
        if self.group is None:
            return self.draw(canvas, x, axis, rail, source)
        canvas.spots[self.group.id] = Spot(x, canvas.line, x + self.width, canvas.line)
        canvas.add(f'<g id="{escape(self.group.id)}">')
        canvas.add(f"<title>{escape(self.group.title)}</title>")
        after = self.draw(canvas, x, axis, rail, source)
        canvas.add("</g>")
        return after

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        raise NotImplementedError


class Kernel(NamedTuple):
    """A window drawn on the volume it slides over: its height, depth and thickness."""

    height: float
    deep: float
    thick: float


class Volume(Node):
    """A tensor: a box, a strip or a bar, with its labels under it; and, for a layer that
    slides a window, that window drawn on its input with lines to this volume."""

    def __init__(
        self, solid: Solid, css: str, text: Sequence[str], kernel: Kernel | None = None
    ) -> None:
        self.solid, self.css, self.text, self.kernel = solid, css, list(text), kernel
        self.width = max([solid.width, *map(text_width, self.text)]) + GAP
        self.up = self.body = solid.tall / 2
        self.lines = len(self.text)

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        solid = self.solid
        middle = x + self.width / 2
        left = middle - solid.width / 2
        at = Placed(left, axis - solid.height / 2 + solid.deep / 2, solid)
        if source.x < left:  # the input has no line into it
            canvas.path("wire", "M", source.x, source.y, "L", left, axis)
        canvas.box(self.css, at)
        if self.kernel is not None and source.volume is not None:
            _kernel(canvas, self.kernel, source.volume, at)
        canvas.label(middle, rail.labels, self.text)
        return Anchor(left + solid.width, axis, at)


def _kernel(canvas: Canvas, kernel: Kernel, on: Placed, to: Placed) -> None:
    """The window on the input volume `on`, flush with its side (the H×W face), centred,
    with lines from its corners to the middle of the output's side."""
    x, top, solid = on
    height = min(kernel.height, solid.height)
    deep = min(kernel.deep, solid.deep)
    thick = min(kernel.thick, solid.thick)
    shift = (solid.deep - deep) / 2
    left, high = x + solid.thick - thick + shift, top + (solid.height - height) / 2 - shift
    canvas.box("k", Placed(left, high, Solid(thick, height, deep)))
    out_x, out_top, out = to
    target = (out_x + out.thick + out.deep / 2, out_top + out.height / 2 - out.deep / 2)
    right = left + thick
    canvas.path("ray", "M", right + deep, high - deep, "L", *target)
    canvas.path("ray", "M", right, high + height, "L", *target)


class Join(Node):
    """Where tensors meet: ⊕ for a sum, × for a product."""

    def __init__(self, sign: str) -> None:
        self.sign = sign
        self.width = 2 * JOIN + GAP
        self.up = self.body = JOIN

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        middle = x + self.width / 2
        canvas.path("wire", "M", source.x, source.y, "L", middle - JOIN, axis)
        canvas.add(f'<circle class="join" cx="{number(middle)}" cy="{number(axis)}" r="{JOIN}"/>')
        arm = JOIN * 0.6
        if self.sign == "+":
            canvas.path(
                "sign", "M", middle - arm, axis, "h", 2 * arm, "M", middle, axis - arm, "v", 2 * arm
            )
        else:
            arm *= 0.75
            canvas.path("sign", "M", middle - arm, axis - arm, "l", 2 * arm, 2 * arm)
            canvas.path("sign", "M", middle - arm, axis + arm, "l", 2 * arm, -2 * arm)
        # A residual's sum has its last layer's shape: the next window is drawn on that.
        return Anchor(middle + JOIN, axis, source.volume if self.sign == "+" else None)


class Repeated(Node):
    """A node drawn once for a run of `times` alike ones, under a bracket marked ×N."""

    def __init__(self, node: Node, times: int) -> None:
        self.node, self.times = node, times
        self.mark = f"×{times}"
        self.width = max(node.width, text_width(self.mark) + GAP)
        self.up = node.up + REPEAT
        self.body, self.lines, self.hang = node.body, node.lines, node.hang

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        inner = x + (self.width - self.node.width) / 2
        after = self.node.place(canvas, inner, axis, rail, source)
        left, right = inner + GAP / 4, inner + self.node.width - GAP / 4
        level = axis - self.node.up - 4
        canvas.path("bracket", "M", left, level + 4, "V", level, "H", right, "v", 4)
        canvas.label((left + right) / 2, level - 4, [self.mark])
        return after


class Inline(Node):
    """Nodes in the lane they are in: a block's layers; with `arc`, a residual's, under
    the skip from its input to its sum (its last node, a ⊕)."""

    def __init__(self, nodes: Sequence[Node], arc: bool = False) -> None:
        self.nodes, self.arc = list(nodes), arc
        self.width = sum(node.width for node in self.nodes)
        self.up = max((node.up for node in self.nodes), default=0.0)
        if arc:
            self.up += ARC_CLEAR + 2
        self.body = max((node.body for node in self.nodes), default=0.0)
        self.lines = max((node.lines for node in self.nodes), default=0)
        self.hang = max((node.hang for node in self.nodes), default=0.0)

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        start = x
        for node in self.nodes:
            source = node.place(canvas, x, axis, rail, source)
            x += node.width
        if self.arc:  # from the gap before the first node, over them all, down into the ⊕
            left, right = start + GAP / 4, x - self.nodes[-1].width / 2
            top = axis - self.up + 2
            corner = ARC_ROUND
            canvas.path(
                "skip", "M", left, axis, "V", top + corner, "Q", left, top, left + corner, top,
                "H", right - corner, "Q", right, top, right, top + corner, "V", axis - JOIN,
            )  # fmt: skip
        return source


class Lane(Node):
    """Nodes on one axis with their own label line, under the lowest of them."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.inline = Inline(nodes)
        self.width, self.up, self.lines = self.inline.width, self.inline.up, self.inline.lines
        self.labelled = self.inline.body + (LABEL_PAD + self.lines * LINE if self.lines else 0.0)
        self.down = self.labelled + self.inline.hang  # from the axis to its bottom

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        first = axis + self.inline.body + LABEL_PAD + FONT - 2
        return self.inline.place(canvas, x, axis, Rail(first, axis + self.labelled), source)


class Fork(Node):
    """Lanes between two bus lines: the first in the lane the fork is in, sharing its
    labels (an empty one is the input passed on), the others stacked under those labels.
    They meet in `join` (a ⊕, a ×, or a concat's output volume); with no join, the lanes
    under the first end where they end (a side head) and the input goes on."""

    def __init__(self, lanes: Sequence[Sequence[Node]], join: Node | None) -> None:
        self.through = Inline(lanes[0])
        self.below = [Lane(nodes) for nodes in lanes[1:]]
        self.join = join
        self.inner = max([BUS, self.through.width, *(lane.width for lane in self.below)])
        self.width = 2 * BUS + self.inner + (join.width if join else 0.0)
        parts: list[Node] = [self.through, *([join] if join else [])]
        self.up = max(part.up for part in parts)
        self.body = max(part.body for part in parts)
        self.lines = max(part.lines for part in parts)
        self.axes = []  # each lane's axis, from the floor of the labels it hangs under
        bottom = self.through.hang
        for lane in self.below:
            self.axes.append(bottom + LANE_GAP + lane.up)
            bottom = self.axes[-1] + lane.down
        self.hang = bottom

    def draw(self, canvas: Canvas, x: float, axis: float, rail: Rail, source: Anchor) -> Anchor:
        split, meet = x + BUS / 2, x + BUS * 1.5 + self.inner
        canvas.path("wire", "M", source.x, source.y, "L", split, axis)
        entry = Anchor(split, axis, source.volume)
        ends = [self.through.place(canvas, x + BUS, axis, rail, entry)]
        for lane, offset in zip(self.below, self.axes, strict=True):
            level = rail.floor + offset
            canvas.path("wire", "M", split, axis, "V", level)
            # No window drawn from the input to a lane below: its lines would cross the others.
            ends.append(lane.place(canvas, x + BUS, level, rail, Anchor(split, level)))
        if self.join is None:  # a side head: the lanes below stop; the input goes on
            canvas.path("wire", "M", ends[0].x, axis, "H", x + self.width)
            return Anchor(x + self.width, axis, source.volume)
        for end in ends:
            canvas.path("wire", "M", end.x, end.y, "H", meet, "V", axis)
        return self.join.place(canvas, meet + BUS / 2, axis, rail, Anchor(meet, axis, None))
