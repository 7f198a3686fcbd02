"""Layer, group and instance norm, layer scale, PReLU, identity, channel shuffle, four more
activations and the per-position fully connected layer, each worked out by hand.

A scale and a shift per channel are 2·C trainable values and, like batch norm's, cost
no MACs; none of these norms keeps running statistics (PyTorch's GroupNorm, LayerNorm
and InstanceNorm2d have no buffers by default), so their non-trainable count is 0.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError
from cnncalc.layers import ChannelShuffle, Dense, GroupNorm, PReLU
from cnncalc.spec import schema


def rows(input, *layers):
    return engine.analyze(spec.from_layers(input, layers)).rows


def one(input, layer):
    return rows(input, layer)[0]


def counts(row):
    """(shape, weights, biases, non-trainable, MACs) of a row."""
    return row.shape, row.weights, row.biases, row.buffers, row.macs


def fails(input, *layers) -> str:
    with pytest.raises(SpecError) as caught:
        rows(input, *layers)
    return caught.value.message


# --- identity and the element-wise activations ------------------------------------------


@pytest.mark.parametrize("input", [(7, 7, 96), (5, 6, 7, 8), (10,)])
def test_identity_keeps_everything(input):
    """nn.Identity: the input itself, nothing to learn, nothing to compute."""
    assert counts(one(input, "identity")) == (input, 0, 0, 0, 0)


@pytest.mark.parametrize("kind", ["hardsigmoid", "mish", "softplus", "hardtanh"])
def test_new_activations_have_no_parameters(kind):
    """Element-wise: the shape unchanged, no parameters, no MACs, in 2-D and 1-D."""
    assert counts(one((28, 28, 16), kind)) == ((28, 28, 16), 0, 0, 0, 0)
    assert counts(one((100, 4), kind)) == ((100, 4), 0, 0, 0, 0)


# --- layer norm ------------------------------------------------------------------------


def test_layernorm_is_a_scale_and_a_shift_per_channel():
    """ConvNeXt-T's LayerNorm2d on 56×56×96: 96 scales + 96 shifts = 2·96."""
    row = one((56, 56, 96), "layernorm")
    assert counts(row) == ((56, 56, 96), 96, 96, 0, 0)
    assert row.params == 2 * 96


def test_layernorm_without_affine_and_on_a_vector():
    """affine=false (Keras's center and scale both false) learns nothing; on a vector of
    10, Keras's LayerNormalization has 2·10."""
    assert counts(one((56, 56, 96), "layernorm:affine=false")) == ((56, 56, 96), 0, 0, 0, 0)
    assert counts(one((10,), "layernormalization")) == ((10,), 10, 10, 0, 0)


def test_layernorm_in_3_d():
    """On 4×8×8×32 the channels are still the last axis: 2·32."""
    assert counts(one((4, 8, 8, 32), "layernorm")) == ((4, 8, 8, 32), 32, 32, 0, 0)


# --- group norm ------------------------------------------------------------------------


def test_groupnorm_counts():
    """GroupNorm(32, 96): 2·96 trainable, no buffers; affine=false: none."""
    assert counts(one((14, 14, 96), "groupnorm:32")) == ((14, 14, 96), 96, 96, 0, 0)
    assert counts(one((14, 14, 96), "groupnorm:32,affine=false")) == ((14, 14, 96), 0, 0, 0, 0)
    assert counts(one((100, 64), "groupnormalization:8")) == ((100, 64), 64, 64, 0, 0)


def test_groupnorm_on_a_vector_as_pytorch_takes_one():
    """PyTorch's GroupNorm takes (N, C): GroupNorm(2, 8) on a vector of 8 has 2·8."""
    assert counts(one((8,), "groupnorm:2")) == ((8,), 8, 8, 0, 0)


def test_groupnorm_shorthand_fills_groups():
    """groupnorm:32 is groups 32, the first positional field."""
    layer = spec.from_layers((14, 14, 96), ["groupnorm:32"]).layers[0].layer
    assert isinstance(layer, GroupNorm)
    assert (layer.groups, layer.affine) == (32, True)


