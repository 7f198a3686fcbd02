"""The blocks of modern CNNs: `multiply` (squeeze-and-excitation), `split` (ShuffleNetV2)
and a concat or split branch `[]`, the input itself (DenseNet). Every figure is worked out
here by hand; the layer counts are torchvision's modules' as its source builds them."""

from __future__ import annotations

import json

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError


def analyze(document: dict) -> engine.Summary:
    return engine.analyze(spec.from_document(document))


def test_densenet_layer_is_a_concat_with_its_input():
    """torchvision's _DenseLayer(64 in, growth 32, bn_size 4): BN(64), ReLU, 1×1 conv to
    4·32 = 128 without bias, BN(128), ReLU, 3×3 conv to 32 without bias; its output joins
    the input: 64 + 32 = 96 channels."""
    summary = analyze({"input": [56, 56, 64], "layers": [{"concat": [[], [
        "bn", "relu", "conv:128,1,bias=false", "bn", "relu", "conv:32,3,padding=1,bias=false",
    ]]}]})  # fmt: skip
    (block,) = summary.rows
    assert block.shape == (56, 56, 64 + 32)
    assert block.params == 2 * 64 + 1 * 1 * 64 * 128 + 2 * 128 + 3 * 3 * 128 * 32 == 45_440
    assert block.buffers == 2 * 64 + 2 * 128
    assert block.macs == 56 * 56 * 128 * 64 + 56 * 56 * 32 * 3 * 3 * 128
    first, second = block.branches
    assert (first.rows, first.shape) == ((), (56, 56, 64))  # [] is the input itself
    assert second.shape == (56, 56, 32)


def test_squeeze_and_excitation_broadcasts_a_gate():
    """torchvision's SqueezeExcitation(32, 8): pool to 1×1×32, 1×1 conv to 8 (32·8 + 8),
    ReLU, 1×1 conv to 32 (8·32 + 32), sigmoid; the 1×1×32 gate multiplies the 28×28×32
    input, which keeps its shape. The product has no parameters and no MACs."""
    summary = analyze({"input": [28, 28, 32], "layers": [
        {"multiply": ["globalavgpool", "conv:8,1", "relu", "conv:32,1", "sigmoid"]},
    ]})  # fmt: skip
    (block,) = summary.rows
    assert block.shape == (28, 28, 32)
    assert block.params == (32 * 8 + 8) + (8 * 32 + 32) == 552
    assert block.macs == 1 * 1 * 8 * 32 + 1 * 1 * 32 * 8
    assert block.branches[0].shape == (1, 1, 32)
    assert block.field is None and block.lost == "all"  # the gate saw every input


@pytest.mark.parametrize(
    "gate",
    [
        ["conv:1,7,p=3", "sigmoid"],  # an H×W×1 spatial map (CBAM's)
        ["globalavgpool", "flatten", "fc:16", "sigmoid"],  # a vector of C, as NumPy's (C,)
    ],
)
def test_other_gates_broadcast(gate):
    summary = analyze({"input": [14, 14, 16], "layers": [{"multiply": gate}]})
    assert summary.rows[0].shape == (14, 14, 16)


def test_multiply_that_does_not_broadcast_names_both(tmp_path, run):
    path = tmp_path / "se.yaml"
    path.write_text("input: [28, 28, 32]\nlayers:\n  - multiply: ['conv:4,1']\n")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:3:5: error: layer 1 (Multiply): the multiply block's layers give (28, 28, 4) "
        "but its input is (28, 28, 32); they do not broadcast" in result.stdout
    )


