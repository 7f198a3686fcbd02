"""The arithmetic of sliding windows, one axis at a time, in integers only.

Every per-axis rule of cnncalc lives here and nowhere else: the output size
⌊(n + p_before + p_after − k)/s⌋ + 1 and its ceil mode, the span of a dilated
kernel, the size of a transposed convolution, TensorFlow's 'same' padding,
PyTorch's limit on pooling padding, whether a kernel fits, what the floor
leaves unused, and the receptive field. The dimension engine, `cnncalc size`
and the reference convolver all call these, so all three agree to the pixel.

Nothing here knows how many axes a tensor has: sizes are tuples of any length,
and padding is a (before, after) pair per axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from typing import Literal

# Type aliases written as strings: building Literal[...] | tuple at import costs
# startup for what only the type checker reads.
Sizes: TypeAlias = "tuple[int, ...]"  # one number per spatial axis
Sides: TypeAlias = "tuple[tuple[int, int], ...]"  # (before, after) per axis
# Padding as a spec gives it: a rule, one number for every side, one number per axis
# or two (before, after) per axis in a flat tuple, or (before, after) pairs.
Padding: TypeAlias = "Literal['same', 'valid', 'causal'] | int | Sizes | Sides"


def span(f: int, d: int = 1) -> int:
    """The rows a kernel of f taps spaced d apart covers: d(f − 1) + 1."""
    return d * (f - 1) + 1


def output_size(n: int, k: int, s: int, before: int = 0, after: int = 0) -> int:
    """Output length of one axis for a window spanning k; the caller has checked that k fits."""
    return (n + before + after - k) // s + 1


def ceil_output_size(n: int, k: int, s: int, before: int = 0, after: int = 0) -> int:
    """PyTorch's ceil_mode: ⌈(n + p − k)/s⌉ + 1, less one if the last window would start
    past the input and its leading padding."""
    out = -(-(n + before + after - k) // s) + 1
    return out - 1 if (out - 1) * s >= n + before else out


def transposed_size(
    n: int, f: int, s: int, before: int = 0, after: int = 0, d: int = 1, extra: int = 0
) -> int:
    """A transposed convolution's output (PyTorch's ConvTranspose):
    s(n − 1) − p_before − p_after + d(f − 1) + output_padding + 1."""
    return s * (n - 1) - before - after + span(f, d) + extra


def transposed_same_size(n: int, s: int) -> int:
    """A transposed convolution's output with 'same' padding: n·s, Keras's rule."""
    return n * s


def output_padding_allowed(extra: int, s: int, d: int = 1) -> bool:
    """PyTorch's rule: the output padding must be smaller than the stride or the dilation."""
    return extra < max(s, d)


def padded_size(n: int, before: int = 0, after: int = 0) -> int:
    return n + before + after


def fits(n: int, k: int, before: int = 0, after: int = 0) -> bool:
    """Whether a window spanning k fits in the padded input at least once."""
    return k <= padded_size(n, before, after)


def pool_padding_limit(f: int) -> int:
    """The most padding PyTorch lets a pooling layer have on a side: ⌊f/2⌋.

    PyTorch checks the kernel as given (kW/2 >= padW), even when dilated, so
    that no window can hold nothing but padding.
    """
    return f // 2


