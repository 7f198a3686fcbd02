"""The course's default names (CONV1, POOL1, FC3, ReLU_2, Residual), given to the rows
of a walked network in the order the spec was read.

The reader names each layer as it reads it, for its messages; a block used with
`in.c` is read only when the walk reaches it, so the names are given again, once
the walk is done, here: a layer numbered by the layers with weights before it,
a block after its own layers, and a name that repeats made unique as Keras does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cnncalc.summary import Row


class Default(NamedTuple):
    """How a layer the spec does not name is named: a pattern with {} for the count of
    layers with weights so far (CONV{} numbered: the next; POOL{}: the last), or a
    block's word (Residual, a named block's name)."""

    pattern: str
    numbered: bool = False
    block: bool = False  # a block's word, taken as it is


def numbered(name: str, given: int) -> str:
    """The `given`-th layer of a default name: ReLU, ReLU_2, ReLU_3."""
    return name if given == 1 else f"{name}_{given}"


class _Namer:
    def __init__(self) -> None:
        self.weighted = 0  # layers with weights so far
        self.given: dict[str, int] = {}  # how often each default name was given
        self.renamed: dict[str, str] = {}  # path -> the name it now has, where it changed

    def unique(self, name: str) -> str:
        self.given[name] = self.given.get(name, 0) + 1
        return numbered(name, self.given[name])

    def rows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if row.branches:  # a block: named after its own layers, as the reader does
                self.rows(row.children)
                self._name(row, row.default.pattern if row.default else None)
                continue
            default = row.default
            pattern = None
            if default is not None:
                pattern = default.pattern.format(self.weighted + (1 if default.numbered else 0))
            self._name(row, pattern)
            if row.layer.numbered:
                self.weighted += 1

    def _name(self, row: Row, pattern: str | None) -> None:
        if pattern is None:
            return
        name = self.unique(pattern)
        if name != row.name:
            self.renamed[row.path] = name
            row.name = name


def name_rows(rows: Iterable[Row]) -> dict[str, str]:
    """Give every row without a name of the spec's its default name; the paths of the rows
    whose name that changed (a block read during the walk shifts those after it)."""
    namer = _Namer()
    namer.rows(rows)
    return namer.renamed
