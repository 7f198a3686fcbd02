"""The model library of issue 6 against the figures torchvision and Keras publish.

Trainable parameters are torchvision's `sum(p.numel() for p in model.parameters())`
and Keras's "Trainable params"; GMACs are the "GFLOPS" column of torchvision's
model documentation (docs.pytorch.org/vision/stable/models.html), which counts
multiply-accumulates. Non-trainable values are batch norm's running mean and
variance, 2·C for a batch norm of C channels: Keras publishes them
("Non-trainable params"); for torchvision they are added up by hand below, stage
by stage, from the architectures' published definitions.
"""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from cnncalc import engine, spec
from cnncalc.spec import schema
from tests.conftest import SPECS
from tests.test_cli import table_cells

LIBRARY = ("resnet18", "resnet50", "resnet50-keras", "mobilenet_v2", "googlenet")


def analyze(name: str) -> engine.Summary:
    return engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))


# Batch norm channels, by hand. ResNet-18: a batch norm after the stem's conv, two in
# each basic block (two blocks a stage), and one in the shortcut of the first block
# of stages 2 to 4.
RESNET18_BN = (
    64  # stem
    + 2 * 2 * 64  # layer1
    + 2 * 2 * 128 + 128  # layer2
    + 2 * 2 * 256 + 256  # layer3
    + 2 * 2 * 512 + 512  # layer4
)  # fmt: skip


def bottlenecks(width: int, blocks: int) -> int:
    """A stage of bottlenecks: width, width and 4·width in each, 4·width in the shortcut."""
    return blocks * (width + width + 4 * width) + 4 * width


# ResNet-50: (3, 4, 6, 3) bottlenecks of width 64, 128, 256, 512.
RESNET50_BN = (
    64 + bottlenecks(64, 3) + bottlenecks(128, 4) + bottlenecks(256, 6) + bottlenecks(512, 3)
)


def inverted(c_in: int, c_out: int, t: int = 6) -> int:
    """An inverted residual: expansion t·c_in (none if t = 1), depthwise t·c_in, projection c_out."""
    return (t * c_in if t > 1 else 0) + t * c_in + c_out


# MobileNetV2: the stem's 32, the (t, c, n, s) table of the paper, the last conv's 1,280.
MOBILENET_V2_BN = (
    32
    + inverted(32, 16, t=1)  # (1, 16, 1, 1)
    + inverted(16, 24) + inverted(24, 24)  # (6, 24, 2, 2)
    + inverted(24, 32) + 2 * inverted(32, 32)  # (6, 32, 3, 2)
    + inverted(32, 64) + 3 * inverted(64, 64)  # (6, 64, 4, 2)
    + inverted(64, 96) + 2 * inverted(96, 96)  # (6, 96, 3, 1)
    + inverted(96, 160) + 2 * inverted(160, 160)  # (6, 160, 3, 2)
    + inverted(160, 320)  # (6, 320, 1, 1)
    + 1280
)  # fmt: skip


def inception(c1: int, r3: int, c3: int, r5: int, c5: int, pool: int) -> int:
    """An inception module: a batch norm after each of its six convs."""
    return c1 + r3 + c3 + r5 + c5 + pool


# GoogLeNet: conv1, conv2, conv3, then torchvision's Inception(...) arguments.
GOOGLENET_BN = (
    64 + 64 + 192
    + inception(64, 96, 128, 16, 32, 32)  # 3a
    + inception(128, 128, 192, 32, 96, 64)  # 3b
    + inception(192, 96, 208, 16, 48, 64)  # 4a
    + inception(160, 112, 224, 24, 64, 64)  # 4b
    + inception(128, 128, 256, 24, 64, 64)  # 4c
    + inception(112, 144, 288, 32, 64, 64)  # 4d
    + inception(256, 160, 320, 32, 128, 128)  # 4e
    + inception(256, 160, 320, 32, 128, 128)  # 5a
    + inception(384, 192, 384, 48, 128, 128)  # 5b
)  # fmt: skip

# keras.applications.ResNet50(): "Total params: 25,636,712", "Non-trainable params: 53,120".
KERAS_RESNET50_TOTAL = 25_636_712
KERAS_RESNET50_NONTRAINABLE = 53_120
KERAS_RESNET50_TRAINABLE = KERAS_RESNET50_TOTAL - KERAS_RESNET50_NONTRAINABLE

TOTALS = [
    # name, trainable (published), non-trainable
    ("resnet18", 11_689_512, 2 * RESNET18_BN),
    ("resnet50", 25_557_032, 2 * RESNET50_BN),
    ("resnet50-keras", KERAS_RESNET50_TRAINABLE, KERAS_RESNET50_NONTRAINABLE),
    ("mobilenet_v2", 3_504_872, 2 * MOBILENET_V2_BN),
    ("googlenet", 6_624_904, 2 * GOOGLENET_BN),
]


