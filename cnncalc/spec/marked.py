"""Values that remember where they were written: what the YAML reader gives the spec reader.

PyYAML's safe constructors give plain dicts and lists and forget the line and
column of every value; error messages need them. `MarkedDict` and `MarkedList`
are a dict and a list that also hold the position of each child. A mark is
the YAML node itself (it knows where it starts), read here by its attributes,
so that reading a spec from Python values never imports PyYAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnncalc.errors import Where

# A YAML node: `start_mark` and `end_mark` (0-based line and column), and for a
# scalar its `style` ('' or None when plain). Keeping the node itself as the
# mark costs nothing, and a `Where` is built only for the places a message needs.
Mark = Any


def where_in(mark: Mark, source: str | None, offset: int = 0) -> Where:
    """The 1-based place of a node, `offset` characters into it when that is exact."""
    start = mark.start_mark
    # Offsets into an unquoted one-line scalar map to columns; inside quotes,
    # escapes could shift them. libyaml's plain style is '', PyYAML's None; only
    # scalars have a style at all.
    plain = hasattr(mark, "style") and not mark.style
    exact = plain and start.line == mark.end_mark.line
    return Where(source, start.line + 1, start.column + 1 + (offset if exact else 0))


class MarkedDict(dict[Any, Any]):
    """A mapping with the marks of itself, of each key and of each value."""

    mark: Mark | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}


class MarkedList(list[Any]):
    """A sequence with the marks of itself and of each item."""

    mark: Mark | None = None
    flow = False  # written [a, b] rather than one item a line

    def __init__(self) -> None:
        super().__init__()
        self.item_marks: list[Mark] = []


def item_marks(items: Sequence[Any]) -> list[Mark | None]:
    """The mark of each item of a sequence; None for each when it remembers none."""
    return items.item_marks if isinstance(items, MarkedList) else [None] * len(items)


def place(mark: Mark | None, source: str | None) -> Where | None:
    """Where a mark points, or just the source when there is no mark."""
    return where_in(mark, source) if mark else (Where(source) if source else None)


def value_at(mapping: Mapping[Any, Any], key: Any, source: str | None) -> Where | None:
    """Where the value of `key` was written, if the mapping remembers."""
    marks = mapping.value_marks if isinstance(mapping, MarkedDict) else {}
    return place(marks.get(key), source)


def key_at(mapping: Mapping[Any, Any], key: Any, source: str | None) -> Where | None:
    """Where `key` itself was written, if the mapping remembers."""
    marks = mapping.key_marks if isinstance(mapping, MarkedDict) else {}
    return place(marks.get(key), source)
