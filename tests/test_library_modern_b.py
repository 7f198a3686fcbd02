"""MobileNetV3-Large, EfficientNet-B0 and ConvNeXt-T of the model library against independent
figures.

Every expected figure here comes from outside cnncalc: the totals torchvision publishes
(its model docs, docs.pytorch.org/vision/stable/models.html: MobileNetV3-Large 5,483,032
parameters and 0.22 GFLOPS, EfficientNet-B0 5,288,548 and 0.39, ConvNeXt-T 28,589,128 and
4.46; the "GFLOPS" column counts multiply-accumulates, and the weights' `_ops` in
torchvision's source give them to three decimals, 0.217, 0.386 and 4.456), and arithmetic
written out below from the architectures as torchvision's mobilenetv3.py, efficientnet.py
and convnext.py build them: each layer's shape by the course's formula, its parameters and
MACs (a conv costs H_out·W_out·C_out·f_h·f_w·C_in/groups, a fully connected layer
n_in·n_out, a Linear used at each position H·W·n_in·n_out) and its batch norms' running
mean and variance, 2·C for a batch norm of C channels; a LayerNorm has none.

What neither count includes: the products of squeeze-and-excitation (scale · input,
H·W·C multiplies a block) and of layer scale (H·W·C a CNBlock), the residual sums, the
norms, the activations and the pools. torchvision's `_ops` counts convolutions and matrix
products only, as cnncalc does, so the figures agree to the last published digit (and,
where torch is installed, tests/test_torchvision_modern_b.py finds cnncalc's MACs equal to
half the FLOPs of torch's FlopCounterMode, to the unit).
"""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from cnncalc.spec import schema
from tests.conftest import SPECS
from tests.networks import analyze, out, row

# torchvision's model docs: trainable parameters and GMACs ("GFLOPS") at 224×224×3; the
# `_ops` of the weights' meta in torchvision's source, to three decimals.
PUBLISHED = {
    "mobilenet_v3_large": (5_483_032, "0.22", "0.217"),
    "efficientnet_b0": (5_288_548, "0.39", "0.386"),
    "convnext_tiny": (28_589_128, "4.46", "4.456"),
}


