"""`cnncalc explain`: how each number of a spec's table came about."""

from __future__ import annotations

import click

from cnncalc.cli import CONTEXT, format_option
from cnncalc.commands.table import analyzed, layer_options
from cnncalc.render import explain as explain_formats


@click.command(
    context_settings=CONTEXT,
    short_help="Each layer's figures worked out, in the course's notation.",
)
@layer_options
@format_option(
    explain_formats.FORMATS,
    "text for a terminal, markdown for notes, json for programs.",
)
def explain(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    format_: str,
) -> None:
    """Show how each number of the table came about, in the course's notation.

    For every layer: n_H and n_W worked out with ⌊(n + 2p − f)/s⌋ + 1, the
    parameters and MACs with the numbers substituted, and for a conv layer
    the course's "why convolutions" comparison: the parameters a fully
    connected layer would need to map the same input volume to the same
    output volume. SPEC and the layers are given as for `cnncalc table`.
    """
    from cnncalc.explain import explain as explain_summary

    spec, summary = analyzed(arguments, input_shape, layout)
    sections = explain_summary(summary, layout or spec.layout)
    click.echo(explain_formats.FORMATS[format_](sections, summary.name), nl=False)
