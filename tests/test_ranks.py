"""1-D and 3-D networks through the engine, every figure worked out by hand.

Each expected value is the arithmetic written out: the output size
⌊(n + p_before + p_after − span)/s⌋ + 1 with span = d(f − 1) + 1, weights
f_1·…·f_r·(c_in/groups)·filters, MACs = output positions × filters × f_1·…·f_r·c_in/groups,
and the receptive field by r + (k − 1)·j, j·s, start − p·j (Araujo et al., 2019).
The command line's view of the same (tables, JSON, size, explain, check, schema) is
in tests/test_ranks_cli.py.
"""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError


def inline(input, *layers) -> engine.Summary:
    return engine.analyze(spec.from_layers(input, layers))


def one(input, layer) -> engine.Row:
    return inline(input, layer).rows[0]


def field(row) -> tuple:
    return row.field.size, row.field.jump, row.field.start


# --- Convolutions: dilation, groups, depthwise ---


def test_conv1d_dilated_grouped_strided():
    """L=1000, C=16; 32 filters of 5 taps, d=3 (span 3·(5 − 1) + 1 = 13), s=2, p=3, 4 groups."""
    row = one((1000, 16), "conv:32,5,2,3,d=3,groups=4")
    span = 3 * (5 - 1) + 1
    length = (1000 + 3 + 3 - span) // 2 + 1
    assert length == 497
    assert row.shape == (length, 32)
    assert row.weights == 5 * (16 // 4) * 32 == 640
    assert row.biases == 32
    assert row.macs == length * 32 * 5 * (16 // 4)
    assert row.padding == ((3, 3),)
    # From the input's field (1, 1, 0): 1 + (13 − 1)·1, 1·2, 0 − 3·1.
    assert field(row) == ((1 + (span - 1) * 1,), (1 * 2,), (0 - 3 * 1,))


def test_conv3d_dilated_grouped_per_axis_then_a_pool():
    """D×H×W×C = 9×20×20×8; kernel 3×5×5, stride 1×2×2, padding 1×2×2, dilation 3×1×1,
    2 groups; then a 2×2×2 max pool. The field grows per axis."""
    conv = {"type": "conv", "filters": 16, "kernel": [3, 5, 5], "stride": [1, 2, 2],
            "padding": [1, 2, 2], "dilation": [3, 1, 1], "groups": 2}  # fmt: skip
    summary = inline((9, 20, 20, 8), conv, "maxpool:2")
    row, pool = summary.rows
    depth_span = 3 * (3 - 1) + 1  # 7
    d = (9 + 1 + 1 - depth_span) // 1 + 1  # 5
    h = (20 + 2 + 2 - 5) // 2 + 1  # 10
    assert row.shape == (d, h, h, 16) == (5, 10, 10, 16)
    assert row.weights == 3 * 5 * 5 * (8 // 2) * 16 == 4800
    assert row.biases == 16
    assert row.macs == d * h * h * 16 * (3 * 5 * 5 * (8 // 2))
    assert field(row) == (
        (1 + (depth_span - 1) * 1, 1 + (5 - 1) * 1, 1 + (5 - 1) * 1),  # (7, 5, 5)
        (1 * 1, 1 * 2, 1 * 2),
        (0 - 1 * 1, 0 - 2 * 1, 0 - 2 * 1),
    )
    # The pool: k=2, s=2, p=0 on each axis, from jumps (1, 2, 2).
    assert pool.shape == ((5 - 2) // 2 + 1, (10 - 2) // 2 + 1, (10 - 2) // 2 + 1, 16)
    assert field(pool) == (
        (7 + (2 - 1) * 1, 5 + (2 - 1) * 2, 5 + (2 - 1) * 2),  # (8, 7, 7)
        (1 * 2, 2 * 2, 2 * 2),
        (-1 - 0, -2 - 0, -2 - 0),
    )


def test_conv1d_depthwise():
    """Depthwise on 6 channels is 6 groups: 12 filters (multiplier 2) of 3 taps × 1 channel."""
    row = one((100, 6), "conv:12,3,depthwise=true")
    assert row.shape == ((100 - 3) // 1 + 1, 12)
    assert row.weights == 3 * (6 // 6) * 12 == 36
    assert row.biases == 12
    assert row.macs == 98 * 12 * 3 * (6 // 6)
    # Without filters, one filter per input channel: 6 filters of 5 taps.
    row = one((100, 6), {"type": "conv", "kernel": 5, "depthwise": True})
    assert (row.shape, row.weights, row.biases) == (((100 - 5) + 1, 6), 5 * 1 * 6, 6)


# --- Transposed convolutions: s(n − 1) − p_before − p_after + d(f − 1) + output_padding + 1 ---


def test_convtranspose1d_strided_with_output_padding():
    """PyTorch's ConvTranspose1d(8, 4, 5, stride=3, padding=2, output_padding=2) on L=50."""
    row = one((50, 8), "convtranspose:4,5,3,2,output_padding=2")
    assert row.shape == (3 * (50 - 1) - 2 - 2 + 1 * (5 - 1) + 2 + 1, 4) == (150, 4)
    # PyTorch's weight is (c_in, c_out/groups, f): 8·4·5; MACs: each input value × each weight.
    assert row.weights == 8 * 4 * 5 and row.biases == 4
    assert row.macs == 50 * (8 * 4 * 5)
    assert row.field is None and row.lost == "n/a"
    # Asymmetric (before, after) = (2, 1): one more than the symmetric 2.
    row = one((50, 8), "convtranspose:4,5,3,p=2x1,output_padding=2")
    assert row.shape == (3 * (50 - 1) - 2 - 1 + 1 * (5 - 1) + 2 + 1, 4) == (151, 4)


def test_convtranspose3d_per_axis():
    """4×8×8×16, kernel 3×4×4, stride 2, padding 1×1×2, output_padding 1×0×1, 8 filters."""
    layer = {"type": "convtranspose", "filters": 8, "kernel": [3, 4, 4], "stride": 2,
             "padding": [1, 1, 2], "output_padding": [1, 0, 1]}  # fmt: skip
    row = one((4, 8, 8, 16), layer)
    d = 2 * (4 - 1) - 1 - 1 + (3 - 1) + 1 + 1
    h = 2 * (8 - 1) - 1 - 1 + (4 - 1) + 0 + 1
    w = 2 * (8 - 1) - 2 - 2 + (4 - 1) + 1 + 1
    assert row.shape == (d, h, w, 8) == (8, 16, 15, 8)
    assert row.weights == 3 * 4 * 4 * 16 * 8 and row.biases == 8
    assert row.macs == 4 * 8 * 8 * (3 * 4 * 4 * 16 * 8)


def test_convtranspose3d_dilated():
    """Dilation 2 on every axis: d(f − 1) = 2·(3 − 1) = 4 in place of f − 1."""
    row = one((4, 8, 8, 16), "convtranspose3d:8,3,2,1,output_padding=1,d=2")
    d = 2 * (4 - 1) - 1 - 1 + 2 * (3 - 1) + 1 + 1
    h = 2 * (8 - 1) - 1 - 1 + 2 * (3 - 1) + 1 + 1
    assert row.shape == (d, h, h, 8) == (10, 18, 18, 8)


def test_convtranspose_output_padding_must_be_below_the_stride():
    """PyTorch: output padding must be smaller than either stride or dilation."""
    with pytest.raises(SpecError, match=r"output_padding 2 must be smaller than the stride"):
        inline((50, 8), "convtranspose:4,3,2,output_padding=2")


# --- Pools: PyTorch's ceil rule, ⌈(n + 2p − k)/s⌉ + 1 less a window starting in the padding ---


def test_maxpool1d_ceil_with_padding():
    """L=10, k=3, s=2, p=1: ⌈9/2⌉ + 1 = 6 (the floor gives 5); the last window starts at
    (6 − 1)·2 = 10 < 10 + 1, inside the input and its leading padding: kept."""
    row = one((10, 4), "maxpool:3,2,1,ceil=true")
    assert row.shape == (-(-(10 + 2 - 3) // 2) + 1, 4) == (6, 4)
    assert (10 + 2 - 3) // 2 + 1 == 5  # what floor mode would give
    assert field(row) == ((1 + (3 - 1) * 1,), (1 * 2,), (0 - 1 * 1,))


def test_maxpool1d_ceil_drops_a_window_in_the_padding():
    """L=5, k=2, s=2, p=1: ⌈5/2⌉ + 1 = 4, but window 4 would start at (4 − 1)·2 = 6 ≥ 5 + 1,
    in the right padding: PyTorch ignores it ('windows that would start in the right padded
    region are ignored', MaxPool1d docs), so 3."""
    row = one((5, 4), "maxpool:2,2,1,ceil=true")
    assert -(-(5 + 2 - 2) // 2) + 1 == 4 and (4 - 1) * 2 >= 5 + 1
    assert row.shape == (4 - 1, 4)


def test_avgpool3d_ceil_per_axis():
    """5×10×11×2, kernel 3×3×2, stride 2, padding 1, ceil. Depth ⌈4/2⌉ + 1 = 3; height
    ⌈9/2⌉ + 1 = 6; width ⌈11/2⌉ + 1 = 7, but (7 − 1)·2 = 12 ≥ 11 + 1: 6."""
    layer = {"type": "avgpool", "kernel": [3, 3, 2], "stride": 2, "padding": 1, "ceil": True}
    row = one((5, 10, 11, 2), layer)
    assert (7 - 1) * 2 >= 11 + 1
    assert row.shape == (-(-(5 + 2 - 3) // 2) + 1, -(-(10 + 2 - 3) // 2) + 1, 7 - 1, 2)
    assert row.shape == (3, 6, 6, 2)
    assert field(row) == ((3, 3, 2), (2, 2, 2), (-1, -1, -1))


def test_pool_padding_is_at_most_half_the_kernel_in_3d():
    """PyTorch's rule holds per axis: a 2-wide kernel takes at most ⌊2/2⌋ = 1."""
    with pytest.raises(SpecError, match="more than half the kernel"):
        inline((8, 8, 8, 1), {"type": "maxpool", "kernel": [3, 3, 2], "padding": [1, 1, 2]})


# --- Adaptive average pooling ---


def test_adaptiveavgpool1d_even_is_a_pool():
    """100 into 25 even windows of 100/25 = 4: a pool of 4, stride 4."""
    row = one((100, 4), "adaptiveavgpool:25")
    assert row.shape == (25, 4)
    assert field(row) == ((1 + (100 // 25 - 1) * 1,), (1 * (100 // 25),), (0,))


def test_adaptiveavgpool3d_even_is_a_pool():
    """8×16×16 into 2×4×4: windows of 8/2 = 16/4 = 4 on every axis."""
    row = one((8, 16, 16, 4), "adaptiveavgpool:2x4x4")
    assert row.shape == (2, 4, 4, 4)
    assert field(row) == ((4, 4, 4), (4, 4, 4), (0, 0, 0))


@pytest.mark.parametrize(
    ("input", "output", "shape"),
    [
        # 100/7 is not whole: PyTorch's windows ⌊i·100/7⌋ to ⌈(i + 1)·100/7⌉ differ in size.
        ((100, 4), "adaptiveavgpool:7", (7, 4)),
        ((8, 16, 16, 4), "adaptiveavgpool:3", (3, 3, 3, 4)),
    ],
)
def test_uneven_adaptiveavgpool_breaks_the_field(input, output, shape):
    """Uneven windows are no single window: the field is n/a, and stays so after a conv."""
    summary = inline(input, output, "conv:2,1")
    assert summary.rows[0].shape == shape
    assert [(row.field, row.lost) for row in summary.rows] == [(None, "n/a"), (None, "n/a")]


def test_adaptiveavgpool_to_one_sees_everything():
    """An output of 1 on every axis is a global pool: the field is 'all'."""
    row = one((8, 16, 16, 4), "adaptiveavgpool:1")
    assert (row.shape, row.field, row.lost) == ((1, 1, 1, 4), None, "all")


# --- Causal padding (Keras's padding='causal': d(f − 1) on the left, none on the right) ---


def test_causal_dilated_conv_keeps_the_length():
    """L=100, f=3, d=2: padding (2·(3 − 1), 0) = (4, 0); (100 + 4 + 0 − 5)/1 + 1 = 100."""
    row = one((100, 4), "conv:8,3,p=causal,d=2")
    assert row.padding == ((2 * (3 - 1), 0),)
    assert row.shape == ((100 + 4 + 0 - (2 * (3 - 1) + 1)) // 1 + 1, 8) == (100, 8)
    assert row.weights == 3 * 4 * 8
    assert row.macs == 100 * 8 * 3 * 4
    assert field(row) == ((1 + (5 - 1) * 1,), (1,), (-(2 * (3 - 1)) * 1,))


def test_wavenet_stack_of_causal_convs():
    """Kernel 2, dilations 1, 2, 4, 8 (WaveNet's stack): field 1 + Σ d(k − 1) = 16,
    start −Σ d(k − 1) = −15; each layer pads (d, 0) and keeps L."""
    dilations = (1, 2, 4, 8)
    summary = inline((100, 4), *(f"conv:8,2,p=causal,d={d}" for d in dilations))
    assert [row.padding for row in summary.rows] == [((d * (2 - 1), 0),) for d in dilations]
    assert [row.shape for row in summary.rows] == [(100, 8)] * 4
    last = summary.rows[-1]
    assert field(last) == (
        (1 + sum(d * (2 - 1) for d in dilations),),
        (1,),
        (-sum(d * (2 - 1) for d in dilations),),
    )
    assert last.field.size == (16,)


def test_causal_strided_and_keras_names():
    """Keras's Conv1D(8, 3, strides=2, padding='causal'): pads 2 on the left, then valid:
    (100 + 2 − 3)//2 + 1 = 50."""
    layer = {"type": "Conv1D", "filters": 8, "kernel_size": 3, "strides": 2, "padding": "causal"}
    row = one((100, 4), layer)
    assert (row.padding, row.shape) == (((2, 0),), ((100 + 2 - 3) // 2 + 1, 8))


# --- Resampling and element-wise layers in 1-D and 3-D ---


def test_zeropad_upsample_batchnorm_gap_1d():
    """(2, 3) zeros: 100 + 2 + 3 = 105; ×3: 315; batch norm 2·4 + 2·4; global pool (1, 4)."""
    pad, up, bn, gap = inline((100, 4), "zeropad:2x3", "upsample:3", "batchnorm",
                              "globalavgpool").rows  # fmt: skip
    assert pad.shape == (100 + 2 + 3, 4) and pad.padding == ((2, 3),)
    assert field(pad) == ((1,), (1,), (0 - 2 * 1,))
    assert up.shape == (105 * 3, 4) and (up.field, up.lost) == (None, "n/a")
    assert (bn.shape, bn.weights, bn.biases, bn.buffers) == ((315, 4), 4, 4, 2 * 4)
    assert gap.shape == (1, 4) and gap.params == 0


def test_zeropad_upsample_batchnorm_gap_3d():
    """[[1, 2], [3, 0], [1, 1]]: 4 + 3, 6 + 3, 6 + 2; ×2×1×3; batch norm on 2 channels."""
    pad, up, bn, gap = inline((4, 6, 6, 2), {"type": "zeropad", "padding": [[1, 2], [3, 0], [1, 1]]},
                              "upsample:2x1x3", "batchnorm3d", "globalavgpool").rows  # fmt: skip
    assert pad.shape == (4 + 1 + 2, 6 + 3 + 0, 6 + 1 + 1, 2) == (7, 9, 8, 2)
    assert field(pad) == ((1, 1, 1), (1, 1, 1), (-1, -3, -1))
    assert up.shape == (7 * 2, 9 * 1, 8 * 3, 2)
    assert (bn.weights, bn.biases, bn.buffers) == (2, 2, 2 * 2)
    assert gap.shape == (1, 1, 1, 2)


def test_batchnorm1d_accepts_a_vector():
    """PyTorch's BatchNorm1d(100) takes (N, 100): 200 parameters, 200 running statistics."""
    bn = inline((100,), "batchnorm1d").rows[0]
    assert (bn.shape, bn.params, bn.buffers) == ((100,), 2 * 100, 2 * 100)


# --- Blocks ---


def spec_of(input, *layers):
    return engine.analyze(spec.from_document({"input": list(input), "layers": list(layers)}))


def test_residual_and_concat_1d():
    """A strided residual with a 1×1 shortcut, then three branches joined on the channels."""
    summary = spec_of(
        (64, 8),
        {"residual": ["conv:16,3,2,1"], "shortcut": ["conv:16,1,2"]},
        {"concat": [["conv:4,1"], ["conv:4,3,1,same"], ["maxpool:3,1,1"]]},
    )
    residual, concat = summary.rows
    assert residual.shape == ((64 + 2 - 3) // 2 + 1, 16) == (32, 16)
    assert residual.params == (3 * 8 + 1) * 16 + (1 * 8 + 1) * 16
    # Main path: 1 + 2·1 = 3, jump 2, start −1; shortcut 1, jump 2, start 0: the union.
    assert field(residual) == ((3,), (2,), (-1,))
    assert concat.shape == (32, 4 + 4 + 16)
    assert concat.params == (1 * 16 + 1) * 4 + (3 * 16 + 1) * 4
    # The 3-wide branches reach 3 + (3 − 1)·2 = 7 wide, from −1 − 1·2 = −3.
    assert field(concat) == ((3 + (3 - 1) * 2,), (2,), (-1 - 1 * 2,))


def test_residual_and_concat_3d():
    """Two 3×3×3 convs, padding 1, around an identity; then a 1×1×1 and a 3×1×1 branch."""
    summary = spec_of(
        (8, 16, 16, 4),
        {"residual": ["conv:4,3,1,1", "relu", "conv:4,3,1,1"]},
        {"concat": [["conv:2,1"],
                    [{"type": "conv", "filters": 6, "kernel": [3, 1, 1], "padding": [1, 0, 0]}]]},
    )  # fmt: skip
    residual, concat = summary.rows
    assert residual.shape == (8, 16, 16, 4)
    assert residual.params == 2 * (3 * 3 * 3 * 4 + 1) * 4
    assert residual.macs == 2 * (8 * 16 * 16 * 4 * 3 * 3 * 3 * 4)
    assert field(residual) == ((1 + 2 + 2,) * 3, (1,) * 3, (-1 - 1,) * 3)
    assert concat.shape == (8, 16, 16, 2 + 6)
    assert concat.params == (1 * 4 + 1) * 2 + (3 * 1 * 1 * 4 + 1) * 6
    # The 3×1×1 branch widens the depth only: 5 + 2, start −2 − 1.
    assert field(concat) == ((5 + 2, 5, 5), (1, 1, 1), (-2 - 1, -2, -2))


def test_residual_that_cannot_be_added_1d():
    """An unpadded 3-tap conv gives 64 − 3 + 1 = 62 positions: not the input's 64."""
    with pytest.raises(SpecError, match=r"give \(62, 8\) but its input is \(64, 8\)"):
        spec_of((64, 8), {"residual": ["conv:8,3"]})


def test_concat_that_cannot_be_joined_3d():
    """Branches of 8×16×16 and 6×14×14 differ in size: each is named."""
    with pytest.raises(SpecError, match=r"branch 1 gives \(8, 16, 16, 2\), branch 2 gives "
                                        r"\(6, 14, 14, 2\)"):  # fmt: skip
        spec_of((8, 16, 16, 4), {"concat": [["conv:2,1"], ["conv:2,3"]]})


def test_concat_of_offset_fields_covers_both():
    """Causal f=3 covers inputs −2..0 of output 0; f=3, p=1 covers −1..1. Together:
    −2..1, a field of 1 − (−2) + 1 = 4 from −2."""
    summary = spec_of((64, 8), {"concat": [["conv:4,3,p=causal"], ["conv:4,3,1,1"]]})
    assert field(summary.rows[0]) == ((1 - (-2) + 1,), (1,), (-2,))


# --- Padding forms, and 'same' ---


@pytest.mark.parametrize(
    ("padding", "sides"),
    [
        (3, ((3, 3),)),  # a number: every side
        ([3], ((3, 3),)),  # one per axis
        ([1, 2], ((1, 2),)),  # flat: (left, right)
        ([[2, 1]], ((2, 1),)),  # nested pairs
    ],
)
def test_padding_forms_1d(padding, sides):
    """Each form, L=10, f=3: (10 + before + after − 3) + 1."""
    row = one((10, 1), {"type": "conv", "filters": 1, "kernel": 3, "padding": padding})
    (before, after) = sides[0]
    assert row.padding == sides
    assert row.shape == (10 + before + after - 3 + 1, 1)


@pytest.mark.parametrize(
    ("padding", "sides"),
    [
        (1, ((1, 1), (1, 1), (1, 1))),
        ([1, 2, 3], ((1, 1), (2, 2), (3, 3))),  # one per axis: depth, height, width
        ([1, 2, 3, 4, 5, 6], ((1, 2), (3, 4), (5, 6))),  # front, back, top, bottom, left, right
        ([[1, 2], [3, 4], [5, 6]], ((1, 2), (3, 4), (5, 6))),
    ],
)
def test_padding_forms_3d(padding, sides):
    """10×10×10, f=3: each axis n + before + after − 3 + 1."""
    row = one((10, 10, 10, 1), {"type": "conv", "filters": 1, "kernel": 3, "padding": padding})
    assert row.padding == sides
    assert row.shape == (*(10 + b + a - 3 + 1 for b, a in sides), 1)


def test_flat_four_is_pairs_in_2d_for_comparison():
    """In 2-D four numbers are [top, bottom, left, right]: 10 + 1 + 2 − 3 + 1, 10 + 0 + 1 − 3 + 1."""
    row = one((10, 10, 1), {"type": "conv", "filters": 1, "kernel": 3, "padding": [1, 2, 0, 1]})
    assert row.padding == ((1, 2), (0, 1))
    assert row.shape == (11, 9, 1)


def test_same_1d_odd_split():
    """TensorFlow: n=15, f=2, s=2: ⌈15/2⌉ = 8, total (8 − 1)·2 + 2 − 15 = 1, after: (0, 1)."""
    summary = inline((15, 3), "conv:4,2,2,same")
    assert summary.rows[0].shape == (-(-15 // 2), 4)
    assert summary.rows[0].padding == ((0, (8 - 1) * 2 + 2 - 15),)
    assert [w.message for w in summary.warnings] == [
        "'same' padding came out asymmetric: 0 left, 1 right "
        "(TensorFlow's rule puts the odd pixel at the right)"
    ]


def test_same_3d_odd_split_names_every_side():
    """15×10×9, f=2×3×4, s=2×1×1: totals (8 − 1)·2 + 2 − 15 = 1, 9 + 3 − 10 = 2,
    8 + 4 − 9 = 3: (0, 1), (1, 1), (1, 2)."""
    summary = inline((15, 10, 9, 3), "conv:4,2x3x4,2x1x1,same")
    row = summary.rows[0]
    assert row.shape == (-(-15 // 2), 10, 9, 4)
    assert row.padding == ((0, 1), (1, 1), (1, 2))
    assert [w.message for w in summary.warnings] == [
        "'same' padding came out asymmetric: 0 front, 1 back, 1 top, 1 bottom, 1 left, 2 right "
        "(TensorFlow's rule puts the odd pixel at the back, bottom and right)"
    ]


def test_same_symmetric_is_silent_in_3d():
    """s=1, odd f=3: (3 − 1)/2 on each side, no warning."""
    summary = inline((8, 8, 8, 1), "conv:2,3,1,same")
    assert summary.rows[0].padding == ((1, 1),) * 3 and summary.warnings == ()


def test_unused_positions_are_named_per_rank():
    """(9 − 4) mod 3 = 2 positions in 1-D; in 3-D (11 − 3) mod 3 = 2 rows, 9 and 9 fit."""
    assert [w.message for w in inline((9, 1), "conv:1,4,3").warnings] == [
        "stride 3 leaves the last 2 positions unused"
    ]
    assert [w.message for w in inline((9, 11, 9, 1), "conv:1,3,3").warnings] == [
        "stride 3 leaves the last 2 rows unused"
    ]


# --- Layout: chw reads [C, L] and [C, D, H, W] ---


@pytest.mark.parametrize(
    ("hwc", "chw", "params"),
    [
        # conv (3·4 + 1)·8, batch norm 2·8, fc on (100 − 3 + 1)·8 values: (98·8 + 1)·3
        ([100, 4], [4, 100], (3 * 4 + 1) * 8 + 2 * 8 + (98 * 8 + 1) * 3),
        # conv (3·3·3·2 + 1)·8, batch norm 2·8, fc on 2·4·4·8 values
        ([4, 6, 6, 2], [2, 4, 6, 6], (3 * 3 * 3 * 2 + 1) * 8 + 2 * 8 + (2 * 4 * 4 * 8 + 1) * 3),
    ],
)
def test_chw_reads_the_same_network(hwc, chw, params):
    """The same input written channels first gives the same rows, held channels last."""
    layers = ["conv:8,3", "batchnorm", "fc:3"]
    a = engine.analyze(spec.from_document({"input": hwc, "layers": layers}))
    b = engine.analyze(spec.from_document({"layout": "chw", "input": chw, "layers": layers}))
    assert b.input_shape == tuple(hwc)
    assert [r.shape for r in a.rows] == [r.shape for r in b.rows]
    assert a.params == b.params == params


# --- Rank from the input, and what requires one ---


def test_vector_stays_a_vector():
    """[n] is a vector: a conv on it is refused, an fc takes it."""
    with pytest.raises(SpecError, match=r"conv needs a spatial input.*a vector of 100"):
        inline((100,), "conv:3,3")
    assert one((100,), "fc:3").weights == 100 * 3


def test_five_axes_are_refused():
    with pytest.raises(SpecError, match="input has 5 axes, but cnncalc takes at most 3 spatial"):
        spec.from_document({"input": [1, 2, 3, 4, 5], "layers": ["fc:1"]})


def test_conv_takes_its_rank_from_its_input():
    """The same `conv:2,3` in each rank: f^r·C·filters weights."""
    assert one((10, 1), "conv:2,3").weights == 3 * 1 * 2
    assert one((10, 10, 1), "conv:2,3").weights == 3 * 3 * 1 * 2
    assert one((10, 10, 10, 1), "conv:2,3").weights == 3 * 3 * 3 * 1 * 2
