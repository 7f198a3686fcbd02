"""The reference convolver against the course's worked examples, hand arithmetic and identities.

No expected value here was copied from the convolver's output: each comes from
the course's slides, from arithmetic written out beside it, or from a naive
implementation in this file that pads explicitly and sums window by window.
"""

from __future__ import annotations

import io
import json
import os
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc import convolve, matrix
from cnncalc.errors import SpecError

COURSE_IMAGE = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
COURSE_OUTPUT = ((-5, -4, 0, 8), (-10, -2, 2, 3), (0, -2, -4, -7), (-3, -2, -3, -16))
FEATURE_MAP = "3 5 2 8 1; 9 7 5 4 3; 2 0 6 1 6; 6 3 7 9 2; 1 4 9 5 1"
# The course's strided example (week 1, "Strided convolutions"): 7×7, 3×3, stride 2.
STRIDE_IMAGE = (
    "2 3 7 4 6 2 9; 6 6 9 8 7 4 3; 3 4 8 3 8 9 7; 7 8 3 6 6 3 4; "
    "4 2 1 8 3 4 6; 3 2 4 1 9 8 3; 0 1 3 9 2 1 4"
)
STRIDE_FILTER = "3 4 4; 1 0 2; -1 0 3"
# The course's pooling examples (week 1, "Pooling layers").
MAX_POOL_4 = "1 3 2 1; 2 9 1 1; 1 3 2 3; 5 6 1 2"
AVG_POOL_4 = "1 3 2 1; 2 9 1 1; 1 4 2 3; 5 6 1 2"
MAX_POOL_5 = "1 3 2 1 3; 2 9 1 1 5; 1 3 2 3 2; 8 3 5 1 0; 5 6 1 2 9"


def vol(text: str, name: str = "input") -> matrix.Volume:
    return matrix.load(text, name, presets=True)


def conv(image: str, *filters: str, **options) -> convolve.Convolution:
    kernels = [vol(f, f"filter {k}") for k, f in enumerate(filters, 1)]
    return convolve.convolve(vol(image), kernels, **options)


def grid(result: convolve.Result, channel: int = 0):
    return result.output[channel]


def reference(image, filt, stride=(1, 1), pad=((0, 0), (0, 0)), dilation=(1, 1)):
    """A naive cross-correlation: build the padded image, then sum each window, its taps
    `dilation` apart."""
    (top, bottom), (left, right) = pad
    depth, h, w = len(image), len(image[0]), len(image[0][0])
    padded = [[[0] * (w + left + right) for _ in range(h + top + bottom)] for _ in range(depth)]
    for c in range(depth):
        for r in range(h):
            for q in range(w):
                padded[c][r + top][q + left] = image[c][r][q]
    kh, kw = len(filt[0]), len(filt[0][0])
    dh, dw = dilation
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1  # the taps' extent, by hand
    rows = range(0, h + top + bottom - span_h + 1, stride[0])
    cols = range(0, w + left + right - span_w + 1, stride[1])
    return tuple(
        tuple(
            sum(
                padded[c][y + i * dh][x + j * dw] * filt[c][i][j]
                for c in range(depth)
                for i in range(kh)
                for j in range(kw)
            )
            for x in cols
        )
        for y in rows
    )


# The course's examples


def test_course_vertical_edge_6x6():
    """The course's 6×6 image with the vertical filter gives its 4×4 output."""
    result = conv(COURSE_IMAGE, "vertical")
    assert result.shape == (4, 4, 1)
    assert grid(result) == COURSE_OUTPUT


def test_course_explain_first_cell():
    """--explain 1,1 writes the course's sum, down each column of the window: −5."""
    (explanation,) = conv(COURSE_IMAGE, "vertical").explain(1, 1)
    assert explanation.value == -5
    assert (
        "3×1 + 1×1 + 2×1 + 0×0 + 5×0 + 7×0 + 1×(−1) + 8×(−1) + 2×(−1) = −5" in explanation.lines[-1]
    )
    assert 3 * 1 + 1 * 1 + 2 * 1 + 0 + 0 + 0 + 1 * -1 + 8 * -1 + 2 * -1 == -5


def test_course_explain_last_cell():
    """Cell (4, 4): the window rows 4–6, columns 4–6; 1+6+2 − (8+8+9) = −16."""
    (explanation,) = conv(COURSE_IMAGE, "vertical").explain(4, 4)
    assert explanation.value == -16 == (1 + 6 + 2) - (8 + 8 + 9)
    assert "input rows 4–6, columns 4–6" in explanation.lines[0]


def test_course_bright_left_edge():
    """10s on the left, 0s on the right: every row is 0 30 30 0."""
    result = conv("; ".join(["10 10 10 0 0 0"] * 6), "vertical")
    assert grid(result) == ((0, 30, 30, 0),) * 4


def test_course_bright_right_edge():
    """Mirrored, 0s on the left and 10s on the right: every row is 0 −30 −30 0."""
    result = conv("; ".join(["0 0 0 10 10 10"] * 6), "vertical")
    assert grid(result) == ((0, -30, -30, 0),) * 4


