"""Reading specs: shorthand, mappings, aliases and value forms, with locations."""

from __future__ import annotations

import pytest

from cnncalc import spec
from cnncalc.errors import SpecError, Where
from cnncalc.layers import Conv, Dense, Pool, Softmax
from cnncalc.spec.shorthand import Piece, split


def layers(*raw):
    return [layer_spec.layer for layer_spec in spec.from_layers((32, 32, 3), raw).layers]


def test_split_shorthand_keeps_offsets():
    """Each piece remembers where it starts, to point at the column."""
    assert split("conv:16, 5,stride=2") == (
        "conv",
        [Piece(None, "16", 5), Piece(None, "5", 9), Piece("stride", "2", 11)],
    )
    assert split("relu") == ("relu", [])
    assert split("softmax:") == ("softmax", [])


def test_positional_values_follow_keras_order():
    """conv:FILTERS,KERNEL,STRIDE,PADDING, as Conv2D(filters, kernel_size, strides, padding)."""
    assert layers("conv:16,5,2,same") == [Conv(16, 5, 2, "same")]
    assert layers("maxpool:3,2") == [Pool("max", 3, 2)]
    assert layers("fc:120") == [Dense(120)]
    assert layers("softmax:10") == [Softmax(10)]


def test_pairs_and_padding_forms():
    """HxW in shorthand, [h, w] in a mapping; padding p, HxW, four sides, same, valid."""
    assert layers("conv:4,kernel=3x5,stride=1x2,padding=1x2")[0] == Conv(
        4, (3, 5), (1, 2), ((1, 1), (2, 2))
    )
    assert layers({"type": "conv", "filters": 4, "kernel": [3, 5], "padding": [0, 1, 2, 3]})[0] == (
        Conv(4, (3, 5), padding=((0, 1), (2, 3)))
    )
    assert layers("conv:4,3,padding=VALID")[0].padding == "valid"


def test_course_and_keras_aliases():
    """f, s, p from the course; kernel_size, strides, use_bias, pool_size from Keras."""
    assert layers({"type": "conv2d", "filters": 8, "f": 5, "s": 1, "p": 0}) == [Conv(8, 5, 1, 0)]
    assert layers({"type": "Conv2D", "filters": 8, "kernel_size": 3, "strides": 2,
                   "use_bias": False}) == [Conv(8, 3, 2, bias=False)]  # fmt: skip
    assert layers({"type": "MaxPooling2D", "pool_size": 2}) == [Pool("max", 2)]
    assert layers("dense:10", "linear:5") == [Dense(10), Dense(5)]


def test_explicit_names_override_and_do_not_renumber():
    """A name replaces the default; numbering still counts layers with weights."""
    named = spec.from_layers((32, 32, 3), ["conv:8,5,name=stem", "maxpool:2", "conv:8,3"])
    assert [layer.name for layer in named.layers] == ["stem", "POOL1", "CONV2"]


def test_yaml_marks_point_into_shorthand():
    """A value inside an unquoted shorthand string is located to its column."""
    loaded = spec.from_text("input: [32, 32, 3]\nlayers:\n  - conv:8,5,stride=2\n", "n.yaml")
    assert loaded.layers[0].where == Where("n.yaml", 3, 5)
    assert loaded.layers[0].where_of("stride") == Where("n.yaml", 3, 5 + len("conv:8,5,"))


def test_quoted_shorthand_points_at_the_string():
    """Inside quotes columns may shift (escapes), so the string itself is the place."""
    loaded = spec.from_text('input: [32, 32, 3]\nlayers:\n  - "conv:8,5,stride=2"\n', "n.yaml")
    assert loaded.layers[0].where_of("stride") == Where("n.yaml", 3, 5)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("conv:8,5,1,0,9", "conv takes 4 values in order (filters, kernel, stride, padding), "
                           "but 'conv:8,5,1,0,9' has more"),
        ("conv:8,kernel=5,1", "the value '1' comes after a named one; write it as key=value too"),
        ("conv:8,,5", "value 2 of 'conv:8,,5' is empty"),
        ("conv:8,5,kernel=3", "kernel is given twice, as value 2 (5) and as kernel=3"),
        ("conv:8,5,bias=maybe", "bias must be true or false, got 'maybe'"),
        ("conv:8,5.5", "kernel must be a whole number, or one per axis: [a] in 1-D, [a, b] in "
                       "2-D, [a, b, c] in 3-D (AxBxC in shorthand), got '5.5'"),
        ("conv:8,5,padding=full", "padding must be 'same', 'valid', 'causal', a whole number, "
                                  "one per axis, or (before, after) per axis ([top, bottom, left, "
                                  "right] in 2-D), got 'full'"),
        ("relu:3", "relu takes 0 values in order (none), but 'relu:3' has more"),
        ("conv:8,5,name=", "name cannot be empty"),
    ],
)  # fmt: skip
def test_shorthand_errors(raw, message):
    """Each malformed shorthand gets its own sentence."""
    with pytest.raises(SpecError) as caught:
        layers(raw)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"input": [32, 32, 3]}, "the spec has no 'layers'; list them, one per line, e.g. '- conv:8,5'"),
        ({"input": [32, 32, 3], "layers": []}, "'layers' is empty; list at least one layer"),
        ({"input": [32, 32, 3], "layers": "conv:8,5"}, "'layers' must be a list of layers, got 'conv:8,5'"),
        ({"input": [2, 32, 32, 32, 3], "layers": ["fc:1"]},
         "input has 5 axes, but cnncalc takes at most 3 spatial axes and the channels: [L, C], "
         "[H, W, C] or [D, H, W, C]"),
        ({"input": [32, 32, "x"], "layers": ["fc:1"]},
         "input must hold whole numbers, got [32, 32, 'x']"),
        ({"input": [32, 32, 3], "layers": ["fc:1"], "nmae": "x"},
         "unknown key 'nmae' at the top of the spec; did you mean 'name'?"),
        ({"input": [32, 32, 3], "layers": [{"conv": 8}]},
         "the layer has no 'type'; write {type: conv, …}, not {conv: …}"),
        ({"input": [32, 32, 3], "layers": [5]},
         "a layer is a mapping with 'type' or a shorthand string such as conv:16,5, got 5; "
         "inside [ ], quote a shorthand that has commas: 'conv:8,5'"),
        ({"input": [32, 32, 3], "layers": [{"type": "fc", "units": 2, "name": 7}]},
         "name must be text, got 7; quote it: '7'"),
        ({"input": [32, 32, 3], "layers": [{"type": "zeropad", "padding": "same"}]},
         "padding must be in numbers: a whole number, one per axis, or (before, after) per axis "
         "([top, bottom, left, right] in 2-D), got 'same'"),
    ],
)  # fmt: skip
def test_document_errors(document, message):
    """Each malformed document gets its own sentence."""
    with pytest.raises(SpecError) as caught:
        spec.from_document(document)
    assert caught.value.message == message


def test_vector_input_for_fully_connected_nets():
    """input: [784] describes an MLP's input."""
    loaded = spec.from_document({"input": [784], "layers": ["fc:100", "softmax:10"]})
    assert loaded.input == (784,)
