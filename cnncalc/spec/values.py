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

if TYPE_CHECKING:
    from cnncalc.errors import LayerRef
    from cnncalc.geometry import Padding, Sides, Sizes

# Far beyond any real network, yet every product of such sizes stays a few
# dozen digits: counts are exact Python integers and print without trouble.
MAX_SIZE = 10**18


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


def _int(name: str, raw: Any) -> int | None:
    """The integer a raw value spells, or None; floats and booleans are not integers."""
    if isinstance(raw, bool):
        return None
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


def _ints(name: str, raw: Any) -> list[int | None] | None:
    """The integers of a list or of `AxB[xCxD]` text; None if it is neither."""
    if isinstance(raw, (list, tuple)):
        return [_int(name, item) for item in raw]
    if isinstance(raw, str):
        parts = raw.replace("×", "x").replace("X", "x").split("x")
        if len(parts) > 1 and all(part.strip() for part in parts):
            return [_int(name, part) for part in parts]
    return None


def _numbers(name: str, raw: Any) -> list[int | None] | None:
    """[n] for one whole number, else the integers of a list or of `AxB` text, else None."""
    single = _int(name, raw)
    return [single] if single is not None else _ints(name, raw)


def _is_int(text: str) -> bool:
    """An optional sign and ASCII digits (str.isdigit alone takes '²' too)."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    return digits.isascii() and digits.isdigit()


def _whole(name: str, raw: Any) -> int:
    value = _int(name, raw)
    if value is None:
        raise ValueProblem(f"{name} must be a whole number, got {show(raw)}")
    return value


def positive_int(name: str, raw: Any) -> int:
    value = _whole(name, raw)
    if value < 1:
        raise ValueProblem(f"{name} must be at least 1, got {value}")
    return value


def count(name: str, raw: Any) -> int:
    """A number of things that may be zero, such as a layer's parameters."""
    value = _whole(name, raw)
    if value < 0:
        raise ValueProblem(f"{name} cannot be negative, got {value}")
    return value


def _pair(name: str, raw: Any) -> tuple[int, int, bool]:
    """(height, width) of one whole number for both or a pair; and whether it was one."""
    single = _int(name, raw)
    if single is not None:
        return single, single, True
    values = _ints(name, raw)
    if values is None or len(values) != 2 or values[0] is None or values[1] is None:
        raise ValueProblem(
            f"{name} must be a whole number or a pair [height, width] (HxW in shorthand), "
            f"got {show(raw)}"
        )
    return values[0], values[1], False


def pair(name: str, raw: Any) -> Sizes:
    """A size per axis: one positive integer for both, or (height, width)."""
    h, w, single = _pair(name, raw)
    if single and h < 1:
        raise ValueProblem(f"{name} must be at least 1, got {h}")
    if h < 1 or w < 1:
        raise ValueProblem(f"{name} must be at least 1 on each axis, got {h}×{w}")
    return (h, w)


def pair_or_zero(name: str, raw: Any) -> Sizes:
    """Like `pair`, but 0 is allowed: an output padding."""
    h, w, _ = _pair(name, raw)
    if h < 0 or w < 0:
        raise ValueProblem(f"{name} cannot be negative, got {show(raw)}")
    return (h, w)


def rate(name: str, raw: Any) -> float:
    """A probability such as dropout's: at least 0 and below 1."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{name} must be a number from 0 to 1, got {show(raw)}")
    try:
        value = float(raw) if isinstance(raw, (int, float, str)) else None
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1:
        raise ValueProblem(f"{name} must be a number from 0 up to 1, got {show(raw)}")
    return value


PADDING_WORDS = ("same", "valid")


def padding(name: str, raw: Any) -> Padding:
    """`same`, `valid`, p, [ph, pw] or [top, bottom, left, right]: (before, after) per axis."""
    if isinstance(raw, str) and raw.strip().lower() in PADDING_WORDS:
        return "same" if raw.strip().lower() == "same" else "valid"
    return _sides(name, raw, "'same', 'valid', ")


def numeric_padding(name: str, raw: Any) -> Sides:
    """p, [ph, pw] or [top, bottom, left, right], as `padding` but without same or valid:
    a padding of its own, such as zeropad's, has no window to follow."""
    return _sides(name, raw, "in numbers: ")


def _sides(name: str, raw: Any, words: str) -> Sides:
    values = _numbers(name, raw)
    if values is None or len(values) not in (1, 2, 4) or None in values:
        raise ValueProblem(
            f"{name} must be {words}a whole number, [ph, pw] or [top, bottom, left, right], "
            f"got {show(raw)}"
        )
    checked = [v for v in values if v is not None]
    if any(v < 0 for v in checked):
        raise ValueProblem(f"{name} cannot be negative, got {show(raw)}")
    if len(checked) == 1:
        return ((checked[0], checked[0]),) * 2
    if len(checked) == 2:
        return ((checked[0], checked[0]), (checked[1], checked[1]))
    top, bottom, left, right = checked
    return ((top, bottom), (left, right))


TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")


def boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return raw.strip().lower() in TRUE_WORDS
    raise ValueProblem(f"{name} must be true or false, got {show(raw)}")


def text(name: str, raw: Any) -> str:
    """Text a person will read: a name, a description. Control and bidi characters are
    refused, since they would act on the terminal or the CI log that shows them."""
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
        return raw.strip()
    if isinstance(raw, str):
        raise ValueProblem(f"{name} cannot be empty")
    hint = f"; quote it: '{raw}'" if isinstance(raw, (int, float)) else ""
    raise ValueProblem(f"{name} must be text, got {show(raw)}{hint}")


def dims(name: str, raw: Any) -> tuple[int, ...]:
    """A shape: [height, width, channels], or [n] (or n) for a vector."""
    values = _numbers(name, raw)
    if values is None or len(values) not in (1, 3):
        raise ValueProblem(
            f"{name} must be [height, width, channels] (HxWxC on the command line), "
            f"or [n] for a vector, got {show(raw)}"
        )
    if None in values:
        raise ValueProblem(f"{name} must hold whole numbers, got {show(raw)}")
    checked = tuple(v for v in values if v is not None)
    if any(v < 1 for v in checked):
        raise ValueProblem(f"every size in {name} must be at least 1, got {show(raw)}")
    return checked
