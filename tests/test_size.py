"""`cnncalc size`: the output-size formula on its own, forwards, backwards and transposed.

Every expected figure comes from the course's notes, from a framework's
documented formula worked by hand in a comment beside it, or from counting
window positions by stepping a window along the padded input (`windows`).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc import sizing
from cnncalc.errors import SpecError


def windows(n: int, f: int, s: int, before: int = 0, after: int = 0, d: int = 1) -> int:
    """How many places a window fits, found by stepping it along the padded input."""
    span = d * (f - 1) + 1  # a dilated kernel's taps reach this far
    count, start = 0, 0
    while start + span <= n + before + after:
        count += 1
        start += s
    return count


def first_line(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0]


def document(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# The course's examples


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["6", "-f", "3"], "4"),  # 6×6 image, 3×3 filter → 4×4
        (["6", "-f", "3", "-p", "1"], "6"),  # padding 1 keeps 6×6
        (["7", "-f", "3", "-s", "2"], "3"),  # 7×7, stride 2 → 3×3
        (["32", "-f", "5", "-s", "1", "-p", "2"], "32"),  # CS231n: F=5, P=2 keeps 32
        (["32", "-f", "5"], "28"),  # LeNet's CONV1
        (["28", "-f", "2", "--pool"], "14"),  # LeNet's POOL1
        (["14", "-f", "5"], "10"),  # LeNet's CONV2
        (["10", "-f", "2", "--pool"], "5"),  # LeNet's POOL2
    ],
)
def test_course_examples(run, args, expected):
    """The course's and CS231n's worked sizes."""
    assert first_line(run("size", *args)) == expected


def test_course_39_example_chain(run):
    """39 → 37 → 17 → 7 with (f=3, s=1), (f=5, s=2), (f=5, s=2), each output fed on."""
    n = "39"
    seen = []
    for f, s in (("3", "1"), ("5", "2"), ("5", "2")):
        n = first_line(run("size", n, "-f", f, "-s", s))
        seen.append(n)
    assert seen == ["37", "17", "7"]


def test_worked_formula_in_the_course_notation(run):
    """The arithmetic with the numbers substituted: (32 + 4 − 5)/1 = 31, floored, plus 1."""
    result = run("size", "32", "-f", "5", "-s", "1", "-p", "2")
    assert result.stdout.splitlines() == [
        "32",
        "⌊(n + 2p − f)/s⌋ + 1 = ⌊(32 + 2·2 − 5)/1⌋ + 1 = 32",
    ]


def test_quiet_prints_the_answer_alone(run):
    """-q: only the number, for $(cnncalc size …)."""
    assert run("size", "32", "-f", "5", "-p", "2", "-q").stdout == "32\n"


@given(
    n=st.integers(1, 40),
    f=st.integers(1, 7),
    s=st.integers(1, 5),
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    d=st.integers(1, 3),
)
def test_forward_counts_the_windows(n, f, s, before, after, d):
    """Whatever the numbers, the output is the number of places the window fits."""
    span = d * (f - 1) + 1
    if span > n + before + after:
        with pytest.raises(SpecError, match="larger than the padded input"):
            sizing.forward(n, f, s, (before, after), d)
    else:
        assert sizing.forward(n, f, s, (before, after), d).output == windows(
            n, f, s, before, after, d
        )


# Padding named: 'same' and 'valid'


def test_same_asymmetric_by_hand(run):
    """TensorFlow: n=15, s=2 → ⌈15/2⌉ = 8 outputs; (8−1)·2 + 2 − 15 = 1 pad: 0 before, 1 after."""
    result = run("size", "15", "-f", "2", "-s", "2", "-p", "same")
    assert first_line(result) == "8"
    assert "= 1: 0 before, 1 after" in result.stdout
    assert "note: asymmetric" in result.stdout
    assert "⌊(15 + 0 + 1 − 2)/2⌋ + 1 = 8" in result.stdout


def test_same_resnet_stem_by_hand(run):
    """TensorFlow: 224, f=7, s=2 → 112 outputs; 111·2 + 7 − 224 = 5 pad: 2 before, 3 after."""
    data = document(run("size", "224", "-f", "7", "-s", "2", "-p", "same", "--format", "json"))
    assert data["padding"] == [2, 3] and data["output"] == 112 and data["padding_rule"] == "same"


def test_same_symmetric_is_the_course_rule(run):
    """Stride 1 and odd f: p = (f − 1)/2 = 2 each side, and n is kept; no asymmetry note."""
    result = run("size", "32", "-f", "5", "-p", "same")
    assert first_line(result) == "32"
    assert "2 before, 2 after" in result.stdout and "asymmetric" not in result.stdout


def test_valid_is_no_padding(run):
    """'valid' is p = 0: 6 with f=3 gives 4, as the course's valid convolution."""
    result = run("size", "6", "-f", "3", "-p", "valid")
    assert first_line(result) == "4" and "'valid' padding: p = 0" in result.stdout


