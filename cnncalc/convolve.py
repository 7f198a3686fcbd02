"""A pure-Python reference convolver: the course's hand calculations, done exactly.

Why it exists: to check an exercise or see what a stride or a padding does to a
small case without NumPy, and to show the work (`explain`) as the course does.
It uses the dimension engine's own layers (`layers.Conv`, `layers.Pool`) for
the output size, the padding and the warnings, so both agree to the pixel.

Numbers: whole numbers stay Python ints throughout. Decimals are scaled to ints
by a power of ten, computed on the same int path, and divided back exactly at
the end, so no float ever enters and 0.1 + 0.2 is 0.3. Cross-correlation (no
flip, the deep-learning "convolution") is the default; `flip=True` rotates each
filter by 180° first, the mathematical convolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cnncalc import correlate, geometry, worked
from cnncalc.correlate import Number
from cnncalc.errors import SpecError, Where
from cnncalc.geometry import Padding, Sides, formula
from cnncalc.layers import Conv, LayerProblem, Pool
from cnncalc.limits import MAX_SIZE
from cnncalc.matrix import Grid, Volume, coerce
from cnncalc.worked import Explanation, called, course, plain

__all__ = ["Convolution", "Explanation", "Pooling", "Result", "convolve", "course", "plain", "pool"]

# The guard: about a few seconds of pure-Python work on a current machine. It is
# counted in taps, one filter weight times one input value (one window read, for
# pooling), from the sizes alone, before anything is computed or allocated.
MAX_WORK = 10**8  # taps
MAX_OUTPUT = 10**7  # output values kept in memory

Cube = tuple[Grid, ...]  # [channel][row][column]
Pair = tuple[int, int]  # (height, width): the convolver works on matrices


@dataclass
class Axis:
    """One axis of the output-size formula: floor((n + before + after − f) / s) + 1."""

    n: int
    f: int
    s: int
    before: int
    after: int
    out: int

    def formula(self) -> str:
        """The course's formula with this axis's numbers: ⌊(6 + 2·0 − 3)/1⌋ + 1 = 4."""
        return formula(self.n, self.f, self.s, self.before, self.after)


@dataclass
class Result:
    """An output volume and everything that produced it."""

    operation: str  # cross-correlation, convolution, max pooling, average pooling
    input: Volume
    kernel: Pair
    stride: Pair
    padding_spec: Padding
    padding: Sides  # as applied: (top, bottom), (left, right)
    height: Axis
    width: Axis
    output: Cube  # [channel][row][column], the JSON contract's order
    notes: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels)."""
        return (self.height.out, self.width.out, len(self.output))

    @property
    def spans(self) -> Pair:
        """The rows and columns a window covers: the kernel, or a dilated filter's span."""
        return self.kernel

    @property
    def taps(self) -> Pair:
        """How far apart a window's taps are, per axis."""
        return (1, 1)

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        """The work behind output cell (row, col), 1-based, one explanation per channel."""
        raise NotImplementedError


@dataclass
class Convolution(Result):
    filters: tuple[Volume, ...]  # as applied: stacked to the input's depth, flipped if asked
    bias: tuple[Number, ...]  # one per filter, or none
    relu: bool
    dilation: Pair

    @property
    def spans(self) -> Pair:
        kh, kw = self.kernel
        return (geometry.span(kh, self.dilation[0]), geometry.span(kw, self.dilation[1]))

    @property
    def taps(self) -> Pair:
        return self.dilation

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        return worked.convolution_cell(self, row, col)


@dataclass
class Pooling(Result):
    mode: str  # "max" or "avg"

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        return worked.pooling_cell(self, row, col)


def _check_sizes(what: str, sizes: Pair) -> None:
    """A stride, a dilation or a kernel: a whole number from 1 to 10^18 on each axis."""
    if not (_is_pair(sizes) and all(map(_whole, sizes))):
        raise SpecError(f"the {what} must be a pair of whole numbers (height, width)")
    if max(map(abs, sizes)) > MAX_SIZE:
        raise SpecError(f"the {what} is larger than 10^18, far beyond any matrix")
    if sizes[0] < 1 or sizes[1] < 1:
        raise SpecError(f"the {what} must be at least 1 on each axis, got {sizes[0]}×{sizes[1]}")


