"""The output-size formula on its own, for `cnncalc size`: one axis at a time.

The course's quick question, ⌊(n + 2p − f)/s⌋ + 1, asked forwards (what comes
out), backwards (which padding or stride gives the size I want) and for
transposed convolutions. The forward arithmetic is `geometry`'s, shared with
the engine; the solvers invert it in closed form, since the output grows
step by step with p and shrinks with s, so the answers are always one run of
consecutive integers and n may be as large as 10^18 without a loop. What
comes out is held to the same 10^18 (`limits`): an output, a dilated span or
a searched range past it is refused, never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cnncalc import geometry, limits
from cnncalc.errors import SpecError
from cnncalc.geometry import Sides, Sizes, output_size, same_padding, span, unused
from cnncalc.shapes import axis_names

# How one axis is padded: TensorFlow's rule, none, or (before, after) as given.
AxisPadding = Literal["same", "valid"] | tuple[int, int]


def _where(axis: str | None) -> str:
    return f"{axis}: " if axis else ""


def _held(figure: str, number: int, remedy: str, axis: str | None) -> int:
    """`number`, or a `SpecError` when it is past 10^18; `remedy` would fix it."""
    if limits.past(number):
        raise SpecError(_where(axis) + limits.refusal(figure, number, f"{remedy} would fix it"))
    return number


def _span(f: int, dilation: int, axis: str | None) -> int:
    """The dilated kernel's span, which every answer prints."""
    spans = span(f, dilation)
    return _held("the dilated kernel's span d(f − 1) + 1", spans, "a smaller d or f", axis)


@dataclass
class Size:
    """One axis worked forwards: a convolution's, a pooling's or a transposed one's."""

    n: int
    f: int
    s: int
    before: int
    after: int
    output: int
    dilation: int = 1
    rule: str | None = None  # "same" or "valid" when the padding was named, not given
    pool: bool = False
    stride_from_kernel: bool = False  # pooling's default: the stride is f
    transposed: bool = False
    output_padding: int = 0
    unused: int = 0  # input rows at the end that no window covers

    @property
    def kernel(self) -> int:
        return span(self.f, self.dilation)

    @property
    def leftover(self) -> int:
        """What the floor drops: (n + p − k) mod s, padding included."""
        if self.transposed:
            return 0
        return geometry.leftover(self.n, self.kernel, self.s, self.before, self.after)


