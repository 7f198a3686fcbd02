"""Checking spec files for CI: do they load, hold together and meet their expectations?

Each file is checked on its own, so one broken file does not hide the others,
and every problem is a `Diagnostic` carrying the file, line and column it is
about. Rendering the results (text, JSON, JUnit XML, GitHub annotations) is
the CLI's business.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cnncalc import bundled, engine, spec
from cnncalc.errors import Diagnostic, SpecError, Where
from cnncalc.files import not_regular
from cnncalc.records import Record


@dataclass(repr=False, eq=False)
class FileResult(Record):
    """The verdict on one spec file and every problem found in it."""

    file: str
    problems: tuple[Diagnostic, ...] = ()
    strict: bool = False  # warnings fail the file too
    skipped: bool = False  # not a regular file: not opened, and a note says so

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def notes(self) -> tuple[Diagnostic, ...]:
        return tuple(p for p in self.problems if p.severity == "note")

    @property
    def failing(self) -> tuple[Diagnostic, ...]:
        """The problems that fail the file: its errors, and its warnings with --strict;
        a note never does."""
        return tuple(
            p
            for p in self.problems
            if p.severity == "error" or (self.strict and p.severity == "warning")
        )

    @property
    def passed(self) -> bool:
        return not self.failing


Found = tuple[str, str] | Diagnostic  # (path, display) of a spec, or why there is none


def check(targets: Sequence[str], strict: bool = False) -> list[FileResult]:
    """Check every spec that `targets` (files, directories, bundled names) names."""
    return check_found(find(targets), strict)


def find(targets: Sequence[str]) -> list[Found]:
    """What `check` would read for `targets`: (path, display) for each spec named, once
    each, and a Diagnostic for what is not there or is skipped."""
    return list(_files(targets))


def check_found(found: Sequence[Found], strict: bool = False) -> list[FileResult]:
    """Check what `find` found."""
    results = []
    for entry in found:
        if isinstance(entry, Diagnostic):
            file = str(entry.where.source if entry.where else "")
            # A note in place of a file is an entry the walk skipped without opening.
            skipped = entry.severity == "note"
            results.append(FileResult(file, (entry,), strict, skipped))
        else:
            results.append(check_file(*entry, strict=strict))
    return results


def check_file(path: str, display: str | None = None, strict: bool = False) -> FileResult:
    """Load, analyse and compare with its expectations the spec at `path`."""
    display = display or path
    try:
        loaded = spec.load(path, display)
        summary = engine.analyze(loaded)
    except SpecError as error:
        return FileResult(display, (error.diagnostic,), strict)
    return FileResult(display, (*summary.warnings, *summary.unmet), strict)


def _files(targets: Sequence[str]) -> Iterator[Found]:
    """(path, display) for each spec named, once each; a Diagnostic for what is not there."""
    seen = set()
    for target in targets:
        found: list[tuple[str, Found]]  # each with its path
        if os.path.isdir(target):
            found = sorted(_walk(target))
            if all(isinstance(entry, Diagnostic) for _, entry in found):
                yield Diagnostic("no spec files (*.yaml, *.yml) in this directory", Where(target))
        else:
            try:
                path, display = bundled.resolve(target)
            except SpecError as error:
                yield error.diagnostic
                continue
            found = [(path, (path, display))]
        for path, entry in found:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield entry


def _walk(folder: str) -> Iterator[tuple[str, Found]]:
    """The spec files under `folder`; a note for each entry named like one that is not a
    regular file (a FIFO would be waited on, a device read without end), which is skipped
    unopened."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.endswith(bundled.EXTENSIONS):
                path = os.path.join(root, name)
                kind = not_regular(path)
                if kind is None:
                    yield path, (path, path)
                else:
                    note = f"is {kind}, not a spec file; skipped without opening it"
                    yield path, Diagnostic(note, Where(path), severity="note")
