"""The 10^18 rule: every figure cnncalc computes is at most 10^18, or it is refused.

A spec may give no size past 10^18 (`spec.values`); this module holds what
cnncalc works out from those sizes to the same limit: each axis of each
shape, activation sizes, parameters, MACs and FLOPs, the receptive field,
the network's running totals and memory. The engine asks after each layer,
so the work stays small: a repeat of doublings is refused at the layer that
passes the limit, long before its numbers grow to the thousands of digits
that Python refuses to print. A figure past the limit is never written out
in full; `about` gives its order of magnitude instead.

Part of the core and below the layers: it imports nothing of cnncalc but
`shapes`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cnncalc.shapes import Shape, axis_names, size_of

# Far beyond any real network (or matrix), yet every product of such sizes stays a few
# dozen digits: counts are exact Python integers, never near the 4,300 digits past
# which Python refuses to print one. The one limit: the spec reader, the engine and
# the convolver all hold to it.
MAX_SIZE = 10**18
_LOG2 = math.log10(2)
# A receptive field, as `geometry.Field` holds it: size, jump and start per axis.
_Field = tuple[Sequence[int], Sequence[int], Sequence[int]]
_REFUSED = "no real network is this large"
# What would fix each kind of figure.
_OUTPUT = "a smaller input or smaller layers up to here would fix it"
_COUNTS = "a smaller layer, or a smaller input to it, would fix it"
_FIELD = "smaller strides, kernels or padding up to here would fix it"
_TOTAL = "fewer or smaller layers would fix it"


def past(number: int) -> bool:
    """Whether `number` is past the limit, either way from zero."""
    return number > MAX_SIZE or number < -MAX_SIZE


def about(number: int) -> str:
    """'about 1.2×10^19': the order of magnitude of any integer, without writing it out
    (str() of more than 4,300 digits raises)."""
    magnitude = abs(number)
    if magnitude == 0:
        return "0"
    # The leading 64 bits hold all the precision two digits need; a shift costs nothing.
    shift = max(magnitude.bit_length() - 64, 0)
    log = math.log10(magnitude >> shift) + shift * _LOG2
    exponent = math.floor(log)
    mantissa = round(10 ** (log - exponent), 1)
    if mantissa >= 10:
        mantissa, exponent = 1.0, exponent + 1
    sign = "−" if number < 0 else ""
    return f"about {sign}{mantissa:g}×10^{exponent}"


def refusal(subject: str, number: int, remedy: str, unit: str = "") -> str:
    """The sentence for a figure past the limit, naming it but never printing it."""
    bound = "below −10^18" if number < 0 else "past 10^18"
    return f"{subject} would be {bound}{unit} ({about(number)}); {_REFUSED}: {remedy}"


class Storage:
    """What memory is counted in: bytes a value and the batch (`table --dtype --batch`).
    A plain class: a NamedTuple costs a millisecond of every run's start-up."""

    __slots__ = ("batch", "dtype", "per_value")

    def __init__(self, dtype: str = "float32", per_value: int = 4, batch: int = 1) -> None:
        self.dtype, self.per_value, self.batch = dtype, per_value, batch

    def __str__(self) -> str:
        text = f"{self.dtype}, {self.per_value} byte{'s' if self.per_value > 1 else ''} a value"
        return text + (f", batch of {self.batch:,}" if self.batch > 1 else "")

    def bytes(self, values: int) -> int:
        return values * self.batch * self.per_value

    @property
    def remedy(self) -> str:
        """What would fix memory past the limit: the batch, when there is one."""
        return "a smaller --batch would fix it" if self.batch > 1 else _OUTPUT


def _axes(shape: Shape) -> Sequence[str]:
    if len(shape) == 1:
        return ("the length of its output",)
    return [f"its output {name}" for name in (*axis_names(len(shape) - 1), "channels")]


def input_problem(
    shape: Shape, storage: Storage, of: str = "the input's", fix: str = "a smaller input"
) -> str | None:
    """Why the input's own figures cannot be counted, or None. Each axis is a spec's size,
    at most 10^18 already; their product and its memory are not. The same for a block's
    output, which no layer made (a concat of the input with itself)."""
    size = size_of(shape)
    if past(size):
        return refusal(f"{of} size", size, f"{fix} would fix it", " values")
    memory = storage.bytes(size)
    if past(memory):
        remedy = storage.remedy if storage.batch > 1 else f"{fix} would fix it"
        return refusal(f"{of} memory ({storage})", memory, remedy, " bytes")
    return None


