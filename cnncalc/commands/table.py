"""`cnncalc table` and `cnncalc list`: the course's table of a spec."""

from __future__ import annotations

from typing import Any

import click

from cnncalc.cli import CONTEXT, user_errors, warn


class ShapeType(click.ParamType):  # type: ignore[type-arg]
    """An input shape typed as HxWxC (or N for a vector)."""

    name = "HxWxC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import values

        if isinstance(value, tuple):
            return value
        try:
            return values.dims("the input shape", str(value).strip())
        except values.ValueProblem as problem:
            self.fail(f"{problem} (e.g. --input 32x32x3)", param, ctx)


@click.command(context_settings=CONTEXT)
@click.argument("arguments", nargs=-1, metavar="SPEC | --input HxWxC LAYER...")
@click.option(
    "--input",
    "-i",
    "input_shape",
    type=ShapeType(),
    help="Input shape, height x width x channels; the arguments are then layers.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["rich", "markdown", "csv", "json"]),
    default="rich",
    show_default=True,
    help="rich is a table (plain ASCII when not on a terminal or with NO_COLOR).",
)
def table(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None, format_: str) -> None:
    """Print each layer's activation shape, activation size and parameters.

    SPEC is a spec file or the name of a bundled spec (see `cnncalc list`):

    \b
        cnncalc table lenet5

    Or give the input shape and the layers in shorthand, TYPE:ARGS, the
    arguments in Keras's order or as key=value:

    \b
        cnncalc table --input 32x32x3 conv:8,5 maxpool:2 conv:16,5 \\
            maxpool:2 fc:120 fc:84 softmax:10

    Layer types: conv, maxpool, avgpool, fc, flatten, softmax, relu, sigmoid,
    tanh. Bad data exits 1, bad usage 2; warnings go to standard error.
    """
    from cnncalc import engine, render

    with user_errors():
        spec = _spec(arguments, input_shape)
        summary = engine.analyze(spec)
    for warning in render.table_warnings(summary):
        warn(warning)
    render.print_table(summary, format_)


def _spec(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None) -> Any:
    from cnncalc import bundled, spec

    if input_shape is not None:
        if not arguments:
            raise click.UsageError("--input needs layers after it, e.g. conv:8,5 maxpool:2 fc:10")
        return spec.from_arguments(input_shape, arguments)
    if not arguments:
        raise click.UsageError("give a SPEC (a file or a bundled name), or --input and layers")
    if len(arguments) > 1:
        raise click.UsageError(
            f"got {len(arguments)} arguments but no --input; give one SPEC, "
            "or --input HxWxC followed by the layers"
        )
    path, display = bundled.resolve(arguments[0])
    return spec.load(path, display)


@click.command(name="list", context_settings=CONTEXT)
def list_specs() -> None:
    """List the bundled specs, each with a one-line description."""
    from cnncalc import bundled, render, spec

    rows = []
    for name in bundled.names():
        path = bundled.path(name)
        assert path is not None
        with user_errors():
            loaded = spec.load(path, bundled.display(path))
        rows.append([name, loaded.description or loaded.name or ""])
    click.echo(render.columns(rows), nl=False)
