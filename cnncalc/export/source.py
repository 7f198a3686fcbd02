"""Python source as `ruff format` writes it, for the code an export generates.

Expressions are small trees (`Call`, `Seq`, `Kw`; anything else is an atom,
already written): a statement is written flat when it fits in `WIDTH`
columns; otherwise the brackets of its right-hand side open, holding a call's
arguments on one line if that fits, and otherwise (and a collection's items
always) one item a line with a trailing comma, which is what ruff does (a
trailing comma keeps the brackets open); a call's sole argument takes no
comma. A call of a call's result (Keras's `layers.Dense(10)(x)`) opens its
last brackets when the line up to them fits, and else the first call's,
`)(x)` after them, as ruff does. A statement that cannot be written so (a
name longer than a line) stays whole and is marked `# fmt: skip`, which ruff
leaves alone; tests/test_export.py holds the output to ruff.

Text from a spec (names, file names) reaches the source only through
`literal`, `comment` and `docstring`, which escape what would end the string
or the comment, or act on a terminal (control and bidirectional characters).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from typing import NamedTuple, TypeAlias

WIDTH = 88  # ruff's default line length: the generated file is not the project's
NAMED = 40  # the longest class name made of a title
INDENT = "    "


class Kw(NamedTuple):
    """`name=value` in a call, or `key: value` in a dict (sep=': ')."""

    name: str
    value: Expr
    sep: str = "="


class Call(NamedTuple):
    """`func(args…)`; func is written as it is (`nn.Conv2d`, `self.conv1`), or is a call
    itself, whose result is called (`layers.Dense(10)(x)`)."""

    func: str | Call
    args: tuple[Expr, ...] = ()

    @property
    def opening(self) -> str:
        return flat(self.func) + "("

    @property
    def closing(self) -> str:
        return ")"


class Seq(NamedTuple):
    """A list `[…]`, a tuple `(…)` or a dict `{…}` of items."""

    items: tuple[Expr, ...]
    brackets: str = "[]"

    @property
    def opening(self) -> str:
        return self.brackets[0]

    @property
    def closing(self) -> str:
        return self.brackets[1]


Expr: TypeAlias = "str | Call | Seq | Kw"


def flat(expr: Expr) -> str:
    """The expression on one line."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, Kw):
        return expr.name + expr.sep + flat(expr.value)
    inner = ", ".join(flat(item) for item in _items(expr))
    if isinstance(expr, Seq) and expr.brackets == "()" and len(expr.items) == 1:
        inner += ","  # a tuple of one: the comma is the tuple's, not a magic one
    return expr.opening + inner + expr.closing


def _items(expr: Call | Seq) -> tuple[Expr, ...]:
    return expr.args if isinstance(expr, Call) else expr.items


class _Unfit(Exception):
    """A part too long for any line: the statement is written whole, `# fmt: skip`."""


def statement(depth: int, head: str, expr: Expr = "", comment: str | None = None) -> list[str]:
    """`head` and `expr` (`x = ` and `self.conv1(x)`) indented `depth` levels, as lines.

    `comment` goes at the end when the whole line fits, else it is left out.
    """
    pad = INDENT * depth
    line = pad + head + flat(expr)
    if comment is not None and len(line) + 4 + len(comment) <= WIDTH:
        return [f"{line}  # {comment}"]
    if len(line) <= WIDTH:
        return [line]
    try:
        return _split(pad, head, expr, "")
    except _Unfit:
        return [line + "  # fmt: skip"]


def _split(pad: str, head: str, expr: Expr, tail: str) -> list[str]:
    """`head expr tail` over several lines, its last brackets opened."""
    value = expr
    while isinstance(value, Kw):
        head += value.name + value.sep
        value = value.value
    if isinstance(value, Call) and not value.args and not tail:
        # Nothing to open: ruff puts the value in parentheses of its own.
        if len(pad + INDENT + flat(value)) > WIDTH or len(pad + head) + 1 > WIDTH:
            raise _Unfit
        return [pad + head + "(", pad + INDENT + flat(value), pad + ")"]
    if (
        isinstance(value, Call)
        and isinstance(value.func, Call)
        and len(pad + head + value.opening) > WIDTH
    ):
        # The line up to the last brackets is too long: the first call's open, and the
        # last call follows its closing bracket, `)(x)`, if that fits.
        rest = flat(Call("", value.args)) + tail
        if len(pad + ")" + rest) > WIDTH:
            raise _Unfit
        return _split(pad, head, value.func, rest)
    if isinstance(value, str) or len(pad + head + value.opening) > WIDTH:
        raise _Unfit
    items = _items(value)
    inner = pad + INDENT
    hugged = inner + ", ".join(flat(item) for item in items)
    # A call's arguments may share one line; a list's, tuple's or dict's items never do.
    if items and isinstance(value, Call) and len(hugged) <= WIDTH:
        body = [hugged]
    elif len(items) == 1 and isinstance(value, Call):
        # A sole argument too long for its line: no comma; opened in turn if it can be.
        (item,) = items
        body = [hugged] if _atom(item) else _split(inner, "", item, "")
    else:
        body = []
        for item in items:
            line = inner + flat(item) + ","
            body += [line] if len(line) <= WIDTH else _split(inner, "", item, ",")
    return [pad + head + value.opening, *body, pad + value.closing + tail]


