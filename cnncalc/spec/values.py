"""Reading the value of one layer field, as YAML gave it or as shorthand text.

Each reader takes the raw value (an int, a list or a string from YAML, or the
text of a shorthand argument) and returns it checked, or raises `ValueProblem`
with a sentence that names the field. Nothing is rounded or coerced: 5.0 is
not 5, and `true` is not 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cnncalc.errors import SpecError, Where, first_unsafe
from cnncalc.limits import MAX_SIZE

if TYPE_CHECKING:
    from cnncalc.errors import LayerRef


class ValueProblem(Exception):
    """A field's value is not acceptable; the message names the field."""


@contextmanager
def located(where: Where | None, ref: LayerRef | None = None, more: str = "") -> Iterator[None]:
    """A `ValueProblem` inside the block raised as a `SpecError` at `where`, `more` after it."""
    try:
        yield
    except ValueProblem as problem:
        raise SpecError(f"{problem}{more}", where, ref) from None


def show(raw: Any, limit: int = 40) -> str:
    """A short rendering of a raw value for a message, as the user wrote it.

    Bounded in work as well as length: an aliased YAML structure can be
    exponentially large, so nested containers are summarised, not walked.
    """
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif raw is None:
        text = "null"
    elif isinstance(raw, str):
        text = repr(raw)
    elif isinstance(raw, int) and raw.bit_length() > 1000:
        text = "a number of hundreds of digits"  # str() of 4,300+ digits raises
    elif isinstance(raw, (int, float)):
        text = str(raw)
    elif isinstance(raw, (list, tuple)):
        items = [_show_item(item) for item in raw[:6]]
        text = "[" + ", ".join(items) + (", …" if len(raw) > 6 else "") + "]"
    elif isinstance(raw, dict):
        text = "a mapping"
    else:
        text = f"a {type(raw).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show_item(item: Any) -> str:
    if isinstance(item, (list, tuple)):
        return "[…]"
    if isinstance(item, dict):
        return "{…}"
    return show(item, 12)


def misread(text: str, prefixes: bool = False) -> str | None:
    """Why `text`, which reads as a number, would not mean what it looks like, or None for
    plain decimal. YAML 1.1 reads 064 as octal 52, 0x40 as 64, 1_000 as 1000 and 1:30 as
    90; the shorthand would read the same text differently, so both refuse it.

    `prefixes`: also refuse 0x, 0o and 0b, for a YAML number; in shorthand 0x1 is 0×1.
    """
    text = text.strip()
    body = text.lstrip("+-")
    if not body.isascii():
        numeral = body.replace(".", "", 1).isdigit()  # what int() and float() would take
        return f"{text} is written in digits that are not ASCII; {_ASCII}" if numeral else None
    lowered = body.lower()
    if lowered in (".inf", "inf", "infinity", ".nan", "nan"):
        return f"{text} is not a finite number; write a plain decimal number"
    if prefixes and lowered[:2] in ("0x", "0o", "0b"):
        base = {"0x": "hexadecimal", "0o": "octal", "0b": "binary"}[lowered[:2]]
        return f"{text} is written in {base}; write it in decimal digits" + _as(text, 0)
    if not lowered[:1].isdigit() and lowered[:1] != ".":
        return None
    if "_" in body:
        return f"{text} holds underscores; write the digits alone" + _as(text, 10)
    if ":" in body:
        return f"{text} reads in YAML 1.1 as base 60 (sexagesimal); write it in decimal digits"
    if len(body) > 1 and body[0] == "0" and body[1].isdigit():
        return f"{text} has a leading zero, which in YAML 1.1 means octal; write it without" + _as(
            text, 10
        )
    return None


_ASCII = "write numbers in ASCII digits (0-9)"


def _as(text: str, base: int) -> str:
    """', as 64' for what `text` means in `base` (0: as its prefix says), when that is short."""
    if len(text) > 30:
        return ""
    try:
        return f", as {int(text.replace('_', ''), base)}"
    except ValueError:
        return ""


def as_int(name: str, raw: Any) -> int | None:
    """The integer a raw value spells, or None; floats and booleans are not integers."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        problem = misread(raw)
        if problem is not None:
            raise ValueProblem(f"{name}: {problem}")
    if isinstance(raw, str) and _is_int(raw.strip()):
        digits = raw.strip().lstrip("+-")
        raw = int(raw) if len(digits) <= 30 else MAX_SIZE * 10  # int() of 5,000 digits raises
    if isinstance(raw, int):
        if abs(raw) > MAX_SIZE:
            raise ValueProblem(
                f"{name} is larger than 10^18, far beyond any real network; "
                "cnncalc refuses it rather than print nonsense"
            )
        return raw
    return None


def as_ints(name: str, raw: Any) -> list[int | None] | None:
    """The integers of a list or of `AxB[xCxD]` text; None if it is neither."""
    if isinstance(raw, (list, tuple)):
        return [as_int(name, item) for item in raw]
    if isinstance(raw, str):
        parts = raw.replace("×", "x").replace("X", "x").split("x")
        if len(parts) > 1 and all(part.strip() for part in parts):
            return [as_int(name, part) for part in parts]
    return None


def as_numbers(name: str, raw: Any) -> list[int | None] | None:
    """[n] for one whole number, else the integers of a list or of `AxB` text, else None."""
    single = as_int(name, raw)
    return [single] if single is not None else as_ints(name, raw)


def _is_int(text: str) -> bool:
    """An optional sign and ASCII digits (str.isdigit alone takes '²' too)."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    return digits.isascii() and digits.isdigit()


