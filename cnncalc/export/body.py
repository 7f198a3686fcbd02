"""The body of a generated function, written a row at a time, for any target.

What the writers of PyTorch's `forward` and Keras's `build` share: their
lines (`Line`), the Python variables they take and give back (named after
what they hold, as far as Python allows), the tensors saved in scope (what a
named block saves is its own), and the comment that heads each block.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from cnncalc.export.rows import Item
from cnncalc.export.source import INDENT, Expr, comments, identifier, statement
from cnncalc.shapes import Shape


class Line(NamedTuple):
    """A line of a function's body: a statement (`head` and `expr`), or a comment when
    `expr` is None; `blank` puts an empty line before it."""

    head: str
    expr: Expr | None = ""
    comment: str | None = None
    blank: bool = False


class Body:
    """The lines of a function's body `depth` levels in, and the names it uses."""

    def __init__(self, taken: Iterable[str], depth: int, kept: Iterable[str] = ("x",)) -> None:
        self.depth = depth
        self.body: list[Line] = []
        self.taken = set(taken)  # names the body must not take: its own and the module's
        self.kept = frozenset(kept)  # variables never given back (the network's way on)
        self.scopes: list[dict[str, tuple[str, Shape]]] = [{}]

    def saved(self, name: str) -> tuple[str, Shape]:
        """The variable holding the tensor saved as `name`, and its shape."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise AssertionError(f"{name} was saved: the engine checked it")

    def variable(self, base: str) -> str:
        """A variable of its own, named after `base` as far as Python allows."""
        name = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in base)
        name = name.lstrip("_")  # a class body would mangle __x
        if not identifier(name):
            name = f"saved_{name}" if name else "saved"
        candidate, number = name, 2
        while candidate in self.taken:
            candidate, number = f"{name}_{number}", number + 1
        self.taken.add(candidate)
        return candidate

    def release(self, *names: str) -> None:
        """Variables no longer needed, which a later block may take again."""
        self.taken.difference_update(name for name in names if name not in self.kept)

    def keep(self, item: Item, var: str) -> None:
        """The row's `save:`, if it has one: its output kept in a variable of its own."""
        if item.spec.save is not None:
            keep = self.variable(item.spec.save)
            self.body.append(Line(f"{keep} = ", var))
            self.scopes[-1][item.spec.save] = (keep, item.row.shape)

    def note(self, text: str, blank: bool = False) -> None:
        lines = comments([text], self.depth)
        self.body.append(Line(f"# {lines[0]}", None, blank=blank))
        self.body += [Line(f"# {line}", None) for line in lines[1:]]

    def why(self, texts: Iterable[str]) -> None:
        """Comment lines saying why the next statement is written as it is."""
        self.body += [Line(f"# {line}", None) for line in comments(list(texts), self.depth)]

    def heading(self, item: Item, what: str) -> None:
        """The comment above a block: its name and notation, and what it does."""
        row = item.row
        notation = row.layer.notation()
        label = f"{row.name} ({notation})" if notation else row.name
        blank = bool(self.body) and self.body[-1].expr is not None  # not between headings
        self.note(f"{label}: {what}" if what else label, blank=blank)


def written(lines: Iterable[Line], depth: int) -> tuple[list[str], list[int]]:
    """A body's lines as source, `depth` levels in, and where each starts in it (from 0)."""
    out: list[str] = []
    starts = []
    for line in lines:
        if line.blank:
            out.append("")
        starts.append(len(out))
        if line.expr is None:
            out.append(INDENT * depth + line.head)
        else:
            out += statement(depth, line.head, line.expr, line.comment)
    return out, starts
