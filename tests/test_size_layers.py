"""`cnncalc size` against the layers: the solver's answers are what the layers compute.

`sizing` solves the output-size formula backwards in closed form; the layers
compute it forwards. For random questions on either axis, every padding (or
stride) in the solver's search range gives the wanted size through the
layer's own arithmetic exactly when the solver lists it, and the forward and
transposed answers equal the layer's output on that axis and PyTorch's rule
written out here by hand.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnncalc import sizing
from cnncalc.errors import SpecError
from cnncalc.layers import Conv, ConvTranspose, LayerProblem, Pool

OTHER = 7  # the size of the axis not asked about, which a 1-wide window leaves alone


def _on(axis: int, value: int, other: int) -> tuple[int, int]:
    return (value, other) if axis == 0 else (other, value)


def _output(layer: Conv | Pool | ConvTranspose, n: int, axis: int) -> int | None:
    """The layer's output on `axis` for an input of n there, or None if it refuses."""
    shape = (*_on(axis, n, OTHER), 3)
    try:
        return layer.apply(shape).shape[axis]
    except LayerProblem:
        return None


def _by_hand(n: int, f: int, s: int, before: int, after: int, d: int, pool: bool) -> int | None:
    """PyTorch's rule written out: ⌊(n + p_before + p_after − d(f − 1) − 1)/s⌋ + 1; None
    when the window does not fit, or a pool pads a side by more than ⌊f/2⌋."""
    if pool and max(before, after) > f // 2:
        return None
    if d * (f - 1) + 1 > n + before + after:
        return None
    return (n + before + after - d * (f - 1) - 1) // s + 1


def _transposed_by_hand(
    n: int, f: int, s: int, before: int, after: int, d: int, extra: int
) -> int | None:
    """PyTorch's ConvTranspose: (n − 1)s − p_before − p_after + d(f − 1) + extra + 1; None
    when extra is not below the stride or the dilation, or the size is below 1."""
    if extra >= max(s, d):
        return None
    out = (n - 1) * s - before - after + d * (f - 1) + extra + 1
    return out if out >= 1 else None


def _window(pool: bool, f: int, s: int, sides: tuple[int, int], d: int, axis: int) -> Conv | Pool:
    padding = (sides, (0, 0)) if axis == 0 else ((0, 0), sides)
    if pool:
        return Pool("max", _on(axis, f, 1), _on(axis, s, 1), padding)
    return Conv(4, _on(axis, f, 1), _on(axis, s, 1), padding, dilation=_on(axis, d, 1))


questions = st.fixed_dictionaries(
    {
        "n": st.integers(1, 50),
        "f": st.integers(1, 9),
        "d": st.integers(1, 3),
        "s": st.integers(1, 6),
        "wanted": st.integers(1, 40),
        "axis": st.sampled_from([0, 1]),
        "pool": st.booleans(),
    }
)


@given(questions)
def test_every_padding_the_solver_lists_gives_the_size(q):
    """p is among the answers if and only if the layer with padding p gives `wanted`."""
    d = 1 if q["pool"] else q["d"]  # pooling has no dilation
    solved = sizing.solve_padding(q["n"], q["f"], q["s"], q["wanted"], d, q["pool"])
    for p in range(solved.low, solved.high + 1):
        layer = _window(q["pool"], q["f"], q["s"], (p, p), d, q["axis"])
        gives = _output(layer, q["n"], q["axis"]) == q["wanted"]
        listed = solved.first is not None and solved.first <= p <= (solved.last or 0)
        assert gives == listed, p
    for p, output in solved.nearest:
        assert _by_hand(q["n"], q["f"], q["s"], p, p, d, q["pool"]) == output


@given(questions, st.integers(0, 4), st.integers(0, 4))
def test_every_stride_the_solver_lists_gives_the_size(q, before, after):
    """s is among the answers if and only if the layer with stride s gives `wanted`."""
    d = 1 if q["pool"] else q["d"]
    try:
        solved = sizing.solve_stride(q["n"], q["f"], (before, after), q["wanted"], d, q["pool"])
    except SpecError:
        # Refused: the layer refuses every stride too (too much pooling padding, or a
        # kernel larger than the padded input).
        layer = _window(q["pool"], q["f"], 1, (before, after), d, q["axis"])
        assert _output(layer, q["n"], q["axis"]) is None
        return
    for s in range(solved.low, solved.high + 1):
        layer = _window(q["pool"], q["f"], s, (before, after), d, q["axis"])
        gives = _output(layer, q["n"], q["axis"]) == q["wanted"]
        listed = solved.first is not None and solved.first <= s <= (solved.last or 0)
        assert gives == listed, s


@given(questions, st.integers(0, 4), st.integers(0, 4))
def test_forward_is_the_layers_output(q, before, after):
    """`cnncalc size` forwards gives the layer's output, and refuses what the layer refuses."""
    d = 1 if q["pool"] else q["d"]
    layer = _window(q["pool"], q["f"], q["s"], (before, after), d, q["axis"])
    expected = _by_hand(q["n"], q["f"], q["s"], before, after, d, q["pool"])
    try:
        answer = sizing.forward(q["n"], q["f"], q["s"], (before, after), d, q["pool"]).output
    except SpecError:
        answer = None
    assert answer == _output(layer, q["n"], q["axis"]) == expected


@given(questions, st.integers(0, 4), st.integers(0, 4), st.integers(0, 5))
def test_transposed_is_the_layers_output(q, before, after, extra):
    """The transposed size is ConvTranspose's output, refused alike."""
    assume(not q["pool"])
    n, f, s, d, axis = q["n"], q["f"], q["s"], q["d"], q["axis"]
    padding = ((before, after), (0, 0)) if axis == 0 else ((0, 0), (before, after))
    layer = ConvTranspose(
        4, _on(axis, f, 1), _on(axis, s, 1), padding, _on(axis, extra, 0), dilation=_on(axis, d, 1)
    )
    try:
        answer = sizing.transposed(n, f, s, (before, after), d, extra).output
    except SpecError:
        answer = None
    assert (
        answer == _output(layer, n, axis) == _transposed_by_hand(n, f, s, before, after, d, extra)
    )


@pytest.mark.parametrize("axis", [0, 1])
def test_the_course_example_on_either_axis(axis):
    """⌊(32 + 2·2 − 5)/1⌋ + 1 = 32: the solver's p = 2 is the conv's 'same' size, either axis."""
    solved = sizing.solve_padding(32, 5, 1, 32)
    assert (solved.first, solved.last) == (2, 2)
    assert _output(_window(False, 5, 1, (2, 2), 1, axis), 32, axis) == 32
