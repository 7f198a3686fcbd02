"""The bundled 1-D and 3-D specs (M5, the TCN, C3D) against arithmetic done here, by hand.

Every figure below is worked out in this file from the networks' published
definitions, never copied from cnncalc's output:

- M5: Dai, Dai, Qu, Li and Das, "Very deep convolutional neural networks for raw
  waveforms" (ICASSP 2017), Table 1, on 8,000 samples, 10 classes, no padding
  (PyTorch's default, as the torchaudio speech-commands tutorial), a batch norm
  after each conv, convs with biases. Its total is also the one published for
  that network by philipperemy/very-deep-convnets-raw-waveforms ("M5 model ...
  trainable params = 559,114").
- TCN: locuslab/TCN's TemporalConvNet with TCN/mnist_pixel's settings (784
  steps of 1 channel, 8 levels of 25 channels, kernel 7, dilation 2^i), its
  linear layer from the last step to 10 classes; without weight normalisation.
- C3D: Tran et al., "Learning Spatiotemporal Features with 3D Convolutional
  Networks" (ICCV 2015), its architecture figure, with pool5 padded (0, 1, 1) as
  DavideA/c3d-pytorch's port, whose fc6 takes 8,192 values.

The rules used, per axis and per layer:
- output size ⌊(n + p_before + p_after − d(f − 1) − 1)/s⌋ + 1 (`out` below);
- a conv's parameters (f_1·…·f_k·c_in + 1)·c_out, a fully connected layer's
  (n_in + 1)·n_out, a batch norm's 2·C trainable and 2·C running statistics;
- MACs out_positions·c_out·f_1·…·f_k·c_in per conv (groups are 1 here), n_in·n_out
  per fully connected layer, nothing for the rest;
- receptive field r ← r + (f − 1)·d·j, j ← j·s, layer by layer; for the TCN
  that sums to 1 + 2·(k − 1)·(2^L − 1) after L levels.
"""

from __future__ import annotations

import json
from math import prod

import pytest

from cnncalc import bundled, engine, spec
from tests.test_cli import table_cells


def analyze(name: str) -> engine.Summary:
    path = bundled.path(name)
    assert path is not None, name
    return engine.analyze(spec.load(path))


def out(n: int, f: int, s: int = 1, before: int = 0, after: int = 0, d: int = 1) -> int:
    """One axis: ⌊(n + p_before + p_after − d(f − 1) − 1)/s⌋ + 1."""
    return (n + before + after - d * (f - 1) - 1) // s + 1


def leaves(summary: engine.Summary) -> list:
    """Every layer's row in table order, without the rows of blocks."""
    return [row for row in summary.flat() if not row.branches]


