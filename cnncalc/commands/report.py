"""`cnncalc report`: a spec's network as one self-contained HTML page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from cnncalc.cli import CONTEXT
from cnncalc.commands.draw import VOLUMES, shown_depth, spec_inputs, write_out
from cnncalc.commands.table import DepthType, analyzed, layer_options


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
    write_out(
        output,
        spec_inputs(arguments, input_shape),
        lambda: _page(arguments, input_shape, layout, depth),
        "report",
        "the spec to report on",
    )


def _page(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    depth: int | None,
) -> Iterator[str]:
    from cnncalc.render import report as rendering

    spec, summary = analyzed(arguments, input_shape, layout)
    deepest, folded = shown_depth(summary, depth)
    described: Any = getattr(spec, "description", None)
    return rendering.chunks(
        summary, rendering.Report(layout or spec.layout, deepest, folded, described)
    )
