"""`cnncalc draw`: a spec's network as an SVG picture of its volumes."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

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
    output: str | None,
) -> None:
    """Draw the network as an SVG picture: each activation a box in perspective.

    A box is H tall, W deep (receding) and C thick, as the course draws
    LeNet; a conv's or pool's window is drawn on the volume it slides over;
    vectors are bars; a residual's skip is an arc, a concat's branches lanes
    one above the other. SPEC and the layers are given as for `cnncalc table`:

    \b
        cnncalc draw lenet5 -o lenet5.svg
        cnncalc draw resnet18 --label name,shape --depth 2 > resnet18.svg
    """
    write_out(
        output,
        spec_inputs(arguments, input_shape),
        lambda: _picture(arguments, input_shape, layout, depth, scale, labels),
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
) -> str:
    from cnncalc.render import draw as drawing

    spec, summary = analyzed(arguments, input_shape, layout)
    deepest, _ = shown_depth(summary, depth)
    return drawing.svg(summary, drawing.Drawing(layout or spec.layout, deepest, scale, labels))


def shown_depth(summary: Summary, depth: int | None) -> tuple[int | None, bool]:
    """How deep blocks are shown (None: every row), and whether that depth was chosen to
    keep to `VOLUMES` rows rather than asked for."""
    from cnncalc.render.table import fitting_depth

    if depth is None:
        deepest = fitting_depth(summary, VOLUMES)
        return deepest, deepest is not None
    return (None if depth == ALL else depth), False


def write_out(
    output: str | None, inputs: list[str], make: Callable[[], str], noun: str, role: str
) -> None:
    """What `make` gives, on standard output, or as the whole of the file `output`, which
    must not be one of `inputs` (the spec: `role`): refused before the spec is read."""
    if output is None or output == "-":
        click.echo(make(), nl=False)
        return
    from cnncalc.commands.check import ReportFile

    with ReportFile(output, inputs, noun, role, name_spec=False) as file:
        text = make()

        def written(stream: IO[str]) -> None:
            stream.write(text)

        file.write(written)


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