def _check_padding(padding: Padding) -> None:
    """'same', 'valid', p or ((top, bottom), (left, right)), each from 0 to 10^18."""
    if padding in ("same", "valid"):
        return
    sides: Any = ((padding, padding),) * 2 if _whole(padding) else padding  # a caller's, unchecked
    if not (_is_pair(sides) and all(_is_pair(side) and all(map(_whole, side)) for side in sides)):
        raise SpecError(
            "the padding must be 'same', 'valid', a whole number or ((top, bottom), (left, right))"
        )
    flat = tuple(n for side in sides for n in side)
    if max(map(abs, flat)) > MAX_SIZE:
        raise SpecError("the padding is larger than 10^18, far beyond any matrix")
    if min(flat) < 0:
        shown = padding if _whole(padding) else flat
        raise SpecError(f"the padding cannot be negative, got {shown}")


def _whole(n: object) -> bool:
    """An int, not a bool and not a float: no float ever touches a count."""
    return isinstance(n, int) and not isinstance(n, bool)


def _is_pair(value: object) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2


def _axes(
    size: tuple[int, int], kernel: Pair, stride: Pair, padding: Sides, out: tuple[int, int]
) -> tuple[Axis, Axis]:
    (top, bottom), (left, right) = padding
    return (
        Axis(size[0], kernel[0], stride[0], top, bottom, out[0]),
        Axis(size[1], kernel[1], stride[1], left, right, out[1]),
    )


def _guard(work: int, values: int, unit: str = "multiply-adds") -> None:
    if work > MAX_WORK:
        raise SpecError(
            f"this needs {work:,} {unit}, more than the limit of {MAX_WORK:,}; "
            "the reference convolver is meant for small matrices"
        )
    if values > MAX_OUTPUT:
        raise SpecError(
            f"the output would hold {values:,} values, more than the limit of {MAX_OUTPUT:,}; "
            "the reference convolver is meant for small matrices"
        )


