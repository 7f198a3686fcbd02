"""The arithmetic of sliding windows, in integers only: output sizes, padding
and receptive fields.

One formula per axis, floor((n + p_before + p_after - f) / s) + 1, shared by the
dimension engine and the reference convolver so that both agree to the pixel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from typing import Literal

# Type aliases written as strings: building Literal[...] | tuple at import costs
# startup for what only the type checker reads.
Pair: TypeAlias = "tuple[int, int]"
Padding4: TypeAlias = "tuple[int, int, int, int]"  # top, bottom, left, right
PaddingSpec: TypeAlias = "Literal['same', 'valid'] | Padding4"


def output_size(n: int, f: int, s: int, before: int = 0, after: int = 0) -> int:
    """Output length of one axis; the caller has checked that f fits."""
    return (n + before + after - f) // s + 1


def ceil_output_size(n: int, f: int, s: int, before: int = 0, after: int = 0) -> int:
    """PyTorch's ceil_mode: ⌈(n + p − f)/s⌉ + 1, less one if the last window would start
    past the input and its leading padding."""
    out = -(-(n + before + after - f) // s) + 1
    return out - 1 if (out - 1) * s >= n + before else out


def formula(n: int, f: int, s: int, before: int = 0, after: int = 0, ceil: bool = False) -> str:
    """The output size worked out in the course's notation: ⌊(32 + 2·0 − 5)/1⌋ + 1 = 28."""
    padding = f"2·{before}" if before == after else f"{before} + {after}"
    body = f"({n} + {padding} − {f})/{s}"
    if not ceil:
        return f"⌊{body}⌋ + 1 = {output_size(n, f, s, before, after)}"
    out = ceil_output_size(n, f, s, before, after)
    text = f"⌈{body}⌉ + 1 = {-(-(n + before + after - f) // s) + 1}"
    if out != -(-(n + before + after - f) // s) + 1:
        text += f", less the window that would start in the padding: {out}"
    return text


def same_padding(n: int, f: int, s: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis: (before, after).

    With stride 1 and an odd kernel this is (f-1)/2 on each side, the course's
    rule; otherwise the odd pixel goes after (bottom or right).
    """
    out = -(-n // s)  # ceil(n / s) without a float
    total = max((out - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def resolve_padding(spec: PaddingSpec, size: Pair, kernel: Pair, stride: Pair) -> Padding4:
    """Padding on each side for an input of `size` (height, width)."""
    if spec == "valid":
        return (0, 0, 0, 0)
    if spec == "same":
        top, bottom = same_padding(size[0], kernel[0], stride[0])
        left, right = same_padding(size[1], kernel[1], stride[1])
        return (top, bottom, left, right)
    return spec


def unused(n: int, f: int, s: int, before: int, after: int) -> int:
    """How many input rows (or columns) at the end no window ever covers.

    The floor in the output formula drops the last (n + p - f) mod s positions;
    those that fall in the padding cost nothing, the rest are real pixels.
    """
    leftover = (n + before + after - f) % s
    return max(0, leftover - after)


def is_symmetric(padding: Padding4) -> bool:
    top, bottom, left, right = padding
    return top == bottom and left == right


class Window(NamedTuple):
    """How a sliding layer covers its input, per axis: what the receptive field needs."""

    kernel: Pair  # as it covers the input (a dilated kernel's effective size)
    stride: Pair
    before: Pair  # padding before the first row and before the first column


class Field(NamedTuple):
    """The receptive field of one output unit, per axis (Araujo, Norris and Sim, 2019).

    `size` is how many input rows (columns) it sees, `jump` how far apart in the
    input two neighbouring units of this layer are, and `start` the input
    coordinate where the field of unit (0, 0) begins: negative when it reaches
    into the padding.
    """

    size: Pair
    jump: Pair
    start: Pair


INPUT_FIELD = Field((1, 1), (1, 1), (0, 0))


def grow(field: Field, window: Window) -> Field:
    """The field after one more sliding layer: r + (f − 1)·j, j·s, start − p·j."""
    (r_h, r_w), (j_h, j_w), (a_h, a_w) = field
    (f_h, f_w), (s_h, s_w), (p_h, p_w) = window
    return Field(
        (r_h + (f_h - 1) * j_h, r_w + (f_w - 1) * j_w),
        (j_h * s_h, j_w * s_w),
        (a_h - p_h * j_h, a_w - p_w * j_w),
    )