def test_course_padding_one_keeps_6x6():
    """Padding 1: (6 + 2·1 − 3)/1 + 1 = 6, so the output stays 6×6."""
    result = conv(COURSE_IMAGE, "vertical", padding=1)
    assert result.shape == (6, 6, 1)
    assert result.height.formula() == "⌊(6 + 2·1 − 3)/1⌋ + 1 = 6"
    # Top-left: the window's first column is padding (weight 1), the second column
    # (weight 0) does not count, the third is column 1 of rows 1–2 (weight −1): −(0 + 5).
    assert grid(result)[0][0] == -(0 + 5)
    # The inner 4×4 is the unpadded output, shifted by one.
    assert tuple(row[1:5] for row in grid(result)[1:5]) == COURSE_OUTPUT


def test_course_feature_map_5x5():
    """The slides' 5×5 feature map and filter 1 0 0; 1 1 0; 0 0 1: 25 18 17; 18 22 14; 20 15 23."""
    result = conv(FEATURE_MAP, "1 0 0; 1 1 0; 0 0 1")
    assert grid(result) == ((25, 18, 17), (18, 22, 14), (20, 15, 23))
    assert grid(result)[0][0] == 3 * 1 + 9 * 1 + 7 * 1 + 6 * 1  # the slide's first cell


def test_course_volume_two_filters_4x4x2():
    """A 6×6×3 volume with two 3×3×3 filters gives 4×4×2, one channel per filter."""
    image = " | ".join([COURSE_IMAGE] * 3)
    only_red = "1 0 -1; 1 0 -1; 1 0 -1 | 0 0 0; 0 0 0; 0 0 0 | 0 0 0; 0 0 0; 0 0 0"
    every = " | ".join(["1 0 -1; 1 0 -1; 1 0 -1"] * 3)
    result = conv(image, only_red, every)
    assert result.shape == (4, 4, 2)
    assert grid(result, 0) == COURSE_OUTPUT  # only channel 1 counts
    # Three identical channels under the same filter: three times the course's output.
    assert grid(result, 1) == tuple(tuple(3 * v for v in row) for row in COURSE_OUTPUT)


def test_course_stride_two_7x7():
    """The course's 7×7 image, 3×3 filter, stride 2: 3×3 output starting 91, 100."""
    result = conv(STRIDE_IMAGE, STRIDE_FILTER, stride=(2, 2))
    assert result.shape == (3, 3, 1)
    # Top-left by hand: 2·3 + 3·4 + 7·4 + 6·1 + 6·0 + 9·2 + 3·(−1) + 4·0 + 8·3 = 91.
    assert grid(result)[0][0] == 6 + 12 + 28 + 6 + 0 + 18 - 3 + 0 + 24 == 91
    # Next window, columns 3–5: 7·3 + 4·4 + 6·4 + 9·1 + 8·0 + 7·2 + 8·(−1) + 3·0 + 8·3 = 100.
    assert grid(result)[0][1] == 21 + 16 + 24 + 9 + 0 + 14 - 8 + 0 + 24 == 100
    assert result.height.formula() == "⌊(7 + 2·0 − 3)/2⌋ + 1 = 3"


# Flip, stride, padding, bias, ReLU, channels


def test_flip_of_vertical_negates_the_course_output():
    """Turned by 180°, 1 0 −1 becomes −1 0 1, so true convolution negates every value."""
    result = conv(COURSE_IMAGE, "vertical", flip=True)
    assert result.operation == "convolution"
    assert grid(result) == tuple(tuple(-v for v in row) for row in COURSE_OUTPUT)


def test_flip_equals_correlation_with_the_filter_turned_by_hand():
    """Convolution with 1 2; 3 4 is cross-correlation with 4 3; 2 1, written out."""
    flipped = conv(FEATURE_MAP, "1 2; 3 4", flip=True)
    by_hand = conv(FEATURE_MAP, "4 3; 2 1")
    assert grid(flipped) == grid(by_hand)
    assert grid(flipped)[0][0] == 3 * 4 + 5 * 3 + 9 * 2 + 7 * 1


def test_flip_twice_is_identity():
    """Flipping the turned filter again gives back plain cross-correlation."""
    turned = "9 8 7; 6 5 4; 3 2 1"
    assert grid(conv(FEATURE_MAP, turned, flip=True)) == grid(
        conv(FEATURE_MAP, "1 2 3; 4 5 6; 7 8 9")
    )


def test_stride_per_axis():
    """Stride 1×2 on a 3×4 input with a 1×1 filter of 1 keeps columns 1 and 3."""
    result = conv("1 2 3 4; 5 6 7 8; 9 10 11 12", "1", stride=(1, 2))
    assert grid(result) == ((1, 3), (5, 7), (9, 11))
    assert result.width.formula() == "⌊(4 + 2·0 − 1)/2⌋ + 1 = 2"


