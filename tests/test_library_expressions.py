"""MobileNetV2, ResNet-18 and ResNet-50 of the model library, each written with one block
where it had two: expressions of the block's input (`in.c`) and `if:` choose what
torchvision's InvertedResidual, BasicBlock and Bottleneck choose in Python.

What each block must hold is written out here by hand from torchvision's source
(torchvision/models/mobilenetv2.py and resnet.py), never read back from the specs.
"""

from __future__ import annotations

import pytest
import yaml

from cnncalc import engine, spec
from cnncalc.summary import Row
from tests.conftest import SPECS


def analyze(name: str) -> engine.Summary:
    return engine.analyze(spec.load(str(SPECS / f"{name}.yaml")))


def document(name: str) -> dict:
    return yaml.safe_load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"))


def row(summary: engine.Summary, name: str) -> Row:
    return next(r for r in summary.flat() if r.name == name)


def holds_residual(raw: object) -> bool:
    """Whether a block's raw layers hold a residual, at any depth."""
    if isinstance(raw, dict):
        return "residual" in raw or any(holds_residual(value) for value in raw.values())
    if isinstance(raw, list):
        return any(holds_residual(item) for item in raw)
    return False


# torchvision's MobileNetV2.__init__: inverted_residual_setting, (t, c, n, s) a row; features.0
# is the stem, then n InvertedResidual blocks a row, the first with stride s.
SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
           (6, 160, 3, 2), (6, 320, 1, 1)]  # fmt: skip


def inverted_blocks() -> list[tuple[int, int, int, int, int]]:
    """(features index, t, c_in, c_out, stride) of each InvertedResidual, as torchvision's
    loop builds them: c_in is the previous block's c_out, 32 after the stem."""
    blocks, c_in = [], 32
    for t, c, n, s in SETTING:
        for i in range(n):
            blocks.append((len(blocks) + 1, t, c_in, c, s if i == 0 else 1))
            c_in = c
    return blocks


INVERTED = inverted_blocks()


def test_the_setting_as_written_out():
    """17 blocks, features.1 to features.17, and t = 1 only in the first."""
    assert [index for index, *_ in INVERTED] == list(range(1, 18))
    assert [index for index, t, *_ in INVERTED if t == 1] == [1]


@pytest.mark.parametrize(
    ("name", "blocks", "used"),
    [
        # was: conv_norm_act, dw, expand, inverted, inverted_residual and no_expansion
        ("mobilenet_v2", {"conv_norm_act", "dw", "conv", "inverted_residual"}, "inverted_residual"),
        # was: basic, basic_down and layer
        ("resnet18", {"basic", "layer"}, "basic"),
        # was: bottleneck, bottleneck_down, stage3, stage4 and stage6
        ("resnet50", {"bottleneck", "layer"}, "bottleneck"),
    ],
)
def test_one_block_where_there_were_two(name, blocks, used):
    """One block holds the residual, where one block with the sum (or the downsample)
    and one without it did."""
    doc = document(name)
    assert set(doc["blocks"]) == blocks
    assert [block for block, body in doc["blocks"].items() if holds_residual(body)] == [used]


def test_mobilenet_v2_uses_one_block_for_every_inverted_residual():
    uses = {layer["name"]: layer["use"] for layer in document("mobilenet_v2")["layers"]
            if isinstance(layer, dict) and "use" in layer}  # fmt: skip
    assert {uses[f"features.{index}"] for index, *_ in INVERTED} == {"inverted_residual"}


