"""The spec's YAML text, written the same way every time: shorthand (`conv:64,3,2`) where
it reads plainly, a one-line mapping where a value does not fit it (padding per side, a
name with a comma), and blocks as YAML's nested lists.

Names are written as they are, quoted when YAML or the shorthand would read them
otherwise; comments say what a row was in the framework when its type does not.

Part of the core: it imports nothing of cnncalc but `errors`, `importing.graph` and the
vocabulary (for the order of the shorthand's values).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from cnncalc.errors import visible
from cnncalc.importing.graph import Block, Dims, Item, Row
from cnncalc.spec.vocabulary import LAYER_TYPES

# What the shorthand and YAML both read as the text it is: no comma, colon, space, quote
# or `#`, and not YAML's true, null, yes…
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*\Z")
_IN_SHORTHAND = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
# The keys written first in a block's mapping, and the parts of each form.
_PARTS = {
    "residual": ("residual", "shortcut"),
    "multiply": ("multiply",),
    "side": ("side",),
    "repeat": ("layers",),
}


def scalar(text: str) -> str:
    """A string as a YAML scalar: plain when it reads back as the same string."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _number(value: float) -> str:
    """A float in decimal notation (0.00001, not 1e-05), as the spec reads a rate."""
    return format(Decimal(repr(value)), "f")


def _per_axis(values: tuple[int, ...]) -> int | tuple[int, ...]:
    return values[0] if len(set(values)) == 1 else values


def _short(value: Any) -> str | None:
    """A field's value as the shorthand writes it, or None when it cannot be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return value if _IN_SHORTHAND.match(value) else None
    if isinstance(value, tuple) and all(isinstance(n, int) for n in value):
        single = _per_axis(value)
        return str(single) if isinstance(single, int) else "x".join(map(str, single))
    return None


def _flow(value: Any, top: bool = True) -> str:
    """A field's value in a YAML flow mapping; a size per axis that is the same on each is
    one number, but not inside a list of (before, after) pairs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return scalar(value)
    if top and isinstance(value, tuple) and all(isinstance(n, int) for n in value):
        single = _per_axis(value)
        if isinstance(single, int):
            return str(single)
    return "[" + ", ".join(_flow(item, top=False) for item in value) + "]"


def shorthand(row: Row) -> str | None:
    """`conv:64,3,2,name=conv1`, or None when a value or the name does not fit it."""
    pieces = []
    written = dict(row.fields)
    for field in LAYER_TYPES[row.kind].positional:
        if field.name not in written or field.name == "with":  # add:with=skip reads best
            break
        pieces.append(_short(written.pop(field.name)))
    pieces += [
        None if (text := _short(value)) is None else f"{key}={text}"
        for key, value in written.items()
    ]
    for key, text in (("name", row.name), ("save", row.save)):
        if text is not None:
            pieces.append(f"{key}={text}" if _IN_SHORTHAND.match(text) else None)
    if None in pieces:
        return None
    return row.kind + (":" + ",".join(str(piece) for piece in pieces) if pieces else "")


def mapping(row: Row) -> str:
    """`{type: zeropad, name: conv1_pad, padding: [[3, 3], [3, 3]]}`."""
    pairs = [("type", row.kind), ("name", row.name), *row.fields.items()]
    if row.save is not None:
        pairs.append(("save", row.save))
    return "{" + ", ".join(f"{key}: {_flow(value)}" for key, value in pairs) + "}"


def _comment(text: str) -> str:
    return f"  # {visible(text)}" if text else ""


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def items(self, items: list[Item], indent: int) -> None:
        """Each item as an entry of a YAML list at `indent`."""
        for item in items:
            if isinstance(item, Row):
                text = shorthand(item) or mapping(item)
                self.lines.append(f"{' ' * indent}- {text}{_comment(item.comment)}")
            else:
                self.block(item, indent)

    def block(self, block: Block, indent: int) -> None:
        """A block as a mapping in the list: its name, its parts, what it saves."""
        inner = _Lines()  # its keys at column 0, their lists at 2
        if block.name is not None:
            inner.lines.append(f"name: {scalar(block.name)}")
        if block.form == "repeat":
            inner.lines.append("repeat: 1")
        if block.form == "concat":
            inner.lines.append("concat:")
            for branch in block.parts:
                inner.branch(branch, 2)
        else:
            for key, part in zip(_PARTS[block.form], block.parts, strict=False):
                if part:
                    inner.lines.append(f"{key}:")
                    inner.items(part, 2)
        if block.save is not None:
            inner.lines.append(f"save: {scalar(block.save)}")
        pad = " " * indent
        lines = [
            f"{pad}{'- ' if number == 0 else '  '}{line}" for number, line in enumerate(inner.lines)
        ]
        lines[0] += _comment(block.comment)
        self.lines += lines

    def branch(self, branch: list[Item], indent: int) -> None:
        """One branch of a concat: a list inside the list, `- []` when it is the input."""
        if not branch:
            self.lines.append(f"{' ' * indent}- []")
            return
        first = len(self.lines)
        self.items(branch, indent + 2)
        line = self.lines[first]
        self.lines[first] = f"{' ' * indent}- {line.lstrip()}"


def names(items: list[Item]) -> str:
    """Every row's name, one a line: what a header may need to explain."""
    found = []
    for item in items:
        if isinstance(item, Row):
            found.append(item.name)
        else:
            found += [names(part) for part in item.parts]
    return "\n".join(found)


def write(header: list[str], name: str | None, input_shape: Dims, items: list[Item]) -> str:
    """The whole spec: a comment saying where it came from, then its name, input and
    layers."""
    lines = [f"# {visible(line)}" for line in header]
    if name is not None:
        lines.append(f"name: {scalar(name)}")
    lines.append("input: [" + ", ".join(str(n) for n in input_shape) + "]")
    lines.append("layers:")
    writer = _Lines()
    writer.items(items, 2)
    return "\n".join(lines + writer.lines) + "\n"