def test_asymmetric_padding_given(run):
    """TOPxBOTTOMxLEFTxRIGHT 0x1x0x1: 15 + 0 + 1 − 2 = 14, /2 = 7, + 1 = 8 on both axes."""
    result = run("size", "15", "-f", "2", "-s", "2", "-p", "0x1x0x1")
    assert first_line(result) == "8"
    assert "⌊(15 + 0 + 1 − 2)/2⌋ + 1 = 8" in result.stdout


# Dilation, pooling and the rows the floor drops


def test_dilation_by_hand(run):
    """f=3, d=2: taps 2 apart span 2·(3 − 1) + 1 = 5, so 32 gives 32 − 5 + 1 = 28."""
    result = run("size", "32", "-f", "3", "--dilation", "2")
    assert first_line(result) == "28" == str(windows(32, 3, 1, d=2))
    assert "k = d(f − 1) + 1 = 2·(3 − 1) + 1 = 5" in result.stdout
    assert "⌊(32 + 2·0 − 5)/1⌋ + 1 = 28" in result.stdout


def test_pool_stride_defaults_to_the_kernel(run):
    """--pool with f=3 strides 3: windows at 0, 3, …, 27 of 32 → 10 (counted by stepping)."""
    result = run("size", "32", "-f", "3", "--pool")
    assert first_line(result) == "10" == str(windows(32, 3, 3))
    assert "s = f = 3" in result.stdout


def test_pool_padding_at_most_half_the_kernel(run):
    """PyTorch allows p ≤ ⌊f/2⌋: f=2, p=1 is fine (⌊(32 + 2 − 2)/2⌋ + 1 = 17), p=2 is not."""
    assert first_line(run("size", "32", "-f", "2", "-p", "1", "--pool")) == "17"
    result = run("size", "32", "-f", "3", "-p", "2", "--pool")
    assert result.exit_code == 1
    assert "padding 2 is more than half the kernel 3" in result.stderr
    assert "at most ⌊f/2⌋ = 1" in result.stderr


def test_unused_rows_by_hand(run):
    """32, f=5, s=2: windows start at 0, 2, …, 26 and end at 30, so row 31 is never covered."""
    result = run("size", "32", "-f", "5", "-s", "2")
    assert first_line(result) == "14"
    assert "note: the floor leaves the last row and column of the input unused" in result.stdout
    assert "(32 + 2·0 − 5) mod 2 = 1" in result.stdout


def test_no_unused_note_when_exact(run):
    """7, f=3, s=2: (7 − 3)/2 is exact, so nothing is dropped."""
    assert "note" not in run("size", "7", "-f", "3", "-s", "2").stdout


def test_kernel_smaller_than_stride(run):
    """f=1, s=2 on 10: windows at 0, 2, 4, 6, 8 → 5; row 9 is left, and one row between each."""
    result = run("size", "10", "-f", "1", "-s", "2")
    assert first_line(result) == "5" == str(windows(10, 1, 2))
    assert "the last row and column of the input unused" in result.stdout
    assert "1 row and column between windows is skipped too" in result.stdout


# Transposed convolutions


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["7", "-f", "3", "-s", "2", "-p", "0"], "15"),  # 2·(7 − 1) + 3 − 0 = 15
        (["7", "-f", "3", "-s", "2", "--output-padding", "1"], "16"),  # 15 + 1
        (["4", "-f", "4", "-s", "2", "-p", "1"], "8"),  # DCGAN's doubling: 2·3 + 4 − 2 = 8
        (["5", "-f", "3", "-d", "2"], "9"),  # 1·4 − 0 + 2·(3 − 1) + 0 + 1 = 9
        (["7", "-f", "3", "-s", "2", "-p", "same"], "14"),  # Keras's 'same': n·s = 14
    ],
)
def test_transposed_by_hand(run, args, expected):
    """PyTorch's ConvTranspose2d: s(n − 1) − 2p + d(f − 1) + output_padding + 1."""
    assert first_line(run("size", *args, "--transposed")) == expected