def make_divisible(v: int, divisor: int = 8) -> int:
    """torchvision's _make_divisible: v rounded to a multiple of 8, never 10% below v."""
    new = max(divisor, (v + divisor // 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class Count:
    """Parameters, non-trainable values and MACs, added up layer by layer."""

    def __init__(self) -> None:
        self.params = self.buffers = self.macs = 0

    def conv(self, n_out: int, c_in: int, c_out: int, f: int, groups: int = 1, bias: bool = False):
        self.params += f * f * c_in // groups * c_out + (c_out if bias else 0)
        self.macs += n_out * n_out * c_out * f * f * c_in // groups

    def bn(self, c: int):
        self.params += 2 * c
        self.buffers += 2 * c

    def layernorm(self, c: int):
        self.params += 2 * c

    def fc(self, positions: int, n_in: int, n_out: int):
        self.params += n_in * n_out + n_out
        self.macs += positions * n_in * n_out

    def se(self, c: int, squeeze: int):
        """avgpool to 1×1×c, fc1 (a 1×1 conv with a bias) to squeeze, fc2 back to c."""
        self.conv(1, c, squeeze, 1, bias=True)
        self.conv(1, squeeze, c, 1, bias=True)


def test_make_divisible_gives_torchvisions_squeeze_widths():
    """The squeeze widths written out in mobilenet_v3_large.yaml, from the rule."""
    assert [make_divisible(c // 4) for c in (72, 120, 480, 672, 960)] == [24, 32, 120, 168, 240]
    # 72 // 4 = 18 rounds to 16, 11% below 18: one more step, 24.
    assert (18 + 4) // 8 * 8 == 16 < 0.9 * 18


# --- MobileNetV3-Large, by hand --------------------------------------------------------------
# torchvision's InvertedResidualConfig rows: (c_in, kernel, expanded, c_out, use_se, stride);
# the activation (ReLU or hard swish) changes no count; every dilation is 1.
MOBILENET_V3 = [
    (16, 3, 16, 16, False, 1),
    (16, 3, 64, 24, False, 2),
    (24, 3, 72, 24, False, 1),
    (24, 5, 72, 40, True, 2),
    (40, 5, 120, 40, True, 1),
    (40, 5, 120, 40, True, 1),
    (40, 3, 240, 80, False, 2),
    (80, 3, 200, 80, False, 1),
    (80, 3, 184, 80, False, 1),
    (80, 3, 184, 80, False, 1),
    (80, 3, 480, 112, True, 1),
    (112, 3, 672, 112, True, 1),
    (112, 5, 672, 160, True, 2),
    (160, 5, 960, 160, True, 1),
    (160, 5, 960, 160, True, 1),
]


def mobilenet_v3_large() -> Count:
    count = Count()
    n = out(224, 3, 2, 1)  # 112
    count.conv(n, 3, 16, 3)  # features.0: 3×3 stride 2, hard swish
    count.bn(16)
    for c_in, k, hidden, c_out, use_se, stride in MOBILENET_V3:
        if hidden != c_in:  # the 1×1 expansion
            count.conv(n, c_in, hidden, 1)
            count.bn(hidden)
        n = out(n, k, stride, (k - 1) // 2)
        count.conv(n, hidden, hidden, k, groups=hidden)  # depthwise
        count.bn(hidden)
        if use_se:
            count.se(hidden, make_divisible(hidden // 4))
        count.conv(n, hidden, c_out, 1)  # the linear projection
        count.bn(c_out)
    assert n == 7
    count.conv(n, 160, 6 * 160, 1)  # features.16: 960 channels
    count.bn(6 * 160)
    count.fc(1, 960, 1280)  # classifier.0, then hard swish and dropout
    count.fc(1, 1280, 1000)  # classifier.3
    return count


# --- EfficientNet-B0, by hand ----------------------------------------------------------------
# torchvision's MBConvConfig rows: (expand_ratio, kernel, stride, c_in, c_out, layers).
EFFICIENTNET_B0 = [
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]


def mbconv(count: Count, n: int, c_in: int, c_out: int, t: int, k: int, stride: int) -> int:
    """One MBConv on n×n×c_in; returns its output's side. Stochastic depth counts nothing."""
    hidden = make_divisible(c_in * t)  # 6·c_in, each a multiple of 8 already
    assert hidden == c_in * t
    if hidden != c_in:
        count.conv(n, c_in, hidden, 1)
        count.bn(hidden)
    n = out(n, k, stride, (k - 1) // 2)
    count.conv(n, hidden, hidden, k, groups=hidden)
    count.bn(hidden)
    count.se(hidden, max(1, c_in // 4))  # the squeeze is of the block's input, not hidden
    count.conv(n, hidden, c_out, 1)
    count.bn(c_out)
    return n


def efficientnet_b0() -> Count:
    count = Count()
    n = out(224, 3, 2, 1)
    count.conv(n, 3, 32, 3)  # features.0
    count.bn(32)
    for t, k, stride, c_in, c_out, layers in EFFICIENTNET_B0:
        n = mbconv(count, n, c_in, c_out, t, k, stride)
        for _ in range(layers - 1):
            n = mbconv(count, n, c_out, c_out, t, k, 1)
    assert n == 7
    count.conv(n, 320, 4 * 320, 1)  # features.8: 1280 channels
    count.bn(4 * 320)
    count.fc(1, 1280, 1000)
    return count


# --- ConvNeXt-T, by hand ---------------------------------------------------------------------
DEPTHS, DIMS = (3, 3, 9, 3), (96, 192, 384, 768)


def cnblock(count: Count, n: int, c: int) -> None:
    """A 7×7 depthwise conv with a bias (padding 3 keeps n), a LayerNorm, Linear(c, 4c),
    GELU, Linear(4c, c) at each of the n² positions, and layer scale: c weights."""
    count.conv(n, c, c, 7, groups=c, bias=True)
    count.layernorm(c)
    count.fc(n * n, c, 4 * c)
    count.fc(n * n, 4 * c, c)
    count.params += c


def convnext_tiny() -> Count:
    count = Count()
    n = out(224, 4, 4)  # 56
    count.conv(n, 3, 96, 4, bias=True)  # features.0.0, then a LayerNorm2d
    count.layernorm(96)
    for stage, (depth, c) in enumerate(zip(DEPTHS, DIMS, strict=True)):
        for _ in range(depth):
            cnblock(count, n, c)
        if stage < 3:  # LayerNorm2d, then a 2×2 conv of stride 2 to 2c
            count.layernorm(c)
            n = out(n, 2, 2)
            count.conv(n, c, 2 * c, 2, bias=True)
    assert n == 7
    count.layernorm(768)  # classifier.0, after the pool
    count.fc(1, 768, 1000)  # classifier.2
    return count


BY_HAND = {
    "mobilenet_v3_large": mobilenet_v3_large,
    "efficientnet_b0": efficientnet_b0,
    "convnext_tiny": convnext_tiny,
}


# Batch norm channels, written out a second way, a list per block: MobileNetV3's stem's 16,
# the first bneck's depthwise and projection (16, 16), each other bneck's expansion,
# depthwise (both `expanded`) and projection, and the last conv's 960.
MOBILENET_V3_BN = (
    16 + 16 + 16
    + 2 * (64 + 72 + 72 + 120 + 120 + 240 + 200 + 184 + 184 + 480 + 672 + 672 + 960 + 960)
    + (24 + 24 + 40 + 40 + 40 + 80 + 80 + 80 + 80 + 112 + 112 + 160 + 160 + 160)
    + 960
)  # fmt: skip
# EfficientNet-B0: the stem's 32, the first MBConv's depthwise and projection (32, 16), each
# other MBConv's expansion and depthwise (6·c_in each) and projection, the head's 1,280.
EFFICIENTNET_B0_BN = (
    32 + 32 + 16
    + 2 * (96 + 144) + 2 * 24  # 16 → 24, 24 → 24
    + 2 * (144 + 240) + 2 * 40  # 24 → 40, 40 → 40
    + 2 * (240 + 2 * 480) + 3 * 80  # 40 → 80, then 80 → 80 twice
    + 2 * (480 + 2 * 672) + 3 * 112  # 80 → 112, then 112 → 112 twice
    + 2 * (672 + 3 * 1152) + 4 * 192  # 112 → 192, then 192 → 192 three times
    + 2 * 1152 + 320  # 192 → 320
    + 1280
)  # fmt: skip
NONTRAINABLE = {
    "mobilenet_v3_large": 2 * MOBILENET_V3_BN,
    "efficientnet_b0": 2 * EFFICIENTNET_B0_BN,
    "convnext_tiny": 0,  # LayerNorm keeps no running statistics, and ConvNeXt has no BN
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_totals_are_torchvisions(name):
    """Trainable parameters as torchvision publishes them; GMACs as its docs round them
    (two decimals) and as its weights' `_ops` do (three)."""
    params, gmacs, ops = PUBLISHED[name]
    summary = analyze(name)
    assert summary.params == params
    assert f"{summary.macs / 10**9:.2f}" == gmacs
    assert f"{summary.macs / 10**9:.3f}" == ops
    assert summary.output_shape == (1000,)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_totals_by_hand(name):
    """The whole network added up above, layer by layer: parameters, statistics, MACs."""
    count = BY_HAND[name]()
    summary = analyze(name)
    assert count.params == PUBLISHED[name][0]  # the hand count meets torchvision's
    assert (summary.params, summary.buffers, summary.macs) == (
        count.params,
        count.buffers,
        count.macs,
    )


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_nontrainable_by_hand(name):
    """2·C for each batch norm of C channels, listed block by block; none for LayerNorm."""
    assert analyze(name).buffers == NONTRAINABLE[name] == BY_HAND[name]().buffers


def test_hand_figures():
    """The totals the hand counts give, written out: what the specs' comments quote."""
    assert 2 * MOBILENET_V3_BN == 24_400
    assert 2 * EFFICIENTNET_B0_BN == 42_016
    assert mobilenet_v3_large().macs == 216_589_760
    assert efficientnet_b0().macs == 385_814_752
    assert convnext_tiny().macs == 4_455_531_264


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_description_quotes_the_published_figures(name):
    """`cnncalc list` shows the description: its figures are torchvision's."""
    params, gmacs, _ = PUBLISHED[name]
    description = yaml.safe_load((SPECS / f"{name}.yaml").read_text())["description"]
    assert f"({params:,} parameters, {gmacs} GMACs)" in description
    assert "224×224×3" in description


# --- representative blocks, by hand ----------------------------------------------------------


def test_squeeze_excitation_of_mobilenet_v3():
    """features.4.block.2, SqueezeExcitation(72, 24) on the 28×28×72 output of a 5×5
    depthwise conv of stride 2 on 56×56 (⌊(56 + 2·2 − 5)/2⌋ + 1 = 28): avgpool to 1×1×72,
    fc1 72 → 24 with a bias (72·24 + 24 = 1,752), ReLU, fc2 24 → 72 (24·72 + 72 = 1,800),
    hard sigmoid; the 1×1×72 gate multiplies the input, which keeps its shape."""
    summary = analyze("mobilenet_v3_large")
    se = row(summary, "features.4.block.2")
    assert out(56, 5, 2, 2) == 28
    assert se.input_shape == se.shape == (28, 28, 72)
    assert (se.params, se.buffers) == (72 * 24 + 24 + 24 * 72 + 72, 0) == (3_552, 0)
    assert se.macs == 1 * 1 * 24 * 72 + 1 * 1 * 72 * 24 == 3_456
    assert row(summary, "features.4.block.2.avgpool").shape == (1, 1, 72)
    assert row(summary, "features.4.block.2.fc1").shape == (1, 1, 24)
    assert row(summary, "features.4.block.2.scale_activation").kind == "hardsigmoid"
    # the whole bneck: 1×1 24 → 72 at 56×56, BN, the 5×5 depthwise, BN, the SE, 1×1 72 → 40, BN
    block = row(summary, "features.4")
    assert block.shape == (28, 28, 40)
    assert block.params == 24 * 72 + 2 * 72 + 25 * 72 + 2 * 72 + 3_552 + 72 * 40 + 2 * 40
    assert block.buffers == 2 * (72 + 72 + 40)
    assert block.macs == (56 * 56 * 72 * 24 + 28 * 28 * 72 * 25 + 3_456 + 28 * 28 * 40 * 72)
    assert block.macs == 9_091_584


def test_mbconv_with_squeeze_excitation_of_efficientnet_b0():
    """features.3.1, MBConv(40 → 40, expand 6, kernel 5, stride 1) on 28×28×40, added to its
    input: 1×1 40 → 240 (9,600) and BN (480), 5×5 depthwise padding 2 (25·240 = 6,000) and
    BN (480), SE(240, max(1, 40 // 4) = 10) with SiLU and sigmoid (240·10 + 10 + 10·240 +
    240 = 5,050), 1×1 240 → 40 (9,600) and BN (80), stochastic depth (nothing)."""
    summary = analyze("efficientnet_b0")
    block = row(summary, "features.3.1")
    assert block.input_shape == block.shape == (28, 28, 40)
    assert block.params == 9_600 + 480 + 6_000 + 480 + 5_050 + 9_600 + 80 == 31_290
    assert block.buffers == 2 * (240 + 240 + 40) == 1_040
    assert block.macs == (
        28 * 28 * 240 * 40  # expansion: 7,526,400
        + 28 * 28 * 240 * 5 * 5  # depthwise: 4,704,000
        + 240 * 10 + 10 * 240  # SE: 4,800
        + 28 * 28 * 40 * 240  # projection: 7,526,400
    ) == 19_761_600  # fmt: skip
    se = row(summary, "features.3.1.block.2")
    assert (se.params, se.macs, se.shape) == (5_050, 4_800, (28, 28, 240))
    depth = row(summary, "features.3.1.stochastic_depth")
    assert (depth.kind, depth.params, depth.macs) == ("identity", 0, 0)
    # The stage's first MBConv, 24 → 40 with stride 2 on 56×56: no residual, SE(144, 6).
    first = row(summary, "features.3.0")
    assert first.shape == (out(56, 5, 2, 2), 28, 40)
    assert first.params == (
        24 * 144 + 2 * 144 + 25 * 144 + 2 * 144 + (144 * 6 + 6 + 6 * 144 + 144)
        + 144 * 40 + 2 * 40
    ) == 15_350  # fmt: skip
    assert (
        first.macs
        == (56 * 56 * 144 * 24 + 28 * 28 * 144 * 25 + 2 * 144 * 6 + 28 * 28 * 40 * 144)
        == 18_177_984
    )


def test_cnblock_of_convnext_tiny():
    """features.5.0, CNBlock(384) on 14×14×384: 7×7 depthwise with a bias (49·384 + 384 =
    19,200), LayerNorm (2·384), Linear(384, 1536) at each position (384·1536 + 1536 =
    591,360), GELU, Linear(1536, 384) (1536·384 + 384 = 590,208), layer scale (384)."""
    summary = analyze("convnext_tiny")
    block = row(summary, "features.5.0")
    assert block.input_shape == block.shape == (14, 14, 384)
    assert block.params == 19_200 + 768 + 591_360 + 590_208 + 384 == 1_201_920
    assert block.buffers == 0
    assert block.macs == (14 * 14 * 384 * 7 * 7 + 2 * 14 * 14 * 384 * 1536)
    assert block.macs == 3_687_936 + 2 * 115_605_504 == 234_898_944
    assert row(summary, "features.5.0.block.3").shape == (14, 14, 4 * 384)
    assert row(summary, "features.5.0.layer_scale").params == 384
    assert row(summary, "features.5").params == 9 * 1_201_920
    # The downsampling before the last stage: LayerNorm2d(384), then a 2×2 conv of stride 2
    # to 768 with a bias, ⌊(14 − 2)/2⌋ + 1 = 7.
    down = row(summary, "features.6")
    assert down.shape == (out(14, 2, 2), 7, 768)
    assert down.params == 2 * 384 + 2 * 2 * 384 * 768 + 768 == 1_181_184
    assert down.macs == 7 * 7 * 768 * 2 * 2 * 384 == 57_802_752
    # The stem: a 4×4 conv of stride 4 with a bias, 224 → 56, and a LayerNorm2d.
    stem = row(summary, "features.0")
    assert stem.shape == (56, 56, 96)
    assert stem.params == 4 * 4 * 3 * 96 + 96 + 2 * 96 == 4_896


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_specs_validate_against_the_schema(name):
    """Each spec is valid against the shipped JSON Schema."""
    jsonschema.Draft7Validator(schema.build()).validate(
        yaml.safe_load((SPECS / f"{name}.yaml").read_text())
    )


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_check_strict_passes(run, name):
    """`cnncalc check --strict` holds each spec to its expect block with no warning."""
    result = run("check", str(SPECS / f"{name}.yaml"), "--strict")
    assert result.exit_code == 0, result.output
