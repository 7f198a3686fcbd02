"""`cnncalc draw`: the network as an SVG picture, the course's LeNet drawings of volumes.

Conventions:

- A 2-D activation (H, W, C) is a box in oblique projection: its height is H,
  its width W recedes up and to the right at 45° (foreshortened), and its
  thickness along the row is C, as the course draws LeNet: volumes shrinking
  in height and width and growing in thickness from left to right.
- A 1-D signal (L, C) is a flat strip, L tall and C thick. A 3-D volume
  (D, H, W, C) is a box H tall and C thick whose receding axis holds D·W,
  divided into its D frames (16 at most are drawn). A vector (n,), a fully
  connected layer's output, is a thin bar n tall.
- Sizes follow `--scale` (sqrt by default: linear makes a 7×7 tensor a speck
  beside a 224×224 one, log makes them nearly equal). Each kind of size (H and
  W; D·W; channels; vector lengths) is scaled against the largest of its kind
  in the drawing and clamped to a range of pixels, so a larger size never
  draws smaller and nothing vanishes.
- A conv's or pool's window is a small box on the input volume, flush with its
  H×W face, its height and depth the kernel's at the same scale and its
  thickness the channels one filter sees (one, for a pool), with lines to the
  output it makes.
- Blocks are drawn down to `depth`, as the table folds them: a folded block is
  one volume of its output. A residual's skip is an arc from its input over its
  layers into a ⊕ (a shortcut with layers is a lane under them); a concat's or
  split's branches are lanes one above the other, joined into its output
  volume; a multiply's gate is a lane under the input, joined in a ×; a side
  head is a lane under the line that ends where it ends. `draw_build.BLOCK_DRAWINGS`
  has one drawing per block type. Neighbouring blocks alike in every shape and
  figure are drawn once, under a bracket marked ×N (`Drawing.once`).
- A tensor kept by `save:` is an arc from the wire after the row that saved it
  to the wire before the row that joins it (`draw_lines`). A drawing wider than
  `Drawing.width` goes on in lines one under another.
- Every drawn row is a `<g id="layer-PATH">` (its path's dots written -) with
  a `<title>` of its name, shape and parameters; the input is `<g id="input">`.

The document is SVG 1.1, built as text: the same network gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

from cnncalc.errors import counted, visible
from cnncalc.render.draw_build import Builder, group_id
from cnncalc.render.draw_layout import (
    BAR,
    FONT,
    OBLIQUE,
    Canvas,
    Group,
    Solid,
    escape,
)
from cnncalc.render.draw_lines import MARGIN, Arc, Sheet
from cnncalc.shapes import Shape, shape_text
from cnncalc.summary import Summary

SCALE_NAMES = ("sqrt", "linear", "log")  # the first is the default
LABELS = ("shape", "name", "params")  # what --label may show; drawn name, shape, params
MOST = 5_000  # volumes in a drawing: more is no picture, and costs seconds and memory
WIDTH = 1200  # the widest a line is by default: it fits a laptop's screen and a report
VOLUMES = 60  # past this many rows, a drawing folds its deepest blocks unless told otherwise
STYLE = (
    "text.l{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    f"font-size:{FONT}px;text-anchor:middle;fill:#222}}"
    ".f,.t,.s,.k{stroke:#333;stroke-width:0.6;stroke-linejoin:round}"
    ".f.input{fill:#f2efe4}.t.input{fill:#faf8f1}.s.input{fill:#ddd8c8}"
    ".f.conv{fill:#9ecae1}.t.conv{fill:#c6dbef}.s.conv{fill:#6baed6}"
    ".f.pool{fill:#fdae6b}.t.pool{fill:#fdd0a2}.s.pool{fill:#f28e3f}"
    ".f.fc{fill:#a1d99b}.t.fc{fill:#c7e9c0}.s.fc{fill:#74c476}"
    ".f.other{fill:#d9d9d9}.t.other{fill:#eeeeee}.s.other{fill:#bdbdbd}"
    ".f.block{fill:#bcbddc}.t.block{fill:#dadaeb}.s.block{fill:#9e9ac8}"
    ".k{fill:#e6550d;fill-opacity:0.45;stroke:#a63603}"
    "path{fill:none}.wire{stroke:#888;stroke-width:1}"
    ".ray{stroke:#a63603;stroke-width:0.8;stroke-dasharray:3,2}"
    ".skip{stroke:#3182bd;stroke-width:1.6}.slice{stroke:#333;stroke-width:0.4}"
    ".join{fill:#fff;stroke:#3182bd;stroke-width:1.4}.sign{stroke:#3182bd;stroke-width:1.4}"
    ".saved{stroke:#31a354;stroke-width:1.4}.tap,.tip{fill:#31a354}"
    "text.n{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    f"font-size:{FONT - 1}px;fill:#24692d}}"
    ".bracket{stroke:#555;stroke-width:1}"
)


# Pixels for each kind of size, (smallest, largest): clamped, so that a 224×224×3 input
# and a 7×7×2048 tensor are both visible in one drawing.
RANGES = {
    "space": (6.0, 160.0),  # H and W (L in 1-D, H in 3-D)
    "sheet": (6.0, 160.0),  # D·W in 3-D: the receding axis holds depth and width
    "channels": (2.0, 48.0),
    "vector": (6.0, 160.0),
}
SCALES: dict[str, Callable[[float], float]] = {
    "linear": float,
    "sqrt": math.sqrt,
    "log": lambda n: math.log2(n + 1),
}


def measures(shape: Shape) -> list[tuple[str, int]]:
    """Each size of `shape` with the kind of pixels it is drawn in."""
    if len(shape) <= 1:
        return [("vector", shape[0] if shape else 1)]
    *spatial, channels = shape
    if len(spatial) == 1:
        return [("space", spatial[0]), ("channels", channels)]
    if len(spatial) == 2:
        return [("space", spatial[0]), ("space", spatial[1]), ("channels", channels)]
    sheet = math.prod(spatial) // spatial[-2]  # every axis but the height
    return [("space", spatial[-2]), ("sheet", sheet), ("channels", channels)]


class Sizer:
    """Pixels for a size: each kind scaled against the largest of its kind in the drawing,
    then clamped to its range; so a larger size never draws smaller."""

    def __init__(self, scale: str, shapes: Iterable[Shape]) -> None:
        self.scale = SCALES[scale]
        self.largest = dict.fromkeys(RANGES, 1)
        for shape in shapes:
            for kind, n in measures(shape):
                self.largest[kind] = max(self.largest[kind], n)
        # A vector is as tall as its length against the heights too: M5's 10 classes are
        # no taller than its 8,000 samples, LeNet's 120 units taller than its 32 rows.
        self.largest["vector"] = max(self.largest["vector"], self.largest["space"])

    def px(self, kind: str, n: int) -> float:
        low, high = RANGES[kind]
        return max(low, min(high, high * self.scale(n) / self.scale(self.largest[kind])))

    def solid(self, shape: Shape) -> Solid:
        """How a tensor of `shape` is drawn."""
        sizes = dict(measures(shape))
        if len(shape) <= 1:
            return Solid(BAR, self.px("vector", sizes["vector"]), 0.0)
        thick = self.px("channels", shape[-1])
        height = self.px("space", shape[-3] if len(shape) > 2 else shape[0])
        if len(shape) == 2:
            return Solid(thick, height, 0.0)  # a 1-D signal: a flat strip
        if len(shape) == 3:
            return Solid(thick, height, OBLIQUE * self.px("space", shape[1]))
        return Solid(
            thick, height, OBLIQUE * self.px("sheet", sizes["sheet"]), math.prod(shape[:-3])
        )


class Drawing(NamedTuple):
    """How to draw: the layout shapes are written in, how deep blocks open (None: all),
    the scale of sizes, what the labels show, the widest a line may be before the rest
    goes on under it (None: one line), and whether a run of alike blocks is drawn once."""

    layout: str = "hwc"
    depth: int | None = None
    scale: str = SCALE_NAMES[0]
    labels: tuple[str, ...] = ("shape",)
    width: int | None = WIDTH
    once: bool = True


class Picture(NamedTuple):
    """The SVG document, and for each row drawn as another (a run of alike blocks is
    drawn once) the path of the row drawn for it."""

    text: str
    shown: dict[str, str]


DEFAULT = Drawing()


def too_many(summary: Summary, depth: int | None) -> str | None:
    """Why the rows down to `depth` make no picture (more than `MOST`), or None; said
    before anything is drawn."""
    count = sum(1 for _ in summary.flat(depth))
    if count <= MOST:
        return None
    fold = "" if depth == 1 else "fold its blocks with --depth, or "
    return (
        f"the drawing would hold {count:,} volumes, more than the {MOST:,} a picture can "
        f"show: {fold}draw a part of the network"
    )


def svg(summary: Summary, drawing: Drawing = DEFAULT) -> str:
    """The SVG document of `summary`'s network, drawn down to `drawing.depth`."""
    return picture(summary, drawing).text


