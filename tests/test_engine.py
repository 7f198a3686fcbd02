"""The dimension engine against the course's worked examples and published totals."""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError
from cnncalc.layers import Conv, Dense, Pool
from tests.conftest import SPECS


def analyze(name: str) -> engine.Summary:
    return engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))


def test_course_lenet_table_every_cell():
    """The course's LeNet table (week 1, 'Neural network example'), cell by cell."""
    summary = analyze("lenet5")
    assert summary.input_shape == (32, 32, 3)
    assert summary.input_size == 3072
    table = [(row.name, row.shape, row.size, row.params) for row in summary.rows]
    assert table == [
        ("CONV1", (28, 28, 8), 6272, 608),
        ("POOL1", (14, 14, 8), 1568, 0),
        ("CONV2", (10, 10, 16), 1600, 3216),
        ("POOL2", (5, 5, 16), 400, 0),
        ("FC3", (120,), 120, 48120),
        ("FC4", (84,), 84, 10164),
        ("Softmax", (10,), 10, 850),
    ]


def test_course_lenet_parameters_by_hand():
    """Each count as the course derives it: (f·f·n_c_prev + 1)·n_c, n_in·n_out + n_out."""
    rows = analyze("lenet5").rows
    assert rows[0].weights == 5 * 5 * 3 * 8 and rows[0].biases == 8
    assert rows[2].weights == 5 * 5 * 8 * 16 and rows[2].biases == 16
    assert rows[4].weights == (5 * 5 * 16) * 120 and rows[4].biases == 120
    assert rows[5].weights == 120 * 84 and rows[5].biases == 84
    assert rows[6].weights == 84 * 10 and rows[6].biases == 10


def test_course_lenet_totals():
    """The JSON contract's totals: 62,958 = 62,720 weights + 238 biases."""
    summary = analyze("lenet5")
    assert summary.params == 608 + 3216 + 48120 + 10164 + 850 == 62958
    assert summary.weights == 600 + 3200 + 48000 + 10080 + 840 == 62720
    assert summary.biases == 8 + 16 + 120 + 84 + 10 == 238


def test_simple_convnet_course_example():
    """The course's 39×39×3 example: 37×37×10, 17×17×20, 7×7×40, 1,960 features."""
    shapes = [row.shape for row in analyze("simple-convnet").rows]
    assert shapes[:4] == [(37, 37, 10), (17, 17, 20), (7, 7, 40), (7 * 7 * 40,)]


@pytest.mark.parametrize(
    ("name", "published"),
    [
        # LeNet-5 with full C3 connections, as Keras and PyTorch tutorials build it:
        # 156 + 2,416 + 48,120 + 10,164 + 850.
        ("lenet5-classic", 61_706),
        # torchvision.models.alexnet(): sum(p.numel() for p in model.parameters())
        ("alexnet", 61_100_840),
        # torchvision.models.vgg16() and keras.applications.VGG16().count_params()
        ("vgg16", 138_357_544),
    ],
)
def test_published_totals(name, published):
    """Bundled specs give the totals torchvision and Keras publish."""
    assert analyze(name).params == published


def test_alexnet_layer_by_layer():
    """AlexNet's counts written out: conv (f·f·c_in + 1)·k, fc (n_in + 1)·n_out."""
    params = [row.params for row in analyze("alexnet").rows if row.params]
    assert params == [
        (11 * 11 * 3 + 1) * 64,
        (5 * 5 * 64 + 1) * 192,
        (3 * 3 * 192 + 1) * 384,
        (3 * 3 * 384 + 1) * 256,
        (3 * 3 * 256 + 1) * 256,
        (6 * 6 * 256 + 1) * 4096,
        (4096 + 1) * 4096,
        (4096 + 1) * 1000,
    ]


def test_alexnet_shapes():
    """floor((224 + 4 - 11)/4) + 1 = 55, then 27, 13 and 6 after the pools."""
    shapes = [row.shape for row in analyze("alexnet").rows if row.kind in ("conv", "maxpool")]
    assert shapes == [
        (55, 55, 64), (27, 27, 64), (27, 27, 192), (13, 13, 192),
        (13, 13, 384), (13, 13, 256), (13, 13, 256), (6, 6, 256),
    ]  # fmt: skip


