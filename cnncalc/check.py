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
from cnncalc.records import Record


@dataclass(repr=False, eq=False)
class FileResult(Record):
    """The verdict on one spec file and every problem found in it."""

    file: str
    problems: tuple[Diagnostic, ...] = ()
    strict: bool = False  # warnings fail the file too

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


def check(targets: Sequence[str], strict: bool = False) -> list[FileResult]:
    """Check every spec that `targets` (files, directories, bundled names) names."""
    results = []
    for found in _files(targets):
        if isinstance(found, Diagnostic):
            results.append(FileResult(str(found.where.source if found.where else ""), (found,)))
        else:
            results.append(check_file(*found, strict=strict))
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


def _files(targets: Sequence[str]) -> Iterator[tuple[str, str] | Diagnostic]:
    """(path, display) for each spec named, once each; a Diagnostic for what is not there."""
    seen = set()
    for target in targets:
        if os.path.isdir(target):
            found = sorted(_walk(target))
            if not found:
                yield Diagnostic("no spec files (*.yaml, *.yml) in this directory", Where(target))
        else:
            try:
                found = [bundled.resolve(target)]
            except SpecError as error:
                yield error.diagnostic
                continue
        for path, display in found:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path, display


def _walk(folder: str) -> Iterator[tuple[str, str]]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.endswith(bundled.EXTENSIONS):
                path = os.path.join(root, name)
                yield path, path
