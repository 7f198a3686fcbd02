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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from operator import add, mul, sub
from typing import cast

from cnncalc.errors import SpecError, Where
from cnncalc.geometry import Padding4, PaddingSpec, Pair, formula, resolve_padding
from cnncalc.layers import Conv, LayerProblem, Pool
from cnncalc.matrix import Grid, Number, Volume, coerce, decimal_places, exact

# The guard: about a few seconds of pure-Python work on a current machine.
MAX_WORK = 10**8  # multiply-adds (or comparisons, for pooling)
MAX_OUTPUT = 10**7  # output values kept in memory

Cube = tuple[Grid, ...]  # [channel][row][column]


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
class Explanation:
    """How one output value came about: the window, the terms, the result."""

    row: int  # 1-based, in the output
    col: int
    channel: int
    value: Number
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Result:
    """An output volume and everything that produced it."""

    operation: str  # cross-correlation, convolution, max pooling, average pooling
    input: Volume
    kernel: Pair
    stride: Pair
    padding_spec: PaddingSpec
    padding: Padding4  # as applied: top, bottom, left, right
    height: Axis
    width: Axis
    output: Cube  # [channel][row][column], the JSON contract's order
    notes: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels)."""
        return (self.height.out, self.width.out, len(self.output))

    def _origin(self, row: int, col: int) -> tuple[int, int]:
        """The 0-based input position of the window's top-left cell (maybe in the padding)."""
        if not (1 <= row <= self.height.out and 1 <= col <= self.width.out):
            raise SpecError(
                f"cell {row},{col} is outside the {self.height.out}×{self.width.out} output"
            )
        top, left = self.padding[0], self.padding[2]
        return (row - 1) * self.stride[0] - top, (col - 1) * self.stride[1] - left

    def _place(self, row: int, col: int, channel: int, what: str) -> str:
        y, x = self._origin(row, col)
        kh, kw = self.kernel
        text = (
            f"output row {row}, column {col}, channel {channel}{what}: "
            f"input rows {y + 1}–{y + kh}, columns {x + 1}–{x + kw}"
        )
        h, w = self.input.height, self.input.width
        if y < 0 or x < 0 or y + kh > h or x + kw > w:
            text += f" (outside rows 1–{h}, columns 1–{w} is padding)"
        return text

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        """The work behind output cell (row, col), 1-based, one explanation per channel."""
        raise NotImplementedError


@dataclass
class Convolution(Result):
    filters: tuple[Volume, ...]  # as applied: stacked to the input's depth, flipped if asked
    bias: tuple[Number, ...]  # one per filter, or none
    relu: bool

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        y, x = self._origin(row, col)
        found = []
        for k, filt in enumerate(self.filters):
            name = f" (filter {filt.name})" if filt.name != f"filter {k + 1}" else ""
            if self.operation == "convolution":
                name += ", the filter turned by 180°"
            lines = [self._place(row, col, k + 1, name)]
            partials: list[Number] = []
            for c in range(self.input.depth):
                window = _window(self.input.data[c], y, x, self.kernel, 0)
                if self.input.depth > 1:
                    lines.append(f"input channel {c + 1}:")
                lines += _side_by_side(window, filt.data[c])
                terms = [
                    f"{_factor(window[i][j])}×{_factor(filt.data[c][i][j])}"
                    for j in range(self.kernel[1])  # down each column, as the course reads it
                    for i in range(self.kernel[0])
                ]
                partial = exact(
                    sum(
                        (
                            Fraction(window[i][j] or 0) * filt.data[c][i][j]
                            for i in range(self.kernel[0])
                            for j in range(self.kernel[1])
                        ),
                        Fraction(0),
                    )
                )
                partials.append(partial)
                lines.append("  " + " + ".join(terms) + f" = {course(partial)}")
            total = exact(sum((Fraction(p) for p in partials), Fraction(0)))
            if len(partials) > 1:
                lines.append(
                    "sum over channels: "
                    + " + ".join([course(partials[0]), *(_factor(p) for p in partials[1:])])
                    + f" = {course(total)}"
                )
            if self.bias:
                b = self.bias[k]
                biased = exact(Fraction(total) + b)
                lines.append(f"plus bias: {course(total)} + {_factor(b)} = {course(biased)}")
                total = biased
            if self.relu:
                rectified = max(total, 0)
                lines.append(f"ReLU: max(0, {course(total)}) = {course(rectified)}")
                total = rectified
            found.append(Explanation(row, col, k + 1, total, tuple(lines)))
        return tuple(found)


