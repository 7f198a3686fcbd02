"""The base of cnncalc's dataclasses: one __repr__ and one __eq__ for all of them.

Python 3.11 compiles every method `@dataclass` generates when the module is
imported, about a millisecond per class for the usual three. cnncalc has some
twenty record types, so each is declared `@dataclass(repr=False, eq=False)`,
which generates only `__init__`, and inherits these two: a fifth of the CLI's
startup saved, with the same behaviour.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class Record:
    """Dataclass-style `repr` and field-by-field equality, for any dataclass."""

    def __repr__(self) -> str:
        values = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({values})"

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))  # type: ignore[arg-type]

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq is
