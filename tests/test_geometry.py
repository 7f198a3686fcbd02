"""The output-size arithmetic, against brute-force window counting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cnncalc.geometry import output_size, same_padding, unused

sizes = st.integers(1, 60)


def windows(n: int, f: int, s: int, before: int, after: int) -> list[range]:
    """Every window position, found by sliding one step at a time (no formula)."""
    found = []
    start = 0
    while start + f <= n + before + after:
        found.append(range(start - before, start - before + f))  # in input coordinates
        start += s
    return found


@given(n=sizes, f=sizes, s=st.integers(1, 8), before=st.integers(0, 5), after=st.integers(0, 5))
def test_output_size_counts_the_windows(n, f, s, before, after):
    """floor((n + p - f)/s) + 1 is the number of places the window fits."""
    if f <= n + before + after:
        assert output_size(n, f, s, before, after) == len(windows(n, f, s, before, after))


@given(n=sizes, f=sizes, s=st.integers(1, 8), before=st.integers(0, 5), after=st.integers(0, 5))
def test_unused_counts_uncovered_rows(n, f, s, before, after):
    """The rows reported unused are exactly the real rows after the last window."""
    if f <= n + before + after:
        covered = max(window[-1] for window in windows(n, f, s, before, after))
        assert unused(n, f, s, before, after) == max(0, n - 1 - covered)


@given(n=sizes, f=st.integers(1, 9), s=st.integers(1, 4))
def test_same_padding_gives_ceil_n_over_s(n, f, s):
    """TensorFlow's promise for 'same': the output is ceil(n/s), with the extra pixel after."""
    before, after = same_padding(n, f, s)
    assert output_size(n, f, s, before, after) == (n + s - 1) // s
    assert after - before in (0, 1)


def test_same_padding_course_rule():
    """Course: with s=1 and odd f, p = (f-1)/2 on each side: 1 for f=3, 2 for f=5."""
    assert same_padding(6, 3, 1) == (1, 1)
    assert same_padding(32, 5, 1) == (2, 2)


def test_same_padding_large_stride_needs_none():
    """n=7, f=1, s=3: ceil(7/3) = 3 outputs need (3-1)·3 + 1 - 7 = 0 padding."""
    assert same_padding(7, 1, 3) == (0, 0)
