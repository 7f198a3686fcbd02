"""The command line: parse arguments, call the core, hand results to `render`.

Core errors become one line on standard error and an exit code here and only
here: 1 for bad data, 2 for bad usage (click's convention).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from cnncalc import __version__
from cnncalc.errors import Diagnostic, SpecError, closest, visible

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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
    raise DataError(visible(message))


def warn(diagnostic: Diagnostic) -> None:
    """A warning or a note on standard error; the command goes on."""
    label = "Note" if diagnostic.severity == "note" else "Warning"
    click.echo(f"{label}: {visible(str(diagnostic))}", err=True)


class ValueType(click.ParamType):  # type: ignore[type-arg]
    """An option value read by one of `cnncalc.values`' readers: the same sentence as
    for a spec's field when it is wrong, as a usage error (exit 2)."""

    def __init__(self, reader: str, what: str, metavar: str, hint: str = "") -> None:
        self.reader, self.what, self.name, self.hint = reader, what, metavar, hint

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.spec import values

        if not isinstance(value, str):
            return value  # a default, already read
        read: Callable[[str, Any], Any] = getattr(values, self.reader)
        try:
            return read(self.what, value.strip())
        except values.ValueProblem as problem:
            self.fail(f"{problem}{self.hint}", param, ctx)


def format_option(formats: Mapping[str, object], help: str) -> Callable[[Any], Any]:
    """--format, the same in every command: its choices are the render family's registry,
    and text (or the first) is the default."""
    return click.option(
        "--format",
        "format_",
        type=click.Choice(list(formats)),
        default="text" if "text" in formats else next(iter(formats)),
        show_default=True,
        help=help,
    )


def completes(name: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """An argument's shell completion, `cnncalc.commands.completion.<name>`, imported only
    when the shell asks for it."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from cnncalc.commands import completion

        found: list[Any] = getattr(completion, name)(ctx, param, incomplete)
        return found

    return complete


class LazyGroup(click.Group):
    """A group whose commands are imported when they run, not when the CLI starts."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # command name -> "module:function"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, name = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            ctx.fail(f"No such command {name!r}." + _meant(name, self.list_commands(ctx)))
        return super().resolve_command(ctx, args)


def _meant(name: str, commands: list[str]) -> str:
    """What `cnncalc NAME` was likely meant to be: a command misspelt, or a spec (a bundled
    name or a file) given without the command that reads it."""
    from cnncalc import bundled

    if bundled.path(name) is not None or os.path.isfile(name):
        return f" Did you mean 'cnncalc table {name}'?"
    close = closest(name, commands)
    return f" Did you mean {close!r}?" if close else ""


COMMANDS = {
    "table": "cnncalc.commands.table:table",
    "explain": "cnncalc.commands.explain:explain",
    "list": "cnncalc.commands.listing:list_specs",
    "check": "cnncalc.commands.check:check",
    "schema": "cnncalc.commands.check:schema",
    "conv": "cnncalc.commands.matrix:conv",
    "pool": "cnncalc.commands.matrix:pool",
    "size": "cnncalc.commands.size:size",
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="cnncalc")
def cli() -> None:
    """Shapes, parameter counts and arithmetic of convolutional networks.

    Describe a network in a spec file (or as layers on the command line) and
    cnncalc prints what each layer does to the shape of the data and how many
    parameters it has, as the deeplearning.ai course's LeNet table does.

    \b
    One example a command:
      cnncalc table lenet5                  the course's table; a file or a bundled name
      cnncalc table -i 32x32x3 conv:8,5 maxpool:2 fc:10
      cnncalc explain lenet5                each number worked out in the course's notation
      cnncalc size 32 -f 5 -p 2             one output size, ⌊(n + 2p − f)/s⌋ + 1
      cnncalc check specs/                  check spec files in CI
      cnncalc conv "3 0 1; 1 5 8; 2 7 2" vertical --explain 1,1
      cnncalc pool "1 3; 2 9" -f 2          max or average pooling, by hand
      cnncalc list                          the bundled specs (--layers: the layer types)
      cnncalc schema                        the JSON Schema of the spec format
    """


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
