"""Saved tensors (`save:` and `with:`/`like:`), side heads, crops and upsampling to a size.
Every figure is worked out here by hand: U-Net's from its paper's figure (Ronneberger et
al. 2015: 572×572 in, unpadded 3×3 convs, 2×2 up-convolutions, the encoder's features
centre-cropped to join the decoder's)."""

from __future__ import annotations

import json

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError


def analyze(document: dict) -> engine.Summary:
    return engine.analyze(spec.from_document(document))


def test_a_unet_level_joins_the_cropped_skip():
    """The top level of U-Net: two unpadded 3×3 convs, 572 → 570 → 568, saved; down and
    back up (2×2 pool, two convs 284 → 282 → 280, a 2×2 up-conv to 560); the saved
    568×568×64 is centre-cropped by (568 − 560)/2 = 4 a side and joined first: 64 + 64."""
    summary = analyze({"input": [572, 572, 1], "layers": [
        "conv:64,3", {"type": "conv", "filters": 64, "kernel": 3, "save": "e1"},
        "maxpool:2", "conv:128,3", "conv:128,3",
        "convtranspose:64,2,2",
        {"type": "concat", "with": "e1", "crop": True},
        "conv:64,3",
    ]})  # fmt: skip
    shapes = [row.shape for row in summary.rows]
    assert shapes == [
        (570, 570, 64), (568, 568, 64), (284, 284, 64), (282, 282, 128), (280, 280, 128),
        (2 * 280, 2 * 280, 64), (560, 560, 64 + 64), (558, 558, 64),
    ]  # fmt: skip
    join = summary.rows[6]
    assert (join.params, join.macs) == (0, 0)
    assert summary.params == (
        (9 * 1 + 1) * 64 + (9 * 64 + 1) * 64 + (9 * 64 + 1) * 128 + (9 * 128 + 1) * 128
        + 2 * 2 * 128 * 64 + 64 + (9 * 128 + 1) * 64
    )  # fmt: skip


def test_a_saved_concat_across_two_levels():
    """Two levels saved and joined in reverse order, padded convs: e1 16×16×8, e2 8×8×16;
    up to 8×8 joins e2 (16 + 4 channels), up to 16×16 joins e1 (8 + 4)."""
    summary = analyze({"input": [16, 16, 3], "layers": [
        {"type": "conv", "filters": 8, "kernel": 3, "padding": 1, "save": "e1"},
        "maxpool:2",
        {"type": "conv", "filters": 16, "kernel": 3, "padding": 1, "save": "e2"},
        "maxpool:2", "conv:32,3,p=1",
        "convtranspose:4,2,2", {"type": "concat", "with": "e2"},
        "convtranspose:4,2,2", {"type": "concat", "with": ["e1"]},
    ]})  # fmt: skip
    assert summary.rows[6].shape == (8, 8, 16 + 4)
    assert summary.output_shape == (16, 16, 8 + 4)


def test_add_and_multiply_with_saved_tensors():
    """add: shapes equal; multiply: NumPy's broadcast of (8, 8, 1) with the saved (8, 8, 4)
    gives (8, 8, 4)."""
    summary = analyze({"input": [8, 8, 4], "layers": [
        {"type": "identity", "save": "x"},
        "conv:4,3,p=1", {"type": "add", "with": "x"},
        "conv:1,1", "sigmoid", {"type": "multiply", "with": "x"},
    ]})  # fmt: skip
    assert summary.rows[2].shape == (8, 8, 4)
    assert summary.output_shape == (8, 8, 4)


def test_names_saved_in_a_named_block_belong_to_its_use():
    """Each use saves its own `x` and joins it: no name is saved twice."""
    summary = analyze({
        "input": [8, 8, 4],
        "blocks": {"res": {"layers": [
            {"type": "identity", "save": "x"}, "conv:4,3,p=1", {"type": "add", "with": "x"},
        ]}},
        "layers": [{"use": "res"}, {"use": "res"}],
    })  # fmt: skip
    assert summary.output_shape == (8, 8, 4)
    assert summary.params == 2 * ((9 * 4 + 1) * 4)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([{"type": "concat", "with": "e9"}], "no tensor named 'e9' is saved before this layer"),
        ([{"type": "identity", "save": "x"}, {"type": "relu", "save": "x"}],
         "'x' is saved twice: by Identity and by ReLU"),
        ([{"type": "concat", "with": "x"}, {"type": "identity", "save": "x"}],
         "no tensor named 'x' is saved before this layer"),
        ([{"type": "identity", "save": "x"}, "maxpool:2", {"type": "add", "with": "x"}],
         r"x \(8, 8, 4\), the input \(4, 4, 4\) cannot be added"),
        ([{"type": "identity", "save": "x"}, "maxpool:2", {"type": "concat", "with": "x"}],
         "spatial sizes differ; crop: true centre-crops the saved ones"),
        ([{"type": "identity", "save": "x"}, "conv:2,1", {"type": "multiply", "with": "x"}],
         "cannot be multiplied: they do not broadcast"),
    ],
)  # fmt: skip
def test_bad_saves_and_joins(layers, message):
    with pytest.raises(SpecError, match=message):
        analyze({"input": [8, 8, 4], "layers": layers})