def test_stride_leaves_last_row_unused_note():
    """Stride 2 over 6 rows with a 3-row filter drops the last row, and says so."""
    result = conv(COURSE_IMAGE, "vertical", stride=(2, 2))
    assert result.shape == (2, 2, 1)
    assert any("unused" in note for note in result.notes)
    # Rows 1–3 and 3–5, columns 1–3 and 3–5 of the course's output grid, one in two.
    assert grid(result) == ((-5, 0), (0, -4))


def test_padding_sums_the_whole_image():
    """A 3×3 filter of ones with padding 1 on a 2×2 image sees all four values everywhere."""
    result = conv("1 2; 3 4", "1 1 1; 1 1 1; 1 1 1", padding=1)
    assert grid(result) == ((10, 10), (10, 10))


def test_same_padding_asymmetric_with_stride_two():
    """'same' on 4×4, 3×3, stride 2: TensorFlow pads 0 top and 1 bottom (and left/right)."""
    image = "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16"
    result = conv(image, "1 1 1; 1 1 1; 1 1 1", stride=(2, 2), padding="same")
    assert result.padding == ((0, 1), (0, 1))
    assert grid(result) == (
        (1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, 3 + 4 + 7 + 8 + 11 + 12),
        (9 + 10 + 11 + 13 + 14 + 15, 11 + 12 + 15 + 16),
    )
    assert any("asymmetric" in note for note in result.notes)


def test_bias_and_relu():
    """Bias 1 then ReLU on the course's output: max(0, v + 1), worked out by hand."""
    result = conv(COURSE_IMAGE, "vertical", bias=[1], relu=True)
    assert grid(result) == ((0, 0, 1, 9), (0, 0, 3, 4), (1, 0, 0, 0), (0, 0, 0, 0))


def test_bias_without_relu_keeps_negatives():
    """Bias −2: −5 − 2 = −7 in the corner; nothing is clipped."""
    result = conv(COURSE_IMAGE, "vertical", bias=[-2])
    assert grid(result)[0][0] == -7 and grid(result)[3][3] == -18


def test_one_bias_per_filter():
    """Two filters, two biases: each output channel gets its own."""
    result = conv("1 2; 3 4", "1", "2", bias=[10, -1])
    assert grid(result, 0) == ((11, 12), (13, 14))
    assert grid(result, 1) == ((1, 3), (5, 7))


def test_two_d_filter_stacked_on_colour_input():
    """A 2-D filter on 3 channels is stacked 3 times: same as writing it out 3 times."""
    image = "1 2; 3 4 | 5 6; 7 8 | 9 10; 11 12"
    stacked = conv(image, "1 0; 0 -1")
    written = conv(image, "1 0; 0 -1 | 1 0; 0 -1 | 1 0; 0 -1")
    assert grid(stacked) == grid(written) == (((1 - 4) + (5 - 8) + (9 - 12),),)
    assert any("stacked 3 times" in note for note in stacked.notes)


def test_multichannel_explain_sums_channels():
    """Explaining a 2-channel cell shows each channel's sum, then their total."""
    result = conv("1 2; 3 4 | 5 6; 7 8", "1 1; 1 1 | 1 0; 0 1")
    (explanation,) = result.explain(1, 1)
    assert explanation.value == (1 + 2 + 3 + 4) + (5 + 8) == 23
    assert "sum over channels: 10 + 13 = 23" in explanation.lines


def test_explain_with_padding_bias_relu():
    """A padded corner: zeros in the window; then the bias and ReLU steps."""
    result = conv("1 2; 3 4", "1 1; 1 1", padding=1, bias=[-3], relu=True)
    (explanation,) = result.explain(1, 1)
    assert "padding" in explanation.lines[0]
    assert "0×1 + 0×1 + 0×1 + 1×1 = 1" in explanation.lines[-3]
    assert explanation.lines[-2] == "plus bias: 1 + (−3) = −2"
    assert explanation.lines[-1] == "ReLU: max(0, −2) = 0"
    assert explanation.value == 0 == grid(result)[0][0]


def test_one_by_one_identity():
    """A 1×1 filter of value 1 returns the input unchanged."""
    assert grid(conv(FEATURE_MAP, "1")) == vol(FEATURE_MAP).data[0]


# Exact numbers


def test_integers_stay_ints():
    """Whole-number inputs give Python ints, not floats or Fractions."""
    values = [v for row in grid(conv(COURSE_IMAGE, "sobel-vertical")) for v in row]
    assert all(type(v) is int for v in values)


def test_decimals_stay_exact():
    """0.1 + 0.2 is 0.3 exactly; 0.5·3 + 0.25 is 1.75."""
    assert grid(conv("0.1 0.2", "1 1")) == ((Fraction(3, 10),),)
    assert grid(conv("0.5", "3", bias=[Fraction(1, 4)])) == ((Fraction(7, 4),),)


def test_decimal_that_is_whole_becomes_int():
    """2.5 × 2 is the int 5, and 2.0 is read as 2."""
    assert grid(conv("2.5", "2")) == ((5,),)
    assert type(grid(conv("2.5", "2"))[0][0]) is int
    assert vol("2.0").data == (((2,),),)


