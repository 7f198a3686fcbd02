"""Splitting a shorthand layer, `TYPE[:ARGS]`, into its pieces.

`conv:16,5,stride=2` is the type `conv`, the positional values 16 and 5 and the
named value stride=2. Every piece keeps its offset in the text, so a problem
can point at the column where it was written.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cnncalc.errors import SpecError
from cnncalc.spec.marked import MarkedList, where_in


class Piece(NamedTuple):
    """One comma-separated argument: a value, or `key=value`."""

    key: str | None
    value: str
    offset: int  # where the piece starts in the shorthand text


def split(text: str) -> tuple[str, list[Piece]]:
    """The type name and the arguments of a shorthand layer."""
    head, colon, rest = text.partition(":")
    pieces: list[Piece] = []
    if not colon or not rest.strip():
        return head.strip(), pieces
    offset = len(head) + 1
    for raw in rest.split(","):
        start = offset + len(raw) - len(raw.lstrip())
        key, equals, value = raw.partition("=")
        if equals:
            pieces.append(Piece(key.strip(), value.strip(), start))
        else:
            pieces.append(Piece(None, raw.strip(), start))
        offset += len(raw) + 1
    return head.strip(), pieces


def split_shorthand(items: list[Any], source: str | None) -> None:
    """Refuse `[conv:4,1, relu]`: in a flow list YAML splits the shorthand at its comma."""
    if not isinstance(items, MarkedList) or not items.flow:
        return
    for number in range(1, len(items)):
        before, item, mark = items[number - 1], items[number], items.item_marks[number]
        if isinstance(before, str) and ":" in before and isinstance(item, int):
            raise SpecError(
                f"in a [ ] list a comma splits items, so {before!r} and {item} arrived as two "
                f"layers; quote the shorthand, '{before},{item}', or write one layer a line",
                where_in(mark, source),
            )