def _atom(expr: Expr) -> bool:
    """Whether an expression has no brackets to open (a name, a number, `name="text"`)."""
    while isinstance(expr, Kw):
        expr = expr.value
    return isinstance(expr, str)


def literal(text: str) -> str:
    """`text` as a Python string literal, quoted as ruff quotes it: double quotes unless
    the text holds more of them than single ones; every character that is not printable
    escaped, so nothing in it can end the string or act on a terminal."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escaped(text, quote) + quote


def _escaped(text: str, quote: str) -> str:
    out = []
    for char in text:
        if char == "\\" or char == quote:
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(repr(char)[1:-1])  # \n, \x1b, \u202e: as Python writes it
    return "".join(out)


def comment(text: str) -> str:
    """`text` for a comment: each character that is not printable escaped, so that no name
    can end the comment (a line break) or reorder the line (a bidirectional override)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def docstring(depth: int, lines: Sequence[str]) -> list[str]:
    """A docstring of `lines` (a summary line, then paragraphs; '' between them): its
    backslashes escaped, and each double quote beside another or ending a line, so that
    none can end it."""
    pad = INDENT * depth
    escaped = [_quoted(_escaped(line, "")) for line in lines]
    if len(escaped) == 1:
        return [f'{pad}"""{escaped[0]}"""']
    body = [pad + line if line else "" for line in escaped[1:]]
    return [f'{pad}"""{escaped[0]}', *body, f'{pad}"""']


def _quoted(line: str) -> str:
    out = []
    for i, char in enumerate(line):
        lone = line[i - 1 : i] not in ('"', "") and line[i + 1 : i + 2] not in ('"', "")
        out.append(char if char != '"' or lone else '\\"')
    return "".join(out)


def identifier(text: str) -> bool:
    """Whether `text` may be written as a Python name as it is: ASCII (other letters are
    normalised, NFKC, so that `self.ﬁ` would be `self.fi`) and not a keyword."""
    return text.isascii() and text.isidentifier() and not keyword.iskeyword(text)


def class_name(title: str | None, fallback: str = "Network") -> str:
    """A class name for a network's title: its letters and digits in CamelCase, each word's
    first letter raised (`LeNet-5 (course variant)`: `LeNet5CourseVariant`), its first
    words only when they are many."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in title or "").split()
    name = ""
    for word in words:  # as many words as keep it to NAMED characters
        if name and len(name) + len(word) > NAMED:
            break
        name += word[0].upper() + word[1:NAMED]
    if not name:
        return fallback
    if name[0].isdigit():
        name = fallback + name
    return name if identifier(name) else name + fallback


def wrap(text: str, width: int) -> list[str]:
    """A paragraph broken into lines of at most `width` (a word longer stays whole)."""
    import textwrap

    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def paragraphs(texts: Sequence[str], width: int = WIDTH) -> list[str]:
    """Paragraphs wrapped to `width`, an empty line between each two: a docstring's body."""
    lines: list[str] = []
    for text in texts:
        lines += [*([""] if lines else []), *wrap(text, width)]
    return lines


def comments(texts: Sequence[str], depth: int) -> list[str]:
    """Comment lines (without the `# `) for a body `depth` levels in, each paragraph
    wrapped to the line; a line that a name made into a formatter's directive
    (`fmt: off`) gets a full stop, which it is not."""
    width = WIDTH - depth * len(INDENT) - 2
    lines = [line for text in texts for line in wrap(comment(text), width)]
    return [line + "." if _DIRECTIVE.fullmatch(line) else line for line in lines]


_DIRECTIVE = re.compile(r"\s*(fmt|yapf|isort)\s*:\s*\w+\s*", re.IGNORECASE)


def numbers(values: Sequence[int]) -> str:
    """One number, or a tuple of them: `3` for (3, 3), `(3, 5)` otherwise."""
    if len(set(values)) == 1:
        return str(values[0])
    return flat(Seq(tuple(str(n) for n in values), "()"))