def test_rows_add_up_to_totals():
    """The printed totals are the sums of the rows, for every bundled spec."""
    for path in SPECS.glob("*.yaml"):
        summary = engine.analyze(spec.load(str(path)))
        assert summary.params == sum(row.params for row in summary.rows)
        assert summary.params == summary.weights + summary.biases
        for row in summary.rows:
            assert row.params == row.weights + row.biases


def inline(input, *layers):
    return engine.analyze(spec.from_layers(input, layers))


def test_padding_keeps_six_by_six():
    """Course: a 6×6 image, f=3, p=1 gives 6×6 again: (6 + 2 - 3)/1 + 1."""
    assert inline((6, 6, 1), "conv:1,3,1,1").rows[0].shape == (6, 6, 1)


def test_strided_seven_by_seven():
    """Course: 7×7 with f=3, s=2 gives 3×3: floor((7 - 3)/2) + 1."""
    assert inline((7, 7, 1), "conv:1,3,2").rows[0].shape == (3, 3, 1)


def test_cs231n_example():
    """CS231n: 32×32×3, ten 5×5 filters, stride 1, pad 2: 32×32×10 and 760 parameters."""
    row = inline((32, 32, 3), "conv:10,5,1,2").rows[0]
    assert row.shape == (32, 32, 10)
    assert row.params == (5 * 5 * 3 + 1) * 10 == 760


def test_per_axis_kernel_stride_padding():
    """Height and width follow their own f, s and p: (20+2-3)//1+1, (30+4-5)//2+1."""
    row = inline((20, 30, 4), {"type": "conv", "filters": 2, "kernel": [3, 5],
                               "stride": [1, 2], "padding": [1, 2]}).rows[0]  # fmt: skip
    assert row.shape == (20, 15, 2)
    assert row.weights == 3 * 5 * 4 * 2


def test_four_sided_padding():
    """[top, bottom, left, right]: 10 + 1 + 2 - 3 + 1 = 11 rows, 10 + 0 + 0 - 3 + 1 = 8 columns."""
    row = inline((10, 10, 1), {"type": "maxpool", "kernel": 3, "stride": 1,
                               "padding": [1, 1, 0, 0]}).rows[0]  # fmt: skip
    assert row.shape == (10, 8, 1)
    row = inline((10, 10, 1), {"type": "conv", "filters": 1, "kernel": 3,
                               "padding": [1, 2, 0, 0]}).rows[0]  # fmt: skip
    assert row.shape == (11, 8, 1)


def test_same_padding_stride_one_odd_kernel_is_symmetric():
    """'same' with s=1 and odd f pads (f-1)/2 per side and keeps the size, warning-free."""
    summary = inline((28, 28, 3), "conv:4,5,1,same")
    assert summary.rows[0].shape == (28, 28, 4)
    assert summary.rows[0].padding == ((2, 2), (2, 2))
    assert summary.warnings == ()


def test_same_padding_tensorflow_rule_asymmetric():
    """TF: n=15, f=2, s=2: out = ceil(15/2) = 8, total = (8-1)·2 + 2 - 15 = 1, after gets it."""
    summary = inline((15, 15, 3), "conv:4,2,2,same")
    assert summary.rows[0].shape == (8, 8, 4)
    assert summary.rows[0].padding == ((0, 1), (0, 1))
    assert [w.message for w in summary.warnings] == [
        "'same' padding came out asymmetric: 0 top, 1 bottom, 0 left, 1 right "
        "(TensorFlow's rule puts the odd pixel at the bottom and right)"
    ]


def test_same_padding_even_kernel_stride_one():
    """TF: n=10, f=4, s=1: total = 9 + 4 - 10 = 3, so 1 before and 2 after."""
    summary = inline((10, 10, 1), "maxpool:4,1,same")
    assert summary.rows[0].shape == (10, 10, 1)
    assert summary.rows[0].padding == ((1, 2), (1, 2))


def test_floor_leaves_last_row_unused():
    """(15 - 2) mod 2 = 1: the 15th row and column never fall under a window."""
    summary = inline((15, 15, 8), "maxpool:2")
    assert summary.rows[0].shape == (7, 7, 8)
    assert [w.message for w in summary.warnings] == [
        "stride 2 leaves the last row and the last column unused"
    ]
    assert summary.warnings[0].layer.name == "POOL0"