def test_mobilenet_v2_expands_only_where_t_is_not_1():
    """InvertedResidual's `conv`: with the pw expansion (t != 1) Conv2dNormActivation at
    conv.0 (1×1, c_in → t·c_in), the depthwise at conv.1, the projection conv.2 and its
    batch norm conv.3; without it (t = 1) the depthwise at conv.0, then conv.1, conv.2."""
    summary = analyze("mobilenet_v2")
    for index, t, c_in, c_out, stride in INVERTED:
        conv = row(summary, f"features.{index}.conv")
        names = [child.name for child in conv.children]
        kinds = [child.kind for child in conv.children]
        hidden = t * c_in
        if t == 1:
            assert names == [f"features.{index}.conv.{i}" for i in range(3)]
            assert kinds == ["block", "conv", "batchnorm"]
            depthwise = conv.children[0]
        else:
            assert names == [f"features.{index}.conv.{i}" for i in range(4)]
            assert kinds == ["block", "block", "conv", "batchnorm"]
            expansion = conv.children[0].children[0]
            assert expansion.window is not None and expansion.window.kernel == (1, 1)
            assert expansion.input_shape[-1] == c_in and expansion.shape[-1] == hidden
            assert expansion.params == c_in * hidden  # bias-free
            depthwise = conv.children[1]
        dw_conv = depthwise.children[0]
        assert dw_conv.window is not None and dw_conv.window.kernel == (3, 3)
        assert dw_conv.window.stride == (stride, stride)
        assert dw_conv.params == 9 * hidden  # one 3×3 filter a channel, bias-free
        assert conv.shape[-1] == c_out


def test_mobilenet_v2_adds_the_input_only_where_torchvision_does():
    """use_res_connect = stride == 1 and inp == oup: features.3, 5, 6, 8, 9, 10, 12, 13,
    15 and 16, each named after what it adds; the others are their `conv` alone."""
    summary = analyze("mobilenet_v2")
    added = [index for index, _, c_in, c_out, stride in INVERTED if stride == 1 and c_in == c_out]
    assert added == [3, 5, 6, 8, 9, 10, 12, 13, 15, 16]
    for index, *_ in INVERTED:
        (child,) = row(summary, f"features.{index}").children
        if index in added:
            assert (child.kind, child.name) == ("residual", f"features.{index} + input")
            assert child.layer.add
        else:
            assert (child.kind, child.name) == ("block", f"features.{index}.conv")


# torchvision's _make_layer: a downsample when stride != 1 or inplanes != planes ·
# expansion. ResNet-18 (expansion 1): stages 2 to 4 stride 2 in their first block;
# layer1's first block keeps 64 channels. ResNet-50 (expansion 4): layer1.0 turns 64
# channels into 256, and stages 2 to 4 stride.
STAGES = {"resnet18": (2, 2, 2, 2), "resnet50": (3, 4, 6, 3)}
DOWNSAMPLED = {
    "resnet18": {"layer2.0", "layer3.0", "layer4.0"},
    "resnet50": {"layer1.0", "layer2.0", "layer3.0", "layer4.0"},
}


@pytest.mark.parametrize("name", list(STAGES))
def test_resnet_shortcut_only_in_torchvisions_downsampling_blocks(name):
    summary = analyze(name)
    blocks = [f"layer{stage}.{i}" for stage, n in enumerate(STAGES[name], 1) for i in range(n)]
    for block in blocks:
        (residual,) = (r for r in row(summary, block).children if r.kind == "residual")
        roles = [branch.role for branch in residual.branches]
        if block in DOWNSAMPLED[name]:
            assert roles == ["layers", "shortcut"], block
            conv, norm = residual.part("shortcut")[0].rows
            assert (conv.name, conv.kind) == (f"{block}.downsample.0", "conv")
            assert (norm.name, norm.kind) == (f"{block}.downsample.1", "batchnorm")
            assert conv.window is not None and conv.window.kernel == (1, 1)
            assert residual.name == f"{block} + downsample"
        else:
            assert roles == ["layers"], block  # the identity
            assert residual.name == f"{block} + identity"
    every = {r.name for r in summary.flat()}
    assert {n.rsplit(".", 2)[0] for n in every if ".downsample." in n} == DOWNSAMPLED[name]


# torchvision's published trainable parameters: the `num_params` of each model's weights'
# meta (MobileNet_V2_Weights.IMAGENET1K_V1, ResNet18_Weights.IMAGENET1K_V1,
# ResNet50_Weights.IMAGENET1K_V1), the "Params" column of docs.pytorch.org/vision/stable/models.html.
@pytest.mark.parametrize(
    ("name", "params"),
    [("mobilenet_v2", 3_504_872), ("resnet18", 11_689_512), ("resnet50", 25_557_032)],
)
def test_totals_are_torchvisions(name, params):
    summary = analyze(name)
    assert summary.params == params
    assert summary.output_shape == (1000,)