def test_transposed_worked_formula(run):
    """The transposed arithmetic in the course's letters, numbers substituted."""
    result = run("size", "7", "-f", "3", "-s", "2", "-p", "0", "--transposed")
    assert "s(n − 1) + f − 2p = 2·(7 − 1) + 3 − 2·0 = 15" in result.stdout


def test_transposed_output_padding_rule(run):
    """PyTorch: output_padding < max(stride, dilation); 2 with stride 2 is refused, 1 with
    dilation 2 is not."""
    result = run("size", "7", "-f", "3", "-s", "2", "--transposed", "--output-padding", "2")
    assert result.exit_code == 1
    assert "output padding 2 must be smaller than the stride 2 or the dilation 1" in result.stderr
    # With dilation 2 the bound is 2, so 1 is allowed: 1·6 − 0 + 2·2 + 1 + 1 = 12.
    args = ["7", "-f", "3", "-s", "1", "-d", "2", "--output-padding", "1"]
    assert first_line(run("size", *args, "--transposed")) == "12"


def test_transposed_padding_leaves_nothing(run):
    """n=1, f=1, p=1: 0 + 1 − 2 = −1 rows: bad data, exit 1."""
    result = run("size", "1", "-f", "1", "-p", "1", "--transposed")
    assert result.exit_code == 1 and "the padding leaves no output" in result.stderr


# Solving for the padding


def test_solve_padding_course(run):
    """Which p keeps 32 with f=5? The course's (f − 1)/2 = 2."""
    result = run("size", "32", "-f", "5", "--out", "32")
    assert first_line(result) == "2"
    assert "p = 2: ⌊(32 + 2·2 − 5)/1⌋ + 1 = 32" in result.stdout
    assert "searched p = 0 to 4" in result.stdout


def test_solve_padding_several(run):
    """s=4: 27 + 2p must be 28…31 for ⌊·/4⌋ + 1 = 8, so p = 1 (29) and p = 2 (31)."""
    result = run("size", "32", "-f", "5", "-s", "4", "--out", "8")
    assert first_line(result) == "1 2"


def test_solve_padding_none_below_every_output(run):
    """s=2, f=5 on 32: p = 0 already gives 14 > 7; padding only grows it."""
    result = run("size", "32", "-f", "5", "-s", "2", "--out", "7")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "none"
    assert "no padding p from 0 to 4 gives 7" in result.stdout
    assert "p = 0: ⌊(32 + 2·0 − 5)/2⌋ + 1 = 14" in result.stdout
    assert "--solve stride" in result.stdout


def test_solve_padding_none_even_kernel(run):
    """f=4 keeps 32 only with 3 rows of padding in all: p=1 gives 31, p=2 gives 33."""
    result = run("size", "32", "-f", "4", "--out", "32")
    assert first_line(result) == "none"
    assert "p = 1: ⌊(32 + 2·1 − 4)/1⌋ + 1 = 31" in result.stdout
    assert "p = 2: ⌊(32 + 2·2 − 4)/1⌋ + 1 = 33" in result.stdout
    assert "asymmetric padding would: 1 before, 2 after" in result.stdout


def test_solve_padding_json(run):
    """The solutions as a run of integers, the nearest as objects, all integers."""
    data = document(run("size", "32", "-f", "4", "--out", "32", "--format", "json"))
    assert data["solve"] == "padding" and data["solutions"] is None
    assert data["nearest"] == [{"padding": 1, "output": 31}, {"padding": 2, "output": 33}]
    assert data["asymmetric"] == [1, 2] and data["searched"] == [0, 3]
    data = document(run("size", "32", "-f", "5", "-s", "4", "--out", "8", "--format", "json"))
    assert data["solutions"] == {"first": 1, "last": 2, "count": 2}


def test_solve_padding_pool_limit(run):
    """--pool searches p up to ⌊f/2⌋ = 1, and the stride is f = 2: p = 1 gives 17."""
    result = run("size", "32", "-f", "2", "--pool", "--out", "17")
    assert first_line(result) == "1"
    assert "searched p = 0 to 1 (⌊f/2⌋" in result.stdout


def bounded_padding_answers(n, f, s, wanted, d, pool):
    """Every p in the search range whose windows, counted by stepping, give `wanted`."""
    high = f // 2 if pool else d * (f - 1)
    return high, [p for p in range(high + 1) if windows(n, f, s, p, p, d) == wanted]