def test_shufflenet_unit_splits_its_channels():
    """ShuffleNetV2's stride-1 unit on 116 channels: half, 58, passes on; the other half goes
    through a 1×1 conv (58·58), BN, ReLU, a depthwise 3×3 (9·58), BN, a 1×1 conv (58·58),
    BN, ReLU; the halves join to 116 and are shuffled in 2 groups."""
    summary = analyze({"input": [28, 28, 116], "layers": [{"split": [[], [
        "conv:58,1,bias=false", "bn", "relu", "conv:58,3,padding=1,depthwise=true,bias=false",
        "bn", "conv:58,1,bias=false", "bn", "relu",
    ]]}]})  # fmt: skip
    (block,) = summary.rows
    assert block.shape == (28, 28, 58 + 58)
    assert block.params == 58 * 58 + 2 * 58 + 9 * 58 + 2 * 58 + 58 * 58 + 2 * 58 == 7_598
    assert block.branches[1].rows[0].input_shape == (28, 28, 116 // 2)


def test_uneven_split_by_sizes():
    """sizes [20, 28] of 48 channels: each branch gets its slice; a 1×1 conv on the 28 to 8
    gives 20 + 8 = 28 channels out."""
    summary = analyze({"input": [7, 7, 48], "layers": [
        {"split": [[], ["conv:8,1"]], "sizes": [20, 28]},
    ]})  # fmt: skip
    (block,) = summary.rows
    assert block.branches[1].rows[0].input_shape == (7, 7, 28)
    assert block.params == 28 * 8 + 8
    assert block.shape == (7, 7, 20 + 8)


def test_split_in_one_dimension():
    """A 1-D split of (100, 6) into 2 and 4 channels; a 5-tap conv padded 2 keeps the
    length, 100 + 2 + 2 − 5 + 1 = 100, and gives 3 channels: 2 + 3 = 5 out."""
    summary = analyze({"input": [100, 6], "layers": [
        {"split": [[], ["conv:3,5,p=2"]], "sizes": [2, 4]},
    ]})  # fmt: skip
    block = summary.rows[0]
    assert block.shape == (100 + 2 + 2 - 5 + 1, 2 + 3)
    assert block.params == 5 * 4 * 3 + 3


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([{"split": [[], [], ["relu"], ["relu"]]}],
         "the split block's 4 branches do not divide the input's 30 channels evenly"),
        ([{"split": [[], ["relu"]], "sizes": [10, 21]}],
         "the split block's sizes 10 + 21 = 31 do not add up to the input's 30 channels"),
        ([{"split": [[], ["relu"]], "sizes": [10]}],
         "sizes must be a list of 2 channel counts, one for each branch, got [10]"),
        ([{"split": [[], ["relu"]], "sizes": [0, 30]}], "each of sizes must be at least 1"),
        ([{"split": [[], ["conv:4,3"]]}], "the split block's branches differ in size"),
        ([{"concat": [[]]}], "concat must be a list of at least two branches"),
        ([{"multiply": []}], "multiply must be a non-empty list of layers"),
    ],
)  # fmt: skip
def test_bad_splits_and_joins(layers, message):
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("+", r"\+")):
        analyze({"input": [8, 8, 30], "layers": layers})


def test_a_join_of_inputs_alone_is_held_to_the_limit():
    """[] with [] doubles the channels with no layer to count them: 30·2^n values pass
    10^18 at n = 55 (30·2^55 ≈ 1.1·10^18), and each value is 4 bytes, so the memory passes
    it sooner; the block that takes it past is refused, not printed."""
    with pytest.raises(SpecError, match=r"the block's output memory .* past 10\^18"):
        analyze({"input": [1, 1, 30], "layers": [{"repeat": 60, "layers": [{"concat": [[], []]}]}]})


def test_new_blocks_in_json_and_explain(run, tmp_path):
    path = tmp_path / "unit.yaml"
    path.write_text(
        "input: [8, 8, 16]\nlayers:\n"
        "  - multiply: [globalavgpool, 'conv:4,1', relu, 'conv:16,1', sigmoid]\n"
        "  - split: [[], [relu]]\n"
    )
    layers = json.loads(run("table", str(path), "--format", "json").stdout)["layers"]
    assert [(layer["type"], layer["shape"]) for layer in layers] == [
        ("multiply", [8, 8, 16]),
        ("split", [8, 8, 8 + 8]),
    ]
    assert [child["branch"] for child in layers[1]["children"]] == ["branch 2"]
    text = run("explain", str(path)).stdout
    assert (
        "the layers' output 1×1×16 times the block's input 8×8×16, element by element, "
        "broadcast over its height and width, giving 8×8×16" in text
    )
    assert "divides the input's 16 channels evenly: 8 + 8" in text
    assert "branch 1 ([]) passes its input on unchanged" in text
