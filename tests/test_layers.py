"""The layers of issue 6, each worked out by hand: shapes, parameters and MACs."""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError


def rows(input, *layers):
    return engine.analyze(spec.from_layers(input, layers)).rows


def one(input, layer):
    return rows(input, layer)[0]


def fails(input, *layers) -> str:
    with pytest.raises(SpecError) as caught:
        rows(input, *layers)
    return caught.value.message


def test_dilated_conv():
    """f=3, d=2 covers 2·(3 − 1) + 1 = 5 rows: 32 → 28; the weights are still 3·3·16·8."""
    row = one((32, 32, 16), {"type": "conv", "filters": 8, "kernel": 3, "dilation": 2})
    assert row.shape == (28, 28, 8)
    assert (row.weights, row.biases) == (3 * 3 * 16 * 8, 8)
    assert row.macs == 28 * 28 * 8 * (3 * 3 * 16)
    assert row.field.size == (5, 5)


def test_depthwise_conv():
    """One 3×3 filter per channel: 3·3·1·16 weights + 16 biases; MACs 32·32·16·9."""
    row = one((32, 32, 16), {"type": "conv", "depthwise": True, "kernel": 3, "padding": 1})
    assert row.shape == (32, 32, 16)
    assert (row.weights, row.biases) == (3 * 3 * 16, 16)
    assert row.macs == 32 * 32 * 16 * 3 * 3


def test_depthwise_multiplier():
    """32 filters on 16 channels: two per channel, 3·3·1·32 weights."""
    row = one((8, 8, 16), {"type": "conv", "filters": 32, "depthwise": True, "kernel": 3})
    assert row.weights == 3 * 3 * 1 * 32


def test_grouped_conv():
    """groups=4: each filter sees 32/4 = 8 channels: 3·3·8·64 weights."""
    row = one((16, 16, 32), {"type": "conv", "filters": 64, "kernel": 3, "groups": 4})
    assert row.shape == (14, 14, 64)
    assert row.weights == 3 * 3 * 8 * 64
    assert row.macs == 14 * 14 * 64 * (3 * 3 * 8)


def test_groups_must_divide():
    """A group count that does not divide the channels is an error naming both."""
    assert fails((8, 8, 30), "conv:64,3,groups=4") == (
        "groups 4 does not divide the input's 30 channels"
    )
    assert fails((8, 8, 32), "conv:30,3,groups=4") == "groups 4 does not divide the 30 filters"
    assert fails((8, 8, 3), "conv:8,3,depthwise=true") == (
        "a depthwise conv needs filters a multiple of its input's 3 channels, got 8"
    )


def test_conv_needs_filters_unless_depthwise():
    """Only a depthwise conv may leave out its filters."""
    assert fails((8, 8, 3), "conv:kernel=3") == (
        "conv needs filters (number of filters n_c), e.g. conv:16,5; only a depthwise conv "
        "may leave them out"
    )


def test_strided_transposed_conv_with_output_padding():
    """PyTorch: s(n − 1) − 2p + d(f − 1) + output_padding + 1 = 2·6 − 2 + 2 + 1 + 1 = 14."""
    row = one(
        (7, 7, 16),
        {"type": "convtranspose", "filters": 8, "kernel": 3, "stride": 2, "padding": 1,
         "output_padding": 1},
    )  # fmt: skip
    assert row.shape == (14, 14, 8)
    assert (row.weights, row.biases) == (3 * 3 * 16 * 8, 8)
    # Every input value meets every weight of the 8 filters: 7·7·16·(3·3·8).
    assert row.macs == 7 * 7 * 16 * 3 * 3 * 8
    assert (row.field, row.lost) == (None, "n/a")


def test_transposed_conv_valid_and_same():
    """Keras: valid gives s(n − 1) + f = 2·6 + 3 = 15; same gives n·s = 14."""
    assert one((7, 7, 1), "deconv:1,3,2,valid").shape == (15, 15, 1)
    assert one((7, 7, 1), "deconv:1,3,2,same").shape == (14, 14, 1)


def test_output_padding_below_the_stride():
    """PyTorch requires output_padding < max(stride, dilation)."""
    assert fails((7, 7, 1), "deconv:1,3,2,output_padding=2") == (
        "output_padding 2 must be smaller than the stride or the dilation (PyTorch's rule)"
    )


def test_adaptive_pool_with_overlapping_windows():
    """5 → 3: PyTorch's windows [⌊i·5/3⌋, ⌈(i+1)·5/3⌉) are [0,2), [1,4), [3,5): they overlap."""
    row = one((5, 5, 4), "adaptiveavgpool:3")
    assert row.shape == (3, 3, 4)
    assert (row.params, row.macs) == (0, 0)
    assert (row.field, row.lost) == (None, "n/a")  # windows of 2 and 3: no single field


def test_adaptive_pool_with_even_windows():
    """14 → 7 is a plain 2×2, stride-2 pool: its field grows like one."""
    row = one((14, 14, 4), "adaptiveavgpool:7")
    assert row.shape == (7, 7, 4)
    assert (row.window.kernel, row.window.stride) == ((2, 2), (2, 2))
    assert row.field.size == (2, 2)