@given(
    n=st.integers(1, 50),
    f=st.integers(1, 8),
    s=st.integers(1, 6),
    d=st.integers(1, 3),
    wanted=st.integers(1, 60),
    pool=st.booleans(),
)
def test_solve_padding_is_complete_and_right(n, f, s, d, wanted, pool):
    """The solver's paddings are exactly those in its range that give the output."""
    solved = sizing.solve_padding(n, f, s, wanted, d, pool)
    high, expected = bounded_padding_answers(n, f, s, wanted, d, pool)
    assert (solved.low, solved.high) == (0, high)
    found = [] if solved.first is None else list(range(solved.first, solved.last + 1))
    assert found == expected
    if not expected:
        # The nearest are the closest outputs on either side that any padding gives.
        outputs = {p: windows(n, f, s, p, p, d) for p in range(high + 1)}
        reached = [out for out in outputs.values() if out > 0]
        below = [out for out in reached if out < wanted]
        above = [out for out in reached if out > wanted]
        nearest = [out for _, out in solved.nearest]
        assert nearest == [*([max(below)] if below else []), *([min(above)] if above else [])]
        for p, out in solved.nearest:
            assert outputs[p] == out
        # A split as TensorFlow's, the odd one after, is offered exactly when one works.
        splits = [
            (t // 2, t - t // 2)
            for t in range(2 * high + 1)
            if windows(n, f, s, t // 2, t - t // 2, d) == wanted
        ]
        assert solved.asymmetric == (splits[0] if splits else None)


# Solving for the stride


def test_solve_stride(run):
    """f=5 on 32: 27/s must floor to 6, so s = 4 (27/4 = 6.75); s = 3 gives 10, s = 5 gives 6."""
    result = run("size", "32", "-f", "5", "--out", "7", "--solve", "stride")
    assert first_line(result) == "4"
    assert "s = 4: ⌊(32 + 2·0 − 5)/4⌋ + 1 = 7" in result.stdout


def test_solve_stride_none(run):
    """27/s + 1 = 11 needs 27/s between 10 and 11: s = 2 gives 14, s = 3 gives 10."""
    result = run("size", "32", "-f", "5", "--out", "11", "--solve", "stride")
    assert first_line(result) == "none"
    data = document(
        run("size", "32", "-f", "5", "--out", "11", "--solve", "stride", "--format", "json")
    )
    assert data["nearest"] == [{"stride": 3, "output": 10}, {"stride": 2, "output": 14}]


@given(
    n=st.integers(1, 50),
    f=st.integers(1, 8),
    before=st.integers(0, 4),
    after=st.integers(0, 4),
    d=st.integers(1, 3),
    wanted=st.integers(1, 60),
)
def test_solve_stride_is_complete_and_right(n, f, before, after, d, wanted):
    """The solver's strides are exactly those from 1 to the padded input that give it."""
    if d * (f - 1) + 1 > n + before + after:
        return
    solved = sizing.solve_stride(n, f, (before, after), wanted, d)
    padded = n + before + after
    expected = [s for s in range(1, padded + 1) if windows(n, f, s, before, after, d) == wanted]
    assert (solved.low, solved.high) == (1, padded)
    found = [] if solved.first is None else list(range(solved.first, solved.last + 1))
    assert found == expected
    for s, out in solved.nearest:
        assert windows(n, f, s, before, after, d) == out != wanted


# Two axes


def test_height_and_width_apart(run):
    """32×24 with a 5×3 kernel: 32 − 5 + 1 = 28 and 24 − 3 + 1 = 22."""
    result = run("size", "32x24", "-f", "5x3")
    assert first_line(result) == "28×22"
    assert "height:" in result.stdout and "width:" in result.stdout
    data = document(run("size", "32x24", "-f", "5x3", "--format", "json"))
    assert data["height"]["output"] == 28 and data["width"]["output"] == 22


def test_same_axes_collapse(run):
    """32x32 asks one question: one answer, as for 32."""
    assert run("size", "32x32", "-f", "5").stdout == run("size", "32", "-f", "5").stdout


# JSON


def test_json_forward(run):
    """The figures as integers, the padding as [before, after]."""
    data = document(run("size", "32", "-f", "5", "-s", "1", "-p", "2", "--format", "json"))
    assert data == {
        "operation": "conv",
        "n": 32,
        "f": 5,
        "s": 1,
        "padding": [2, 2],
        "padding_rule": None,
        "dilation": 1,
        "kernel": 5,
        "output": 32,
        "unused": 0,
    }


def test_json_transposed(run):
    """A transposed answer carries its output padding."""
    data = document(
        run(
            "size",
            "7",
            "-f",
            "3",
            "-s",
            "2",
            "--transposed",
            "--output-padding",
            "1",
            "--format",
            "json",
        )
    )
    assert data["operation"] == "transposed" and data["output"] == 16
    assert data["output_padding"] == 1


# Large numbers stay exact and quick


def test_huge_sizes_are_exact(run):
    """n = 10^18 with f=3, p=1 keeps n; solving with s = 10^18 needs 2p ≥ 3, so p = 2."""
    big = str(10**18)
    assert first_line(run("size", big, "-f", "3", "-p", "1")) == big
    assert first_line(run("size", big, "-f", "3", "-s", big, "--out", "2")) == "2"


def test_long_runs_are_summarised(run):
    """f=40 on 40, --out 1 with strides: every s from 1 to 40 gives 1; listed as 1..40."""
    result = run("size", "40", "-f", "40", "--out", "1", "--solve", "stride")
    assert first_line(result) == "1..40"
    assert "40 strides: every s from 1 to 40" in result.stdout


# Bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0", "-f", "3"], "the input size n must be at least 1, got 0"),
        (["-5", "-f", "3"], "the input size n must be at least 1, got -5"),
        (["32", "-f", "0"], "the kernel f must be at least 1, got 0"),
        (["32", "-f", "-3"], "the kernel f must be at least 1, got -3"),
        (["32", "-f", "3", "-s", "0"], "the stride s must be at least 1, got 0"),
        (["32", "-f", "3", "-p", "-1"], "the padding p cannot be negative"),
        (["32", "-f", "3", "-p", "half"], "the padding p must be 'same', 'valid'"),
        (["32", "-f", "3", "-p", "1.5"], "the padding p must be 'same', 'valid'"),
        (["32", "-f", "3", "-d", "0"], "the dilation d must be at least 1, got 0"),
        (["32", "-f", "3", "--out", "0"], "the wanted output size must be at least 1, got 0"),
        (["32", "-f", "3x"], "the kernel f must be a whole number, or one per axis"),
        (["32"], "Missing option '-f'"),
        (
            ["32", "-f", "3", "--out", "30", "--transposed"],
            "--out solves convolutions and pooling only",
        ),
        (["32", "-f", "3", "--transposed", "--pool"], "--pool and --transposed do not go together"),
        (["32", "-f", "3", "--output-padding", "1"], "--output-padding is for --transposed only"),
        (["32", "-f", "3", "--solve", "stride"], "--solve stride needs --out"),
        (["32", "-f", "3", "--out", "30", "-p", "1"], "-p is what --out finds"),
        (
            ["32", "-f", "3", "--out", "30", "--solve", "stride", "-s", "2"],
            "-s is what --solve stride finds",
        ),
        (
            ["32", "-f", "3", "--out", "30", "--solve", "stride", "-p", "same"],
            "'same' padding depends on the stride",
        ),
        (
            ["7", "-f", "3", "-p", "same", "--transposed", "--output-padding", "1"],
            "needs the padding as a number",
        ),
    ],
)
def test_usage_errors_exit_2(run, args, message):
    """Bad option values and options that do not go together: exit 2, a message, no traceback."""
    result = run("size", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["4", "-f", "5"], "kernel 5 is larger than the padded input 4"),
        (["4", "-f", "3", "-d", "2"], "kernel 5 (dilated) is larger than the padded input 4"),
        (["4x8", "-f", "5"], "height: kernel 5 is larger than the padded input 4"),
        (
            ["4", "-f", "6", "--out", "1", "--solve", "stride"],
            "kernel 6 is larger than the padded input 4",
        ),
    ],
)
def test_data_errors_exit_1(run, args, message):
    """Values that are each fine but cannot work together: exit 1 with the reason."""
    result = run("size", *args)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.stderr


def test_help(run):
    """The help shows the formula and says how the answer line and exit codes work."""
    result = run("size", "--help")
    assert result.exit_code == 0
    assert "⌊(n + 2p − f)/s⌋ + 1" in result.stdout and "first line" in result.stdout