def test_groupnorm_groups_must_divide_the_channels():
    """30 channels do not split into 4 groups: both numbers are named."""
    assert fails((8, 8, 30), "groupnorm:4") == "groups 4 does not divide the input's 30 channels"
    assert fails((8, 8, 3), "groupnorm") == (
        "groupnorm needs groups (groups of channels; it must divide them), e.g. groupnorm:32"
    )


# --- instance norm ---------------------------------------------------------------------


def test_instancenorm_learns_nothing_by_default():
    """InstanceNorm2d(96): affine=False and track_running_stats=False: 0 and 0."""
    assert counts(one((32, 32, 96), "instancenorm")) == ((32, 32, 96), 0, 0, 0, 0)


def test_instancenorm_with_affine():
    """InstanceNorm2d(96, affine=True): 2·96; InstanceNorm1d(16, affine=True) on 100×16: 2·16."""
    assert counts(one((32, 32, 96), "instancenorm:affine=true")) == ((32, 32, 96), 96, 96, 0, 0)
    assert counts(one((100, 16), "instancenorm1d:affine=true")) == ((100, 16), 16, 16, 0, 0)


def test_instancenorm_needs_positions():
    """A vector has no positions to normalise each channel over; instancenorm2d a 2-D input."""
    assert fails((10,), "instancenorm") == (
        "instancenorm needs a spatial input, (L, C), (H, W, C) or (D, H, W, C), but its input "
        "is a vector of 10"
    )
    assert "instancenorm2d takes a 2-D input" in fails((100, 16), "instancenorm2d")


# --- layer scale and PReLU -------------------------------------------------------------


def test_layerscale_is_one_weight_per_channel():
    """torchvision's CNBlock.layer_scale: a Parameter of shape (C, 1, 1), 96 values."""
    assert counts(one((56, 56, 96), "layerscale")) == ((56, 56, 96), 96, 0, 0, 0)
    assert counts(one((4, 8, 8, 32), "layerscale")) == ((4, 8, 8, 32), 32, 0, 0, 0)


def test_prelu_one_slope_per_channel():
    """PReLU(num_parameters=64): 64 slopes, counted as weights; on a vector of 10, 10."""
    assert counts(one((28, 28, 64), "prelu")) == ((28, 28, 64), 64, 0, 0, 0)
    assert counts(one((10,), "prelu")) == ((10,), 10, 0, 0, 0)


def test_prelu_shared():
    """PyTorch's default PReLU() has one slope for every channel: prelu:shared=true."""
    row = one((28, 28, 64), "prelu:shared=true")
    assert counts(row) == ((28, 28, 64), 1, 0, 0, 0)
    layer = row.layer
    assert isinstance(layer, PReLU) and layer.shared


# --- channel shuffle -------------------------------------------------------------------


def test_channelshuffle_keeps_the_shape():
    """ShuffleNet's shuffle of 240 channels in 3 groups: nothing learnt, nothing counted."""
    row = one((28, 28, 240), "channelshuffle:3")
    assert counts(row) == ((28, 28, 240), 0, 0, 0, 0)
    assert isinstance(row.layer, ChannelShuffle) and row.layer.groups == 3
    assert counts(one((50, 8), "channelshuffle:2")) == ((50, 8), 0, 0, 0, 0)


def test_channelshuffle_refusals():
    """The groups must divide the channels; a vector has no channels to shuffle (PyTorch:
    'channel_shuffle expects input with > 2 dims')."""
    assert fails((8, 8, 30), "channelshuffle:4") == (
        "groups 4 does not divide the input's 30 channels"
    )
    assert "channelshuffle needs a spatial input" in fails((10,), "channelshuffle:2")


# --- the per-position fully connected layer --------------------------------------------


def test_fc_per_position():
    """ConvNeXt's pwconv1 on 7×7×96: Linear(96, 384) at each of the 7·7 positions."""
    row = one((7, 7, 96), "fc:384,flatten=false")
    assert counts(row) == ((7, 7, 384), 96 * 384, 384, 0, 7 * 7 * 96 * 384)
    assert isinstance(row.layer, Dense) and row.layer.flatten is False


def test_fc_per_position_in_1_d_and_without_bias():
    """On 50×8, 16 units without biases: 8·16 weights, used 50 times."""
    row = one((50, 8), {"type": "dense", "units": 16, "flatten": False, "bias": False})
    assert counts(row) == ((50, 16), 8 * 16, 0, 0, 50 * 8 * 16)