def _too_large(kernel: Pair, size: tuple[int, int], padding: Sides, what: str) -> None:
    axes = list(zip(size, kernel, padding, strict=True))
    if not all(geometry.fits(n, k, *side) for n, k, side in axes):
        padded = [geometry.padded_size(n, *side) for n, _, side in axes]
        raise SpecError(
            f"the {what} {kernel[0]}×{kernel[1]} is larger than the padded input "
            f"{padded[0]}×{padded[1]}"
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _rotate(grid: Grid) -> Grid:
    """The grid turned by 180°: flipped vertically and horizontally."""
    return tuple(tuple(reversed(row)) for row in reversed(grid))


def convolve(
    image: Volume,
    filters: Sequence[Volume],
    *,
    stride: Pair = (1, 1),
    padding: Padding = 0,
    flip: bool = False,
    bias: Sequence[Number] = (),
    relu: bool = False,
    dilation: Pair = (1, 1),
) -> Convolution:
    """Slide each filter over `image`; filter k gives output channel k.

    A filter must have as many channels as the image, or one: a 2-D filter on a
    C-channel image is stacked C times (the course's any-colour edge detector).
    """
    if not filters:
        raise SpecError("give at least one filter")
    _check_sizes("stride", stride)
    _check_sizes("dilation", dilation)
    _check_padding(padding)
    h, w, depth = image.shape
    kernel = (filters[0].height, filters[0].width)
    notes: list[str] = []
    for k, filt in enumerate(filters, 1):
        if (filt.height, filt.width) != kernel:
            raise SpecError(
                f"{called(k, filt)} is {filt.height}×{filt.width}, but filter 1 is "
                f"{kernel[0]}×{kernel[1]}; the filters of one layer share a size"
            )
        if filt.depth == 1 and depth > 1:
            notes.append(
                f"{called(k, filt)} is 2-D; it was stacked {depth} times to match the "
                f"input's {depth} channels, so it sees every channel alike"
            )
        elif filt.depth != depth:
            raise SpecError(
                f"{called(k, filt)} has {filt.depth} channels, but the input has {depth}"
            )
    if bias and len(bias) != len(filters):
        raise SpecError(
            f"give one bias per filter: {_count(len(bias), 'bias', 'biases')} for "
            f"{_count(len(filters), 'filter', 'filters')}"
        )
    bias = tuple(coerce(b, Where("bias")) for b in bias)
    layer = Conv(len(filters), kernel, stride, padding, dilation=dilation)
    spans = (geometry.span(kernel[0], dilation[0]), geometry.span(kernel[1], dilation[1]))
    resolved = _resolve(layer, spans, stride, padding, image, "filter")
    pad, (out_h, out_w), layer_notes = resolved
    notes += layer_notes
    _guard(
        out_h * out_w * kernel[0] * kernel[1] * depth * len(filters), out_h * out_w * len(filters)
    )
    # Only now, with the work known to be small, are the filters turned and stacked:
    # a 2-D filter is turned once and stacked as references to the one grid.
    applied: list[Volume] = []
    for filt in filters:
        data = tuple(_rotate(grid) for grid in filt.data) if flip else filt.data
        applied.append(Volume(data * depth if filt.depth < depth else data, filt.name))
    in_places = correlate.places(correlate.flat([image]))
    f_places = correlate.places(correlate.flat(applied))
    b_places = correlate.places(list(bias))
    # Scale so that every product is an int; the bias needs the products' scale.
    extra = max(0, b_places - in_places - f_places)
    in_scale, f_scale = 10 ** (in_places + extra), 10**f_places
    scale = in_scale * f_scale
    data_int = [correlate.scaled(grid, in_scale) for grid in image.data]
    output: list[Grid] = []
    for k, filt in enumerate(applied):
        filt_int = [correlate.scaled(grid, f_scale) for grid in filt.data]
        acc = correlate.correlate(data_int, filt_int, kernel, stride, pad, (out_h, out_w), dilation)
        if bias:
            b = int(bias[k] * scale)
            acc = [[v + b for v in row] for row in acc]
        if relu:
            acc = [[v if v > 0 else 0 for v in row] for row in acc]
        output.append(correlate.divide(acc, scale))
    height, width = _axes((h, w), spans, stride, pad, (out_h, out_w))
    return Convolution(
        operation="convolution" if flip else "cross-correlation",
        input=image,
        kernel=kernel,
        stride=stride,
        padding_spec=padding,
        padding=pad,
        height=height,
        width=width,
        output=tuple(output),
        notes=tuple(notes),
        filters=tuple(applied),
        bias=tuple(bias),
        relu=relu,
        dilation=dilation,
    )


def _resolve(
    layer: Conv | Pool, kernel: Pair, stride: Pair, padding: Padding, image: Volume, what: str
) -> tuple[Sides, tuple[int, int], list[str]]:
    """Padding, output size and warnings from the dimension engine's own layer."""
    h, w, depth = image.shape
    _too_large(kernel, (h, w), geometry.resolve_padding(padding, (h, w), kernel, stride), what)
    try:
        step = layer.apply((h, w, depth))
    except LayerProblem as problem:  # pooling padding of more than half the kernel
        raise SpecError(problem.message) from None
    assert step.padding is not None
    return step.padding, (step.shape[0], step.shape[1]), [note.message for note in step.notes]


def pool(
    image: Volume,
    kernel: Pair,
    *,
    stride: Pair | None = None,
    padding: Padding = 0,
    mode: str = "max",
) -> Pooling:
    """Max or average pooling of each channel on its own.

    The stride defaults to the kernel (Keras and PyTorch). Max pooling's padding
    never wins; average pooling counts padded zeros in the divisor (PyTorch's
    count_include_pad=True), so every window divides by f_h·f_w.
    """
    if mode not in ("max", "avg"):
        raise SpecError(f"the pooling mode must be max or avg, got {mode!r}")
    _check_sizes("kernel", kernel)
    step = stride or kernel
    _check_sizes("stride", step)
    _check_padding(padding)
    h, w, depth = image.shape
    layer = Pool(mode, kernel, step, padding)
    pad, (out_h, out_w), notes = _resolve(layer, kernel, step, padding, image, "kernel")
    _guard(out_h * out_w * kernel[0] * kernel[1] * depth, out_h * out_w * depth, "window reads")
    (top, _), (left, _) = pad
    kh, kw = kernel
    output: list[Grid] = []
    scale = 10 ** correlate.places(correlate.flat([image])) if mode == "avg" else 1
    divisor = kh * kw * scale
    for grid in image.data:
        ints = correlate.scaled(grid, scale) if mode == "avg" else ()
        # Each window clipped to the real pixels: padding is 0 for a sum, nothing for a max.
        spans = [
            (max(0, q * step[1] - left), min(w, q * step[1] - left + kw)) for q in range(out_w)
        ]
        result: list[tuple[Number, ...]] = []
        for r in range(out_h):
            y0, y1 = max(0, r * step[0] - top), min(h, r * step[0] - top + kh)
            if mode == "max":
                band = grid[y0:y1]
                result.append(tuple(max(max(row[a:b]) for row in band) for a, b in spans))
            else:
                sums = ints[y0:y1]
                result.append(
                    tuple(
                        correlate.ratio(sum(sum(row[a:b]) for row in sums), divisor)
                        for a, b in spans
                    )
                )
        output.append(tuple(result))
    height, width = _axes((h, w), kernel, step, pad, (out_h, out_w))
    return Pooling(
        operation="max pooling" if mode == "max" else "average pooling",
        input=image,
        kernel=kernel,
        stride=step,
        padding_spec=padding,
        padding=pad,
        height=height,
        width=width,
        output=tuple(output),
        notes=tuple(notes),
        mode=mode,
    )
