"""`cnncalc check` and `cnncalc schema`: spec files checked in CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from types import TracebackType
from typing import IO, NoReturn, TypeVar

import click

from cnncalc.cli import CONTEXT, completes, format_option
from cnncalc.errors import visible
from cnncalc.render.check import FORMATS

STANDARD = "-"  # as --output: standard output; as a PATH: standard input
T = TypeVar("T")


@click.command(context_settings=CONTEXT, short_help="Check spec files, for CI.")
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", shell_complete=completes("spec")
)
@click.option("--strict", is_flag=True, help="Fail a file on warnings too.")
@format_option(
    FORMATS,
    "text is coloured on a terminal, plain never; junit: JUnit XML for CI test views; "
    "github: GitHub Actions annotations.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(readable=False, allow_dash=True),
    metavar="FILE",
    help="Write the report to this file instead of standard output; it is replaced only "
    "by a whole report, never coloured, and never one of the specs.",
)
def check(paths: tuple[str, ...], strict: bool, format_: str, output: str | None) -> None:
    """Check spec files: each must load, fit together and meet its `expect`.

    PATH is a spec file, a directory (searched for *.yaml and *.yml), or the
    name of a bundled spec. Each file is checked on its own. Exit 0 when every
    file passes, 1 when any fails, 2 for a usage error. Warnings (rows the
    stride leaves unused, asymmetric padding) fail a file only with --strict.
    """
    from cnncalc import check as checking
    from cnncalc.errors import Diagnostic

    found = checking.find(paths)
    if output is None or output == STANDARD:
        results = checking.check_found(found, strict)
        FORMATS[format_](results, None)
    else:
        specs = [entry[1] for entry in found if not isinstance(entry, Diagnostic)]  # as shown
        named = [path for path in paths if not os.path.isdir(path)]
        with ReportFile(output, [*named, *specs]) as report:  # refused before any checking
            results = checking.check_found(found, strict)
            # A file is read later, not shown on a terminal: no colour, even with FORCE_COLOR.
            plain = "plain" if format_ == "text" else format_
            report.write(lambda file: FORMATS[plain](results, file))
    sys.exit(0 if all(result.passed for result in results) else 1)


class ReportFile:
    """The --output file, replaced only by a whole report.

    The report goes to a temporary file beside it, renamed over it once complete:
    a run that stops half-way (a crash, a full disk, ^C) leaves the previous
    report as it was, not cut short or empty. An output that cannot be written,
    or that is one of the specs, is a usage error (exit 2), so that CI can tell
    a broken path from a failing spec.
    """

    def __init__(
        self,
        output: str,
        inputs: Sequence[str],
        noun: str = "report",
        role: str = "one of the specs to check",
        name_spec: bool = True,
    ) -> None:
        """`noun` is what is written (report, drawing, page); `role` what an input is
        to it, in the refusal to overwrite one, which names the input as well when
        `name_spec` and the output is spelt otherwise (several specs are checked)."""
        self.output = output
        self.inputs = inputs
        self.noun, self.role, self.name_spec = noun, role, name_spec
        self.target = output
        self.temporary: str | None = None
        self.file: IO[str] | None = None

    def __enter__(self) -> ReportFile:
        import tempfile

        from cnncalc.files import not_regular

        shown = visible(self.output)
        for spec in self.inputs:
            if spec != STANDARD and same_file(self.output, spec):
                named = self.name_spec and visible(spec) != shown
                which = f" '{visible(spec)}'," if named else ""
                self._refuse(
                    f"'{shown}' is{which} {self.role}; the {self.noun} would "
                    "overwrite it: write it to another file"
                )
        if not_regular(self.output) is not None:
            # A device or a pipe (/dev/stdout, /dev/null): nothing to replace, so it is
            # written in place, as the shell's > would.
            self.file = self._attempt(lambda: open(self.output, "w", encoding="utf-8"))  # noqa: SIM115
            return self
        self.target = os.path.realpath(self.output)  # through a symlink, as opening it would
        if os.path.isdir(self.target):
            self._refuse(f"'{shown}' is a directory; give the {self.noun} a file name")
        folder, name = os.path.split(self.target)
        descriptor, self.temporary = self._attempt(
            lambda: tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        )
        self.file = os.fdopen(descriptor, "w", encoding="utf-8")
        with suppress(OSError):  # a file system without permissions: whatever it gives
            os.chmod(self.temporary, _mode(self.target))
        return self

    def write(self, render: Callable[[IO[str]], None]) -> None:
        """Render the report into the file, whole, then put it in place."""
        import io

        # Rendered first, so that a failure to write is told apart from a bug in rendering.
        text = io.StringIO()
        render(text)
        self.write_text([text.getvalue()])

    def write_text(self, pieces: Iterable[str]) -> None:
        """Write the pieces of text as they come, then put the file in place."""
        file = self.file
        assert file is not None
        for piece in pieces:
            self._attempt(lambda: file.write(piece))  # noqa: B023 (called at once)
        self._attempt(file.close)
        if self.temporary is not None:
            self._attempt(lambda: os.replace(str(self.temporary), self.target))
            self.temporary = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # After `write`, nothing is left to do; before it, the report is abandoned (the
        # error on its way says why) and the previous one stays.
        with suppress(OSError):
            if self.file is not None and not self.file.closed:
                self.file.close()
        with suppress(OSError):
            if self.temporary is not None:
                os.remove(self.temporary)

    def _attempt(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except OSError as error:
            reason = error.strerror or str(error)
            if isinstance(error, FileNotFoundError):
                folder = os.path.dirname(self.output) or "."
                reason = f"the directory '{visible(folder)}' does not exist"
            self._refuse(f"cannot write the {self.noun} to '{visible(self.output)}': {reason}")

    def _refuse(self, message: str) -> NoReturn:
        context = click.get_current_context()
        option = next(param for param in context.command.params if param.name == "output")
        raise click.BadParameter(message, context, option)


def same_file(one: str, other: str) -> bool:
    """Whether two paths name one file: by device and inode when both exist (through a
    symlink, a hard link, `..`), else by the path they resolve to (one not created yet)."""
    try:
        return os.path.samefile(one, other)
    except (OSError, ValueError):
        return os.path.realpath(one) == os.path.realpath(other)


def _mode(target: str) -> int:
    """The permissions of the file the report replaces, or those a newly created file gets
    (0o666 less the umask): mkstemp's own 0o600 would hide the report from the rest of CI."""
    import stat

    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@click.command(context_settings=CONTEXT, short_help="Print the JSON Schema of the spec format.")
def schema() -> None:
    """Print the JSON Schema of the spec format, for editors and validators.

    Save it and point the YAML language server at it from a spec file:

    \b
        cnncalc schema > cnncalc.schema.json
        # yaml-language-server: $schema=cnncalc.schema.json
    """
    from cnncalc.spec.schema_file import shipped

    click.echo(shipped(), nl=False)
