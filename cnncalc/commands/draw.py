"""`cnncalc draw`: a spec's network as an SVG picture of its volumes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from cnncalc.cli import CONTEXT
from cnncalc.commands.table import ALL, DepthType, analyzed, layer_options

if TYPE_CHECKING:
    from cnncalc.summary import Summary

# The renderer is imported when the command runs: these are its choices, kept in step by
# tests/test_draw.py.
SCALES = ("sqrt", "linear", "log")
LABELS = ("shape", "name", "params")
VOLUMES = 60
WIDTH = 1200
REPEATS = ("once", "each")


class LabelsType(click.ParamType):  # type: ignore[type-arg]
    """A comma-separated list of what labels show: shape, name, params."""

    name = "LIST"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.errors import suggestion

        if isinstance(value, tuple):
            return value
        keys = [key.strip().lower() for key in str(value).split(",") if key.strip()]
        for key in keys:
            if key not in LABELS:
                hint = suggestion(key, list(LABELS), f"; labels show {', '.join(LABELS)}")
                self.fail(f"unknown label {key!r}{hint}", param, ctx)
        if not keys:
            self.fail("name at least one of shape, name, params", param, ctx)
        return tuple(dict.fromkeys(keys))

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from cnncalc.commands import completion

        return completion.listed(list(LABELS), incomplete, ())


@click.command(
    context_settings=CONTEXT,
    short_help="An SVG picture of the network's volumes, as the course draws LeNet.",
)
@layer_options
@click.option(
    "--depth",
    type=DepthType(),
    metavar="N|all",
    help="Draw blocks down to N levels deep, as the table shows its rows; a folded block is "
    f"one volume. Default: every row, or the deepest depth that keeps to {VOLUMES} rows; "
    "all: every row.",
)
@click.option(
    "--scale",
    type=click.Choice(SCALES),
    default=SCALES[0],
    show_default=True,
    help="How sizes become pixels: sqrt keeps a 7×7 tensor visible beside a 224×224 one; "
    "linear is true to proportion; log flattens the most.",
)
@click.option(
    "--label",
    "labels",
    type=LabelsType(),
    default="shape",
    show_default=True,
    help="What the label under each volume shows, comma-separated: shape, name, params.",
)
@click.option(
    "--width",
    type=click.IntRange(min=0),
    default=WIDTH,
    show_default=True,
    metavar="PX",
    help="The widest the drawing may be: past it, the volumes go on in a line under, as "
    "text wraps; 0: one line, however wide.",
)
@click.option(
    "--repeats",
    type=click.Choice(REPEATS),
    default=REPEATS[0],
    show_default=True,
    help="once: neighbouring blocks alike in every shape and figure are drawn once, "
    "marked ×N; each: every one of them.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(readable=False, allow_dash=True),
    metavar="FILE",
    help="Write the SVG to this file instead of standard output; it is replaced only by a "
    "whole drawing, and never one of the inputs.",
)
def draw(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
    scale: str,
    labels: tuple[str, ...],
    width: int,
    repeats: str,
    output: str | None,
) -> None:
    """Draw the network as an SVG picture: each activation a box in perspective.

    A box is H tall, W deep (receding) and C thick, as the course draws
    LeNet; a conv's or pool's window is drawn on the volume it slides over;
    vectors are bars; a residual's skip is an arc, a concat's branches lanes
    one above the other, a saved tensor an arc to the layer that joins it. A
    network wider than --width goes on in lines under. SPEC and the layers are
    given as for `cnncalc table`:

    \b
        cnncalc draw lenet5 -o lenet5.svg
        cnncalc draw resnet18 --label name,shape --depth 2 > resnet18.svg
        cnncalc draw unet --width 0 --repeats each -o unet-wide.svg
    """
    write_out(
        output,
        spec_inputs(arguments, input_shape),
        lambda: _picture(arguments, input_shape, layout, depth, scale, labels, width, repeats),
        "drawing",
        "the spec to draw",
    )


def _picture(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
    scale: str,
    labels: tuple[str, ...],
    width: int,
    repeats: str,
) -> list[str]:
    from cnncalc.render import draw as drawing

    spec, summary = analyzed(arguments, input_shape, layout)
    deepest, _ = shown_depth(summary, depth)
    refused = drawing.too_many(summary, deepest)
    if refused is not None:
        from cnncalc.cli import fail

        fail(refused)
    how = drawing.Drawing(
        layout or spec.layout, deepest, scale, labels, width or None, repeats == "once"
    )
    return [drawing.svg(summary, how)]


def shown_depth(summary: Summary, depth: int | None) -> tuple[int | None, bool]:
    """How deep blocks are shown (None: every row), and whether that depth was chosen to
    keep to `VOLUMES` rows rather than asked for."""
    from cnncalc.render.table import fitting_depth

    if depth is None:
        deepest = fitting_depth(summary, VOLUMES)
        return deepest, deepest is not None
    return (None if depth == ALL else depth), False


def write_out(
    output: str | None,
    inputs: list[str],
    make: Callable[[], Iterable[str]],
    noun: str,
    role: str,
) -> None:
    """The pieces of text `make` gives, on standard output as they come, or as the whole
    of the file `output`, which must not be one of `inputs` (the spec: `role`): refused
    before the spec is read."""
    if output is None or output == "-":
        for piece in make():
            click.echo(piece, nl=False)
        return
    from cnncalc.commands.check import ReportFile

    with ReportFile(output, inputs, noun, role, name_spec=False) as file:
        file.write_text(make())


def spec_inputs(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None) -> list[str]:
    """The file the drawing is made from, which -o must not replace: SPEC, or the bundled
    spec it names."""
    if input_shape is not None or len(arguments) != 1 or arguments[0] == "-":
        return []
    import os

    from cnncalc import bundled

    if os.path.exists(arguments[0]):
        return [arguments[0]]
    found = bundled.path(arguments[0])
    return [found] if found is not None else []