def test_fc_per_position_keeps_the_receptive_field():
    """Like a 1×1 conv it sees one position: the 3×3 conv's field of 3 stays 3; a flattening
    fc sees everything."""
    per_position, flattening = rows((8, 8, 4), "conv:8,3", "fc:16,flatten=false", "fc:10")[1:]
    assert per_position.field is not None and per_position.field.size == (3, 3)
    assert flattening.field is None and flattening.lost == "all"


def test_fc_on_a_vector_ignores_flatten():
    """On a vector flatten=false is a plain fc: 120·84 + 84."""
    plain, per_position = one((120,), "fc:84"), one((120,), "fc:84,flatten=false")
    assert counts(plain) == counts(per_position) == ((84,), 120 * 84, 84, 0, 120 * 84)


def test_fc_still_flattens_by_default():
    """Unchanged: 5×5×16 flattened into 120 units, (400 + 1)·120."""
    row = one((5, 5, 16), "fc:120")
    assert counts(row) == ((120,), 5 * 5 * 16 * 120, 120, 0, 5 * 5 * 16 * 120)
    assert row.layer.notation() == ""


def test_convnext_block_totals():
    """ConvNeXt-T's first block (Liu et al. 2022; torchvision's CNBlock(96)): a 7×7
    depthwise conv, LayerNorm, Linear(96, 384), GELU, Linear(384, 96) and layer scale, in a
    residual: (7·7 + 1)·96 + 2·96 + (96 + 1)·384 + (384 + 1)·96 + 96."""
    summary = engine.analyze(
        spec.from_layers(
            (56, 56, 96),
            [
                {
                    "residual": [
                        "conv:depthwise=true,kernel=7,padding=3",
                        "layernorm",
                        "fc:384,flatten=false",
                        "gelu",
                        "fc:96,flatten=false",
                        "layerscale",
                    ]
                }
            ],
        )
    )
    assert summary.output_shape == (56, 56, 96)
    total = (7 * 7 + 1) * 96 + 2 * 96 + (96 + 1) * 384 + (384 + 1) * 96 + 96
    assert summary.params == total == 79_296
    assert summary.rows[0].buffers == 0


# --- names -----------------------------------------------------------------------------


def test_default_names():
    """A norm takes the number of the layer before, as BN does; fc still counts."""
    names = [
        row.name
        for row in rows(
            (8, 8, 16), "conv:16,3", "layernorm", "groupnorm:4", "instancenorm", "layerscale",
            "prelu", "identity", "channelshuffle:2", "hardsigmoid", "mish", "softplus",
            "hardtanh", "fc:8,flatten=false", "layernorm",
        )
    ]  # fmt: skip
    assert names == [
        "CONV1", "LN1", "GN1", "IN1", "LayerScale", "PReLU", "Identity", "ChannelShuffle",
        "Hardsigmoid", "Mish", "Softplus", "Hardtanh", "FC2", "LN2",
    ]  # fmt: skip


# --- through the command line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "line", "column"),
    [
        ("  - conv:30,3\n  - type: groupnorm\n    groups: 4\n", 5, 13),
        ("  - channelshuffle:4\n", 3, 20),
    ],
)
def test_refusals_are_located(run, tmp_path, layers, line, column):
    """cnncalc check exits 1 and points at the groups value: the 4 of `groups: 4` (line 5,
    column 13), or of `channelshuffle:4` (line 3, column 20)."""
    path = tmp_path / "bad.yaml"
    path.write_text("input: [8, 8, 30]\nlayers:\n" + layers)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert f"bad.yaml:{line}:{column}: error: " in result.stdout
    assert "groups 4 does not divide the input's 30 channels" in result.stdout


def test_vector_refusal_through_check(run, tmp_path):
    """A channel shuffle of a vector is refused at its layer, and check exits 1."""
    path = tmp_path / "vector.yaml"
    path.write_text("input: [10]\nlayers:\n  - channelshuffle:2\n")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "vector.yaml:3:5: error: layer 1 (ChannelShuffle): channelshuffle needs" in result.stdout