def test_global_average_pool():
    """7×7×512 → 1×1×512, every output sees everything."""
    row = one((7, 7, 512), "globalavgpool")
    assert row.shape == (1, 1, 512)
    assert (row.field, row.lost) == (None, "all")


def test_batchnorm_counts():
    """2·C trainable (scale, shift), 2·C non-trainable (running mean, variance)."""
    summary = engine.analyze(spec.from_layers((8, 8, 3), ["conv:64,3,bias=false", "batchnorm"]))
    bn = summary.rows[1]
    assert (bn.weights, bn.biases, bn.buffers) == (64, 64, 2 * 64)
    assert bn.name == "BN1"  # takes its conv's number, as a pool does
    assert summary.params == 3 * 3 * 3 * 64 + 2 * 64
    assert summary.buffers == 2 * 64
    assert one((4, 4, 3), "batchnorm:affine=false").params == 0


def test_zeropad():
    """[top, bottom, left, right] = [1, 2, 3, 4]: 8 + 3 rows, 8 + 7 columns; start −1, −3."""
    row = one((8, 8, 2), {"type": "zeropad", "padding": [1, 2, 3, 4]})
    assert row.shape == (11, 15, 2)
    assert row.field.start == (-1, -3)


def test_upsample():
    """Nearest neighbour by 2×3: 4·2 rows and 5·3 columns."""
    row = one((4, 5, 1), "upsample:2x3")
    assert row.shape == (8, 15, 1)
    assert row.lost == "n/a"


def test_ceil_mode_pool():
    """GoogLeNet's pools: 112 → ⌈(112 − 3)/2⌉ + 1 = 56, where the floor gives 55."""
    assert one((112, 112, 64), "maxpool:3,2,ceil=true").shape == (56, 56, 64)
    assert one((112, 112, 64), "maxpool:3,2").shape == (55, 55, 64)


def test_ceil_mode_drops_a_window_starting_in_the_padding():
    """n=5, f=2, s=2, p=1: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but window 4 would start at 6 ≥ 5 + 1."""
    assert one((5, 5, 1), "maxpool:2,2,1,ceil=true").shape == (3, 3, 1)


def test_dropout():
    """No parameters, shape unchanged; the rate is checked."""
    row = one((10,), "dropout:0.5")
    assert (row.shape, row.params) == ((10,), 0)
    assert fails((10,), "dropout:1.5") == "rate must be a number from 0 up to 1, got '1.5'"


def test_new_activations():
    """relu6, silu (swish) and others are element-wise."""
    names = [row.name for row in rows((4,), "relu6", "swish", "gelu", "leakyrelu", "hardswish")]
    assert names == ["ReLU6", "SiLU", "GELU", "LeakyReLU", "Hardswish"]


def test_explain_new_layers(run):
    """explain works out the transposed conv, a ceil-mode pool and a batch norm."""
    output = run(
        "explain", "--input", "7x7x16", "deconv:8,3,2,1,output_padding=1", "batchnorm",
        "maxpool:3,2,ceil=true",
    ).stdout  # fmt: skip
    lines = output.splitlines()
    assert "  n_H = 2·(7 − 1) − 2·1 + 1·(3 − 1) + 1 + 1 = 14" in lines
    assert "  params = 3·3·16·8 + 8 = 1,160" in lines  # 1,152 + 8
    assert "  non-trainable = 2·8 = 16, a running mean and variance" in lines
    assert "  n_H = n_W = ⌈(14 + 2·0 − 3)/2⌉ + 1 = 7" in lines  # ⌈5.5⌉ + 1
    # Figures of four digits or more have their separators, as in every worked line.
    wide = run("explain", "--input", "1000x8x3", "deconv:4,3,2,1").stdout.splitlines()
    assert f"  n_H = 2·(1,000 − 1) − 2·1 + 1·(3 − 1) + 0 + 1 = {2 * 999 - 2 + 2 + 1:,}" in wide


def test_rows_left_unused_after_a_zeropad_are_padding():
    """Keras's stem: zeropad 3 then a 7×7, stride-2 conv: (230 − 7) mod 2 = 1 row left,
    and it is one of the three padded ones, so no warning; without the zeropad, one is real."""
    padded = engine.analyze(spec.from_layers((224, 224, 3), ["zeropad:3", "conv:64,7,2"]))
    assert padded.rows[1].shape == (112, 112, 64)  # (230 − 7)//2 + 1
    assert padded.warnings == ()
    plain = engine.analyze(spec.from_layers((224, 224, 3), ["conv:64,7,2"]))
    assert [w.message for w in plain.warnings] == [
        "stride 2 leaves the last row and the last column unused"
    ]


def test_element_wise_layers_keep_the_padding_rows():
    """A ReLU or batch norm between the zeropad and the conv changes nothing."""
    summary = engine.analyze(
        spec.from_layers((224, 224, 3), ["zeropad:3", "batchnorm", "relu", "conv:64,7,2"])
    )
    assert summary.warnings == ()


def test_adaptive_pool_to_one_is_global():
    """adaptiveavgpool to 1×1 sees everything, like globalavgpool."""
    row = one((7, 7, 8), "adaptiveavgpool:1")
    assert (row.shape, row.field, row.lost) == ((1, 1, 8), None, "all")
