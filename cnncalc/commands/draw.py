"""`cnncalc draw`: a spec's network as an SVG picture of its volumes."""

from __future__ import annotations

from typing import Any, NoReturn

import click

from cnncalc.cli import CONTEXT
from cnncalc.commands.table import ALL, DepthType, analyzed, layer_options

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
    if output is None or output == "-":
        click.echo(_picture(arguments, input_shape, layout, depth, scale, labels), nl=False)
        return
    inputs = spec_inputs(arguments, input_shape)
    _refuse_inputs(output, inputs)
    with _drawing_file(output, inputs) as file:  # refused before the spec is read
        picture = _picture(arguments, input_shape, layout, depth, scale, labels)
        file.write(lambda stream: stream.write(picture))


def _picture(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
    scale: str,
    labels: tuple[str, ...],
) -> str:
    from cnncalc.render.table import fitting_depth

    spec, summary = analyzed(arguments, input_shape, layout)
    if depth is None:
        depth = fitting_depth(summary, VOLUMES)
    from cnncalc.render import draw as drawing

    deepest = None if depth in (ALL, None) else depth
    return drawing.svg(summary, drawing.Drawing(layout or spec.layout, deepest, scale, labels))


def _drawing_file(output: str, inputs: list[str]) -> Any:
    """`check --output`'s file, replaced only by a whole drawing, its refusals about one."""
    from cnncalc.commands.check import ReportFile

    class DrawingFile(ReportFile):
        def _refuse(self, message: str) -> NoReturn:
            super()._refuse(message.replace("the report", "the drawing"))

    return DrawingFile(output, inputs)


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


def _refuse_inputs(output: str, inputs: list[str]) -> None:
    """-o naming the spec it draws is a usage error (exit 2), before anything is read."""
    from cnncalc.commands.check import same_file
    from cnncalc.errors import visible

    for spec in inputs:
        if same_file(output, spec):
            raise click.BadParameter(
                f"'{visible(output)}' is the spec to draw; the drawing would overwrite it: "
                "write it to another file",
                param_hint="'--output' / '-o'",
            )
