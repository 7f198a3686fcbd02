"""cnncalc's one JSON writer: compact where a person would read a line, spread where
a person would read a list.

`json.dumps(indent=2)` spreads every shape over four lines; one line per value
is as hard to read. A `Layout` says, container by container, which are spread
one member a line and which are written on one line, so every document
cnncalc writes (a table, a check report, a size, a convolver's output) comes
from this one function with its own layout.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import GeneratorType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnncalc.errors import Diagnostic

# One encoder for the many small values of a large document, made when JSON is first
# written: the json module is a cost the rich table does not need to pay.
_encode: Callable[[Any], str] | None = None


def encode(value: Any) -> str:
    """One value on one line, as `json.dumps` writes it, but with the text as it is."""
    global _encode
    if _encode is None:
        import json

        _encode = json.JSONEncoder(ensure_ascii=False).encode
    return _encode(value)


class Layout:
    """How one container is written, and how its members are.

    `spread`: one member a line, indented; otherwise on one line. `items`: the
    layout of every member not named in `keys` (None: on one line). `raw`: the
    members are already JSON text (exact decimals no float can hold).
    """

    def __init__(
        self,
        spread: bool = True,
        items: Layout | None = None,
        keys: Mapping[str, Layout] | None = None,
        raw: bool = False,
    ) -> None:
        self.spread = spread
        self.items = items
        self.keys = dict(keys or {})
        self.raw = raw

    def member(self, key: str) -> Layout | None:
        return self.keys.get(key, self.items)


def _everything() -> Layout:
    layout = Layout()
    layout.items = layout
    return layout


EVERYTHING = _everything()  # json.dumps(indent=2): every container spread
TOP = Layout()  # the top object spread, each member on one line


def dumps(document: Any, layout: Layout | None) -> str:
    """`document` as JSON text laid out by `layout`, ending in a newline."""
    pieces: list[str] = []
    _write(document, layout, "", pieces.append)
    return "".join(pieces) + "\n"


def dump(document: Any, layout: Layout | None, file: IO[str]) -> None:
    """`document` written to `file` as `dumps` gives it, a piece at a time: a list may be
    a generator, so a table of 100,000 rows is never held whole, as rows or as text."""
    pieces: list[str] = []

    def add(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) >= 4096:  # a few hundred KB at a time: few calls, little memory
            file.write("".join(pieces))
            pieces.clear()

    _write(document, layout, "", add)
    file.write("".join(pieces) + "\n")


_EMPTY = object()
_BARE = object()  # a member already written out in full by its prefix


def _write(value: Any, layout: Layout | None, indent: str, add: Callable[[str], None]) -> None:
    if isinstance(value, GeneratorType):  # a list made as it is written
        first = next(value, _EMPTY)
        if first is _EMPTY:
            add("[]")
            return
        value = itertools.chain((first,), value)
        if layout is None:
            add(encode(list(value)))
            return
    elif layout is None or not isinstance(value, (dict, list)) or not value:
        add(encode(value))
        return
    if layout.raw:
        add("[" + ", ".join(value) + "]")
        return
    members: Iterable[tuple[str, Any, Layout | None]]
    if isinstance(value, dict):
        if not layout.spread and not any(key in value for key in layout.keys):
            add(encode(value))  # nothing in it is spread: the fast path
            return
        opening, closing = "{", "}"
        members = _members(value, layout)
    else:
        opening, closing = "[", "]"
        members = (("", item, layout.items) for item in value)
    inner = indent + "  " if layout.spread else indent
    between = ",\n" + inner if layout.spread else ", "
    add(opening + ("\n" + inner if layout.spread else ""))
    for number, (prefix, item, member) in enumerate(members):
        add((between if number else "") + prefix)
        if item is not _BARE:
            _write(item, member, inner, add)
    add(("\n" + indent if layout.spread else "") + closing)


def _members(value: dict[str, Any], layout: Layout) -> Iterator[tuple[str, Any, Layout | None]]:
    """A mapping's members to write: each with a layout of its own apart, and the runs of
    those without one on one line each, encoded together (`json` does a row's twenty
    figures in one call, a member at a time in twenty)."""
    if layout.spread:
        for key, item in value.items():
            yield f"{encode(key)}: ", item, layout.member(key)
        return
    run: dict[str, Any] = {}
    for key, item in value.items():
        member = layout.member(key)
        if member is None:
            run[key] = item
            continue
        if run:
            yield encode(run)[1:-1], _BARE, None
            run = {}
        yield f"{encode(key)}: ", item, member
    if run:
        yield encode(run)[1:-1], _BARE, None


def diagnostic(problem: Diagnostic) -> dict[str, Any]:
    """A warning or an error as `table` and `check` write it: its place and its layer."""
    where, layer = problem.where, problem.layer
    return {
        "severity": problem.severity,
        "message": problem.message,
        "file": where.source if where else None,
        "line": where.line if where else None,
        "column": where.column if where else None,
        "layer": layer.number if layer else None,
        "name": layer.name if layer else None,
    }