def test_table_json(run):
    """The JSON table carries the counts: 2·16 for GN0, (16 + 1)·32 for the fc."""
    result = run(
        "table", "--input", "4x4x16", "groupnorm:4", "fc:32,flatten=false", "--format", "json"
    )
    assert result.exit_code == 0
    layers = json.loads(result.stdout)["layers"]
    assert [(layer["name"], layer["shape"], layer["params"]) for layer in layers] == [
        ("GN0", [4, 4, 16], 2 * 16),
        ("FC1", [4, 4, 32], 16 * 32 + 32),
    ]


def _explained(run, *layers: str) -> list[str]:
    result = run("explain", "--input", "7x7x96", *layers)
    assert result.exit_code == 0
    return result.stdout.splitlines()


def test_explain_norms(run):
    lines = _explained(run, "layernorm", "groupnorm:32", "instancenorm", "instancenorm:affine=true")
    assert "LN0: layer normalisation of 96 channels" in lines
    assert "  the mean and variance of the 96 channels at each of the 7·7 = 49 positions" in lines
    assert lines.count("  params = 2·96 = 192, a scale and a shift per channel") == 3
    assert "GN0: group normalisation, 32 groups" in lines
    assert (
        "  groups = 32 of 96/32 = 3 channels each, normalised over its channels and its "
        "7·7 = 49 positions"
    ) in lines
    assert "  each channel normalised over its own 7·7 = 49 positions" in lines
    assert (
        "  params = 0: with affine=false (PyTorch's default) it learns no scale and no shift"
    ) in lines
    assert (
        lines.count(
            "  no running statistics: each input is normalised with its own mean and variance; "
            "no MACs"
        )
        == 4
    )


def test_explain_scale_prelu_identity_shuffle(run):
    lines = _explained(
        run, "layerscale", "prelu", "prelu:shared=true", "identity", "channelshuffle:2"
    )
    assert "  params = 96, one γ per channel, multiplying its 96 channels" in lines
    assert "  max(0, x) + a·min(0, x) on each of 4,704 values; shape unchanged" in lines
    assert "  params = 96, a slope a per channel" in lines
    assert "  params = 1, one slope a for every channel (shared=true)" in lines
    assert "  its input unchanged: 7×7×96 = 4,704 values; no parameters" in lines
    assert "ChannelShuffle: channel shuffle, 2 groups" in lines
    assert (
        "  groups = 2 of 96/2 = 48 channels each, interleaved: channel i of group g moves to "
        "i·2 + g"
    ) in lines


@pytest.mark.parametrize(
    ("kind", "formula"),
    [
        ("hardsigmoid", "min(max(0, x + 3), 6)/6"),  # PyTorch's Hardsigmoid: x/6 + 1/2, clipped
        ("mish", "x·tanh(softplus(x))"),
        ("softplus", "log(1 + e^x)"),
        ("hardtanh", "min(max(−1, x), 1)"),
    ],
)
def test_explain_activations(run, kind, formula):
    lines = _explained(run, kind)
    assert f"{kind.capitalize()}: element-wise {kind}" in lines
    assert f"  {formula} on each of 4,704 values; shape unchanged; no parameters" in lines


def test_explain_fc_per_position(run):
    lines = _explained(run, "fc:384,flatten=false")
    assert lines[lines.index("FC1: fully connected at each position, 384 units") + 1 :][:4] == [
        "  the same weights at each of the 7·7 = 49 positions, on its 96 channels (as a 1×1 conv)",
        "  activation: 7×7×384 = 18,816 values",
        f"  params = (96 + 1)·384 = {(96 + 1) * 384:,}",
        f"  MACs = 7·7·96·384 = {7 * 7 * 96 * 384:,}",
    ]


def test_list_layers_names_them(run):
    text = run("list", "--layers").stdout
    for line in [
        "layernorm (layernormalization): ",
        "groupnorm (groupnormalization): ",
        "instancenorm (instancenormalization, instancenorm1d/2d/3d): ",
        "layerscale: ",
        "prelu: ",
        "identity: ",
        "channelshuffle: ",
        "hardsigmoid (hard_sigmoid): ",
        "mish: ",
        "softplus: ",
        "hardtanh: ",
        "    keys: units, bias (use_bias), flatten, name, expect; e.g. fc:120",
        "    keys: groups, affine, name, expect; e.g. groupnorm:32",
        "    keys: shared, name, expect; e.g. prelu",
        "    keys: groups, name, expect; e.g. channelshuffle:2",
    ]:
        assert f"\n{line}" in text, line