def test_a_bad_join_is_located_at_its_with(tmp_path, run):
    path = tmp_path / "u.yaml"
    path.write_text("input: [8, 8, 4]\nlayers:\n  - {type: concat, with: e1}\n")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert f"{path}:3:26: error: layer 1 (Concat): no tensor named 'e1'" in result.stdout


def test_a_side_head_is_counted_but_not_followed():
    """A side head on 8×8×16 (pool to 1×1, a 1×1 conv to 10: 16·10 + 10) is counted in the
    totals and is an output; the next conv takes the 8×8×16, not the head's 1×1×10."""
    summary = analyze({"input": [8, 8, 16], "layers": [
        {"side": ["globalavgpool", "conv:10,1"], "name": "aux"},
        "conv:4,1",
    ]})  # fmt: skip
    side, conv = summary.rows
    assert side.shape == (1, 1, 10) and side.params == 16 * 10 + 10
    assert conv.input_shape == (8, 8, 16)
    assert summary.params == (16 * 10 + 10) + (16 * 4 + 4)
    assert [row.name for row in summary.outputs] == ["aux", "CONV2"]


def test_side_heads_are_outputs_in_json(run, tmp_path):
    path = tmp_path / "side.yaml"
    path.write_text("input: [8, 8, 16]\nlayers:\n  - {side: [gap, flatten, fc:10], name: aux}\n"
                    "  - conv:4,1\n")  # fmt: skip
    document = json.loads(run("table", str(path), "--format", "json").stdout)
    assert document["outputs"] == [
        {"name": "aux", "path": "1", "shape": [10]},
        {"name": "CONV2", "path": "2", "shape": [8, 8, 4]},
    ]


def test_crop_by_amounts_and_like():
    """Keras's Cropping2D(((1, 2), (3, 4))) on 10×12: 10 − 3 = 7, 12 − 7 = 5; a crop like a
    saved 6×6 centres: (10 − 6)/2 = 2 a side."""
    summary = analyze({"input": [10, 12, 2], "layers": [
        {"type": "crop", "cropping": [[1, 2], [3, 4]]},
    ]})  # fmt: skip
    assert summary.output_shape == (10 - 1 - 2, 12 - 3 - 4, 2)
    assert summary.rows[0].field.start == (1, 3)  # each output starts further in
    liked = analyze({"input": [10, 10, 2], "layers": [
        {"type": "identity", "save": "big"}, "maxpool:2", "upsample:2", "conv:2,3",
        {"type": "identity", "save": "small"}, {"type": "crop", "like": "small"},
    ]})  # fmt: skip
    assert liked.rows[3].shape == (8, 8, 2)
    assert liked.output_shape == (8, 8, 2)


def test_upsample_to_a_size_and_like_a_saved_tensor():
    summary = analyze({"input": [7, 7, 8], "layers": [
        {"type": "identity", "save": "x"}, "maxpool:2",
        {"type": "upsample", "to": [5, 9], "mode": "bilinear"},
        {"type": "upsample", "like": "x"},
    ]})  # fmt: skip
    assert [row.shape for row in summary.rows[2:]] == [(5, 9, 8), (7, 7, 8)]


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"type": "upsample"}, "upsample takes one of factor, to or like, got none"),
        ({"type": "upsample", "factor": 2, "to": 4}, "got both factor and to"),
        ({"type": "upsample", "factor": 2, "mode": "cubic"}, "mode must be one of nearest"),
        ({"type": "crop", "cropping": 4}, "cropping 4 \\+ 4 leaves nothing of an axis of 8"),
    ],
)
def test_bad_resizes(layer, message):
    with pytest.raises(SpecError, match=message):
        analyze({"input": [8, 8, 2], "layers": [layer]})


def test_a_cropped_skip_moves_what_its_values_saw():
    """30×30 saved as x; the current tensor is its first 10×10 (20 cut after each axis),
    whose unit 0 sees input 0. x centre-cropped to 10 keeps 10..19: its unit 0 saw input
    (30 − 10)/2 = 10. Joined, unit 0 sees inputs 0 to 10: a field of 11 from 0."""
    summary = analyze({"input": [30, 30, 2], "layers": [
        {"type": "identity", "save": "x"},
        {"type": "crop", "cropping": [[0, 20], [0, 20]]},
        {"type": "concat", "with": "x", "crop": True},
    ]})  # fmt: skip
    join = summary.rows[-1]
    assert join.field.size == (10 - 0 + 1,) * 2
    assert join.field.start == (0, 0)
