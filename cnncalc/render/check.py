"""`cnncalc check` reports: text, JSON, JUnit XML and GitHub Actions annotations.

`FORMATS` is the registry: the command's `--format` choices and the function
that writes each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from cnncalc.errors import encodable, visible
from cnncalc.render import jsonout
from cnncalc.render.output import colour_terminal, write

if TYPE_CHECKING:
    from cnncalc.check import FileResult
    from cnncalc.errors import Diagnostic


def _located(problem: Diagnostic) -> str:
    """file:line:col: severity: layer N (NAME): message, as compilers write it; a file
    name's control characters and bytes that are not UTF-8 shown as escapes."""
    where = f"{problem.where}: " if problem.where else ""
    layer = f"{problem.layer}: " if problem.layer else ""
    return visible(f"{where}{problem.severity}: {layer}{problem.message}")


def _tally(results: Sequence[FileResult]) -> str:
    skipped = sum(result.skipped for result in results)
    checked = len(results) - skipped
    failed = sum(not result.passed for result in results)
    files = "1 file" if checked == 1 else f"{checked} files"
    tally = f"{files} checked: {checked - failed} passed, {failed} failed"
    return tally + (f"; {skipped} skipped" if skipped else "")


def plain_report(results: Sequence[FileResult], file: IO[str] | None = None) -> None:
    """The text report without colour, wherever it goes."""
    text_report(results, file, colour=False)


def text_report(
    results: Sequence[FileResult], file: IO[str] | None = None, colour: bool | None = None
) -> None:
    """One line per file, passed, failed or skipped, then its problems; coloured on a
    terminal."""
    lines = []  # (text, style) pairs
    for result in results:
        if result.skipped:
            verdict = ("skipped ", "")
        else:
            verdict = ("passed ", "green") if result.passed else ("FAILED ", "bold red")
        lines.append([verdict, (visible(result.file), "")])
        for problem in result.problems:
            style = {"error": "red", "warning": "yellow"}.get(problem.severity, "cyan")
            lines.append([("       ", ""), (_located(problem), style)])
    lines.append([(_tally(results), "")])
    if not (colour_terminal(file) if colour is None else colour):
        write("".join("".join(part for part, _ in line) + "\n" for line in lines), file)
        return

    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, highlight=False)
    for line in lines:
        console.print(Text.assemble(*line))


def json_report(results: Sequence[FileResult], file: IO[str] | None = None) -> None:
    """A list with one object per file; each problem has its file, line, column and layer."""
    document = [
        {
            "file": encodable(result.file),
            "passed": result.passed,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "notes": len(result.notes),
            "problems": [_json_problem(problem) for problem in result.problems],
        }
        for result in results
    ]
    write(jsonout.dumps(document, jsonout.EVERYTHING), file)


def _json_problem(problem: Diagnostic) -> dict[str, object]:
    """A problem in JSON, which escapes control characters itself but cannot hold a file
    name's bytes that are not UTF-8."""
    entry = jsonout.diagnostic(problem)
    entry["message"] = encodable(problem.message)
    if entry["file"] is not None:
        entry["file"] = encodable(entry["file"])
    return entry


def junit_report(results: Sequence[FileResult], file: IO[str] | None = None) -> None:
    """JUnit XML, one test case per file, for CI systems' test views."""
    import xml.etree.ElementTree as ET

    failures = str(sum(not result.passed for result in results))
    skipped = str(sum(result.skipped for result in results))
    counts = {"tests": str(len(results)), "failures": failures, "errors": "0", "skipped": skipped}
    suites = ET.Element("testsuites", {"name": "cnncalc check", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "cnncalc check", **counts})
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="cnncalc.check",
            name=_xml(visible(result.file)),
            file=_xml(visible(result.file)),
        )
        if result.skipped:
            ET.SubElement(case, "skipped", message=_xml(_located(result.problems[0])))
            continue
        failing = result.failing
        if failing:
            failure = ET.SubElement(
                case, "failure", message=_xml(_located(failing[0])), type=failing[0].severity
            )
            failure.text = _xml("\n".join(_located(problem) for problem in failing))
        others = [problem for problem in result.problems if problem not in failing]
        if others:
            ET.SubElement(case, "system-out").text = _xml(
                "\n".join(_located(problem) for problem in others)
            )
    ET.indent(suites)
    write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n", file)


def _xml(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold (from a binary file name, say)."""
    import re

    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "\ufffd", text)


# GitHub's annotation levels for what does not fail a file.
_LEVELS = {"error": "warning", "warning": "warning", "note": "notice"}


def github_report(results: Sequence[FileResult], file: IO[str] | None = None) -> None:
    """GitHub Actions workflow commands: an annotation on each problem's line."""
    lines = []
    for result in results:
        for problem in result.problems:
            level = "error" if problem in result.failing else _LEVELS[problem.severity]
            where = problem.where
            source = (where.source if where else None) or result.file
            properties = [f"file={_github_property(visible(source))}"]
            if where and where.line is not None:
                properties.append(f"line={where.line}")
                if where.column is not None:
                    properties.append(f"col={where.column}")
            properties.append("title=cnncalc check")
            message = f"{problem.layer}: {problem.message}" if problem.layer else problem.message
            lines.append(f"::{level} {','.join(properties)}::{_github_data(encodable(message))}")
    lines.append(_tally(results))
    write("\n".join(lines) + "\n", file)


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


Format = Callable[[Sequence["FileResult"], "IO[str] | None"], None]
FORMATS: dict[str, Format] = {
    "text": text_report,
    "plain": plain_report,
    "json": json_report,
    "junit": junit_report,
    "github": github_report,
}