# --- the JSON Schema -------------------------------------------------------------------

VALIDATOR = jsonschema.Draft7Validator(schema.build())


@pytest.mark.parametrize(
    ("layer", "ok"),
    [
        ("layernorm", True),
        ("LayerNormalization", True),
        ({"type": "layernorm", "affine": False}, True),
        ("groupnorm:32", True),
        ({"type": "groupnorm", "groups": 32}, True),
        ({"type": "groupnorm", "affine": True}, False),  # no groups
        ({"type": "groupnorm", "groups": 0}, False),
        ("InstanceNorm2d", True),
        ({"type": "instancenorm", "affine": True}, True),
        ("layerscale", True),
        ({"type": "prelu", "shared": True}, True),
        ({"type": "prelu", "shraed": True}, False),
        ("identity", True),
        ({"type": "channelshuffle", "groups": 2}, True),
        ({"type": "channelshuffle"}, False),
        ("hardsigmoid", True),
        ("mish", True),
        ("softplus", True),
        ("hardtanh", True),
        ({"type": "fc", "units": 384, "flatten": False}, True),
        ("fc:384,flatten=false", True),
    ],
)
def test_schema_knows_the_new_types(layer, ok):
    assert VALIDATOR.is_valid({"input": [7, 7, 96], "layers": [layer]}) is ok


# --- against PyTorch, where it is installed --------------------------------------------


def test_counts_match_torch():
    """Each count against sum(p.numel() for p in m.parameters()) and the buffers."""
    torch = pytest.importorskip("torch")
    nn = torch.nn

    def torch_counts(module):
        return (
            sum(p.numel() for p in module.parameters()),
            sum(b.numel() for b in module.buffers()),
        )

    def ours(input, layer):
        row = one(input, layer)
        return row.params, row.buffers

    cases = [
        ((7, 7, 96), "layernorm", nn.LayerNorm(96)),
        ((7, 7, 96), "layernorm:affine=false", nn.LayerNorm(96, elementwise_affine=False)),
        ((14, 14, 96), "groupnorm:32", nn.GroupNorm(32, 96)),
        ((14, 14, 96), "groupnorm:32,affine=false", nn.GroupNorm(32, 96, affine=False)),
        ((32, 32, 96), "instancenorm", nn.InstanceNorm2d(96)),
        ((32, 32, 96), "instancenorm:affine=true", nn.InstanceNorm2d(96, affine=True)),
        ((28, 28, 64), "prelu", nn.PReLU(num_parameters=64)),
        ((28, 28, 64), "prelu:shared=true", nn.PReLU()),
        ((7, 7, 96), "fc:384,flatten=false", nn.Linear(96, 384)),
        ((7, 7, 96), "identity", nn.Identity()),
        ((28, 28, 240), "channelshuffle:3", nn.ChannelShuffle(3)),
        ((7, 7, 96), "hardsigmoid", nn.Hardsigmoid()),
        ((7, 7, 96), "mish", nn.Mish()),
        ((7, 7, 96), "softplus", nn.Softplus()),
        ((7, 7, 96), "hardtanh", nn.Hardtanh()),
    ]
    for input, layer, module in cases:
        assert ours(input, layer) == torch_counts(module), layer
    # Layer scale: torchvision's CNBlock holds nn.Parameter(torch.ones(96, 1, 1) * 1e-6).
    assert ours((7, 7, 96), "layerscale") == (torch.ones(96, 1, 1).numel(), 0)

    # Shapes: channels last here, channels first in torch; the output's shape either way.
    x = torch.zeros(1, 7, 7, 96)  # channels last, as Linear and LayerNorm take it
    assert tuple(nn.Linear(96, 384)(x).shape[1:]) == one((7, 7, 96), "fc:384,flatten=false").shape
    assert tuple(nn.GroupNorm(2, 8)(torch.zeros(3, 8)).shape[1:]) == one((8,), "groupnorm:2").shape
    with pytest.raises(RuntimeError, match="divisible"):
        nn.ChannelShuffle(4)(torch.zeros(1, 30, 8, 8))