def _whole(name: str, raw: Any) -> int:
    value = as_int(name, raw)
    if value is None:
        raise ValueProblem(f"{name} must be a whole number, got {show(raw)}")
    return value


def positive_int(name: str, raw: Any) -> int:
    value = _whole(name, raw)
    if value < 1:
        raise ValueProblem(f"{name} must be at least 1, got {value}")
    return value


MAX_BATCH = 10**9  # inputs in one batch: far beyond any device's memory


def batch(name: str, raw: Any) -> int:
    """A batch size: a whole number from 1 to `MAX_BATCH`, written as any other."""
    value = positive_int(name, raw)
    if value > MAX_BATCH:
        raise ValueProblem(f"{name} must be at most {MAX_BATCH:,}, got {value:,}")
    return value


def count(name: str, raw: Any) -> int:
    """A number of things that may be zero, such as a layer's parameters."""
    value = _whole(name, raw)
    if value < 0:
        raise ValueProblem(f"{name} cannot be negative, got {value}")
    return value


def rate(name: str, raw: Any) -> float:
    """A probability such as dropout's: at least 0 and below 1."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{name} must be a number from 0 to 1, got {show(raw)}")
    value = None
    if isinstance(raw, str):
        problem = misread(raw)
        if problem is not None:
            raise ValueProblem(f"{name}: {problem}")
        import re

        if re.fullmatch(_DECIMAL, raw.strip()):
            value = float(raw)
    elif isinstance(raw, (int, float)):
        value = float(raw)
    if value is None or not 0 <= value < 1:
        raise ValueProblem(f"{name} must be a number from 0 up to 1, got {show(raw)}")
    return value


# What float() takes that is plain: it also takes 1_0.5, nan, inf and non-ASCII digits.
# A pattern, compiled (and cached by re) when a rate is first read, not at start-up.
_DECIMAL = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?"

TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")


def boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return raw.strip().lower() in TRUE_WORDS
    raise ValueProblem(f"{name} must be true or false, got {show(raw)}")


MAX_NAME = 100  # characters: a name is a table cell, and every row is padded to the widest


def text(name: str, raw: Any, limit: int = MAX_NAME) -> str:
    """Text a person will read: a name, a description. Control and bidi characters are
    refused, since they would act on the terminal or the CI log that shows them."""
    if isinstance(raw, str) and len(raw.strip()) > limit:
        raise ValueProblem(
            f"{name} is {len(raw.strip()):,} characters long, more than the limit of {limit}; "
            "shorten it"
        )
    if isinstance(raw, str) and raw.strip():
        found = first_unsafe(raw.strip())
        if found is not None:
            import unicodedata

            index, char = found
            what = unicodedata.name(char, "a control character")
            raise ValueProblem(
                f"{name} holds U+{ord(char):04X} ({what.lower()}) at character {index + 1}; "
                "it would act on the terminal or log that shows it, so write the text "
                "without it"
            )
        undecoded = _undecoded(raw)
        if undecoded is not None:
            raise ValueProblem(
                f"{name} holds a byte that is not UTF-8 ({undecoded}); write the text in UTF-8"
            )
        return raw.strip()
    if isinstance(raw, str):
        raise ValueProblem(f"{name} cannot be empty")
    hint = f"; quote it: '{raw}'" if isinstance(raw, (int, float)) else ""
    raise ValueProblem(f"{name} must be text, got {show(raw)}{hint}")


def _undecoded(text: str) -> str | None:
    """The first byte of `text` that was not UTF-8, escaped (\\xff), or None. Python
    hands over such bytes of a command line as lone surrogates, which no UTF-8 output
    can write."""
    if text.isprintable():
        return None
    from cnncalc.errors import encodable

    found = next((char for char in text if "\ud800" <= char <= "\udfff"), None)
    return None if found is None else encodable(found)


MAX_JOINED = 16  # saved tensors one layer may name: DenseNet's widest join reads 16


def tensor_names(name: str, raw: Any) -> tuple[str, ...]:
    """The names of saved tensors: one, or a list of them (each a name's text)."""
    given = raw if isinstance(raw, list) else [raw]
    if not given or len(given) > MAX_JOINED:
        raise ValueProblem(
            f"{name} must be a saved tensor's name or a list of 1 to {MAX_JOINED}, got {show(raw)}"
        )
    return tuple(text(name, item) for item in given)


def tensor_name(name: str, raw: Any) -> str:
    """The name of one saved tensor."""
    return text(name, raw)


UPSAMPLE_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")


def upsample_mode(name: str, raw: Any) -> str:
    """How an upsample fills in (PyTorch's modes; Keras's nearest and bilinear): no count
    depends on it, but a misspelt one is refused rather than ignored."""
    if isinstance(raw, str) and raw.strip().lower() in UPSAMPLE_MODES:
        return raw.strip().lower()
    raise ValueProblem(f"{name} must be one of {', '.join(UPSAMPLE_MODES)}, got {show(raw)}")


def condition(name: str, raw: Any) -> bool:
    """An `if:` or a residual's `add:`: true or false, as YAML or an expression gives it."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise ValueProblem(
        f"{name} must be true or false (in a named block, an expression such as "
        f"${{stride == 1}}), got {show(raw)}"
    )