def figures(rows: list, expected: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(kind, name, shape, params, MACs) of `rows` beside `expected`; a name of None
    in `expected` (a default name, such as ReLU_2) is not compared."""
    actual = [
        (row.kind, row.name if want[1] is not None else None, row.shape, row.params, row.macs)
        for row, want in zip(rows, expected, strict=True)
    ]
    return actual, expected


# --- M5 -------------------------------------------------------------------------------

SAMPLES = 8000  # 1 s at 8 kHz
M5_CLASSES = 10  # UrbanSound8K
M5_CONV1 = out(SAMPLES, 80, 4)  # [80/4, 128]: (8000 − 80)//4 + 1 = 1981
M5_POOL1 = out(M5_CONV1, 4, 4)  # (1981 − 4)//4 + 1 = 495, the last sample left over
M5_CONV2 = out(M5_POOL1, 3)  # [3, 128]: 495 − 2 = 493
M5_POOL2 = out(M5_CONV2, 4, 4)  # (493 − 4)//4 + 1 = 123
M5_CONV3 = out(M5_POOL2, 3)  # [3, 256]: 121
M5_POOL3 = out(M5_CONV3, 4, 4)  # (121 − 4)//4 + 1 = 30
M5_CONV4 = out(M5_POOL3, 3)  # [3, 512]: 28
M5_POOL4 = out(M5_CONV4, 4, 4)  # 28/4 = 7


def m5_stage(name: int, length: int, pooled: int, f: int, c_in: int, c_out: int) -> list[tuple]:
    """conv, batch norm, ReLU, max pool 4: (kind, name, shape, params, MACs) of each."""
    return [
        ("conv", f"conv{name}", (length, c_out), (f * c_in + 1) * c_out, length * c_out * f * c_in),
        ("batchnorm", f"bn{name}", (length, c_out), 2 * c_out, 0),
        ("relu", None, (length, c_out), 0, 0),
        ("maxpool", f"pool{name}", (pooled, c_out), 0, 0),
    ]


M5_ROWS = [
    *m5_stage(1, M5_CONV1, M5_POOL1, 80, 1, 128),
    *m5_stage(2, M5_CONV2, M5_POOL2, 3, 128, 128),
    *m5_stage(3, M5_CONV3, M5_POOL3, 3, 128, 256),
    *m5_stage(4, M5_CONV4, M5_POOL4, 3, 256, 512),
    ("globalavgpool", "avg_pool1d", (1, 512), 0, 0),
    ("fc", "fc1", (M5_CLASSES,), (512 + 1) * M5_CLASSES, 512 * M5_CLASSES),
    ("softmax", "log_softmax", (M5_CLASSES,), 0, 0),
]

M5_PARAMS = (
    (80 * 1 + 1) * 128 + 2 * 128  # conv1, bn1
    + (3 * 128 + 1) * 128 + 2 * 128  # conv2, bn2
    + (3 * 128 + 1) * 256 + 2 * 256  # conv3, bn3
    + (3 * 256 + 1) * 512 + 2 * 512  # conv4, bn4
    + (512 + 1) * 10  # fc1
)  # fmt: skip
M5_MACS = (
    1981 * 128 * 80 * 1  # conv1
    + 493 * 128 * 3 * 128  # conv2
    + 121 * 256 * 3 * 128  # conv3
    + 28 * 512 * 3 * 256  # conv4
    + 512 * 10  # fc1
)  # fmt: skip


def test_m5_lengths_by_hand():
    """The lengths, each from the formula, and written out once more as plain numbers."""
    assert (M5_CONV1, M5_POOL1, M5_CONV2, M5_POOL2) == ((8000 - 80) // 4 + 1, 1981 // 4, 493, 123)
    assert (M5_CONV3, M5_POOL3, M5_CONV4, M5_POOL4) == (121, 121 // 4, 28, 7)


def test_m5_every_row():
    """Each layer's shape, parameters and MACs."""
    actual, expected = figures(analyze("m5").rows, M5_ROWS)
    assert actual == expected


def test_m5_totals():
    """Trainable parameters as philipperemy's Keras M5 publishes them, the batch norms'
    running statistics (2·C each), and the MACs."""
    summary = analyze("m5")
    assert summary.params == M5_PARAMS == 559_114
    assert summary.params == sum(row[3] for row in M5_ROWS)
    assert summary.buffers == 2 * (128 + 128 + 256 + 512)
    assert summary.macs == M5_MACS == sum(row[4] for row in M5_ROWS)
    assert summary.output_shape == (M5_CLASSES,)


def test_m5_receptive_field():
    """r grows by (f − 1)·j at each layer, j by the stride: 80 samples at conv1, and
    each max pool 4 and conv 3 widen it after."""
    rows = {row.name: row for row in analyze("m5").rows}
    assert rows["conv1"].field.size == (80,)
    assert rows["pool1"].field.size == (80 + 3 * 4,)  # j = 4 after conv1
    assert rows["pool4"].field.size == (
        80 + 3 * 4  # conv1, pool1
        + 2 * 16 + 3 * 16  # conv2, pool2 (j = 16)
        + 2 * 64 + 3 * 64  # conv3, pool3 (j = 64)
        + 2 * 256 + 3 * 256  # conv4, pool4 (j = 256)
    ,)  # fmt: skip
    assert rows["pool4"].field.jump == (4 * 4 * 4 * 4 * 4,)


# --- TCN ------------------------------------------------------------------------------

STEPS = 784  # 28 × 28 pixels, one a step
K = 7
LEVELS = 8
WIDTH = 25
TCN_CLASSES = 10


def causal(d: int) -> int:
    """The length after a causal conv of kernel K dilated d: all d(K − 1) before."""
    return out(STEPS, K, 1, before=d * (K - 1), after=0, d=d)


def tcn_level_leaves(i: int) -> list[tuple]:
    """A TemporalBlock's layers, level i (dilation 2^i), in table order."""
    d, c_in, name = 2**i, (1 if i == 0 else WIDTH), f"tcn.network.{i}"
    shape = (causal(d), WIDTH)
    rows = [
        ("conv", f"{name}.conv1", shape, (K * c_in + 1) * WIDTH, STEPS * WIDTH * K * c_in),
        ("relu", f"{name}.relu1", shape, 0, 0),
        ("dropout", f"{name}.dropout1", shape, 0, 0),
        ("conv", f"{name}.conv2", shape, (K * WIDTH + 1) * WIDTH, STEPS * WIDTH * K * WIDTH),
        ("relu", f"{name}.relu2", shape, 0, 0),
        ("dropout", f"{name}.dropout2", shape, 0, 0),
    ]
    if c_in != WIDTH:  # the 1×1 conv of the shortcut
        rows.append(("conv", f"{name}.downsample", shape, (1 * c_in + 1) * WIDTH, STEPS * WIDTH))
    return [*rows, ("relu", f"{name}.relu", shape, 0, 0)]


TCN_ROWS = [
    *(row for i in range(LEVELS) for row in tcn_level_leaves(i)),
    # y[:, :, -1]: 25 values, no parameters (cnncalc: a global pool stands in)
    ("globalavgpool", None, (1, WIDTH), 0, 0),
    ("fc", "linear", (TCN_CLASSES,), (WIDTH + 1) * TCN_CLASSES, WIDTH * TCN_CLASSES),
    ("softmax", "log_softmax", (TCN_CLASSES,), 0, 0),
]

TCN_PARAMS = (
    (7 * 1 + 1) * 25 + (7 * 25 + 1) * 25 + (1 * 1 + 1) * 25  # level 0, with the downsample
    + 7 * 2 * (7 * 25 + 1) * 25  # levels 1 to 7: two 25 → 25 convs each
    + (25 + 1) * 10  # linear
)  # fmt: skip
TCN_MACS = (
    784 * 25 * 7 * 1 + 784 * 25 * 7 * 25 + 784 * 25 * 1 * 1  # level 0
    + 7 * 2 * 784 * 25 * 7 * 25  # levels 1 to 7
    + 25 * 10  # linear
)  # fmt: skip


def test_tcn_causal_convs_keep_the_length():
    """d(K − 1) of padding before, none after: 784 outputs at every dilation."""
    assert [causal(2**i) for i in range(LEVELS)] == [784] * LEVELS


def test_tcn_every_layer():
    """Each layer's shape, parameters and MACs, level by level."""
    actual, expected = figures(leaves(analyze("tcn")), TCN_ROWS)
    assert actual == expected


def test_tcn_totals():
    """The parameters without weight norm, and the MACs of 784 outputs a conv."""
    summary = analyze("tcn")
    assert summary.params == TCN_PARAMS == 66_510
    assert summary.params == sum(row[3] for row in TCN_ROWS)
    assert summary.buffers == 0
    assert summary.macs == TCN_MACS == sum(row[4] for row in TCN_ROWS)
    assert summary.output_shape == (TCN_CLASSES,)
    # Weight norm, which cnncalc does not model, would add a g per output channel of
    # conv1 and conv2 in each level: what the spec's comments say.
    assert TCN_PARAMS + 2 * WIDTH * LEVELS == 66_910


def test_tcn_receptive_field():
    """After level L, 1 + 2·(K − 1)·(2^L − 1) samples, all of them at or before the step
    (causal: the field starts (size − 1) before it); 3,061 after the 8 levels."""
    blocks = [row for row in analyze("tcn").rows if row.kind == "block"]
    assert len(blocks) == LEVELS
    for level, row in enumerate(blocks, start=1):
        size = 1 + 2 * (K - 1) * (2**level - 1)
        assert row.field.size == (size,), row.name
        assert row.field.start == (-(size - 1),), row.name
        assert row.field.jump == (1,)
    assert blocks[-1].field.size == (1 + 2 * 6 * 255,) == (3061,)


def test_tcn_receptive_field_in_the_rf_column(run):
    """`cnncalc table tcn --columns rf`: the last level's row shows 3,061; JSON says the same."""
    result = run("table", "tcn", "--depth", "1", "--columns", "shape,params,rf")
    assert result.exit_code == 0, result.output
    cells = {row[0]: row for row in table_cells(result.stdout)}
    assert cells["tcn.network.7 (dilation=128)"][1:] == ("(784, 25)", "8,800", "3061")
    assert cells["tcn.network.0 (dilation=1)"][3] == str(1 + 2 * (K - 1) * (2**1 - 1))
    layers = json.loads(run("table", "tcn", "--format", "json").stdout)["layers"]
    last = next(layer for layer in layers if layer["name"] == "tcn.network.7")
    assert last["rf"] == [1 + 2 * (K - 1) * (2**LEVELS - 1)]


# --- C3D ------------------------------------------------------------------------------

CLIP = (16, 112, 112)  # frames, height, width; 3 channels
C3D_CLASSES = 487  # Sports-1M


def conv3(shape: tuple[int, ...]) -> tuple[int, ...]:
    """3×3×3, stride 1, padding 1 on every side: the size is kept."""
    return tuple(out(n, 3, 1, 1, 1) for n in shape)


def pool(shape: tuple[int, ...], f: tuple[int, ...], pad: tuple[int, ...] = (0, 0, 0)):
    """Max pooling with stride = kernel, `pad` on both sides of each axis."""
    return tuple(out(n, k, k, p, p) for n, k, p in zip(shape, f, pad, strict=True))


C3D_PLAN = [  # (conv names, filters, pool name, pool kernel, pool padding)
    (("conv1a",), 64, "pool1", (1, 2, 2), (0, 0, 0)),
    (("conv2a",), 128, "pool2", (2, 2, 2), (0, 0, 0)),
    (("conv3a", "conv3b"), 256, "pool3", (2, 2, 2), (0, 0, 0)),
    (("conv4a", "conv4b"), 512, "pool4", (2, 2, 2), (0, 0, 0)),
    (("conv5a", "conv5b"), 512, "pool5", (2, 2, 2), (0, 1, 1)),
]


def c3d_rows() -> list[tuple]:
    """C3D's layers from its plan: each conv with its ReLU, each pool, then fc6 to fc8."""
    rows, shape, c_in = [], CLIP, 3
    for convs, filters, pool_name, kernel, pad in C3D_PLAN:
        for name in convs:
            shape = conv3(shape)
            weights = 3 * 3 * 3 * c_in
            macs = prod(shape) * filters * weights
            rows += [
                ("conv", name, (*shape, filters), (weights + 1) * filters, macs),
                ("relu", None, (*shape, filters), 0, 0),
            ]
            c_in = filters
        shape = pool(shape, kernel, pad)
        rows.append(("maxpool", pool_name, (*shape, c_in), 0, 0))
    features = prod(shape) * c_in
    rows.append(("flatten", None, (features,), 0, 0))
    for name, n_in, units in (("fc6", features, 4096), ("fc7", 4096, 4096)):
        rows += [
            ("fc", name, (units,), (n_in + 1) * units, n_in * units),
            ("relu", None, (units,), 0, 0),
            ("dropout", None, (units,), 0, 0),
        ]
    rows += [
        ("fc", "fc8", (C3D_CLASSES,), (4096 + 1) * C3D_CLASSES, 4096 * C3D_CLASSES),
        ("softmax", None, (C3D_CLASSES,), 0, 0),
    ]
    return rows


C3D_PARAMS = (
    (27 * 3 + 1) * 64  # conv1a
    + (27 * 64 + 1) * 128  # conv2a
    + (27 * 128 + 1) * 256 + (27 * 256 + 1) * 256  # conv3a, conv3b
    + (27 * 256 + 1) * 512 + (27 * 512 + 1) * 512  # conv4a, conv4b
    + 2 * (27 * 512 + 1) * 512  # conv5a, conv5b
    + (8192 + 1) * 4096  # fc6
    + (4096 + 1) * 4096  # fc7
    + (4096 + 1) * 487  # fc8
)  # fmt: skip
C3D_MACS = (
    16 * 112 * 112 * 64 * 27 * 3  # conv1a
    + 16 * 56 * 56 * 128 * 27 * 64  # conv2a, after pool1 (1×2×2)
    + 8 * 28 * 28 * 256 * 27 * (128 + 256)  # conv3a, conv3b
    + 4 * 14 * 14 * 512 * 27 * (256 + 512)  # conv4a, conv4b
    + 2 * 7 * 7 * 512 * 27 * (512 + 512)  # conv5a, conv5b
    + 8192 * 4096 + 4096 * 4096 + 4096 * 487  # fc6, fc7, fc8
)  # fmt: skip


def test_c3d_shapes_by_hand():
    """pool1 keeps the 16 frames; pool5's padding of 1 takes 2×7×7 to 1×4×4 = 8,192 values."""
    assert pool(CLIP, (1, 2, 2)) == (16, 56, 56)
    assert pool((2, 7, 7), (2, 2, 2), (0, 1, 1)) == ((2 - 2) // 2 + 1, (7 + 2 - 2) // 2 + 1, 4)
    assert c3d_rows()[-9][2] == (512 * 1 * 4 * 4,) == (8192,)  # flatten, fc6's input


def test_c3d_every_row():
    """Each layer's shape, parameters and MACs."""
    actual, expected = figures(analyze("c3d").rows, c3d_rows())
    assert actual == expected


def test_c3d_totals():
    """Parameters and MACs, summed by hand above and from the plan."""
    summary = analyze("c3d")
    assert summary.params == C3D_PARAMS == sum(row[3] for row in c3d_rows())
    assert summary.macs == C3D_MACS == sum(row[4] for row in c3d_rows())
    assert summary.buffers == 0
    assert summary.output_shape == (C3D_CLASSES,)


def test_c3d_receptive_field_of_pool5():
    """r grows by (f − 1)·j at each layer: 2·j for a 3×3×3 conv, 1·j for a pool of 2,
    whose stride of 2 then doubles j. In time pool1 (kernel 1) adds nothing and keeps
    j = 1; in height and width it adds 1 and makes j = 2."""
    pool5 = analyze("c3d").rows[20]
    assert pool5.name == "pool5"
    frames = (
        1 + 2  # conv1a (j = 1), pool1 adds 0
        + 2 + 1  # conv2a, pool2 (j = 1, then 2)
        + 2 * 2 * 2 + 2  # conv3a, conv3b, pool3 (j = 2, then 4)
        + 2 * 2 * 4 + 4  # conv4a, conv4b, pool4 (j = 4, then 8)
        + 2 * 2 * 8 + 8  # conv5a, conv5b, pool5 (j = 8, then 16)
    )  # fmt: skip
    pixels = (
        1 + 2 + 1  # conv1a, pool1 (j = 1, then 2)
        + 2 * 2 + 2  # conv2a, pool2 (j = 2, then 4)
        + 2 * 2 * 4 + 4  # conv3a, conv3b, pool3 (j = 4, then 8)
        + 2 * 2 * 8 + 8  # conv4a, conv4b, pool4 (j = 8, then 16)
        + 2 * 2 * 16 + 16  # conv5a, conv5b, pool5 (j = 16, then 32)
    )  # fmt: skip
    assert pool5.field.size == (frames, pixels, pixels) == (76, 150, 150)
    assert pool5.field.jump == (2 * 2 * 2 * 2, 2 * 2 * 2 * 2 * 2, 2 * 2 * 2 * 2 * 2)


# --- On the command line --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "output"),
    [("m5", M5_PARAMS, [10]), ("tcn", TCN_PARAMS, [10]), ("c3d", C3D_PARAMS, [487])],
)
def test_table_json(run, name, params, output):
    """`cnncalc table NAME --format json` runs, with the totals worked out above."""
    result = run("table", name, "--format", "json")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert table["totals"]["params"] == params
    assert table["layers"][-1]["shape"] == output


def test_check_strict_passes(run):
    """Each spec's own expectations hold, with no warning (M5's notes do not fail it)."""
    result = run("check", "m5", "tcn", "c3d", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "3 files checked: 3 passed, 0 failed"