def test_float_bias_is_taken_as_its_decimal():
    """A library caller's 0.1 means one tenth, not the double nearest it."""
    assert grid(conv("1", "1", bias=[0.1])) == ((Fraction(11, 10),),)


def test_plain_number_text():
    """3, −5 and 3.75 print exactly; 4/3 prints as a fraction; −0.125 keeps its zero."""
    assert convolve.plain(3) == "3"
    assert convolve.plain(Fraction(15, 4)) == "3.75"
    assert convolve.plain(Fraction(-1, 8)) == "-0.125"
    assert convolve.plain(Fraction(4, 3)) == "4/3"


# Pooling


def test_course_max_pool_4x4():
    """The course's 4×4 input, f=2, s=2: 9 2; 6 3."""
    result = convolve.pool(vol(MAX_POOL_4), (2, 2))
    assert grid(result) == ((9, 2), (6, 3))


def test_course_max_pool_5x5_stride_one():
    """The course's 5×5 input, f=3, s=1: 9 9 5; 9 9 5; 8 6 9."""
    result = convolve.pool(vol(MAX_POOL_5), (3, 3), stride=(1, 1))
    assert grid(result) == ((9, 9, 5), (9, 9, 5), (8, 6, 9))


def test_course_average_pool_3_75():
    """The course's average pooling: 3.75 1.25; 4 2, exact."""
    result = convolve.pool(vol(AVG_POOL_4), (2, 2), mode="avg")
    assert grid(result) == ((Fraction(15, 4), Fraction(5, 4)), (4, 2))
    assert (1 + 3 + 2 + 9) / 4 == 3.75 and (2 + 1 + 1 + 1) / 4 == 1.25
    assert convolve.plain(grid(result)[0][0]) == "3.75"


def test_pool_explain_max_and_average():
    """Explanations in the course's style: max(1, 2, 3, 9) = 9 and (1 + 2 + 3 + 9)/4 = 3.75."""
    (maximum,) = convolve.pool(vol(MAX_POOL_4), (2, 2)).explain(1, 1)
    assert maximum.lines[-1].strip() == "max(1, 2, 3, 9) = 9"
    (mean,) = convolve.pool(vol(AVG_POOL_4), (2, 2), mode="avg").explain(1, 1)
    assert mean.lines[-1].strip() == "(1 + 2 + 3 + 9)/4 = 15/4 = 3.75"


def test_average_pool_counts_padded_zeros():
    """Padding 1, f=2, s=2: each window holds one real value and three zeros, so v/4."""
    result = convolve.pool(vol("4 8; 12 16"), (2, 2), padding=1, mode="avg")
    assert grid(result) == ((4 // 4, 8 // 4), (12 // 4, 16 // 4))


def test_average_pool_non_terminating():
    """Padding 1, f=3, s=1 on 1 2; 3 4: every window sums 10 over 9 cells, 10/9 exactly."""
    result = convolve.pool(vol("1 2; 3 4"), (3, 3), stride=(1, 1), padding=1, mode="avg")
    assert grid(result) == ((Fraction(10, 9),) * 2,) * 2
    (explanation,) = result.explain(1, 1)
    assert "= 10/9 ≈ 1.11111" in explanation.lines[-1]
    assert "padded zeros count in the divisor" in explanation.lines[-1]


def test_max_pool_padding_never_wins():
    """All-negative input with padding 1: the maxima are the values, not the padding's 0."""
    result = convolve.pool(vol("-1 -2; -3 -4"), (2, 2), padding=1)
    assert grid(result) == ((-1, -2), (-3, -4))
    (explanation,) = result.explain(1, 1)
    assert "max(−1) = −1" in explanation.lines[-1]


def test_pool_each_channel_on_its_own():
    """Two channels pool separately: 5×5×2 with f=3, s=1 gives 3×3×2."""
    result = convolve.pool(vol(f"{MAX_POOL_5} | {MAX_POOL_5}"), (3, 3), stride=(1, 1))
    assert result.shape == (3, 3, 2)
    assert grid(result, 1) == ((9, 9, 5), (9, 9, 5), (8, 6, 9))


def test_pool_decimals_average_exactly():
    """(0.1 + 0.2 + 0.3 + 0.4)/4 = 0.25 exactly."""
    result = convolve.pool(vol("0.1 0.2; 0.3 0.4"), (2, 2), mode="avg")
    assert grid(result) == ((Fraction(1, 4),),)


def test_pool_stride_defaults_to_kernel():
    """No stride given: 4×4 with f=2 moves by 2, giving 2×2."""
    assert convolve.pool(vol(MAX_POOL_4), (2, 2)).stride == (2, 2)


# Reading matrices


def test_literal_with_channels():
    """The issue's literal "3 0 1; 1 5 8 | 2 2 2; 0 0 1" is a 2×3×2 volume."""
    volume = vol("3 0 1; 1 5 8 | 2 2 2; 0 0 1")
    assert volume.shape == (2, 3, 2)
    assert volume.data[1] == ((2, 2, 2), (0, 0, 1))


def test_literal_commas_trailing_semicolon_and_unicode_minus():
    """Commas separate values too; a trailing ';' is allowed; − reads as a minus."""
    assert vol("1,2; −3,4;").data == (((1, 2), (-3, 4)),)


def test_text_file_channels(tmp_path):
    """One row a line, a blank line between channels, # comments."""
    path = tmp_path / "image.txt"
    path.write_text("# red\n1 2\n3 4\n\n# green\n5,6\n7,8\n", encoding="utf-8")
    assert vol(str(path)).data == (((1, 2), (3, 4)), ((5, 6), (7, 8)))


def test_json_file_two_and_three_dimensions(tmp_path):
    """[rows][cols] and [channels][rows][cols]; a JSON float is read as its decimal."""
    flat, deep = tmp_path / "flat.json", tmp_path / "deep.json"
    flat.write_text(json.dumps([[1, 2.5], [3, 4]]), encoding="utf-8")
    deep.write_text(json.dumps([[[1]], [[2]]]), encoding="utf-8")
    assert vol(str(flat)).data == (((1, Fraction(5, 2)), (3, 4)),)
    assert vol(str(deep)).shape == (1, 1, 2)


def test_presets_are_the_course_filters():
    """vertical is 1 0 −1 in each row; horizontal is its transpose; Sobel weighs the middle 2."""
    assert vol("vertical").data == (((1, 0, -1),) * 3,)
    assert vol("horizontal").data == (((1, 1, 1), (0, 0, 0), (-1, -1, -1)),)
    assert vol("sobel-vertical").data[0][1] == (2, 0, -2)
    assert vol("scharr-horizontal").data[0][0] == (3, 10, 3)


# Bad data: one sentence, naming the culprit


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3; 4 5", "row 2 has 2 values, but row 1 has 3 values"),
        ("1 2; 3 x", "'x' (row 2) is not a number"),
        ("", "the matrix is empty"),
        ("1 2 | 3 4; 5 6", "channel 2 is 2×2, but channel 1 is 1×2"),
        ("1;; 2", "row 2 is empty"),
        ("1e999", "exponent beyond ±100"),
        ("1" * 101, "too long to compute exactly"),
    ],
)
def test_bad_literals(text, message):
    """Ragged rows, non-numbers, empty matrices and mismatched channels are named."""
    with pytest.raises(SpecError) as caught:
        vol(text)
    assert message in str(caught.value)


