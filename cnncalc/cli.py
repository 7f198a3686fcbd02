"""The command line: parse arguments, call the core, hand results to `render`.

Core errors become one line on standard error and an exit code here and only
here: 1 for bad data, 2 for bad usage (click's convention).
"""

from __future__ import annotations

import errno
import gc
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
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
    """An option value read by one of `cnncalc.spec.values`' readers, or `axes`' for
    "axes.sizes": the same sentence as for a spec's field when it is wrong, as a usage
    error (exit 2)."""

    def __init__(self, reader: str, what: str, metavar: str, hint: str = "") -> None:
        self.reader, self.what, self.name, self.hint = reader, what, metavar, hint

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.spec import axes, values

        if not isinstance(value, str):
            return value  # a default, already read
        module, _, reader = self.reader.rpartition(".")
        read: Callable[[str, Any], Any] = getattr(axes if module == "axes" else values, reader)
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
    "draw": "cnncalc.commands.draw:draw",
    "report": "cnncalc.commands.report:report",
    "export": "cnncalc.commands.export:export",
    "import": "cnncalc.commands.importing:import_spec",
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
      cnncalc draw lenet5 -o lenet5.svg     the volumes as an SVG picture, as the course draws them
      cnncalc report lenet5 -o lenet5.html  one HTML page: the drawing, every column, explain
      cnncalc export resnet18 --to keras    the spec as Keras (or PyTorch) code, counts exact
      cnncalc import model.keras -o m.yaml  a Keras model (.keras or to_json()) as a spec
      cnncalc check specs/                  check spec files in CI
      cnncalc conv "3 0 1; 1 5 8; 2 7 2" vertical --explain 1,1
      cnncalc pool "1 3; 2 9" -f 2          max or average pooling, by hand
      cnncalc list                          the bundled specs (--layers: the layer types)
      cnncalc schema                        the JSON Schema of the spec format
    """


class StandardOutput(io.RawIOBase):
    """Standard output's bytes, each write whole or an error, and nothing after the first.

    A plain file writes part of a large write when the pipe is closed or the
    disk fills up half-way, and the buffer above it drops the rest without a
    word: the run would end with exit 0 and half a report. Here the remainder
    is written too, and fails aloud. Once a write has failed, the rest is
    dropped, so that Python's flush at exit has nothing left to fail on (which
    would print 'Exception ignored' and exit 120); `main` reports the failure.
    """

    name = "<stdout>"

    def __init__(self, descriptor: int | None) -> None:
        super().__init__()
        self.descriptor = descriptor  # None: the process started with it closed (>&-)
        self.failure: OSError | None = None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.descriptor is not None and os.isatty(self.descriptor)

    def fileno(self) -> int:
        if self.descriptor is None:
            raise io.UnsupportedOperation("standard output is closed")
        return self.descriptor

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self.failure is not None:
            return len(view)
        try:
            if self.descriptor is None:
                raise OSError(errno.EBADF, "it is closed")
            done = 0
            while done < len(view):
                try:
                    done += os.write(self.descriptor, view[done:])
                except BlockingIOError:
                    # Left non-blocking by whoever shares it (a CI runner): wait, as a
                    # blocking one would, rather than drop the rest.
                    import select

                    select.select([], [self.descriptor], [])
        except OSError as error:
            self.failure = error
            raise
        return len(view)


def guard_stdout() -> StandardOutput | None:
    """Put `StandardOutput` under sys.stdout, if it is the process's own (not a test's
    capture, not Windows's console, which takes characters rather than bytes)."""
    stream = sys.stdout
    if stream is None:
        raw = StandardOutput(None)
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8")
        return raw
    if (
        stream is not sys.__stdout__
        or os.name != "posix"
        or not isinstance(stream, io.TextIOWrapper)
    ):
        return None
    try:
        stream.flush()
        raw = StandardOutput(stream.fileno())
    except (OSError, ValueError):
        return None
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )
    return raw


def main() -> NoReturn:
    """The console script: run the CLI, never let a traceback reach the user; every exit
    is 0, 1 or 2 (70 for a bug in cnncalc)."""
    # A short-lived process that builds many small acyclic objects (a spec of
    # 10,000 layers is 100,000 of them): the cyclic collector would only rescan
    # them, costing a third of the run.
    gc.disable()
    stdout = guard_stdout()
    status: Any = 0
    try:
        try:
            cli(prog_name="cnncalc")
        except SystemExit as done:
            status = done.code
        # Here, where a failure can still be told; Python's own flush at exit cannot.
        if sys.stdout is not None:
            sys.stdout.flush()
    except Exception as error:
        if stdout is not None and stdout.failure is not None:
            pass  # standard output failed: told below
        elif isinstance(error, BrokenPipeError):
            status = _unwritable(error)
        elif os.environ.get("CNNCALC_DEBUG"):
            raise
        else:
            _tell(f"Error: internal error, please report it: {type(error).__name__}: {error}")
            status = 70
    if stdout is not None and stdout.failure is not None:
        status = _unwritable(stdout.failure)
    sys.exit(status)


def _unwritable(error: OSError) -> int:
    if isinstance(error, BrokenPipeError):
        # The reader went away (`cnncalc table x | head`): nothing left to say, and
        # standard error may be the same pipe.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    else:
        _tell(f"Error: cannot write to standard output: {error.strerror or error}")
    return 1


def _tell(message: str) -> None:
    """A last word on standard error, unless that cannot be written either."""
    with suppress(OSError):
        click.echo(visible(message), err=True)
