"""Reading values that come one per spatial axis: sizes, paddings and shapes.

A single number means every axis; a list has one entry per axis, or, for a
padding, two (before, after) per axis in axis order. How many axes there are
is the input's to say, and the input is read before the layers: a flat padding
comes back as `Flat`, for the reader to resolve once it knows the rank, and a
list of the wrong length is the layer's to refuse, naming the rank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from cnncalc.spec.values import ValueProblem, as_int, as_ints, as_numbers, show

if TYPE_CHECKING:
    from cnncalc.geometry import Padding, Sides, Sizes

MAX_RANK = 3  # spatial axes: 1-D signals, 2-D images, 3-D volumes


def _per_axis(name: str, raw: Any) -> int | tuple[int, ...]:
    """One whole number for every axis, or one per axis (up to `MAX_RANK`), unchecked in sign;
    how many axes the input has is the layer's to check."""
    single = as_int(name, raw)
    if single is not None:
        return single
    values = as_ints(name, raw)
    if values is None or not 1 <= len(values) <= MAX_RANK or None in values:
        raise ValueProblem(
            f"{name} must be a whole number, or one per axis: [a] in 1-D, [a, b] in 2-D, "
            f"[a, b, c] in 3-D (AxBxC in shorthand), got {show(raw)}"
        )
    return tuple(v for v in values if v is not None)


def sizes(name: str, raw: Any) -> int | Sizes:
    """A size per axis: one positive integer for every axis, or one per axis."""
    value = _per_axis(name, raw)
    if isinstance(value, int) and value < 1:
        raise ValueProblem(f"{name} must be at least 1, got {value}")
    if not isinstance(value, int) and min(value) < 1:
        raise ValueProblem(f"{name} must be at least 1 on each axis, got {_by(value)}")
    return value


def sizes_or_zero(name: str, raw: Any) -> int | Sizes:
    """Like `sizes`, but 0 is allowed: an output padding."""
    value = _per_axis(name, raw)
    if min((value,) if isinstance(value, int) else value) < 0:
        raise ValueProblem(f"{name} cannot be negative, got {show(raw)}")
    return value


def _by(values: Sizes) -> str:
    return "×".join(str(n) for n in values)


PADDING_WORDS = ("same", "valid")


class Flat(tuple[int, ...]):
    """Padding written as a flat list, [1, 2]: one number per axis or (before, after) per
    axis, which of the two only the input's rank can tell. The reader resolves it."""

    __slots__ = ()


def padding(name: str, raw: Any) -> Padding:
    """`same`, `valid`, p, one number per axis, (before, after) per axis written flat in axis
    order ([top, bottom, left, right] in 2-D), or as pairs ([[top, bottom], [left, right]])."""
    return _padding(name, raw, PADDING_WORDS)


def conv_padding(name: str, raw: Any) -> Padding:
    """As `padding`, and `causal` (1-D: all of d(f − 1) before, Keras's padding='causal')."""
    return _padding(name, raw, (*PADDING_WORDS, "causal"))


def _padding(name: str, raw: Any, words: tuple[str, ...]) -> Padding:
    if isinstance(raw, str) and raw.strip().lower() in words:
        return cast("Padding", raw.strip().lower())
    if isinstance(raw, str) and raw.strip().lower() == "causal":
        raise ValueProblem(
            f"{name} causal is for 1-D convs only (Keras's Conv1D padding='causal'); write same, "
            "valid or numbers"
        )
    return _sides(name, raw, "".join(f"{word!r}, " for word in words))


def numeric_padding(name: str, raw: Any) -> int | Sizes | Sides:
    """As `padding` but without same or valid: a padding of its own, such as zeropad's, has
    no window to follow."""
    return _sides(name, raw, "in numbers: ")


def _sides(name: str, raw: Any, words: str) -> int | Sizes | Sides:
    """p, a flat list of one or two numbers per axis, or a list of (before, after) pairs.
    Which the flat list is depends on the input's axes: the reader resolves it."""
    nested = isinstance(raw, (list, tuple)) and raw and isinstance(raw[0], (list, tuple))
    numbers = _pairs(name, raw) if nested else as_numbers(name, raw)
    if numbers is None or not 1 <= len(numbers) <= 2 * MAX_RANK or None in numbers:
        raise ValueProblem(
            f"{name} must be {words}a whole number, one per axis, or (before, after) per axis "
            f"([top, bottom, left, right] in 2-D), got {show(raw)}"
        )
    checked = [n for n in numbers if n is not None]
    if any(n < 0 for n in checked):
        raise ValueProblem(f"{name} cannot be negative, got {show(raw)}")
    if nested:
        return tuple((checked[i], checked[i + 1]) for i in range(0, len(checked), 2))
    if not isinstance(raw, (list, tuple)) and len(checked) == 1:
        return checked[0]
    return Flat(checked)


def _pairs(name: str, raw: Any) -> list[int | None] | None:
    """The numbers of [[before, after], …] in order, or None unless each item is a pair."""
    pairs = [as_ints(name, pair) for pair in raw[: MAX_RANK + 1]]
    if len(raw) > MAX_RANK or any(pair is None or len(pair) != 2 for pair in pairs):
        return None
    return [n for pair in pairs for n in pair or ()]


def pair(name: str, raw: Any) -> tuple[int, int]:
    """(height, width) for the reference convolver, whose matrices have two axes."""
    value = sizes(name, raw)
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueProblem(
            f"{name} must be a whole number or a pair [height, width] (HxW), got {show(raw)}"
        )
    return value[0], value[1]


def padding_2d(name: str, raw: Any) -> Padding:
    """A padding for the reference convolver's two axes, as `padding` reads it."""
    value = padding(name, raw)
    if not isinstance(value, Flat):
        return value
    from cnncalc.geometry import flat_sides

    sides = flat_sides(value, 2)
    if sides is None:
        raise ValueProblem(
            f"{name} must be a whole number, PHxPW or TOPxBOTTOMxLEFTxRIGHT, got {show(raw)}"
        )
    return sides


def dims(name: str, raw: Any) -> tuple[int, ...]:
    """A shape: [L, C], [H, W, C] or [D, H, W, C], or [n] (or n) for a vector."""
    values = as_numbers(name, raw)
    if values is not None and len(values) > MAX_RANK + 1:
        raise ValueProblem(
            f"{name} has {len(values)} axes, but cnncalc takes at most {MAX_RANK} spatial axes "
            "and the channels: [L, C], [H, W, C] or [D, H, W, C]"
        )
    if values is None:
        raise ValueProblem(
            f"{name} must be [L, C], [H, W, C] or [D, H, W, C] (16000x1, 32x32x3 or "
            f"16x112x112x3 on the command line), or [n] for a vector, got {show(raw)}"
        )
    if None in values:
        raise ValueProblem(f"{name} must hold whole numbers, got {show(raw)}")
    checked = tuple(v for v in values if v is not None)
    if any(v < 1 for v in checked):
        raise ValueProblem(f"every size in {name} must be at least 1, got {show(raw)}")
    return checked