def test_ragged_row_in_file_has_its_line(tmp_path):
    """A file's ragged row is reported at its line number."""
    path = tmp_path / "bad.txt"
    path.write_text("1 2\n3 4\n5\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        vol(str(path))
    assert str(caught.value) == f"{path}:3: row 3 has 1 value, but row 1 has 2 values"


def test_bad_json(tmp_path):
    """Invalid JSON, strings and booleans are refused with their position or value."""
    broken, text, flag = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    broken.write_text("[[1, 2], [3,", encoding="utf-8")
    text.write_text('[[1, "2"]]', encoding="utf-8")
    flag.write_text("[[1, true]]", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid JSON"):
        vol(str(broken))
    with pytest.raises(SpecError, match=r"'2' \(row 1, value 2\) is not a number"):
        vol(str(text))
    with pytest.raises(SpecError, match=r"true \(row 1, value 2\) is not a number"):
        vol(str(flag))


def test_missing_file():
    """A path that does not exist says so."""
    with pytest.raises(SpecError, match="no such file"):
        vol("missing/image.txt")


def test_unknown_preset_lists_the_presets():
    """A misspelt preset lists them all and suggests the nearest."""
    with pytest.raises(SpecError) as caught:
        vol("sobel-vertcal")
    text = str(caught.value)
    assert "vertical, horizontal, sobel-vertical, sobel-horizontal" in text
    assert "did you mean sobel-vertical?" in text


def test_filter_larger_than_padded_input():
    """A 3×3 filter on a 2×2 image without padding cannot fit."""
    with pytest.raises(SpecError, match=r"the filter 3×3 is larger than the padded input 2×2"):
        conv("1 2; 3 4", "vertical")


def test_filter_fits_once_padded():
    """The same 3×3 filter fits with padding 1: (2 + 2 − 3)/1 + 1 = 2."""
    assert conv("1 2; 3 4", "vertical", padding=1).shape == (2, 2, 1)


def test_channel_counts_differ():
    """A 2-channel filter on a 3-channel input names both counts."""
    with pytest.raises(SpecError, match="filter 1 has 2 channels, but the input has 3"):
        conv("1 | 2 | 3", "1 | 1")


def test_filters_of_different_sizes():
    """Filters of one layer share a size."""
    with pytest.raises(SpecError, match="filter 2 is 1×1, but filter 1 is 2×2"):
        conv("1 2; 3 4", "1 1; 1 1", "1")


@pytest.mark.parametrize("stride", [(0, 0), (-1, -1), (1, 0)])
def test_zero_or_negative_stride(stride):
    """A stride below 1 is refused by the core."""
    with pytest.raises(SpecError, match="the stride must be at least 1"):
        conv("1 2; 3 4", "1", stride=stride)
    with pytest.raises(SpecError, match="the stride must be at least 1"):
        convolve.pool(vol("1 2; 3 4"), (1, 1), stride=stride)


def test_wrong_number_of_biases():
    """One bias per filter, no more, no fewer."""
    with pytest.raises(SpecError, match="2 biases for 1 filter"):
        conv("1", "1", bias=[1, 2])


def test_pool_padding_more_than_half_the_kernel():
    """Pooling padding above half the kernel (PyTorch's rule) would allow an all-padding window."""
    with pytest.raises(SpecError, match="more than half the kernel"):
        convolve.pool(vol("1 2; 3 4"), (3, 3), padding=2)


def test_guard_refuses_huge_work_quickly():
    """Padding 10⁴ around a 1×1 input would need 20001²·9 multiply-adds: refused, not run."""
    with pytest.raises(SpecError, match="more than the limit of 100,000,000"):
        conv("1", "vertical", padding=10_000)
    assert convolve.MAX_WORK < 20_001**2 * 9


def test_huge_padding_with_huge_stride_is_cheap():
    """Padding 10⁵ with stride 10⁵ gives a 3×3 output; the padding is never built."""
    result = conv("1 2; 3 4", "1 1; 1 1", padding=100_000, stride=(100_000, 100_000))
    assert grid(result) == ((0, 0, 0), (0, 10, 0), (0, 0, 0))


# Identities over random matrices

small = st.integers(min_value=-9, max_value=9)


@st.composite
def cases(draw):
    depth = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pad = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    if kh > h + sum(pad[0]) or kw > w + sum(pad[1]):
        pad = ((kh, kh), (kw, kw))
    image = [[[draw(small) for _ in range(w)] for _ in range(h)] for _ in range(depth)]
    filt = [[[draw(small) for _ in range(kw)] for _ in range(kh)] for _ in range(depth)]
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return image, filt, stride, pad


@settings(max_examples=200, deadline=None)
@given(cases())
def test_matches_naive_reference(case):
    """Any small case agrees with the naive pad-then-sum implementation in this file."""
    image, filt, stride, pad = case
    result = convolve.convolve(
        matrix.build(image, "input"), [matrix.build(filt, "filter 1")], stride=stride, padding=pad
    )
    assert grid(result) == reference(image, filt, stride, pad)


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(1, 3), st.integers(1, 3))
def test_dilated_matches_naive_reference(case, dh, dw):
    """A dilated filter agrees with the naive sum over taps dh and dw apart."""
    image, filt, stride, pad = case
    kh, kw = len(filt[0]), len(filt[0][0])
    h, w = len(image[0]), len(image[0][0])
    if dh * (kh - 1) + 1 > h + sum(pad[0]) or dw * (kw - 1) + 1 > w + sum(pad[1]):
        with pytest.raises(SpecError, match="larger than the padded input"):
            convolve.convolve(
                matrix.build(image, "input"), [matrix.build(filt, "f")], stride=stride,
                padding=pad, dilation=(dh, dw),
            )  # fmt: skip
        return
    result = convolve.convolve(
        matrix.build(image, "input"), [matrix.build(filt, "f")], stride=stride, padding=pad,
        dilation=(dh, dw),
    )  # fmt: skip
    assert grid(result) == reference(image, filt, stride, pad, (dh, dw))


def test_dilated_cell_shows_its_taps():
    """--explain of a dilated filter reads every 2nd row and column: 1·1 + 13·(−1) = −12."""
    image = "1 2 3 4 5; 6 7 8 9 10; 11 12 13 14 15; 16 17 18 19 20; 21 22 23 24 25"
    result = conv(image, "1 0; 0 -1", dilation=(2, 2))
    assert result.shape == (3, 3, 1)
    (explanation,) = result.explain(1, 1)
    assert explanation.value == 1 * 1 + 13 * -1
    assert "input rows 1–3, columns 1–3, every 2nd row and column" in explanation.lines[0]


@settings(max_examples=100, deadline=None)
@given(cases(), st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(-3, 2)]))
def test_decimal_scaling_is_exact(case, factor):
    """Scaling the input by a decimal scales the output by it, exactly."""
    image, filt, stride, pad = case
    scaled = [[[v * factor for v in row] for row in grid_] for grid_ in image]
    result = convolve.convolve(
        matrix.build(scaled, "input"), [matrix.build(filt, "filter 1")], stride=stride, padding=pad
    )
    assert grid(result) == tuple(
        tuple(v * factor for v in row) for row in reference(image, filt, stride, pad)
    )


