"""What every layer shares: the `Layer` base, the `Step` it returns, and sliding a window.

A layer is a dataclass of checked hyperparameters with one method that
matters, `apply(shape) -> Step`: the output shape and the weights, biases and
MACs the layer has for that input. Per-axis values (kernel, stride, padding…)
may be one number for every axis or a tuple with one per axis; a layer takes
its number of axes from its input, so the same class serves any rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeGuard

from cnncalc import geometry, limits
from cnncalc.geometry import Padding, Sides, Sizes, Window
from cnncalc.records import Record
from cnncalc.shapes import (
    Shape,
    axis_names,
    by,
    dimensions,
    padding_text,
    position_names,
    side_names,
)


class LayerProblem(Exception):
    """A layer cannot take its input; `field` names the culprit, if one field is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Note(NamedTuple):
    """Something worth saying that does not stop the calculation: a warning, or a note
    (what is normal but worth knowing, which never fails `check --strict`)."""

    message: str
    field: str | None = None
    severity: str = "warning"


@dataclass(repr=False, eq=False, kw_only=True)
class Step(Record):
    """What one layer does to its input."""

    shape: Shape
    weights: int = 0
    biases: int = 0
    buffers: int = 0  # non-trainable values, such as batch norm's running statistics
    macs: int = 0  # multiply-accumulates, as torchvision and fvcore count them
    padding: Sides | None = None  # as applied, for layers that pad
    window: Window | None = None  # for layers that slide a window
    notes: tuple[Note, ...] = ()
    sees_all: bool = False  # every output depends on every input (fc, flatten)
    # The receptive field stops being one window (an upsample, a transposed
    # conv): from here on it is shown as n/a.
    breaks_field: bool = False
    # Positions at the end of each axis of the output that are zeros a zeropad
    # added (an element-wise layer passes its input's on); None: none.
    padded: Sizes | None = None
    # For a join that crops its saved tensors: the positions cut before each axis of
    # each, which moves the start of what its values saw.
    cut: tuple[Sizes, ...] | None = None


class Layer(Record):
    """Base of every layer type: a dataclass of hyperparameters."""

    @property
    def kind(self) -> str:
        """The canonical spec type: conv, maxpool, fc…"""
        raise NotImplementedError

    @property
    def numbered(self) -> bool:
        """Whether the course's naming counts it (CONV1, FC3): the layers with weights
        of their own (a batch norm takes its conv's number, like a pool)."""
        return False

    def apply(self, shape: Shape, padded: Sizes | None = None) -> Step:
        """What the layer gives for `shape`; `padded`: see `Step.padded`."""
        raise NotImplementedError

    def reads(self) -> tuple[str, ...]:
        """The saved tensors it needs besides its input, by name (`with:`, `like:`). The
        engine then calls `apply_saved` with their shapes instead of `apply`."""
        return ()

    @property
    def merges(self) -> bool:
        """Whether the saved tensors' values flow into its output (a concat, a sum), and so
        their receptive fields; not only their sizes (a crop to one's size)."""
        return False

    def apply_saved(self, shape: Shape, saved: Sequence[Shape]) -> Step:
        """What the layer gives for `shape`, with the tensors `reads` names of `saved`."""
        raise NotImplementedError

    def notation(self) -> str:
        """The hyperparameters in the course's notation, e.g. 'f=5, s=1'."""
        return ""


def spatial(kind: str, shape: Shape) -> tuple[Sizes, int]:
    """The spatial sizes and the channels of a volume; a vector is refused."""
    if len(shape) < 2:
        raise LayerProblem(
            f"{kind} needs a spatial input, (L, C), (H, W, C) or (D, H, W, C), "
            f"but its input is a vector of {shape[0]:,}"
        )
    return shape[:-1], shape[-1]


# Per rank: a padding of one number per axis, as a spec writes it.
_PER_AXIS = {1: "[p]", 2: "[p_h, p_w]", 3: "[p_d, p_h, p_w]"}


def _rank(sizes: Sizes) -> str:
    """'1-D (one spatial axis)', for a message about a value that does not fit it."""
    rank = len(sizes)
    return f"{dimensions(rank)} ({'one spatial axis' if rank == 1 else f'{rank} spatial axes'})"


def per_axis(value: int | Sequence[int], sizes: Sizes, field: str) -> Sizes:
    """A per-axis value for an input with len(sizes) axes: one number is every axis's."""
    if isinstance(value, int):
        return (value,) * len(sizes)
    if len(value) != len(sizes):
        listed = "[" + ", ".join(str(n) for n in value) + "]"
        one = "entry" if len(value) == 1 else "entries"
        raise LayerProblem(
            f"{field} {listed} has {len(value)} {one}, but the input is {_rank(sizes)}: "
            f"give one number for every axis, or a list of {len(sizes)}, one per axis",
            field,
        )
    return tuple(value)


def _flat(padding: Padding) -> TypeGuard[Sizes]:
    """Whether padding is written flat, (1, 2), rather than as a rule, a number or pairs."""
    return isinstance(padding, tuple) and bool(padding) and isinstance(padding[0], int)


