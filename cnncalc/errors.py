"""Problems found in the user's input, each knowing where it was found.

The core raises `SpecError` (bad data) and reports `Diagnostic` warnings; the
CLI turns both into one line of text and an exit code in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# Small immutable records; NamedTuple rather than dataclass because a frozen
# dataclass costs about a millisecond of startup each on Python 3.11.


class Where(NamedTuple):
    """A place in the user's input: a file position or a command-line argument."""

    source: str | None = None  # a path, or "argument 'conv:8,5'"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        parts = [self.source or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class LayerRef(NamedTuple):
    """Which layer a problem is about: its 1-based number and its name."""

    number: int  # of the top-level layer the problem is in
    name: str | None = None  # None when the layer's type is not known yet
    place: tuple[int, ...] = ()  # (5, 2, 1) for a layer inside blocks

    @classmethod
    def at(cls, place: Sequence[int], name: str | None) -> LayerRef:
        """layer 5, or layer 5.2.1 inside blocks."""
        # The path is written out only when shown: a reader makes one for every layer,
        # and blocks nest up to 50 deep.
        return cls(place[0], name, tuple(place) if len(place) > 1 else ())

    @property
    def path(self) -> str:
        """The place as written: 5.2.1 inside blocks, empty for a top-level layer."""
        return ".".join(map(str, self.place))

    def __str__(self) -> str:
        return f"layer {self.path or self.number}" + (f" ({self.name})" if self.name else "")


class Diagnostic(NamedTuple):
    """One problem: what is wrong, where, and in which layer."""

    message: str
    where: Where | None = None
    layer: LayerRef | None = None
    severity: str = "error"  # "error", "warning" or "note"

    def __str__(self) -> str:
        prefix = [str(part) for part in (self.where, self.layer) if part is not None]
        return ": ".join([*prefix, self.message])


class SpecError(Exception):
    """The user's data is invalid; the CLI exits 1 with `str(error)`."""

    def __init__(
        self, message: str, where: Where | None = None, layer: LayerRef | None = None
    ) -> None:
        self.diagnostic = Diagnostic(message, where, layer)
        super().__init__(str(self.diagnostic))

    @property
    def message(self) -> str:
        return self.diagnostic.message

    @property
    def where(self) -> Where | None:
        return self.diagnostic.where

    @property
    def layer(self) -> LayerRef | None:
        return self.diagnostic.layer


# Characters that act on a terminal or a CI log instead of showing: the control
# characters (ESC, CR, LF, NUL…) and the bidirectional overrides and isolates,
# which reorder what surrounds them.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BREAKS = set("\u2028\u2029")


def _acts(char: str) -> bool:
    return char < " " or "\x7f" <= char <= "\x9f" or char in _BIDI or char in _BREAKS


def first_unsafe(text: str) -> tuple[int, str] | None:
    """The first character of `text` that would act rather than show, and its index."""
    if text.isprintable():
        return None  # the usual case: no need to look at each character
    return next(((i, char) for i, char in enumerate(text) if _acts(char)), None)


def _undecoded(char: str) -> str:
    """A lone surrogate as the escape of what it stands for: U+DC80–U+DCFF is how Python
    decodes a byte of a file name that is not UTF-8 (\\xff); any other cannot be written
    as UTF-8 either, so it is shown as its code point (\\ud800)."""
    if "\udc80" <= char <= "\udcff":
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1] if "\ud800" <= char <= "\udfff" else char


def encodable(text: str) -> str:
    """`text` that every UTF-8 writer can encode: a file name's bytes that are not UTF-8
    written as escapes (\\xff), the rest as it is. For JSON, which escapes control
    characters itself."""
    if text.isprintable():
        return text  # the usual case: no surrogate, no need to look at each character
    return "".join(map(_undecoded, text))


def visible(text: str) -> str:
    """`text` with each character that would act written as an escape (\\x1b, \\u202e),
    and each byte of a file name that is not UTF-8 as one too (\\xff), for what cannot be
    refused at load time, such as a file's name."""
    if text.isprintable():
        return text
    return "".join(repr(char)[1:-1] if _acts(char) else _undecoded(char) for char in text)


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """1 parameter, 62,958 parameters; 1 bias, 238 biases."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def closest(word: object, candidates: Sequence[str]) -> str | None:
    """The candidate `word` was most likely meant to be, if one is close."""
    import difflib  # only error messages need it

    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def suggestion(word: object, candidates: Sequence[str], otherwise: str = "") -> str:
    """'; did you mean …?' for the closest candidate, or `otherwise`."""
    close = closest(word, candidates)
    return f"; did you mean {close!r}?" if close else otherwise
