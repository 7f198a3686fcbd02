"""DenseNet-121 and ShuffleNetV2 1.0× of the model library against independent figures.

Every expected figure here comes from outside cnncalc: the totals torchvision
publishes (its model docs, docs.pytorch.org/vision/stable/models.html: DenseNet-121
7,978,856 parameters and 2.83 GFLOPS, ShuffleNetV2 1.0× 2,278,604 and 0.14; the
"GFLOPS" column counts multiply-accumulates, and the weights' `_ops` in torchvision's
source give them to three decimals, 2.834 and 0.145), and arithmetic written out
below from the architectures as torchvision's densenet.py and shufflenetv2.py build
them: each layer's shape by the course's formula, its parameters and MACs (a conv
costs H_out·W_out·C_out·f_h·f_w·C_in/groups, a fully connected layer n_in·n_out) and
its batch norms' running mean and variance, 2·C for a batch norm of C channels.
"""

from __future__ import annotations

import pytest

from cnncalc import spec
from tests.conftest import SPECS
from tests.networks import analyze, out, row

# torchvision's model docs: trainable parameters and GMACs ("GFLOPS") at 224×224×3; the
# `_ops` of the weights' meta in torchvision's source, to three decimals.
PUBLISHED = {
    "densenet121": (7_978_856, "2.83", "2.834"),
    "shufflenet_v2_x1_0": (2_278_604, "0.14", "0.145"),
}


# --- DenseNet-121, by hand -----------------------------------------------------------------
# growth k = 32, bn_size 4 (the bottleneck is 4·32 = 128 channels), 64 initial features,
# dense blocks of (6, 12, 24, 16) layers; a transition halves the channels and the size.
K, BOTTLENECK = 32, 4 * 32
BLOCKS = (6, 12, 24, 16)


def dense_layer(c: int, n: int) -> tuple[int, int, int]:
    """A dense layer on c channels at n×n: (params, non-trainable, MACs).

    norm1 (2c), conv1 1×1 c → 128 without bias (c·128), norm2 (2·128), conv2 3×3 128 → 32
    without bias (9·128·32); the statistics are norm1's and norm2's, 2c + 2·128; the MACs
    are conv1's n²·128·c and conv2's n²·32·9·128 (padding 1 keeps n).
    """
    params = 2 * c + c * BOTTLENECK + 2 * BOTTLENECK + 3 * 3 * BOTTLENECK * K
    return params, 2 * c + 2 * BOTTLENECK, n * n * (BOTTLENECK * c + K * 3 * 3 * BOTTLENECK)