def picture(summary: Summary, drawing: Drawing = DEFAULT) -> Picture:
    """The SVG document of `summary`'s network, and the rows it draws as others."""
    rows = list(summary.flat(drawing.depth))
    shapes = [summary.input_shape, *(row.shape for row in rows), *(row.input_shape for row in rows)]
    builder = Builder(drawing, Sizer(drawing.scale, shapes))
    first = builder.volume(None, summary.input_shape, "input")
    first.group = Group("input", f"Input: {shape_text(summary.input_shape, drawing.layout)}")
    usable = None if drawing.width is None else drawing.width - 2 * MARGIN
    sheet = Sheet([first, *builder.nodes(summary.rows)], usable, _arcs(summary))
    canvas = Canvas()
    sheet.place(canvas, MARGIN + first.width / 2)
    width, height = math.ceil(sheet.width), math.ceil(sheet.height)
    title = visible(summary.name) if summary.name else "A network"
    described = (
        f"{counted(len(rows), 'layer')} drawn from the input "
        f"{shape_text(summary.input_shape, drawing.layout)} to the output "
        f"{shape_text(summary.output_shape, drawing.layout)}, "
        f"{counted(summary.params, 'parameter')}. Each activation is a box H tall, W deep "
        "and C thick (a strip for a signal, a bar for a vector), sizes on a "
        f"{drawing.scale} scale; a small box on one is a window sliding over it."
    )
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="title desc">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{escape(described)}</desc>',
        f'<style type="text/css">{STYLE}</style>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    text = "\n".join([*head, *canvas.parts, "</svg>"]) + "\n"
    return Picture(text, builder.shown)


def _arcs(summary: Summary) -> list[Arc]:
    """Each saved tensor a row joins or crops to, from the row that saved it."""
    return [
        Arc(name, group_id(saver), group_id(row.path))
        for row in summary.flat(None)
        for name, saver in zip(row.layer.reads(), row.reads, strict=True)
    ]
