"""Problems found in the user's input, each knowing where it was found.

The core raises `SpecError` (bad data) and reports `Diagnostic` warnings; the
CLI turns both into one line of text and an exit code in one place.
"""

from __future__ import annotations

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

    def shifted(self, columns: int) -> Where:
        """The same place moved right, to point inside a shorthand string."""
        if self.column is None:
            return self
        return Where(self.source, self.line, self.column + columns)


class LayerRef(NamedTuple):
    """Which layer a problem is about: its 1-based number and its name."""

    number: int
    name: str | None = None  # None when the layer's type is not known yet

    def __str__(self) -> str:
        return f"layer {self.number}" + (f" ({self.name})" if self.name else "")


class Diagnostic(NamedTuple):
    """One problem: what is wrong, where, and in which layer."""

    message: str
    where: Where | None = None
    layer: LayerRef | None = None
    severity: str = "error"  # "error" or "warning"

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

    def located(self, where: Where | None, layer: LayerRef | None) -> SpecError:
        """This error with a place and layer filled in where it had none."""
        return SpecError(self.message, self.where or where, self.layer or layer)
