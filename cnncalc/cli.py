"""The command line: parse arguments, call the core, hand results to `render`.

Core errors become one line on standard error and an exit code here and only
here: 1 for bad data, 2 for bad usage (click's convention).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from cnncalc import __version__
from cnncalc.errors import Diagnostic, SpecError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ShapeType(click.ParamType):  # type: ignore[type-arg]
    """An input shape typed as HxWxC (or N for a vector)."""

    name = "HxWxC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import values

        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        raw = [text] if text.isdigit() else text
        try:
            return values.dims("the input shape", raw)
        except values.ValueProblem as problem:
            self.fail(f"{problem} (e.g. --input 32x32x3)", param, ctx)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the core's errors into a message and exit code 1."""
    try:
        yield
    except SpecError as error:
        fail(str(error))


class DataError(click.ClickException):
    """Bad data: exit 1, where click's usage errors exit 2."""

    exit_code = 1


def fail(message: str) -> NoReturn:
    raise DataError(message)


def warn(diagnostic: Diagnostic) -> None:
    click.echo(f"Warning: {diagnostic}", err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="cnncalc")
def cli() -> None:
    """Shapes, parameter counts and arithmetic of convolutional networks.

    Describe a network in a spec file (or as layers on the command line) and
    cnncalc prints what each layer does to the shape of the data and how many
    parameters it has, as the deeplearning.ai course's LeNet table does.
    """


@cli.command(context_settings=CONTEXT)
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

        cnncalc table lenet5

    Or give the input shape and the layers in shorthand, TYPE:ARGS, the
    arguments in Keras's order or as key=value:

        cnncalc table --input 32x32x3 conv:8,5 maxpool:2 conv:16,5 maxpool:2
        fc:120 fc:84 softmax:10

    Layer types: conv, maxpool, avgpool, fc, flatten, softmax, relu, sigmoid,
    tanh. Bad data exits 1, bad usage 2; warnings go to standard error.
    """
    from cnncalc import engine, render

    with user_errors():
        spec = _spec(arguments, input_shape)
        summary = engine.analyze(spec)
    for warning in summary.warnings:
        warn(warning)
    render.print_table(summary, format_)


def _spec(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None) -> Any:
    from cnncalc import spec

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
    path, display = resolve(arguments[0])
    return spec.load(path, display)


def resolve(name: str) -> tuple[str, str]:
    """A path to read for SPEC and the name to show for it in messages."""
    from cnncalc import bundled

    if os.path.exists(name):
        return name, name
    found = bundled.path(name)
    if found is not None:
        return found, _display(found)
    from cnncalc.errors import Where
    from cnncalc.spec import suggestion

    known = bundled.names()
    raise SpecError(
        "no such file, and no bundled spec of that name"
        + suggestion(name, known, f"; the bundled specs are {', '.join(known)}"),
        Where(name),
    )


def _display(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


@cli.command(name="list", context_settings=CONTEXT)
def list_specs() -> None:
    """List the bundled specs, each with a one-line description."""
    from cnncalc import bundled, render, spec

    rows = []
    for name in bundled.names():
        path = bundled.path(name)
        assert path is not None
        with user_errors():
            loaded = spec.load(path, _display(path))
        rows.append([name, loaded.description or loaded.name or ""])
    click.echo(render.columns(rows), nl=False)


def main() -> None:
    """The console script: run the CLI, never let a traceback reach the user."""
    # A short-lived process that builds many small acyclic objects (a spec of
    # 10,000 layers is 100,000 of them): the cyclic collector would only rescan
    # them, costing a third of the run.
    gc.disable()
    try:
        cli(prog_name="cnncalc")
    except BrokenPipeError:
        # The reader went away (`cnncalc table x | head`); nothing left to say.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        sys.exit(1)
    except Exception as error:
        if os.environ.get("CNNCALC_DEBUG"):
            raise
        click.echo(
            f"Error: internal error, please report it: {type(error).__name__}: {error}", err=True
        )
        sys.exit(70)