@pytest.mark.parametrize(("name", "trainable", "nontrainable"), TOTALS, ids=[t[0] for t in TOTALS])
def test_trainable_nontrainable_and_all(name, trainable, nontrainable):
    """Trainable as published, non-trainable the 2·C statistics, all their sum."""
    summary = analyze(name)
    assert summary.params == trainable
    assert summary.buffers == nontrainable
    assert summary.params + summary.buffers == trainable + nontrainable


def test_hand_counts_agree_with_keras():
    """Keras publishes ResNet-50's (53,120) and MobileNetV2's (34,112): the hand counts agree."""
    assert 2 * RESNET50_BN == KERAS_RESNET50_NONTRAINABLE
    # keras.applications.MobileNetV2(): "Non-trainable params: 34,112".
    assert 2 * MOBILENET_V2_BN == 34_112


@pytest.mark.parametrize(
    ("name", "published"),
    [
        # torchvision's model docs, the "GFLOPS" column (which counts MACs).
        ("resnet18", "1.81"),
        ("resnet50", "4.09"),
        ("mobilenet_v2", "0.30"),
        ("googlenet", "1.50"),
    ],
)
def test_published_gmacs(name, published):
    """torchvision's GMACs at 224×224×3, to two decimals."""
    assert f"{analyze(name).macs / 10**9:.2f}" == published


def test_keras_resnet50_against_torchvision():
    """v1 strides the first 1×1 conv, v1.5 the 3×3: MACs and biases differ by counts by hand."""
    keras, torch = analyze("resnet50-keras"), analyze("resnet50")
    # In the first block of stages 2 to 4, the 1×1 conv from c_in to width runs at
    # (n/2)² positions instead of n²; the 3×3 conv runs at (n/2)² in both.
    saved = sum(
        (n * n - (n // 2) ** 2) * c_in * width
        for n, c_in, width in ((56, 256, 128), (28, 512, 256), (14, 1024, 512))
    )
    assert torch.macs - keras.macs == saved
    # He et al. (2015), Table 1: 3.8 × 10^9 multiply-adds for the 50-layer network (v1).
    assert 3.8e9 <= keras.macs < 3.9e9
    # Keras's convs have biases: one a filter, and each conv is followed by a batch
    # norm of as many channels.
    assert keras.params - torch.params == RESNET50_BN


def test_depth_1_is_one_row_per_top_level_layer(run):
    """`cnncalc table resnet50 --depth 1`: the spec's top-level layers, the full table's totals."""
    full = table_cells(
        run("table", "resnet50", "--depth", "all", "--columns", "params,nontrainable,macs").stdout
    )
    result = run("table", "resnet50", "--depth", "1", "--columns", "params,nontrainable,macs")
    assert result.exit_code == 0
    short = table_cells(result.stdout)
    layers = yaml.safe_load((SPECS / "resnet50.yaml").read_text())["layers"]
    assert len(short) == 1 + len(layers) + 1  # Input, the layers, Total
    assert [cells[0].split(" (")[0] for cells in short[5:9]] == [
        "layer1", "layer2", "layer3", "layer4",
    ]  # fmt: skip
    assert len(full) > 10 * len(short)
    assert short[-1] == full[-1]
    assert short[-1][0] == "Total"


@pytest.mark.parametrize("name", LIBRARY)
def test_library_specs_validate_against_the_schema(name):
    """Each spec of the library is valid against the shipped JSON Schema."""
    jsonschema.Draft7Validator(schema.build()).validate(
        yaml.safe_load((SPECS / f"{name}.yaml").read_text())
    )


def test_a_large_table_folds_to_fit_and_says_so(run):
    """ResNet-50's 194 rows fold to the deepest depth that keeps to 50 (2: 26 rows; 3 deep
    would be 58), with a line saying how to see them all; JSON and CSV, for machines, keep
    every row."""
    result = run("table", "resnet50")
    rows = table_cells(result.stdout)
    # 10 top-level rows; layer1 to layer4 hold 3 + 4 + 6 + 3 = 16 bottlenecks.
    assert len(rows) == 1 + 10 + 16 + 1  # Input, the rows 2 deep, Total
    # Each bottleneck: its row, the sum's, 8 layers and a ReLU, 2 more in the 4 with a
    # downsample: 16·11 + 4·2 = 184 rows below the 10 top-level ones.
    every = 10 + 16 * 11 + 4 * 2
    assert result.stdout.splitlines()[-1] == (
        f"Blocks are folded 2 deep: 26 of {every} rows are shown "
        "(--depth all shows every row, --depth N another depth)."
    )
    assert len(table_cells(run("table", "resnet50", "--depth", "all").stdout)) == 1 + every + 1
    assert run("table", "resnet50", "--format", "csv").stdout.count("\n") == 1 + 1 + every
    assert "Blocks are folded" not in run("table", "vgg16").stdout  # 40 rows: every one
    for wrong in ("0", "²", "x"):  # '²' passes str.isdigit but is no number
        refused = run("table", "resnet50", "--depth", wrong)
        assert refused.exit_code == 2
        assert f"depth must be a whole number from 1, or all; got {wrong!r}" in refused.stderr