@settings(max_examples=100, deadline=None)
@given(cases())
def test_flip_is_correlation_with_turned_filter(case):
    """--flip equals cross-correlation with each channel turned by 180°, by list reversal."""
    image, filt, stride, pad = case
    turned = [[list(reversed(row)) for row in reversed(grid_)] for grid_ in filt]
    flipped = convolve.convolve(
        matrix.build(image, "input"),
        [matrix.build(filt, "f")],
        stride=stride,
        padding=pad,
        flip=True,
    )
    assert grid(flipped) == reference(image, turned, stride, pad)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_pooling_matches_naive(case):
    """Max and average pooling agree with window-by-window max and sum/(f·f)."""
    image, filt, _, _ = case
    kh, kw = len(filt[0]), len(filt[0][0])
    h, w = len(image[0]), len(image[0][0])
    if kh > h or kw > w:
        return
    volume = matrix.build(image, "input")
    maxima = convolve.pool(volume, (kh, kw), stride=(1, 1))
    means = convolve.pool(volume, (kh, kw), stride=(1, 1), mode="avg")
    for c, channel in enumerate(image):
        windows = [
            [
                [channel[y + i][x + j] for i in range(kh) for j in range(kw)]
                for x in range(w - kw + 1)
            ]
            for y in range(h - kh + 1)
        ]
        assert grid(maxima, c) == tuple(tuple(max(win) for win in row) for row in windows)
        assert grid(means, c) == tuple(
            tuple(Fraction(sum(win), kh * kw) for win in row) for row in windows
        )