@dataclass
class Pooling(Result):
    mode: str  # "max" or "avg"

    def explain(self, row: int, col: int) -> tuple[Explanation, ...]:
        y, x = self._origin(row, col)
        found = []
        for c in range(self.input.depth):
            # Max pooling's padding never wins, so it is shown as · and left out.
            fill = None if self.mode == "max" else 0
            window = _window(self.input.data[c], y, x, self.kernel, fill)
            lines = [self._place(row, col, c + 1, ""), *_grid_lines(window)]
            values = [
                window[i][j]
                for j in range(self.kernel[1])  # down each column, as for convolution
                for i in range(self.kernel[0])
            ]
            if self.mode == "max":
                real = [v for v in values if v is not None]
                value = max(real)
                line = f"  max({', '.join(course(v) for v in real)}) = {course(value)}"
                if len(real) < len(values):
                    line += " (the padding never wins, so it is left out)"
            else:
                total = exact(sum((Fraction(v) for v in values if v is not None), Fraction(0)))
                count = self.kernel[0] * self.kernel[1]
                value = exact(Fraction(total) / count)
                terms = " + ".join(_factor(v) for v in values if v is not None)
                line = f"  ({terms})/{count} = {course(total)}/{count}"
                if isinstance(value, Fraction) and _decimal(value) is None:
                    if Fraction(total) / count != Fraction(total):
                        line += f" = {value} ≈ {float(value):.6g}"
                else:
                    line += f" = {course(value)}"
                if _padded(y, x, self.kernel, self.input.height, self.input.width):
                    line += " (padded zeros count in the divisor)"
            lines.append(line)
            found.append(Explanation(row, col, c + 1, value, tuple(lines)))
        return tuple(found)


def _padded(y: int, x: int, kernel: Pair, h: int, w: int) -> bool:
    return y < 0 or x < 0 or y + kernel[0] > h or x + kernel[1] > w


def _window(
    grid: Grid, y: int, x: int, kernel: Pair, fill: Number | None
) -> list[list[Number | None]]:
    """The kernel-sized window at (y, x), 0-based, with `fill` where it lies in the padding."""
    h, w = len(grid), len(grid[0])
    return [
        [
            grid[y + i][x + j] if 0 <= y + i < h and 0 <= x + j < w else fill
            for j in range(kernel[1])
        ]
        for i in range(kernel[0])
    ]


def _decimal(value: Fraction) -> str | None:
    """The exact decimal text of a Fraction, or None when it never ends (4/3)."""
    places = decimal_places(value)
    if places is None:
        return None
    scaled = abs(value.numerator) * 10**places // value.denominator
    whole, frac = divmod(scaled, 10**places)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac:0{places}d}"


def plain(value: Number) -> str:
    """A value as text: 3, -5, 3.75 exactly; a fraction that never ends as 4/3."""
    if isinstance(value, int):
        return str(value)
    text = _decimal(value)
    return text if text is not None else f"{value.numerator}/{value.denominator}"


def course(value: Number | None) -> str:
    """A value in the course's print: a true minus sign, · for padding that never wins."""
    if value is None:
        return "·"
    return plain(value).replace("-", "−")


def _factor(value: Number | None) -> str:
    """A factor of a product: negatives and fractions in parentheses, 1×(−1)."""
    text = course(value)
    return f"({text})" if text.startswith("−") or "/" in text else text


def _grid_lines(grid: Sequence[Sequence[Number | None]], indent: str = "  ") -> list[str]:
    cells = [[course(v) for v in row] for row in grid]
    width = max(len(cell) for row in cells for cell in row)
    return [indent + " ".join(cell.rjust(width) for cell in row) for row in cells]


def _side_by_side(window: list[list[Number | None]], filt: Grid) -> list[str]:
    left, right = _grid_lines(window, ""), _grid_lines(filt, "")
    span = max(len("window"), *(len(line) for line in left))
    gap = " " * 4
    lines = [f"  {'window'.ljust(span)}{gap}filter"]
    lines += [f"  {a.ljust(span)}{gap}{b}" for a, b in zip(left, right, strict=True)]
    return lines


def _check_stride(stride: Pair) -> None:
    if stride[0] < 1 or stride[1] < 1:
        raise SpecError(f"the stride must be at least 1 on each axis, got {stride[0]}×{stride[1]}")


def _check_padding(padding: PaddingSpec) -> None:
    if not isinstance(padding, str) and min(padding) < 0:
        raise SpecError(f"the padding cannot be negative, got {padding}")


def _axes(
    size: tuple[int, int], kernel: Pair, stride: Pair, padding: Padding4, out: tuple[int, int]
) -> tuple[Axis, Axis]:
    top, bottom, left, right = padding
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


def _too_large(kernel: Pair, size: tuple[int, int], padding: Padding4, what: str) -> None:
    padded = (size[0] + padding[0] + padding[1], size[1] + padding[2] + padding[3])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise SpecError(
            f"the {what} {kernel[0]}×{kernel[1]} is larger than the padded input "
            f"{padded[0]}×{padded[1]}"
        )