def same_output_size(n: int, s: int) -> int:
    """What 'same' padding gives: ⌈n/s⌉ (without a float)."""
    return -(-n // s)


def split_padding(total: int) -> tuple[int, int]:
    """A total padding split as TensorFlow does: half before, the odd one after."""
    return total // 2, total - total // 2


def same_padding(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis: (before, after).

    With stride 1 and an odd kernel this is (k−1)/2 on each side, the course's
    rule; otherwise the odd pixel goes after (bottom or right).
    """
    return split_padding(max((same_output_size(n, s) - 1) * s + k - n, 0))


def causal_padding(k: int) -> tuple[int, int]:
    """Keras's 'causal' padding of one axis: all of the span less one before, none after,
    so that no output sees an input later than its own position."""
    return k - 1, 0


def flat_sides(flat: Sizes, rank: int) -> Sides | None:
    """Padding written flat: one number per axis, or (before, after) per axis in axis order
    ([top, bottom, left, right] in 2-D); None when it has neither length."""
    if len(flat) == rank:
        return tuple((p, p) for p in flat)
    if len(flat) == 2 * rank:
        return tuple((flat[2 * axis], flat[2 * axis + 1]) for axis in range(rank))
    return None


def resolve_padding(padding: Padding, sizes: Sizes, spans: Sizes, strides: Sizes) -> Sides:
    """(before, after) on each axis of an input of `sizes`, for windows spanning `spans`.
    The caller has checked that padding written flat or per axis has its axes."""
    if padding == "valid":
        return ((0, 0),) * len(sizes)
    if padding == "same":
        return tuple(same_padding(*axis) for axis in zip(sizes, spans, strides, strict=True))
    if padding == "causal":
        return tuple(causal_padding(k) for k in spans)
    if isinstance(padding, int):
        return ((padding, padding),) * len(sizes)
    assert not isinstance(padding, str)
    if padding and isinstance(padding[0], int):
        sides = flat_sides(padding, len(sizes))
        assert sides is not None
        return sides
    return padding  # type: ignore[return-value]


def leftover(n: int, k: int, s: int, before: int = 0, after: int = 0) -> int:
    """What the floor in the output formula drops: (n + p − k) mod s, padding included."""
    return (n + before + after - k) % s


def unused(n: int, k: int, s: int, before: int = 0, after: int = 0) -> int:
    """How many input rows (or columns) at the end no window ever covers.

    The floor drops the last `leftover` positions; those that fall in the
    padding cost nothing, the rest are real pixels.
    """
    return max(0, leftover(n, k, s, before, after) - after)


def formula(n: int, k: int, s: int, before: int = 0, after: int = 0, ceil: bool = False) -> str:
    """The output size worked out in the course's notation: ⌊(32 + 2·0 − 5)/1⌋ + 1 = 28."""
    padding = f"2·{before:,}" if before == after else f"{before:,} + {after:,}"
    body = f"({n:,} + {padding} − {k:,})/{s:,}"
    if not ceil:
        return f"⌊{body}⌋ + 1 = {output_size(n, k, s, before, after):,}"
    rounded_up = -(-(n + before + after - k) // s) + 1
    text = f"⌈{body}⌉ + 1 = {rounded_up:,}"
    out = ceil_output_size(n, k, s, before, after)
    if out != rounded_up:
        text += f", less the window that would start in the padding: {out:,}"
    return text


class Window(NamedTuple):
    """How a sliding layer covers its input, per axis: what the receptive field needs."""

    kernel: Sizes  # as it covers the input (a dilated kernel's span)
    stride: Sizes
    before: Sizes  # padding before the first position of each axis


class Field(NamedTuple):
    """The receptive field of one output unit, per axis (Araujo, Norris and Sim, 2019).

    `size` is how many input rows (columns) it sees, `jump` how far apart in the
    input two neighbouring units of this layer are, and `start` the input
    coordinate where the field of the first unit begins: negative when it
    reaches into the padding.
    """

    size: Sizes
    jump: Sizes
    start: Sizes


def input_field(shape: Sequence[int]) -> Field:
    """The field of an input of `shape` (channels last): each unit sees itself.

    A vector's units each see themselves too: a field of one axis.
    """
    rank = max(len(shape) - 1, 1)
    return Field((1,) * rank, (1,) * rank, (0,) * rank)


def grow(field: Field, window: Window) -> Field:
    """The field after one more sliding layer: r + (k − 1)·j, j·s, start − p·j."""
    size, jump, start = [], [], []
    for r, j, a, k, s, p in zip(*field, *window, strict=True):
        size.append(r + (k - 1) * j)
        jump.append(j * s)
        start.append(a - p * j)
    return Field(tuple(size), tuple(jump), tuple(start))


def union(fields: Sequence[Field]) -> Field | None:
    """The field of a sum or a concatenation: from the first input any branch sees to the
    last any sees (a causal branch and a centred one see apart); None when the branches
    step differently, so that no single field describes them."""
    first = fields[0]
    if any(field.jump != first.jump for field in fields):
        return None
    starts = tuple(zip(*(field.start for field in fields), strict=True))
    ends = tuple(zip(*(_end(field) for field in fields), strict=True))
    start = tuple(min(axis) for axis in starts)
    size = tuple(max(axis) - low for axis, low in zip(ends, start, strict=True))
    return Field(size, first.jump, start)


def _end(field: Field) -> Sizes:
    """One past the last input coordinate the field sees, per axis."""
    return tuple(a + r for a, r in zip(field.start, field.size, strict=True))
