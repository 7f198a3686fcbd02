"""`cnncalc report`: a spec's network as one self-contained HTML page."""

from __future__ import annotations

from typing import IO, Any

import click

from cnncalc.cli import CONTEXT
from cnncalc.commands.draw import VOLUMES, spec_inputs
from cnncalc.commands.table import ALL, DepthType, analyzed, layer_options


@click.command(
    context_settings=CONTEXT,
    short_help="One HTML page: the drawing, the whole table and each number worked out.",
)
@layer_options
@click.option(
    "--depth",
    type=DepthType(),
    metavar="N|all",
    help="Show blocks down to N levels deep in the drawing and the table; a folded block "
    f"is one volume and one row. Default: every row, or the deepest depth that keeps to "
    f"{VOLUMES} rows; all: every row.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(readable=False, allow_dash=True),
    metavar="FILE",
    help="Write the page to this file instead of standard output; it is replaced only by a "
    "whole page, and never one of the inputs.",
)
def report(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
    output: str | None,
) -> None:
    """Write one self-contained HTML page about the network.

    The page has the drawing `cnncalc draw` makes, the table with every
    column, its totals, notes and warnings, and each layer's arithmetic as
    `cnncalc explain` works it out. It fetches nothing, shows everything
    without JavaScript, reads on a phone and prints. SPEC and the layers are
    given as for `cnncalc table`:

    \b
        cnncalc report lenet5 -o lenet5.html
        cnncalc report resnet18 --depth 2 > resnet18.html
    """
    if output is None or output == "-":
        click.echo(_page(arguments, input_shape, layout, depth), nl=False)
        return
    inputs = spec_inputs(arguments, input_shape)
    _refuse_inputs(output, inputs)
    from cnncalc.commands.check import ReportFile

    with ReportFile(output, inputs) as file:  # refused before the spec is read
        page = _page(arguments, input_shape, layout, depth)

        def written(stream: IO[str]) -> None:
            stream.write(page)

        file.write(written)


def _page(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
) -> str:
    from cnncalc.render.table import fitting_depth

    spec, summary = analyzed(arguments, input_shape, layout)
    folded = depth is None
    if depth is None:
        depth = fitting_depth(summary, VOLUMES)
    from cnncalc.render import report as rendering

    deepest = None if depth in (ALL, None) else depth
    described: Any = getattr(spec, "description", None)
    return rendering.page(
        summary,
        rendering.Report(layout or spec.layout, deepest, folded and deepest is not None, described),
    )


def _refuse_inputs(output: str, inputs: list[str]) -> None:
    """-o naming the spec it reports on is a usage error (exit 2), before anything is read."""
    from cnncalc.commands.check import same_file
    from cnncalc.errors import visible

    for spec in inputs:
        if same_file(output, spec):
            raise click.BadParameter(
                f"'{visible(output)}' is the spec to report on; the page would overwrite it: "
                "write it to another file",
                param_hint="'--output' / '-o'",
            )