# Numbers mean what they look like


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1 ٣",
            "'٣' (row 1) is written with a digit other than 0–9 (arabic-indic digit three); write 3",
        ),
        (
            "1 ３",
            "'３' (row 1) is written with a digit other than 0–9 (fullwidth digit three); write 3",
        ),
        (
            "１２",
            "'１２' (row 1) is written with a digit other than 0–9 ('１', fullwidth digit one); write 12",
        ),
        ("1; 2²", "'2²' (row 2) is written with a digit other than 0–9 ('²', superscript two)"),
        ("inf", "'inf' (row 1) is not a finite number"),
        ("1 -Infinity", "'-Infinity' (row 1) is not a finite number"),
        ("1 NaN", "'NaN' (row 1) is not a finite number"),
        ("1_000", "'1_000' (row 1) has an underscore; write 1000"),
        (
            "007",
            "'007' (row 1) has a leading zero, which cnncalc refuses (YAML reads 064 as octal); write 7",
        ),
        (
            "1; -00.5",
            "'-00.5' (row 2) has a leading zero, which cnncalc refuses (YAML reads 064 as octal); write -0.5",
        ),
    ],
)
def test_numbers_that_do_not_look_like_what_they_mean(text, message):
    """Python's own int() and Fraction() take '٣', '３' and '1_000', float() takes inf and
    nan, and YAML reads 064 as octal: each is refused, naming the token, its row and the fix."""
    with pytest.raises(SpecError) as caught:
        vol(text)
    assert str(caught.value).startswith("input: ")
    assert message in str(caught.value)


def test_zero_and_small_decimals_stay_fine():
    """Zero, -0, 10 and 100 have no leading zero; 0.5, -0.25 and 1e-3 are decimals."""
    assert vol("0 -0 10 100; 0.5 -0.25 1e-3 0e0").data == (
        ((0, 0, 10, 100), (Fraction(1, 2), Fraction(-1, 4), Fraction(1, 1000), 0)),
    )


def test_text_file_number_names_its_line(tmp_path):
    """A text file's Arabic-Indic digit is named with its line."""
    path = tmp_path / "digits.txt"
    path.write_text("1 2\n3 ٤\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        vol(str(path))
    assert str(caught.value) == (
        f"{path}:2: '٤' is written with a digit other than 0–9 (arabic-indic digit four); write 4"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[[1, NaN]]", "NaN is not a finite number"),
        ("[[1, -Infinity]]", "-Infinity is not a finite number"),
        (
            "[[1, 007]]",
            ":1:6: '007' has a leading zero, which cnncalc refuses (YAML reads 064 as octal); write 7",
        ),
        (
            "[[1],\n [-007]]",
            ":2:3: '-007' has a leading zero, which cnncalc refuses (YAML reads 064 as octal); write -7",
        ),
        (
            "[[1, ٣]]",
            ":1:6: '٣' is written with a digit other than 0–9 (arabic-indic digit three); write 3",
        ),
        ("[[1_000]]", ":1:3: '1_000' has an underscore; write 1000"),
        ("[[" + "9" * 5000 + "]]", "is too long to compute exactly: at most 100 characters"),
    ],
)
def test_json_numbers_mean_what_they_look_like(tmp_path, document, message):
    """json.loads takes NaN and Infinity, and only says 'Expecting ...' of 007 or ٣: each is
    refused with what is wrong and where; a 5,000-digit integer is too long, not a crash."""
    path = tmp_path / "m.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        vol(str(path))
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_huge_numbers_from_a_caller_are_refused():
    """A library caller's int of thousands of digits, as a value or a bias, is refused
    before anything would print it (str() of 4,300+ digits raises)."""
    with pytest.raises(SpecError, match="more than 100 digits is too long"):
        matrix.build([[[10**5000]]], "input")
    with pytest.raises(SpecError, match="more than 100 digits is too long"):
        conv("1", "1", bias=[Fraction(1, 10**200)])