def _layer_problem(
    shape: Shape,
    weights: int,
    biases: int,
    buffers: int,
    macs: int,
    field: _Field | None,
    storage: Storage,
) -> str | None:
    """Why one layer's figures cannot be counted, or None: the first figure past the limit,
    the most specific first (an axis before the size, the MACs before the FLOPs)."""
    size = size_of(shape)
    memory = storage.bytes(size)
    # Memory bounds the size and every axis, FLOPs the MACs: when these hold, the layer's
    # own figures do, and it is the running totals that it takes past.
    if (
        memory <= MAX_SIZE
        and weights + biases <= MAX_SIZE
        and buffers <= MAX_SIZE
        and 2 * macs <= MAX_SIZE
        and (field is None or _field_fits(field))
    ):
        return None
    for name, n in zip(_axes(shape), shape, strict=True):
        if past(n):
            return refusal(name, n, _OUTPUT)
    figures = (
        ("its activation size", size, " values", _OUTPUT),
        ("its weights", weights, "", _COUNTS),
        ("its biases", biases, "", _COUNTS),
        ("its parameters (weights + biases)", weights + biases, "", _COUNTS),
        ("its non-trainable values", buffers, "", _COUNTS),
        ("its MACs", macs, "", _COUNTS),
        ("its FLOPs (2 × MACs)", 2 * macs, "", _COUNTS),
    )
    for name, n, unit, remedy in figures:
        if past(n):
            return refusal(name, n, remedy, unit)
    if field is not None:
        names = axis_names(len(field[0]))
        for part, values in zip(("size", "jump", "start"), field, strict=True):
            for axis, n in zip(names, values, strict=True):
                if past(n):
                    return refusal(f"its receptive field's {part} on the {axis}", n, _FIELD)
    return refusal(f"its output's memory ({storage})", memory, storage.remedy, " bytes")


def _field_fits(field: _Field) -> bool:
    size, jump, start = field
    return max(size) <= MAX_SIZE and max(jump) <= MAX_SIZE and min(start) >= -MAX_SIZE


class Totals:
    """The network's running totals, checked as each layer is added: a figure that passes
    the limit is refused at the layer that takes it past."""

    def __init__(self, storage: Storage, input_size: int) -> None:
        self.storage = storage
        self.scale = storage.batch * storage.per_value  # bytes of one value of every input
        self.input = input_size * self.scale
        self.params = 0
        self.buffers = 0
        self.macs = 0
        self.values = 0  # every layer's output: the activations

    def layer(
        self,
        shape: Shape,
        weights: int,
        biases: int,
        buffers: int,
        macs: int,
        field: _Field | None,
    ) -> str | None:
        """Count one layer (not a block: its layers are counted); why it cannot be, or None.

        `field` is its receptive field when this layer grew it, else None."""
        self.params += weights + biases
        self.buffers += buffers
        self.macs += macs
        self.values += size_of(shape)
        # The common case in one test: the memory in all bounds every size, axis and
        # parameter count of this layer and before, and the FLOPs bound the MACs.
        held = (self.params + self.buffers) * self.storage.per_value
        if (
            self.input + self.values * self.scale + held <= MAX_SIZE
            and 2 * self.macs <= MAX_SIZE
            and (field is None or _field_fits(field))
        ):
            return None
        return _layer_problem(shape, weights, biases, buffers, macs, field, self.storage) or (
            self._total_problem()
        )

    def _total_problem(self) -> str:
        storage = self.storage
        activations = self.values * self.scale
        held = (self.params + self.buffers) * storage.per_value
        figures = (
            ("the network's parameters in all", self.params, "", _TOTAL),
            ("the network's non-trainable values in all", self.buffers, "", _TOTAL),
            ("the network's parameters and non-trainable values in all",
             self.params + self.buffers, "", _TOTAL),
            ("the network's MACs in all", self.macs, "", _TOTAL),
            ("the network's FLOPs in all (2 × MACs)", 2 * self.macs, "", _TOTAL),
            (f"the memory of the network's activations ({storage})", activations, " bytes",
             storage.remedy),
            (f"the memory of the network's parameters ({storage.dtype})", held, " bytes",
             _TOTAL),
            (f"the network's memory in all ({storage})", self.input + activations + held,
             " bytes", storage.remedy),
        )  # fmt: skip
        name, n, unit, remedy = next(figure for figure in figures if past(figure[1]))
        return "with it, " + refusal(name, n, remedy, unit)
