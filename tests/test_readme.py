"""Every `$ cnncalc …` transcript in the README is real output of the current build.

A transcript is a fenced block whose lines start with `$ cnncalc`: each such
line is run (from the repository's root, colour off, standard output and
standard error as a terminal would interleave them) and what follows it, up
to the next `$` line or the end of the block, must be exactly what it prints.
A last line `…` stands for the rest of a long output. `pytest --overwrite`
rewrites the transcripts from the current output; review the diff.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^(\s*)```")
ELIDED = "…"


class Transcript(NamedTuple):
    line: int  # of the `$` line in the README, from 1
    indent: str
    command: str
    expected: list[str]

    @property
    def elided(self) -> bool:
        return bool(self.expected) and self.expected[-1] == ELIDED


def transcripts(text: str) -> list[Transcript]:
    found: list[Transcript] = []
    block: list[tuple[int, str]] | None = None
    indent = ""
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if fence and block is None:
            block, indent = [], fence.group(1)
        elif fence and block is not None:
            found += _split(block, indent)
            block = None
        elif block is not None:
            block.append((number, line[len(indent) :]))
    return found


def _split(block: list[tuple[int, str]], indent: str) -> list[Transcript]:
    found: list[Transcript] = []
    for number, line in block:
        if line.startswith("$ "):
            found.append(Transcript(number, indent, line[2:], []))
        elif found:
            found[-1].expected.append(line)
    return [t for t in found if t.command.startswith("cnncalc ")]


def output(command: str) -> list[str]:
    """What `command` prints, stdout and stderr interleaved as on a terminal."""
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(cli, args, catch_exceptions=False, color=False, prog_name="cnncalc")
    return result.output.splitlines()


def matches(transcript: Transcript, actual: list[str]) -> bool:
    if transcript.elided:
        shown = transcript.expected[:-1]
        return actual[: len(shown)] == shown and len(actual) > len(shown)
    return actual == transcript.expected


def rewrite(text: str, found: list[Transcript], actual: dict[int, list[str]]) -> str:
    """The README with each transcript's output replaced by the actual one."""
    lines = text.splitlines()
    for transcript in reversed(found):
        new = actual[transcript.line]
        if transcript.elided:
            new = [*new[: len(transcript.expected) - 1], ELIDED]
        start = transcript.line  # the line after the `$` line, 0-based
        lines[start : start + len(transcript.expected)] = [
            (transcript.indent + line).rstrip() if line else "" for line in new
        ]
    return "\n".join(lines) + "\n"


def test_readme_transcripts(request, monkeypatch):
    """Each `$ cnncalc …` in the README prints what the README shows."""
    monkeypatch.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    found = transcripts(text)
    assert len(found) >= 20, "the README's transcripts were not found"
    actual = {t.line: output(t.command) for t in found}
    if request.config.getoption("--overwrite"):
        README.write_text(rewrite(text, found, actual), encoding="utf-8")
        return
    wrong = [f"README.md:{t.line}: $ {t.command}" for t in found if not matches(t, actual[t.line])]
    assert not wrong, "transcripts that differ from real output (pytest --overwrite):\n" + (
        "\n".join(wrong)
    )


@pytest.mark.parametrize("example", sorted((ROOT / "examples").rglob("*.yaml")))
def test_examples_are_used_by_the_readme(example):
    """Every file in examples/ is one the README's transcripts use."""
    relative = example.relative_to(ROOT).as_posix()
    folder = example.parent.relative_to(ROOT).as_posix()
    commands = " ".join(t.command for t in transcripts(README.read_text(encoding="utf-8")))
    assert relative in commands or folder in commands.split(), relative


def test_the_transcript_reader_sees_a_difference():
    """The check can fail: a transcript whose output differs is reported."""
    text = "```\n$ cnncalc size 32 -f 5 -q\n28\n```\n"
    (transcript,) = transcripts(text)
    assert matches(transcript, output(transcript.command))
    assert not matches(transcript._replace(expected=["29"]), output(transcript.command))
