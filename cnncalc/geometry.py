"""The output-size arithmetic of convolution and pooling, in integers only.

One formula per axis, floor((n + p_before + p_after - f) / s) + 1, shared by the
dimension engine and the reference convolver so that both agree to the pixel.
"""

from __future__ import annotations

from typing import Literal

Pair = tuple[int, int]
Padding4 = tuple[int, int, int, int]  # top, bottom, left, right
PaddingSpec = Literal["same", "valid"] | Padding4


def output_size(n: int, f: int, s: int, before: int = 0, after: int = 0) -> int:
    """Output length of one axis; the caller has checked that f fits."""
    return (n + before + after - f) // s + 1


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