def _places(values: Sequence[Number]) -> int:
    """Decimal places needed to make every value an int (0 when all are ints)."""
    places = 0
    for v in values:
        if type(v) is not int:
            found = decimal_places(Fraction(v))
            if found is None:  # `build` refuses these; a hand-made Volume may not
                raise SpecError(f"{v} has no exact decimal form; give it as a decimal")
            places = max(places, found)
    return places


def _scaled(grid: Grid, scale: int) -> tuple[tuple[int, ...], ...]:
    """Every value times `scale`, as ints; the caller chose a scale that makes them whole."""
    if scale == 1:
        return cast("tuple[tuple[int, ...], ...]", grid)  # scale 1: the values are ints already
    return tuple(tuple(int(v * scale) for v in row) for row in grid)


def _flat(volumes: Sequence[Volume]) -> list[Number]:
    return [v for vol in volumes for grid in vol.data for row in grid for v in row]


def _span(n: int, f_index: int, before: int, stride: int, out: int) -> tuple[int, int]:
    """Output positions q (0-based, [q0, q1)) where tap `f_index` lands on a real pixel.

    The tap reads input position q·stride − before + f_index; it must be in [0, n).
    """
    q0 = max(0, -(-(before - f_index) // stride))
    q1 = min(out, (n - 1 + before - f_index) // stride + 1)
    return q0, max(q0, q1)


def _correlate(
    data: Sequence[Sequence[Sequence[int]]],
    filt: Sequence[Sequence[Sequence[int]]],
    kernel: Pair,
    stride: Pair,
    padding: Padding4,
    out: tuple[int, int],
) -> list[list[int]]:
    """Cross-correlation of int channels with one int filter, summed over channels.

    Tap by tap rather than window by window: each nonzero weight adds a strided
    slice of an input row to a slice of an output row, so the inner loop is a
    `map` over a whole row and the padding is never built (a window only skips
    the taps that fall in it).
    """
    h, w = len(data[0]), len(data[0][0])
    out_h, out_w = out
    sh, sw = stride
    top, _, left, _ = padding
    acc = [[0] * out_w for _ in range(out_h)]
    for j in range(kernel[1]):
        q0, q1 = _span(w, j, left, sw, out_w)
        if q0 == q1:
            continue
        x0 = q0 * sw - left + j
        x1 = x0 + (q1 - q0 - 1) * sw + 1
        whole = q0 == 0 and q1 == out_w
        for i in range(kernel[0]):
            r0, r1 = _span(h, i, top, sh, out_h)
            for c, grid in enumerate(data):
                weight = filt[c][i][j]
                if weight == 0 or r0 == r1:
                    continue
                step: Callable[[list[int], Sequence[int]], list[int]]
                if weight == 1:
                    step = _plus
                elif weight == -1:
                    step = _minus
                else:
                    step = _times(weight)
                for r in range(r0, r1):
                    y = r * sh - top + i
                    seg = grid[y][x0:x1:sw]
                    if whole:
                        acc[r] = step(acc[r], seg)
                    else:
                        acc[r][q0:q1] = step(acc[r][q0:q1], seg)
    return acc


def _plus(acc: list[int], seg: Sequence[int]) -> list[int]:
    return list(map(add, acc, seg))


def _minus(acc: list[int], seg: Sequence[int]) -> list[int]:
    return list(map(sub, acc, seg))


def _times(weight: int) -> Callable[[list[int], Sequence[int]], list[int]]:
    def step(acc: list[int], seg: Sequence[int]) -> list[int]:
        return list(map(add, acc, map(mul, seg, repeat(weight))))

    return step


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _called(k: int, filt: Volume) -> str:
    """filter 2, or filter 2 (vertical) when it has a name of its own."""
    return f"filter {k}" if filt.name == f"filter {k}" else f"filter {k} ({filt.name})"


def _rotate(grid: Grid) -> Grid:
    """The grid turned by 180°: flipped vertically and horizontally."""
    return tuple(tuple(reversed(row)) for row in reversed(grid))


def _ratio(n: int, d: int) -> Number:
    """n/d exactly; an int whenever it divides, without building a Fraction."""
    return n // d if n % d == 0 else Fraction(n, d)


def _divide(values: list[list[int]], scale: int) -> Grid:
    if scale == 1:
        return tuple(tuple(row) for row in values)
    return tuple(tuple(_ratio(v, scale) for v in row) for row in values)


def convolve(
    image: Volume,
    filters: Sequence[Volume],
    *,
    stride: Pair = (1, 1),
    padding: PaddingSpec = (0, 0, 0, 0),
    flip: bool = False,
    bias: Sequence[Number] = (),
    relu: bool = False,
) -> Convolution:
    """Slide each filter over `image`; filter k gives output channel k.

    A filter must have as many channels as the image, or one: a 2-D filter on a
    C-channel image is stacked C times (the course's any-colour edge detector).
    """
    if not filters:
        raise SpecError("give at least one filter")
    _check_stride(stride)
    _check_padding(padding)
    h, w, depth = image.shape
    kernel = (filters[0].height, filters[0].width)
    notes: list[str] = []
    applied: list[Volume] = []
    for k, filt in enumerate(filters, 1):
        if (filt.height, filt.width) != kernel:
            raise SpecError(
                f"{_called(k, filt)} is {filt.height}×{filt.width}, but filter 1 is "
                f"{kernel[0]}×{kernel[1]}; the filters of one layer share a size"
            )
        data = filt.data
        if filt.depth == 1 and depth > 1:
            data = data * depth
            notes.append(
                f"{_called(k, filt)} is 2-D; it was stacked {depth} times to match the "
                f"input's {depth} channels, so it sees every channel alike"
            )
        elif filt.depth != depth:
            raise SpecError(
                f"{_called(k, filt)} has {filt.depth} channels, but the input has {depth}"
            )
        if flip:
            data = tuple(_rotate(grid) for grid in data)
        applied.append(Volume(data, filt.name))
    bias = tuple(coerce(b, Where("bias")) for b in bias)
    if bias and len(bias) != len(filters):
        raise SpecError(
            f"give one bias per filter: {_count(len(bias), 'bias', 'biases')} for "
            f"{_count(len(filters), 'filter', 'filters')}"
        )
    resolved = _resolve(Conv(len(filters), kernel, stride, padding), image, "filter")
    pad, (out_h, out_w), layer_notes = resolved
    notes += layer_notes
    _guard(
        out_h * out_w * kernel[0] * kernel[1] * depth * len(filters), out_h * out_w * len(filters)
    )
    in_places = _places(_flat([image]))
    f_places = _places(_flat(applied))
    b_places = _places(list(bias))
    # Scale so that every product is an int; the bias needs the products' scale.
    extra = max(0, b_places - in_places - f_places)
    in_scale, f_scale = 10 ** (in_places + extra), 10**f_places
    scale = in_scale * f_scale
    data_int = [_scaled(grid, in_scale) for grid in image.data]
    output: list[Grid] = []
    for k, filt in enumerate(applied):
        filt_int = [_scaled(grid, f_scale) for grid in filt.data]
        acc = _correlate(data_int, filt_int, kernel, stride, pad, (out_h, out_w))
        if bias:
            b = int(bias[k] * scale)
            acc = [[v + b for v in row] for row in acc]
        if relu:
            acc = [[v if v > 0 else 0 for v in row] for row in acc]
        output.append(_divide(acc, scale))
    height, width = _axes((h, w), kernel, stride, pad, (out_h, out_w))
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
    )


def _resolve(
    layer: Conv | Pool, image: Volume, what: str
) -> tuple[Padding4, tuple[int, int], list[str]]:
    """Padding, output size and warnings from the dimension engine's own layer."""
    h, w, depth = image.shape
    stride = layer.stride or layer.kernel
    _too_large(
        layer.kernel, (h, w), resolve_padding(layer.padding, (h, w), layer.kernel, stride), what
    )
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
    padding: PaddingSpec = (0, 0, 0, 0),
    mode: str = "max",
) -> Pooling:
    """Max or average pooling of each channel on its own.

    The stride defaults to the kernel (Keras and PyTorch). Max pooling's padding
    never wins; average pooling counts padded zeros in the divisor (PyTorch's
    count_include_pad=True), so every window divides by f_h·f_w.
    """
    if mode not in ("max", "avg"):
        raise SpecError(f"the pooling mode must be max or avg, got {mode!r}")
    if kernel[0] < 1 or kernel[1] < 1:
        raise SpecError(f"the kernel must be at least 1 on each axis, got {kernel[0]}×{kernel[1]}")
    step = stride or kernel
    _check_stride(step)
    _check_padding(padding)
    h, w, depth = image.shape
    pad, (out_h, out_w), notes = _resolve(Pool(mode, kernel, step, padding), image, "kernel")
    _guard(out_h * out_w * kernel[0] * kernel[1] * depth, out_h * out_w * depth, "window reads")
    top, _, left, _ = pad
    kh, kw = kernel
    output: list[Grid] = []
    scale = 10 ** _places(_flat([image])) if mode == "avg" else 1
    divisor = kh * kw * scale
    for grid in image.data:
        ints = _scaled(grid, scale) if mode == "avg" else ()
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
                    tuple(_ratio(sum(sum(row[a:b]) for row in sums), divisor) for a, b in spans)
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