@dataclass
class Solved:
    """The paddings (or strides) that give a wanted output size on one axis.

    `first` to `last` are every answer in the searched range, `low` to `high`;
    when there is none, `nearest` holds the closest (value, output) on either
    side, and `asymmetric` a (before, after) padding that would do.
    """

    unknown: Literal["padding", "stride"]
    n: int
    f: int
    wanted: int
    low: int
    high: int
    s: int = 1  # given, when the padding is the unknown
    before: int = 0  # given, when the stride is the unknown
    after: int = 0
    dilation: int = 1
    pool: bool = False
    stride_from_kernel: bool = False  # pooling's default: the stride is f
    first: int | None = None
    last: int | None = None
    nearest: list[tuple[int, int]] = field(default_factory=list)
    asymmetric: tuple[int, int] | None = None

    @property
    def kernel(self) -> int:
        return span(self.f, self.dilation)

    @property
    def count(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return self.last - self.first + 1

    def output(self, value: int) -> int:
        """The output that `value` of the unknown gives."""
        if self.unknown == "padding":
            return output_size(self.n, self.kernel, self.s, value, value)
        return output_size(self.n, self.kernel, value, self.before, self.after)


def _check_pool_padding(
    f: int, before: int, after: int, rule: str | None, axis: str | None
) -> None:
    limit = geometry.pool_padding_limit(f)
    if max(before, after) > limit:
        chosen = f" ('{rule}' chose {before} before, {after} after)" if rule else ""
        raise SpecError(
            f"{_where(axis)}padding {max(before, after)}{chosen} is more than half the "
            f"kernel {f}: PyTorch allows pooling at most ⌊f/2⌋ = {limit} on a side, "
            "so that no window holds nothing but padding"
        )


def _fits(n: int, k: int, before: int, after: int, dilated: bool, axis: str | None) -> None:
    if not geometry.fits(n, k, before, after):
        what = " (dilated)" if dilated else ""
        padded = geometry.padded_size(n, before, after)
        raise SpecError(f"{_where(axis)}kernel {k}{what} is larger than the padded input {padded}")


def _stride(s: int | None, f: int, pool: bool) -> int:
    """The stride given, or the default: 1 for a convolution, f for pooling."""
    return s if s is not None else (f if pool else 1)


def forward(
    n: int,
    f: int,
    s: int | None,
    padding: AxisPadding,
    dilation: int = 1,
    pool: bool = False,
    axis: str | None = None,
) -> Size:
    """The output size of a convolution or pooling along one axis.

    `s` None is the default: 1 for a convolution, f for pooling (Keras and
    PyTorch). 'same' is TensorFlow's rule for the dilated kernel's span.
    """
    stride = _stride(s, f, pool)
    k = _span(f, dilation, axis)
    if padding == "same":
        before, after = same_padding(n, k, stride)
    elif padding == "valid":
        before, after = 0, 0
    else:
        before, after = padding
    rule = padding if isinstance(padding, str) else None
    if pool:
        _check_pool_padding(f, before, after, rule, axis)
    _fits(n, k, before, after, dilation != 1, axis)
    output = output_size(n, k, stride, before, after)
    _held("the output", output, "less padding or a larger stride", axis)
    return Size(
        n,
        f,
        stride,
        before,
        after,
        output,
        dilation=dilation,
        rule=rule,
        pool=pool,
        stride_from_kernel=pool and s is None,
        unused=unused(n, k, stride, before, after),
    )


def transposed(
    n: int,
    f: int,
    s: int,
    padding: AxisPadding,
    dilation: int = 1,
    output_padding: int = 0,
    axis: str | None = None,
) -> Size:
    """The output size of a transposed convolution along one axis.

    PyTorch's ConvTranspose2d: s(n − 1) − 2p + d(f − 1) + output_padding + 1;
    'same' is Keras's rule, n·s, and 'valid' is p = 0.
    """
    if not geometry.output_padding_allowed(output_padding, s, dilation):
        raise SpecError(
            f"{_where(axis)}output padding {output_padding} must be smaller than the stride "
            f"{s} or the dilation {dilation} (PyTorch's rule)"
        )
    rule = padding if isinstance(padding, str) else None
    k = _span(f, dilation, axis)
    if padding == "same":
        before, after, output = 0, 0, geometry.transposed_same_size(n, s)
    else:
        before, after = (0, 0) if padding == "valid" else padding
        output = geometry.transposed_size(n, f, s, before, after, dilation, output_padding)
    if output < 1:
        # Padding of up to 10^18 a side can take it below −10^18: not printed.
        shown = limits.about(output) if limits.past(output) else str(output)
        raise SpecError(
            f"{_where(axis)}the padding leaves no output: "
            f"{s}·({n} − 1) + {k} − {before} − {after} + {output_padding} = {shown}"
        )
    _held("the output", output, "a smaller n, s or f", axis)
    return Size(
        n,
        f,
        s,
        before,
        after,
        output,
        dilation=dilation,
        rule=rule,
        transposed=True,
        output_padding=output_padding,
    )


def _ceil_half(number: int) -> int:
    return -(-number // 2)


def solve_padding(
    n: int,
    f: int,
    s: int,
    wanted: int,
    dilation: int = 1,
    pool: bool = False,
    axis: str | None = None,
) -> Solved:
    """Every symmetric padding p that gives `wanted`, searched from 0 to a bound.

    The bound is k − 1 for a convolution (with p = k the first window would
    see nothing but zeros) and ⌊f/2⌋ for pooling (PyTorch's limit).

    ⌊(n + 2p − k)/s⌋ + 1 = w exactly when s(w − 1) ≤ n + 2p − k ≤ sw − 1, so
    the answers are the p with 2p between those bounds less n − k.
    """
    k = _span(f, dilation, axis)
    high = geometry.pool_padding_limit(f) if pool else k - 1
    result = Solved("padding", n, f, wanted, 0, high, s=s, dilation=dilation, pool=pool)
    least = s * (wanted - 1) + k - n  # the least 2p (or total padding) that gives `wanted`
    most = s * wanted - 1 + k - n  # the most
    first, last = max(0, _ceil_half(least)), min(high, most // 2)
    if first <= last:
        result.first, result.last = first, last
        return result
    fits = max(0, _ceil_half(k - n))  # the least p with which the kernel fits at all
    below = min(high, (least - 1) // 2)  # the largest p that gives less than `wanted`
    above = max(fits, _ceil_half(most + 1))  # the smallest p that gives more
    if fits <= below:
        result.nearest.append((below, result.output(below)))
    if fits <= above <= high:
        # Just above a wanted size near 10^18, the nearest can pass it.
        output = result.output(above)
        _held(f"the nearest output, with p = {above:,},", output, "a smaller --out", axis)
        result.nearest.append((above, output))
    # A total padding that gives it, split as TensorFlow does: the odd one after.
    total = max(0, least)
    if total <= min(2 * high, most):
        result.asymmetric = geometry.split_padding(total)
    return result


def solve_stride(
    n: int,
    f: int,
    padding: tuple[int, int],
    wanted: int,
    dilation: int = 1,
    pool: bool = False,
    axis: str | None = None,
) -> Solved:
    """Every stride s that gives `wanted`, searched from 1 to the padded input n + p.

    A larger stride gives 1, as the padded input's own length does. With
    D = n + p − k, ⌊D/s⌋ + 1 = w exactly when D/w < s ≤ D/(w − 1).
    """
    before, after = padding
    k = _span(f, dilation, axis)
    if pool:
        _check_pool_padding(f, before, after, None, axis)
    _fits(n, k, before, after, dilation != 1, axis)
    # The largest stride searched, and so every answer's bound.
    padded = _held("the padded input n + p + p", n + before + after, "less padding", axis)
    result = Solved(
        "stride", n, f, wanted, 1, padded, before=before, after=after, dilation=dilation, pool=pool
    )
    room = padded - k  # D: how far the window can travel
    first = room // wanted + 1
    last = padded if wanted == 1 else min(padded, room // (wanted - 1))
    if first <= last:
        result.first, result.last = first, last
        return result
    # The output falls as s grows: the nearest are the last s above and the first below.
    if room // wanted >= 1:
        result.nearest.append((room // wanted, result.output(room // wanted)))
    below = room // (wanted - 1) + 1  # wanted > 1 here: 1 always has an answer
    if below <= padded:
        result.nearest.append((below, result.output(below)))
    result.nearest.sort(key=lambda pair: pair[1])
    return result


@dataclass(kw_only=True)
class Question:
    """`cnncalc size`'s question, each size per axis (height, width)."""

    n: Sizes
    f: Sizes
    s: Sizes | None = None  # None: 1, or the kernel for pooling
    # None: 0, or the unknown when solving; per axis as (before, after), never flat
    padding: Literal["same", "valid"] | int | Sides | None = None
    dilation: Sizes | None = None  # None: 1
    pool: bool = False
    transposed: bool = False
    output_padding: Sizes | None = None  # None: 0
    out: Sizes | None = None  # the wanted output: solve for `solve`
    solve: Literal["padding", "stride"] = "padding"


Answer = Size | Solved


def _axis_padding(
    padding: Literal["same", "valid"] | int | Sides | None, axis: int
) -> AxisPadding | None:
    if padding is None or isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return (padding, padding)
    return padding[axis]


def answer(question: Question) -> list[tuple[str | None, Answer]]:
    """The answer per axis: one, unlabelled, when every axis asks the same."""
    q = question
    rank = len(q.n)
    asked = []
    for axis in range(rank):
        asked.append(
            (
                q.n[axis],
                q.f[axis],
                q.s[axis] if q.s else None,
                _axis_padding(q.padding, axis),
                q.dilation[axis] if q.dilation else 1,
                q.output_padding[axis] if q.output_padding else 0,
                q.out[axis] if q.out else None,
            )
        )
    if all(question == asked[0] for question in asked):
        return [(None, _one(q, *asked[0], axis=None))]
    names = axis_names(rank)
    return [(name, _one(q, *values, axis=name)) for name, values in zip(names, asked, strict=True)]


def _one(
    q: Question,
    n: int,
    f: int,
    s: int | None,
    padding: AxisPadding | None,
    dilation: int,
    output_padding: int,
    out: int | None,
    axis: str | None,
) -> Answer:
    if out is not None and q.solve == "padding":
        solved = solve_padding(n, f, _stride(s, f, q.pool), out, dilation, q.pool, axis)
        solved.stride_from_kernel = q.pool and s is None
        return solved
    if out is not None:
        if isinstance(padding, str) and padding == "same":
            raise SpecError("solving for the stride needs the padding as a number, not 'same'")
        given = (0, 0) if padding is None or padding == "valid" else padding
        assert not isinstance(given, str)
        return solve_stride(n, f, given, out, dilation, q.pool, axis)
    if q.transposed:
        return transposed(n, f, s or 1, padding or (0, 0), dilation, output_padding, axis)
    return forward(n, f, s, padding or (0, 0), dilation, q.pool, axis)
