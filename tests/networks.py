"""What the tests of bundled networks share: a spec analysed by name, a row found by its
module's name, and the course's output size written out."""

from __future__ import annotations

from cnncalc import engine, spec
from cnncalc.summary import Row
from tests.conftest import SPECS


def analyze(name: str) -> engine.Summary:
    return engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))


def row(summary: engine.Summary, name: str) -> Row:
    """The first row of that name: a module's, as torchvision names it."""
    return next(r for r in summary.flat() if r.name == name)


def out(n: int, f: int, s: int = 1, p: int = 0) -> int:
    """The course's output size: ⌊(n + 2p − f)/s⌋ + 1."""
    return (n + 2 * p - f) // s + 1