def transition(c: int, n: int) -> tuple[int, int, int]:
    """A transition on c channels at n×n: norm (2c), a 1×1 conv c → c/2 without bias,
    at n×n before the 2×2 average pool; the statistics are the norm's, 2c."""
    return 2 * c + c * (c // 2), 2 * c, n * n * (c // 2) * c


def densenet_by_hand() -> tuple[int, int, int]:
    """DenseNet-121's (params, non-trainable, MACs), layer by layer."""
    n = out(224, 7, 2, 3)  # conv0: 112
    params, stats, macs = 7 * 7 * 3 * 64, 0, n * n * 64 * 7 * 7 * 3  # conv0, no bias
    params, stats = params + 2 * 64, stats + 2 * 64  # norm0
    n = out(n, 3, 2, 1)  # pool0: 56
    c = 64
    for number, layers in enumerate(BLOCKS, 1):
        for _ in range(layers):
            p, s, m = dense_layer(c, n)
            params, stats, macs, c = params + p, stats + s, macs + m, c + K
        if number < len(BLOCKS):
            p, s, m = transition(c, n)
            params, stats, macs, c, n = params + p, stats + s, macs + m, c // 2, n // 2
    assert (n, c) == (7, 1024)
    params, stats = params + 2 * c, stats + 2 * c  # norm5
    return params + c * 1000 + 1000, stats, macs + c * 1000  # classifier


def test_densenet_dense_layer_by_hand():
    """features.denseblock1.denselayer1: 64 channels at 56×56 (224 → conv0 112 → pool0 56);
    its 32 new channels join the 64: 96. 45,440 parameters: 2·64 + 64·128 + 2·128 +
    3·3·128·32; 384 statistics: 2·64 + 2·128."""
    summary = analyze("densenet121")
    n = out(out(224, 7, 2, 3), 3, 2, 1)
    assert n == 56
    layer = row(summary, "features.denseblock1.denselayer1")
    assert layer.input_shape == (56, 56, 64)
    assert layer.shape == (56, 56, 64 + 32)
    assert layer.params == 128 + 8_192 + 256 + 36_864 == 45_440
    assert layer.buffers == 128 + 256 == 384
    conv1 = 56 * 56 * 128 * 64  # 1×1: 25,690,112
    conv2 = 56 * 56 * 32 * 3 * 3 * 128  # 3×3, padding 1: 115,605,504
    assert layer.macs == conv1 + conv2 == 141_295_616
    assert (layer.params, layer.buffers, layer.macs) == dense_layer(64, 56)
    assert row(summary, "features.denseblock1.denselayer1.conv1").macs == conv1
    assert row(summary, "features.denseblock1.denselayer1.conv2").shape == (56, 56, 32)
    # the 24th layer of the third block: 256 + 23·32 = 992 channels at 14×14
    last = row(summary, "features.denseblock3.denselayer24")
    assert last.input_shape == (14, 14, 256 + 23 * 32)
    assert (last.params, last.buffers, last.macs) == dense_layer(992, 14)
    assert last.params == 2 * 992 + 992 * 128 + 256 + 36_864 == 166_080


def test_densenet_transition_by_hand():
    """features.transition1: 64 + 6·32 = 256 channels at 56×56 to 128 at 28×28. 33,280
    parameters: 2·256 (norm) + 256·128 (1×1 conv); 512 statistics; MACs 56·56·128·256,
    the conv's, before the pool."""
    trans = row(analyze("densenet121"), "features.transition1")
    assert trans.input_shape == (56, 56, 64 + 6 * 32)
    assert trans.shape == (out(56, 2, 2), out(56, 2, 2), 128) == (28, 28, 128)
    assert trans.params == 512 + 32_768 == 33_280
    assert trans.buffers == 512
    assert trans.macs == 56 * 56 * 128 * 256 == 102_760_448
    assert (trans.params, trans.buffers, trans.macs) == transition(256, 56)


def test_densenet_shapes_through_the_network():
    """Blocks end at 64 + 6·32 = 256, 128 + 12·32 = 512, 256 + 24·32 = 1,024 and
    512 + 16·32 = 1,024 channels, at 56, 28, 14 and 7; the classifier gives 1,000."""
    summary = analyze("densenet121")
    assert row(summary, "features.denseblock1").shape == (56, 56, 256)
    assert row(summary, "features.denseblock2").shape == (28, 28, 512)
    assert row(summary, "features.denseblock3").shape == (14, 14, 1024)
    assert row(summary, "features.transition3").shape == (7, 7, 512)
    assert row(summary, "features.denseblock4").shape == (7, 7, 1024)
    assert row(summary, "features.norm5").shape == (7, 7, 1024)
    assert row(summary, "classifier").params == 1024 * 1000 + 1000
    assert summary.output_shape == (1000,)


def test_densenet_by_hand_is_the_published_count():
    """The sum layer by layer is torchvision's published 7,978,856 (so the architecture
    written out above is torchvision's), and the spec's counts are the same sums."""
    params, stats, macs = densenet_by_hand()
    assert params == PUBLISHED["densenet121"][0]
    summary = analyze("densenet121")
    assert (summary.params, summary.buffers, summary.macs) == (params, stats, macs)


def test_densenet_nontrainable_by_formula():
    """2·C for each batch norm: norm0 (64); in a block of L layers on c0 channels, layer i
    (from 0) has norm1 on c0 + 32i and norm2 on 128, a sum of L·c0 + 32·L(L − 1)/2 + 128·L;
    each transition's norm on its input; norm5 on 1,024."""

    def block(c0: int, layers: int) -> int:
        return layers * c0 + K * layers * (layers - 1) // 2 + BOTTLENECK * layers

    channels = (
        64  # norm0
        + block(64, 6) + 256  # denseblock1, transition1 (64 + 6·32 = 256)
        + block(128, 12) + 512  # denseblock2, transition2 (128 + 12·32 = 512)
        + block(256, 24) + 1024  # denseblock3, transition3 (256 + 24·32 = 1,024)
        + block(512, 16)  # denseblock4
        + 1024  # norm5
    )  # fmt: skip
    # torchvision 0.29's densenet121(): its running means and variances number 83,648
    assert 2 * channels == densenet_by_hand()[1] == 83_648
    assert analyze("densenet121").buffers == 2 * channels


# --- ShuffleNetV2 1.0×, by hand ------------------------------------------------------------
# stages_repeats (4, 8, 4), stages_out_channels (24, 116, 232, 464, 1024); a unit's
# branch_features b is half its output channels.


def down_unit(c: int, b: int, n: int) -> tuple[int, int, int]:
    """A stride-2 unit on c channels at n×n, m = n/2 out, to 2b channels:
    (params, non-trainable, MACs).

    branch1: depthwise 3×3 (9c) at m, BN(c), 1×1 c → b (cb) at m, BN(b);
    branch2: 1×1 c → b (cb) at n, BN(b), depthwise 3×3 (9b) at m, BN(b), 1×1 b → b (b²)
    at m, BN(b). No conv has a bias.
    """
    m = out(n, 3, 2, 1)
    params = (9 * c + 2 * c + c * b + 2 * b) + (c * b + 2 * b + 9 * b + 2 * b + b * b + 2 * b)
    stats = (2 * c + 2 * b) + 3 * 2 * b
    macs = m * m * (c * 9 + b * c) + n * n * b * c + m * m * (b * 9 + b * b)
    return params, stats, macs


def unit(b: int, n: int) -> tuple[int, int, int]:
    """A stride-1 unit on 2b channels at n×n: half pass on; branch2 on the other b is a
    1×1 b → b (b²), BN(b), depthwise 3×3 (9b), BN(b), 1×1 (b²), BN(b)."""
    return 2 * b * b + 9 * b + 3 * 2 * b, 3 * 2 * b, n * n * (2 * b * b + 9 * b)


def shufflenet_by_hand() -> tuple[int, int, int]:
    """ShuffleNetV2 1.0×'s (params, non-trainable, MACs), unit by unit."""
    n = out(224, 3, 2, 1)  # conv1: 112
    params, stats, macs = 3 * 3 * 3 * 24 + 2 * 24, 2 * 24, n * n * 24 * 3 * 3 * 3
    n = out(n, 3, 2, 1)  # maxpool: 56
    c = 24
    for repeats, channels in zip((4, 8, 4), (116, 232, 464), strict=True):
        b = channels // 2
        p, s, m = down_unit(c, b, n)
        params, stats, macs, n, c = params + p, stats + s, macs + m, out(n, 3, 2, 1), channels
        for _ in range(repeats - 1):
            p, s, m = unit(b, n)
            params, stats, macs = params + p, stats + s, macs + m
    assert (n, c) == (7, 464)
    params, stats, macs = params + c * 1024 + 2 * 1024, stats + 2 * 1024, macs + n * n * 1024 * c
    return params + 1024 * 1000 + 1000, stats, macs + 1024 * 1000  # fc


def test_shufflenet_stride_2_unit_by_hand():
    """stage2.0: 24 channels at 56×56 (224 → conv1 112 → maxpool 56) to 58 + 58 = 116 at
    28×28. 7,398 parameters: branch1 9·24 + 2·24 + 24·58 + 2·58 = 1,772, branch2
    24·58 + 2·58 + 9·58 + 2·58 + 58·58 + 2·58 = 5,626."""
    summary = analyze("shufflenet_v2_x1_0")
    unit_row = row(summary, "stage2.0")
    assert unit_row.input_shape == (56, 56, 24)
    assert unit_row.shape == (28, 28, 116)
    branch1 = row(summary, "stage2.0.branch1")
    branch2 = row(summary, "stage2.0.branch2")
    assert branch1.params == 216 + 48 + 1_392 + 116 == 1_772
    assert branch2.params == 1_392 + 116 + 522 + 116 + 3_364 + 116 == 5_626
    assert branch1.shape == branch2.shape == (28, 28, 58)
    assert unit_row.params == 1_772 + 5_626 == 7_398
    assert unit_row.buffers == 2 * (24 + 58) + 2 * (58 + 58 + 58) == 512
    # depthwise at 28²: 9 taps a channel; the 1×1s at 28², but branch2's first at 56²
    branch1_macs = 28 * 28 * 24 * 9 + 28 * 28 * 58 * 24
    branch2_macs = 56 * 56 * 58 * 24 + 28 * 28 * 58 * 9 + 28 * 28 * 58 * 58
    assert branch1.macs == branch1_macs
    assert branch2.macs == branch2_macs
    assert unit_row.macs == branch1_macs + branch2_macs
    assert (unit_row.params, unit_row.buffers, unit_row.macs) == down_unit(24, 58, 56)
    assert row(summary, "stage2.0 channel_shuffle").shape == (28, 28, 116)


def test_shufflenet_stride_1_unit_by_hand():
    """stage3.1: 232 channels at 14×14; x.chunk(2) gives branch2 116 of them, and 116 pass
    on: 116 + 116 = 232 out. 28,652 parameters: 116² + 2·116 + 9·116 + 2·116 + 116² +
    2·116; MACs 14²·(2·116² + 9·116)."""
    summary = analyze("shufflenet_v2_x1_0")
    unit_row = row(summary, "stage3.1")
    assert unit_row.input_shape == unit_row.shape == (14, 14, 232)
    branch2 = row(summary, "stage3.1.branch2")
    assert branch2.input_shape == branch2.shape == (14, 14, 232 // 2)
    assert unit_row.params == 13_456 + 232 + 1_044 + 232 + 13_456 + 232 == 28_652
    assert unit_row.buffers == 3 * 2 * 116 == 696
    assert unit_row.macs == 14 * 14 * (2 * 116 * 116 + 9 * 116) == 5_479_376
    assert (unit_row.params, unit_row.buffers, unit_row.macs) == unit(116, 14)
    assert row(summary, "stage3.1 channel_shuffle").params == 0


def test_shufflenet_shapes_through_the_network():
    """112 after conv1, 56 after the max pool, halved by each stage's first unit: 28, 14,
    7; conv5 to 1,024 channels, the mean over H and W, and 1,000 classes."""
    summary = analyze("shufflenet_v2_x1_0")
    assert row(summary, "conv1").shape == (112, 112, 24)
    assert row(summary, "maxpool").shape == (56, 56, 24)
    assert row(summary, "stage2").shape == (28, 28, 116)
    assert row(summary, "stage3").shape == (14, 14, 232)
    assert row(summary, "stage4").shape == (7, 7, 464)
    assert row(summary, "conv5").shape == (7, 7, 1024)
    assert row(summary, "conv5").params == 464 * 1024 + 2 * 1024
    assert row(summary, "fc").params == 1024 * 1000 + 1000
    assert summary.output_shape == (1000,)


def test_shufflenet_by_hand_is_the_published_count():
    """The sum unit by unit is torchvision's published 2,278,604, and the spec's counts
    are the same sums."""
    params, stats, macs = shufflenet_by_hand()
    assert params == PUBLISHED["shufflenet_v2_x1_0"][0]
    summary = analyze("shufflenet_v2_x1_0")
    assert (summary.params, summary.buffers, summary.macs) == (params, stats, macs)


def test_shufflenet_nontrainable_by_formula():
    """2·C for each batch norm: conv1's 24; a stride-2 unit from c to 2b has BN(c) and
    three BN(b) in its branches plus one in branch1: c + 4b; a stride-1 unit 3b; conv5's
    1,024."""
    channels = (
        24
        + (24 + 4 * 58) + 3 * 3 * 58  # stage2: 1 + 3 units
        + (116 + 4 * 116) + 7 * 3 * 116  # stage3: 1 + 7 units
        + (232 + 4 * 232) + 3 * 3 * 232  # stage4: 1 + 3 units
        + 1024
    )  # fmt: skip
    # torchvision 0.29's shufflenet_v2_x1_0(): its running means and variances number 16,180
    assert 2 * channels == shufflenet_by_hand()[1] == 16_180
    assert analyze("shufflenet_v2_x1_0").buffers == 2 * channels


# --- both --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_totals_and_gmacs(name):
    """torchvision's count, and its GMACs to two decimals (docs) and three (`_ops`)."""
    params, docs, ops = PUBLISHED[name]
    summary = analyze(name)
    assert summary.params == params
    assert f"{summary.macs / 10**9:.2f}" == docs
    assert f"{summary.macs / 10**9:.3f}" == ops
    assert summary.output_shape == (1000,)


@pytest.mark.parametrize("name", PUBLISHED)
def test_description_states_the_published_figures(name):
    """`cnncalc list` shows the published count and the docs' GMACs."""
    params, docs, _ = PUBLISHED[name]
    description = spec.load(str(SPECS / f"{name}.yaml")).description
    assert description.endswith(f"at 224×224×3 ({params:,} parameters, {docs} GMACs)")


@pytest.mark.parametrize("name", PUBLISHED)
def test_check_strict_passes(run, name):
    """`cnncalc check --strict`: the expectations hold and nothing warns."""
    result = run("check", str(SPECS / f"{name}.yaml"), "--strict")
    assert result.exit_code == 0, result.stdout
    assert "1 file checked: 1 passed, 0 failed" in result.stdout