# Reading: files that are not files, and the byte limit


def test_load_refuses_a_device_unread():
    """/dev/zero reports a size of 0 and never ends: refused for what it is, unread."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(SpecError, match=r"^/dev/zero: is a character device, not a regular file"):
        vol("/dev/zero")


def test_file_limit_holds_whatever_its_reported_size(tmp_path, monkeypatch):
    """What is read is counted, not what the file claims (a /proc file reports 0 bytes)."""
    path = tmp_path / "m.txt"
    path.write_text("1 2 3 4 5 6 7 8\n", encoding="utf-8")
    monkeypatch.setattr(matrix, "MAX_BYTES", 10)
    monkeypatch.setattr(os.path, "getsize", lambda _: 0)
    with pytest.raises(SpecError, match="the file holds more than"):
        vol(str(path))


def test_text_stdin_is_counted_in_bytes(monkeypatch):
    """A text stream without a byte buffer is counted in bytes: `1 # ééééé` and a newline
    are 10 characters but 15 bytes, past a limit of 10."""
    monkeypatch.setattr(matrix, "MAX_BYTES", 10)
    with pytest.raises(SpecError, match="standard input holds more than"):
        matrix.read_stdin(io.StringIO("1 # ééééé\n"))
    assert matrix.read_stdin(io.StringIO("1 # é\n")).data == (((1,),),)


# The guard: refused from the sizes alone, before any work or allocation


def _cost(function):
    """Run `function`, which must raise SpecError; its message, peak memory and seconds."""
    import time
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(SpecError) as caught:
            function()
        return str(caught.value), tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


def test_padding_bomb_is_refused_by_arithmetic():
    """Padding 10⁹ around a 1×1 input: (2·10⁹ + 1)² taps, refused in kilobytes and at once."""
    image, filt = vol("1"), vol("1")
    message, peak, seconds = _cost(lambda: convolve.convolve(image, [filt], padding=10**9))
    assert "4,000,000,004,000,000,001 multiply-adds" in message
    assert peak < 100_000 and seconds < 1


def test_stacking_and_turning_wait_for_the_guard():
    """A 2-D 101×101 filter on 10,000 channels, turned: 101²·10⁴ taps, past the limit. The
    filter is neither stacked 10,000 times nor turned 10,000 times (2·10⁸ values) first."""
    image = matrix.build([[[1]]] * 10_000, "input")
    filt = matrix.build([[[1] * 101] * 101], "filter 1")
    message, peak, seconds = _cost(lambda: convolve.convolve(image, [filt], padding=50, flip=True))
    assert "102,010,000 multiply-adds, more than the limit" in message
    assert peak < 1_000_000 and seconds < 1


def test_huge_dilation_and_padding_are_arithmetic():
    """Taps 10¹⁷ apart with 'same' padding on a 1×1 input: only the centre tap lands on it,
    so the output is 3 × 5, worked out without building anything of that size."""
    result = conv("3", "1 2 3; 4 5 6; 7 8 9", padding="same", dilation=(10**17, 10**17))
    assert result.padding == ((10**17, 10**17), (10**17, 10**17))
    assert grid(result) == ((15,),)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stride": (10**5000, 1)}, "the stride is larger than 10\\^18"),
        ({"dilation": (1, -(10**5000))}, "the dilation is larger than 10\\^18"),
        ({"padding": 10**5000}, "the padding is larger than 10\\^18"),
        ({"padding": ((0, 0), (0, 10**5000))}, "the padding is larger than 10\\^18"),
        ({"stride": (1.5, 1)}, "the stride must be a pair of whole numbers"),
        ({"stride": 2}, "the stride must be a pair of whole numbers"),
        ({"padding": 0.5}, "the padding must be 'same', 'valid', a whole number"),
    ],
)
def test_sizes_from_a_caller_are_whole_and_bounded(options, message):
    """A caller's stride, dilation or padding of thousands of digits, or not whole, is refused
    before it reaches a formula (str() of 4,300+ digits raises; a float would touch a count)."""
    with pytest.raises(SpecError, match=message):
        conv("1", "1", **options)


def test_explain_of_a_far_cell_from_a_caller():
    """Result.explain with a row of thousands of digits: outside, said without printing it."""
    with pytest.raises(SpecError, match="the cell is outside the 1×1 output"):
        conv("1", "1").explain(10**5000, 1)
    with pytest.raises(SpecError, match="whole numbers counted from 1"):
        conv("1", "1").explain(1.0, 1)


def test_flip_of_a_stacked_filter():
    """A 2-D filter turned then stacked on 2 channels: 1 0; 0 0 turned is 0 0; 0 1, which
    picks the last value of each channel: 4 + 40."""
    assert grid(conv("1 2; 3 4 | 10 20; 30 40", "1 0; 0 0", flip=True)) == ((44,),)
