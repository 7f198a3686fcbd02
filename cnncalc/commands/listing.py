"""`cnncalc list`: the bundled specs, or the layer types."""

from __future__ import annotations

import click

from cnncalc.cli import CONTEXT, user_errors


@click.command(
    name="list", context_settings=CONTEXT, short_help="List the bundled specs, or the layer types."
)
@click.option("--layers", is_flag=True, help="List the layer types instead, with their keys.")
def list_specs(layers: bool) -> None:
    """List the bundled specs, each with a one-line description."""
    from cnncalc import bundled, spec
    from cnncalc.render import listing

    if layers:
        click.echo(listing.layer_types(), nl=False)
        return

    rows = []
    for name in bundled.names():
        path = bundled.path(name)
        assert path is not None
        with user_errors():
            loaded = spec.load(path, bundled.display(path))
        rows.append([name, loaded.description or loaded.name or ""])
    click.echo(listing.columns(rows), nl=False)
