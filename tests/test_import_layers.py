"""Each Keras layer `cnncalc import` converts: the row it writes, and the counts and shape
worked out by hand (a conv's f·f·c_in·filters weights + filters biases).

The layers are written as Keras 3 saves them (tests/keras_json.py); each model is an
input and the one layer, and its spec is read back and walked by the engine.
"""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from tests import keras_json as k

CONV = {"data_format": "channels_last", "activation": "linear", "use_bias": True}


def one_layer(run, tmp_path, cls, shape, config, out, name="it"):
    """The spec of an input of `shape` and one layer of `cls`, whose output Keras gives as
    `out` (the model's output: a layer after it would take it so)."""
    layers = [k.input_layer("x", shape), k.layer(cls, name, [("x", shape)], shape, **config)]
    # A layer after it, which takes its output as Keras saved it, pins the shape.
    layers.append(k.layer("Identity", "then", [(name, out)]))
    path = tmp_path / "model.json"
    path.write_text(k.text(k.functional("one", layers, ["x"], ["then"])), "utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    body = result.stdout.split("layers:\n", 1)[1]
    rows = body.removesuffix("  - identity:name=then\n")
    return rows, engine.analyze(spec.from_text(result.stdout))


@pytest.mark.parametrize(
    ("cls", "shape", "config", "out", "rows", "params"),
    [
        ("Conv1D", (100, 2), {"filters": 4, "kernel_size": [3], "strides": [1], "padding": "causal",
                              "dilation_rate": [2], "groups": 1, **CONV},
         (100, 4), "  - conv:4,3,1,causal,dilation=2,name=it\n", 3 * 2 * 4 + 4),
        ("Conv2D", (9, 9, 4), {"filters": 8, "kernel_size": [3, 3], "strides": [2, 2],
                               "padding": "same", "dilation_rate": [1, 1], "groups": 2, **CONV,
                               "use_bias": False, "activation": "hard_silu"},
         (5, 5, 8), "  - conv:8,3,2,same,bias=false,groups=2,name=it\n"
         "  - hardswish:name=it/hard_silu\n", 3 * 3 * (4 // 2) * 8),
        ("Conv3D", (4, 8, 8, 1), {"filters": 2, "kernel_size": [1, 3, 3], "strides": [1, 1, 1],
                                  "padding": "valid", "dilation_rate": [1, 1, 1], "groups": 1,
                                  **CONV},
         (4, 6, 6, 2), "  - conv:2,1x3x3,name=it\n", 1 * 3 * 3 * 1 * 2 + 2),
        ("Conv2DTranspose", (4, 4, 3), {"filters": 2, "kernel_size": [3, 3], "strides": [2, 2],
                                        "padding": "same", "output_padding": None,
                                        "dilation_rate": [1, 1], **CONV},
         (8, 8, 2), "  - convtranspose:2,3,2,same,name=it\n", 3 * 3 * 3 * 2 + 2),
        ("Conv2DTranspose", (4, 4, 3), {"filters": 2, "kernel_size": [3, 3], "strides": [2, 2],
                                        "padding": "same", "output_padding": [1, 1],
                                        "dilation_rate": [1, 1], **CONV},
         # (4 − 1)·2 + 3 − 2·1 + 1 = 8
         (8, 8, 2), "  - convtranspose:2,3,2,1,output_padding=1,name=it\n", 3 * 3 * 3 * 2 + 2),
        ("Dense", (5, 5, 3), {"units": 4, "activation": "gelu", "use_bias": True},
         (5, 5, 4), "  - fc:4,flatten=false,name=it\n  - gelu:name=it/gelu\n", 3 * 4 + 4),
        ("LayerNormalization", (5, 3), {"axis": [-1], "center": True, "scale": True},
         (5, 3), "  - layernorm:name=it\n", 2 * 3),
        ("GroupNormalization", (5, 5, 6), {"groups": 3, "axis": -1, "center": False,
                                           "scale": False},
         (5, 5, 6), "  - groupnorm:3,affine=false,name=it\n", 0),
        ("BatchNormalization", (5, 5, 6), {"axis": 3, "center": False, "scale": False},
         (5, 5, 6), "  - batchnorm:affine=false,name=it\n", 0),
        ("PReLU", (5, 5, 6), {"shared_axes": [1, 2]}, (5, 5, 6), "  - prelu:name=it\n", 6),
        ("PReLU", (5, 5, 6), {"shared_axes": [1, 2, 3]}, (5, 5, 6),
         "  - prelu:shared=true,name=it\n", 1),
        ("ReLU", (5, 3), {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}, (5, 3),
         "  - relu6:name=it\n", 0),
        ("ReLU", (5, 3), {"max_value": None, "negative_slope": 0.1, "threshold": 0.0}, (5, 3),
         "  - leakyrelu:name=it\n", 0),
        ("LeakyReLU", (5, 3), {"negative_slope": 0.3}, (5, 3), "  - leakyrelu:name=it\n", 0),
        ("Activation", (5, 3), {"activation": "swish"}, (5, 3), "  - silu:name=it\n", 0),
        ("Activation", (5, 3), {"activation": "linear"}, (5, 3),
         "  - identity:name=it  # Keras's Activation('linear')\n", 0),
        ("Softmax", (5, 3), {"axis": -1}, (5, 3), "  - softmax:name=it\n", 0),
        ("MaxPooling2D", (9, 9, 3), {"pool_size": [3, 3], "padding": "same", "strides": [2, 2],
                                     "data_format": "channels_last"},
         (5, 5, 3), "  - maxpool:3,2,same,name=it\n", 0),
        ("AveragePooling1D", (9, 3), {"pool_size": [2], "padding": "valid", "strides": [2],
                                      "data_format": "channels_last"},
         (4, 3), "  - avgpool:2,name=it\n", 0),
        ("GlobalMaxPooling2D", (7, 5, 3), {"data_format": "channels_last", "keepdims": True},
         (1, 1, 3), "  - maxpool:7x5,name=it  # Keras's GlobalMaxPooling2D: a max pool over the "
         "whole 7×5\n", 0),
        ("GlobalAveragePooling1D", (7, 3), {"data_format": "channels_last", "keepdims": True},
         (1, 3), "  - globalavgpool:name=it\n", 0),
        ("ZeroPadding2D", (8, 8, 3), {"padding": [[1, 1], [2, 2]], "data_format": "channels_last"},
         (10, 12, 3), "  - zeropad:1x2,name=it\n", 0),
        ("ZeroPadding2D", (8, 8, 3), {"padding": [[0, 1], [0, 1]], "data_format": "channels_last"},
         (9, 9, 3), "  - {type: zeropad, name: it, padding: [[0, 1], [0, 1]]}\n", 0),
        ("ZeroPadding1D", (8, 3), {"padding": [2, 0], "data_format": "channels_last"},
         (10, 3), "  - {type: zeropad, name: it, padding: [[2, 0]]}\n", 0),
        ("Cropping2D", (8, 8, 3), {"cropping": [[1, 2], [0, 0]], "data_format": "channels_last"},
         (5, 8, 3), "  - {type: crop, name: it, cropping: [[1, 2], [0, 0]]}\n", 0),
        ("UpSampling2D", (4, 4, 3), {"size": [2, 3], "data_format": "channels_last",
                                     "interpolation": "bilinear"},
         (8, 12, 3), "  - upsample:2x3,mode=bilinear,name=it\n", 0),
        ("UpSampling1D", (4, 3), {"size": 2}, (8, 3), "  - upsample:2,name=it\n", 0),
        ("Flatten", (4, 4, 3), {"data_format": "channels_last"}, (48,),
         "  - flatten:name=it\n", 0),
        ("Reshape", (4, 4, 3), {"target_shape": [-1]}, (48,), "  - flatten:name=it\n", 0),
        ("Dropout", (4, 3), {"rate": 0.25, "seed": None, "noise_shape": None}, (4, 3),
         "  - dropout:0.25,name=it\n", 0),
        ("SpatialDropout2D", (4, 4, 3), {"rate": 0.00001, "data_format": "channels_last"},
         (4, 4, 3), "  - dropout:0.00001,name=it\n", 0),
        ("Rescaling", (4, 3), {"scale": 0.5, "offset": -1.0}, (4, 3),
         "  - identity:name=it  # Keras's Rescaling(scale=0.5, offset=-1.0): no weights, shape "
         "unchanged\n", 0),
        ("Normalization", (4, 3), {"axis": [-1], "invert": False, "mean": [1.0, 2.0, 3.0],
                                   "variance": [1.0, 1.0, 1.0]},
         (4, 3), "  - identity:name=it  # Keras's Normalization: a fixed mean and variance, no "
         "weights, shape unchanged\n", 0),
        ("GaussianNoise", (4, 3), {"stddev": 0.1, "seed": None}, (4, 3),
         "  - identity:name=it  # Keras's GaussianNoise(stddev=0.1): training-time noise, no "
         "weights, shape unchanged\n", 0),
    ],
)  # fmt: skip
def test_a_keras_layer_as_a_row(run, tmp_path, cls, shape, config, out, rows, params):
    """The row, and Keras's counts and output shape, worked out by hand."""
    written, summary = one_layer(run, tmp_path, cls, shape, config, out)
    assert written == rows
    assert summary.params == params
    assert summary.output_shape == out


def test_the_layer_scale_of_keras_s_convnext(run, tmp_path):
    """keras.applications.convnext's LayerScale: a learnt scale per channel."""
    layers = [
        k.input_layer("x", (5, 5, 8)),
        k.layer(
            "LayerScale", "scale", [("x", (5, 5, 8))], (5, 5, 8),
            module="keras.src.applications.convnext", init_values=1e-6, projection_dim=8,
        ),
    ]  # fmt: skip
    path = tmp_path / "model.json"
    path.write_text(k.text(k.functional("s", layers, ["x"], ["scale"])), "utf-8")
    result = run("import", str(path))
    assert result.stdout.endswith("  - layerscale:name=scale\n")
    assert engine.analyze(spec.from_text(result.stdout)).params == 8


def test_a_squeeze_and_excitation_gate(run, tmp_path):
    """EfficientNet's: a global pool to a vector, reshaped to 1×1×C (which cnncalc's pool
    gives already), convs, and the product: a multiply block."""
    c = 8
    layers = [
        k.input_layer("x", (4, 4, c)),
        k.layer("GlobalAveragePooling2D", "squeeze", [("x", (4, 4, c))], keepdims=False),
        k.layer("Reshape", "reshape", [("squeeze", (c,))], target_shape=[1, 1, c]),
        k.conv2d("reduce", "reshape", (1, 1, c), 2, 1, activation="silu"),
        k.conv2d("expand", "reduce", (1, 1, 2), c, 1, activation="sigmoid"),
        k.layer("Multiply", "excite", [("x", (4, 4, c)), ("expand", (1, 1, c))], merge=True),
    ]
    path = tmp_path / "model.json"
    path.write_text(k.text(k.functional("se", layers, ["x"], ["excite"])), "utf-8")
    result = run("import", str(path))
    assert result.stdout.split("layers:\n")[1] == (
        "  - name: excite\n"
        "    multiply:\n"
        f"      - globalavgpool:name=squeeze  # Keras gives ({c},), cnncalc keeps 1×1×{c}\n"
        f"      - identity:name=reshape  # Keras's Reshape to (1, 1, {c}): cnncalc's tensor is "
        "that shape\n"
        "      - conv:2,1,name=reduce\n"
        "      - silu:name=reduce/silu\n"
        f"      - conv:{c},1,name=expand\n"
        "      - sigmoid:name=expand/sigmoid\n"
    )
    summary = engine.analyze(spec.from_text(result.stdout))
    assert summary.params == (c * 2 + 2) + (2 * c + c)
    assert summary.output_shape == (4, 4, c)


def test_ops_with_a_number_are_commented_identities(run, tmp_path):
    """keras.ops.add(x, 3.0), as MobileNetV3's hard sigmoid has it: no weights, no shape."""
    op = k.layer("Add", "plus", [("x", (4, 3))], module="keras.src.ops.numpy")
    op["inbound_nodes"][0]["args"].append(3.0)
    op["config"] = {"name": "plus"}
    path = tmp_path / "model.json"
    layers = [k.input_layer("x", (4, 3)), op]
    path.write_text(k.text(k.functional("op", layers, ["x"], ["plus"])), "utf-8")
    result = run("import", str(path))
    assert result.stdout.endswith(
        "  - identity:name=plus  # keras.ops add(x, 3.0): no weights, shape unchanged\n"
    )


@pytest.mark.parametrize("name", ["a, b: c", "yes", "#hash", "null", "x y", "ünïcode", "'q'"])
def test_names_are_written_so_that_they_read_back(run, tmp_path, name):
    """A name YAML or the shorthand would read otherwise is quoted, and reads back as it
    was: as a row's name and as a saved tensor's."""
    layers = [
        k.input_layer("x", (4, 4, 3)),
        k.conv2d(name, "x", (4, 4, 3), 3, 1),
        k.conv2d("b", name, (4, 4, 3), 3, 1),
        k.conv2d("c", "b", (4, 4, 3), 3, 1),
        k.layer("Add", "t", [(name, (4, 4, 3)), ("c", (4, 4, 3)), ("b", (4, 4, 3))], merge=True),
    ]
    path = tmp_path / "model.json"
    path.write_text(k.text(k.functional(name, layers, ["x"], ["t"])), "utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    summary = engine.analyze(spec.from_text(result.stdout))
    assert summary.name == name
    assert name in [row.name for row in summary.flat()]
    assert run("import", str(path)).stdout == result.stdout  # the same text every time


def test_a_written_spec_checks_without_warnings(run, tmp_path):
    """`cnncalc check --strict` passes a spec with no padding TensorFlow splits unevenly."""
    layers = [
        k.input_layer("x", (8, 8, 3)),
        k.conv2d("c", "x", (8, 8, 3), 4, 3, padding="same"),
        k.layer("MaxPooling2D", "p", [("c", (8, 8, 4))], pool_size=[2, 2], strides=[2, 2]),
    ]
    path = tmp_path / "model.json"
    path.write_text(k.text(k.functional("m", layers, ["x"], ["p"])), "utf-8")
    assert run("import", str(path), "-o", str(tmp_path / "m.yaml")).exit_code == 0
    result = run("check", "--strict", str(tmp_path / "m.yaml"))
    assert result.exit_code == 0, result.stdout


def test_every_converter_writes_cnncalc_s_types():
    """Each Keras activation has a cnncalc type, and every class has one converter."""
    from cnncalc.importing import keras_layers, keras_shape_layers
    from cnncalc.spec.vocabulary import LAYER_TYPES

    assert set(keras_layers.ACTIVATIONS.values()) <= set(LAYER_TYPES)
    assert not set(keras_layers.WEIGHTED) & set(keras_shape_layers.SHAPED)