def test_floor_drop_inside_padding_is_not_a_warning():
    """n=6, f=3, s=2, p=1: (6 + 2 - 3) mod 2 = 1 position dropped, and it is padding."""
    summary = inline((6, 6, 1), "conv:1,3,2,1")
    assert summary.rows[0].shape == (3, 3, 1)
    assert summary.warnings == ()


def test_floor_counts_several_rows():
    """11 rows, f=3, s=3: (11 - 3) mod 3 = 2 rows lost; 13 columns: (13 - 3) mod 3 = 1."""
    summary = inline((11, 13, 1), "maxpool:3")
    assert summary.warnings[0].message == (
        "stride 3 leaves the last 2 rows and the last column unused"
    )


def test_kernel_smaller_than_stride_skips_rows_by_design():
    """A 1×1, stride-2 conv (ResNet's shortcut) reads every other row: no warning."""
    summary = inline((56, 56, 64), "conv:128,1,2")
    assert summary.rows[0].shape == (28, 28, 128)  # (56 - 1)//2 + 1
    assert summary.warnings == ()


def test_fc_flattens_a_volume():
    """An fc layer on 5×5×16 sees 400 inputs, as the course's FC3 does."""
    row = inline((5, 5, 16), "fc:120").rows[0]
    assert row.shape == (120,)
    assert row.weights == 400 * 120


def test_bias_false():
    """Without bias a conv holds only f·f·c_in·n_c weights."""
    row = inline((32, 32, 3), "conv:8,5,bias=false").rows[0]
    assert (row.weights, row.biases) == (5 * 5 * 3 * 8, 0)


def test_softmax_without_units_keeps_the_shape():
    """A plain softmax is element-wise: no parameters."""
    row = inline((10,), "softmax").rows[0]
    assert (row.shape, row.params) == ((10,), 0)


def test_default_names_follow_the_course():
    """Only layers with weights are numbered; a pool takes its conv's number."""
    summary = inline((32, 32, 3), "conv:8,5", "relu", "maxpool:2", "conv:16,5", "avgpool:2",
                     "flatten", "fc:120", "sigmoid", "fc:84", "tanh", "softmax:10")  # fmt: skip
    assert [row.name for row in summary.rows] == [
        "CONV1", "ReLU", "POOL1", "CONV2", "POOL2", "Flatten", "FC3", "Sigmoid", "FC4",
        "Tanh", "Softmax",
    ]  # fmt: skip


def test_huge_numbers_stay_exact():
    """Counts are Python integers: 10^6 × 10^6 × 3 inputs into 50,000 units, no float:
    1.5 × 10^17 weights, under the 10^18 limit."""
    row = inline((10**6, 10**6, 3), "fc:50000").rows[0]
    assert row.weights == 3 * 10**12 * 50_000 == 150_000_000_000_000_000
    assert isinstance(row.weights, int)


def test_layers_as_python_objects():
    """A Python caller can pass layer dataclasses directly."""
    summary = inline((32, 32, 3), Conv(8, (5, 5)), Pool("max", (2, 2)), Dense(10))
    assert [row.shape for row in summary.rows] == [(28, 28, 8), (14, 14, 8), (10,)]


def test_kernel_larger_than_padded_input():
    """CONV2 on LeNet with an 8×8 input: 8 → 4 → 2 after the pool, and f=5 > 2."""
    with pytest.raises(SpecError) as caught:
        inline((8, 8, 3), "conv:8,5", "maxpool:2", "conv:16,5")
    assert str(caught.value) == ("layer 3 (CONV2): kernel 5 is larger than the padded input 2×2")


def test_conv_on_a_vector():
    """A conv after an fc layer has no spatial input to slide over."""
    with pytest.raises(
        SpecError, match=r"conv needs a spatial input, \(L, C\), \(H, W, C\) or \(D, H, W, C\)"
    ):
        inline((32, 32, 3), "fc:10", "conv:3,3")


def test_pool_padding_over_half_the_kernel():
    """PyTorch's rule: pooling padding may be at most half the kernel."""
    with pytest.raises(SpecError, match="padding 2 is more than half the kernel 3"):
        inline((8, 8, 1), "maxpool:3,1,2")
    assert inline((8, 8, 1), "maxpool:4,1,2").rows[0].shape == (9, 9, 1)  # (8+4-4)/1+1