def resolve_sides(padding: Padding, sizes: Sizes, spans: Sizes, strides: Sizes) -> Sides:
    """The padding on each side of each axis, checked to have the input's axes."""
    rank = len(sizes)
    if _flat(padding) and geometry.flat_sides(padding, rank) is None:
        listed = "[" + ", ".join(str(n) for n in padding) + "]"
        names = ", ".join(name for pair in side_names(rank) for name in pair)
        example = f" {_PER_AXIS[rank]}" if rank in _PER_AXIS else ""
        raise LayerProblem(
            f"padding {listed} has {len(padding)} entries, but the input is {_rank(sizes)}: "
            f"give one number, one per axis{example}, or a (before, after) pair per axis "
            f"[{names}]",
            "padding",
        )
    sides = geometry.resolve_padding(padding, sizes, spans, strides)
    if len(sides) != rank:
        raise LayerProblem(
            f"padding {padding_text(padding)} has {len(sides)} axes, but the input is "
            f"{_rank(sizes)}",
            "padding",
        )
    return sides


class Slide(NamedTuple):
    """Where a window lands on each axis: the padding applied, the output, the warnings."""

    padding: Sides
    out: Sizes
    window: Window
    notes: tuple[Note, ...]


def slide(
    sizes: Sizes,
    kernel: Sizes,
    stride: Sizes,
    padding: Padding,
    *,
    dilation: Sizes | None = None,
    ceil: bool = False,
    padded: Sizes | None = None,
    unused_is: str = "warning",
) -> Slide:
    """A window of `kernel` taps (spaced by `dilation`) slid over an input of `sizes`.

    `padded` counts the input's last positions on each axis that an earlier
    zeropad added: leaving those unused is no loss. `unused_is` is the severity
    of saying that the floor leaves positions unused.
    """
    if dilation is None:
        spans = kernel
    else:
        spans = tuple([geometry.span(f, d) for f, d in zip(kernel, dilation, strict=True)])
        _check_spans(spans)
    sides = resolve_sides(padding, sizes, spans, stride)
    size = geometry.ceil_output_size if ceil else geometry.output_size
    out = []
    unused = []  # per axis: input positions no window covers, beyond a zeropad's
    axes = zip(sizes, spans, stride, sides, padded or (0,) * len(sizes), strict=True)
    for n, k, s, (before, after), zeros in axes:
        if not geometry.fits(n, k, before, after):
            raise _too_large(sizes, spans, sides, dilation)
        out.append(size(n, k, s, before, after))
        # A kernel smaller than its stride skips rows by design (ResNet's 1×1, stride 2
        # shortcut), and ceil mode takes the last rows in: no warning for either.
        skipped = 0 if ceil or k < s else geometry.unused(n, k, s, before, after) - zeros
        unused.append(max(0, skipped))
    window = Window(spans, stride, tuple([before for before, _ in sides]))
    notes: tuple[Note, ...] = ()
    if any(unused) or padding == "same":  # the common case has nothing to say
        notes = _notes(unused, stride, sides, padding, unused_is)
    return Slide(sides, tuple(out), window, notes)


def _check_spans(spans: Sizes) -> None:
    """A dilated kernel's span is a figure of its own (the kernel column shows it), held to
    the 10^18 rule before anything prints it."""
    for name, k in zip(axis_names(len(spans)), spans, strict=True):
        if limits.past(k):
            raise LayerProblem(
                limits.refusal(
                    f"the dilated kernel's span d(f − 1) + 1 on the {name}",
                    k,
                    "a smaller dilation or kernel would fix it",
                ),
                "dilation",
            )


def _too_large(sizes: Sizes, spans: Sizes, sides: Sides, dilation: Sizes | None) -> LayerProblem:
    total = "×".join(
        str(geometry.padded_size(n, *side)) for n, side in zip(sizes, sides, strict=True)
    )
    dilated = " (dilated)" if dilation and any(d != 1 for d in dilation) else ""
    return LayerProblem(
        f"kernel {by(spans)}{dilated} is larger than the padded input {total}", "kernel"
    )


def _notes(
    unused: list[int], stride: Sizes, sides: Sides, padding: Padding, unused_is: str
) -> tuple[Note, ...]:
    rank = len(unused)
    lost = []
    for count, one in zip(unused, position_names(rank), strict=True):
        many = one.replace("position", "positions", 1) if one.startswith("position") else one + "s"
        if count:
            lost.append(f"the last {one}" if count == 1 else f"the last {count} {many}")
    notes = []
    if lost:
        message = f"stride {by(stride)} leaves {' and '.join(lost)} unused"
        notes.append(Note(message, "stride", unused_is))
    if padding == "same" and any(before != after for before, after in sides):
        names = side_names(rank)
        applied = ", ".join(
            f"{n} {name}"
            for side, pair in zip(sides, names, strict=True)
            for n, name in zip(side, pair, strict=True)
        )
        ends = [after for _, after in names]
        odd = ", ".join(ends[:-1]) + " and " + ends[-1] if len(ends) > 1 else ends[0]
        notes.append(
            Note(
                f"'same' padding came out asymmetric: {applied} "
                f"(TensorFlow's rule puts the odd pixel at the {odd})",
                "padding",
            )
        )
    return tuple(notes)
