"""MACs, memory and receptive fields against published figures and hand arithmetic."""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from tests.conftest import SPECS


def analyze(name: str) -> engine.Summary:
    return engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))


def inline(input, *layers) -> engine.Summary:
    return engine.analyze(spec.from_layers(input, layers))


def test_lenet_macs_layer_by_layer():
    """The course's LeNet: H_out·W_out·C_out·f·f·C_in per conv, n_in·n_out per fc."""
    macs = [row.macs for row in analyze("lenet5").rows]
    assert macs == [
        28 * 28 * 8 * (5 * 5 * 3),  # CONV1: 470,400
        0,  # POOL1
        10 * 10 * 16 * (5 * 5 * 8),  # CONV2: 320,000
        0,  # POOL2
        400 * 120,  # FC3
        120 * 84,  # FC4
        84 * 10,  # Softmax's fully connected part
    ]
    assert sum(macs) == 849_320


@pytest.mark.parametrize(
    ("name", "published"),
    [
        # torchvision's model docs, the "GFLOPS" column (which counts MACs).
        ("alexnet", "0.71"),
        ("vgg16", "15.47"),
    ],
)
def test_published_gmacs(name, published):
    """AlexNet 0.71 and VGG-16 15.47 GMACs, to two decimals."""
    macs = analyze(name).macs
    assert f"{macs / 10**9:.2f}" == published


def test_flops_are_twice_macs():
    """FLOPs = 2·MACs, layer by layer and in total."""
    summary = analyze("alexnet")
    assert summary.flops == 2 * summary.macs
    assert all(row.flops == 2 * row.macs for row in summary.rows)


def test_memory_formula():
    """Bytes = values × bytes a value; activations × batch, parameters not."""
    summary = analyze("lenet5")
    activations = 6272 + 1568 + 1600 + 400 + 120 + 84 + 10  # the course's activation sizes
    memory = summary.memory(per_value=2, batch=8)
    assert memory.input == 3072 * 8 * 2
    assert memory.activations == activations * 8 * 2
    assert memory.params == 62_958 * 2
    assert memory.total == (3072 + activations) * 8 * 2 + 62_958 * 2


def test_vgg16_receptive_field_by_hand():
    """3×3 convs add 2·j, 2×2 pools add j and double j: 196 at conv5_3, 212 after the last pool."""
    fields = [row.field for row in analyze("vgg16").rows if row.kind in ("conv", "maxpool")]
    r, j = 1, 1
    expected = []
    for convs in (2, 2, 3, 3, 3):
        for _ in range(convs):
            r += (3 - 1) * j
            expected.append((r, j))
        r += (2 - 1) * j
        j *= 2
        expected.append((r, j))
    assert [(f.size[0], f.jump[0]) for f in fields] == expected
    assert (fields[-2].size, fields[-1].size, fields[-1].jump) == ((196, 196), (212, 212), (32, 32))


def test_receptive_field_start_reaches_into_the_padding():
    """f=3, p=1: start −1; then f=3, s=2, p=1: −1 − 1·1 = −2; then f=3, p=1 with j=2: −2 − 1·2 = −4."""
    rows = inline((32, 32, 1), "conv:1,3,1,1", "conv:1,3,2,1", "conv:1,3,1,1").rows
    assert [row.field.start for row in rows] == [(-1, -1), (-2, -2), (-4, -4)]
    assert [row.field.size for row in rows] == [(3, 3), (5, 5), (9, 9)]  # 1+2, 3+2·1, 5+2·2
    assert [row.field.jump for row in rows] == [(1, 1), (2, 2), (2, 2)]


def test_receptive_field_per_axis():
    """A 3×1 kernel grows the field on the rows only."""
    row = inline((8, 8, 1), "conv:1,kernel=3x1").rows[0]
    assert row.field.size == (3, 1)


def test_fully_connected_sees_everything():
    """After fc or flatten the field is the whole input: no value."""
    rows = inline((8, 8, 1), "conv:1,3", "flatten", "fc:2", "relu").rows
    assert rows[0].field is not None
    assert [row.field for row in rows[1:]] == [None, None, None]


def test_activations_keep_the_field():
    """An element-wise layer changes no receptive field."""
    rows = inline((8, 8, 1), "conv:1,3", "relu").rows
    assert rows[1].field == rows[0].field
