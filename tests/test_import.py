"""`cnncalc import`: Keras models written as specs, without Keras.

The models are Keras 3 configs written by hand as `model.to_json()` writes them
(tests/keras_json.py), and one that Keras 3.15.1 wrote (tests/data/keras/tiny.json). The
expected figures are worked out by hand, each as its arithmetic: a conv holds
f·f·c_in·filters weights and filters biases.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cnncalc import __version__, engine, spec
from tests import keras_json as k

DATA = Path(__file__).parent / "data" / "keras"


def imported(run, tmp_path, document, *options, name="model.json"):
    """The spec `cnncalc import` writes for `document`, and its summary."""
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else k.text(document), "utf-8")
    result = run("import", str(path), *options)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout, engine.analyze(spec.from_text(result.stdout))


def test_the_format_keras_writes(run):
    """A model Keras saved: its rows named as Keras names them, and Keras's counts."""
    result = run("import", str(DATA / "tiny.json"))
    assert result.exit_code == 0
    assert result.stdout == (
        f"# Imported by cnncalc {__version__} from 'tiny.json': the Keras model 'tiny'.\n"
        "# A row named 'layer/part' is part of that layer: its activation, say.\n"
        "name: tiny\n"
        "input: [32, 32, 3]\n"
        "layers:\n"
        "  - conv:16,3,2,same,name=c1\n"
        "  - relu:name=c1/relu\n"
        "  - name: add\n"
        "    residual:\n"
        "      - batchnorm:name=bn\n"
        "  - globalavgpool:name=global_average_pooling2d  # Keras gives (16,), cnncalc keeps "
        "1×1×16\n"
        "  - fc:10,name=dense\n"
        "  - softmax:name=dense/softmax\n"
    )
    summary = engine.analyze(spec.from_text(result.stdout))
    assert summary.params == (3 * 3 * 3 * 16 + 16) + 2 * 16 + (16 * 10 + 10)
    assert summary.buffers == 2 * 16  # the batch norm's moving mean and variance
    assert summary.output_shape == (10,)
    rows = {row.name: row for row in summary.flat()}
    assert rows["c1"].shape == (16, 16, 16)  # 'same', stride 2: ⌈32/2⌉
    assert rows["add"].shape == (16, 16, 16)


def test_an_archive_is_read_without_keras(run, tmp_path):
    """A .keras file is a zip: its config.json is read, its weights never."""
    path = tmp_path / "tiny.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.15.1", "date_saved": "x"}')
        archive.writestr("config.json", (DATA / "tiny.json").read_text("utf-8"))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n" + bytes(1000))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    head = f"# Imported by cnncalc {__version__} from 'tiny.keras': the Keras 3.15.1 model 'tiny'."
    assert result.stdout.startswith(head + "\n")
    assert (
        result.stdout.split("\n", 1)[1]
        == run("import", str(DATA / "tiny.json")).stdout.split("\n", 1)[1]
    )


def test_a_sequential_model(run, tmp_path):
    """Each layer takes the one before; a Sequential's layers have no inbound nodes."""
    shape = (28, 28, 1)
    model = k.sequential(
        "mnist",
        [
            k.input_layer("digits", shape),
            k.conv2d("conv", "digits", shape, 8, 3, activation="relu"),
            k.layer("MaxPooling2D", "pool", pool_size=[2, 2], padding="valid", strides=[2, 2]),
            k.layer("Flatten", "flatten", data_format="channels_last"),
            k.layer("Dense", "out", built=(1352,), units=10, activation="softmax", use_bias=True),
        ],
    )
    text, summary = imported(run, tmp_path, model)
    assert "  - conv:8,3,name=conv\n  - relu:name=conv/relu\n  - maxpool:2,name=pool\n" in text
    # 28 − 3 + 1 = 26, pooled to 13: 13·13·8 = 1,352 features
    assert summary.params == (3 * 3 * 1 * 8 + 8) + (13 * 13 * 8 * 10 + 10)
    assert summary.output_shape == (10,)


def test_a_separable_conv_is_a_depthwise_conv_then_a_1x1(run, tmp_path):
    """SeparableConv2D: the depthwise half has no biases, the 1×1 the layer's one bias per
    filter; the layer's name is on the 1×1, the depthwise half named after it."""
    model = k.functional(
        "sep",
        [
            k.input_layer("x", (8, 8, 4)),
            k.layer(
                "SeparableConv2D", "sep", [("x", (8, 8, 4))], (8, 8, 4), depth_multiplier=1,
                filters=8, kernel_size=[3, 3], strides=[1, 1], padding="same",
                data_format="channels_last", dilation_rate=[1, 1], activation="linear",
                use_bias=True,
            ),
        ],
        ["x"],
        ["sep"],
    )  # fmt: skip
    text, summary = imported(run, tmp_path, model)
    assert (
        "conv:kernel=3,stride=1,padding=same,depthwise=true,bias=false,name=sep/depthwise" in text
    )
    assert "  - conv:8,1,name=sep\n" in text
    assert summary.params == 3 * 3 * 4 + (4 * 8 + 8)
    assert summary.output_shape == (8, 8, 8)


def test_a_depthwise_conv_with_a_multiplier(run, tmp_path):
    """depth_multiplier 2: two filters per input channel, 2·C filters in all."""
    model = k.functional(
        "dw",
        [
            k.input_layer("x", (8, 8, 3)),
            k.layer(
                "DepthwiseConv2D", "dw", [("x", (8, 8, 3))], (8, 8, 3), depth_multiplier=2,
                kernel_size=[3, 3], strides=[2, 2], padding="valid", data_format="channels_last",
                dilation_rate=[1, 1], activation="relu6", use_bias=True,
            ),
        ],
        ["x"],
        ["dw"],
    )  # fmt: skip
    text, summary = imported(run, tmp_path, model)
    assert "  - conv:6,3,2,depthwise=true,name=dw\n  - relu6:name=dw/relu6\n" in text
    assert summary.params == 3 * 3 * 3 * 2 + 3 * 2
    assert summary.output_shape == ((8 - 3) // 2 + 1, (8 - 3) // 2 + 1, 6)


def test_a_transposed_conv_smaller_than_its_stride(run, tmp_path):
    """Keras's valid transposed conv gives n·s + max(f − s, 0): 5·3 = 15 for a 1×1 kernel of
    stride 3, which the spec says with an output padding of s − f = 2."""
    model = k.functional(
        "up",
        [
            k.input_layer("x", (5, 5, 3)),
            k.layer(
                "Conv2DTranspose", "up", [("x", (5, 5, 3))], (5, 5, 3), filters=4,
                kernel_size=[1, 1], strides=[3, 3], padding="valid", output_padding=None,
                data_format="channels_last", dilation_rate=[1, 1], activation="linear",
                use_bias=True,
            ),
        ],
        ["x"],
        ["up"],
    )  # fmt: skip
    text, summary = imported(run, tmp_path, model)
    assert "output_padding=2" in text
    assert summary.output_shape == (15, 15, 4)
    assert summary.params == 1 * 1 * 3 * 4 + 4


def _two_convs(join: str, order: list[str], **config):
    """An input, convs a (4 filters) and b (6) on it, and a join of them in `order`."""
    shapes = {"a": (8, 8, 4), "b": (8, 8, 6)}
    return k.functional(
        "two",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("a", "x", (8, 8, 3), 4, 1),
            k.conv2d("b", "x", (8, 8, 3), 6, 1),
            k.layer(join, "join", [(name, shapes[name]) for name in order], merge=True, **config),
        ],
        ["x"],
        ["join"],
    )


def test_a_concat_keeps_keras_order(run, tmp_path):
    """Concatenate([b, a]): the block's branches in that order, b's 6 channels first."""
    text, summary = imported(run, tmp_path, _two_convs("Concatenate", ["b", "a"], axis=-1))
    assert text.endswith(
        "  - name: join\n    concat:\n      - - conv:6,1,name=b\n      - - conv:4,1,name=a\n"
    )
    assert summary.output_shape == (8, 8, 10)
    assert summary.params == (3 * 6 + 6) + (3 * 4 + 4)


def test_a_residual_with_a_shortcut(run, tmp_path):
    """Add of two paths from one fork: the longer is the residual's layers, the other its
    shortcut."""
    model = k.functional(
        "res",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("a1", "x", (8, 8, 3), 4, 3, padding="same"),
            k.conv2d("a2", "a1", (8, 8, 4), 4, 3, padding="same"),
            k.conv2d("s", "x", (8, 8, 3), 4, 1),
            k.layer("Add", "sum", [("s", (8, 8, 4)), ("a2", (8, 8, 4))], merge=True),
        ],
        ["x"],
        ["sum"],
    )
    text, summary = imported(run, tmp_path, model)
    assert text.endswith(
        "  - name: sum\n"
        "    residual:\n"
        "      - conv:4,3,1,same,name=a1\n"
        "      - conv:4,3,1,same,name=a2\n"
        "    shortcut:\n"
        "      - conv:4,1,name=s\n"
    )
    assert summary.params == (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 4 + 4) + (3 * 4 + 4)


def test_a_join_of_a_tensor_made_in_a_block_reads_it_saved(run, tmp_path):
    """t = a + (a + b): the inner sum is a residual block, and the outer reads a, saved
    where it is made inside it."""
    model = k.functional(
        "tangle",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("a", "x", (8, 8, 3), 4, 1),
            k.conv2d("b", "x", (8, 8, 3), 4, 1),
            k.layer("Add", "s", [("a", (8, 8, 4)), ("b", (8, 8, 4))], merge=True),
            k.layer("Add", "t", [("s", (8, 8, 4)), ("a", (8, 8, 4))], merge=True),
        ],
        ["x"],
        ["t"],
    )
    text, summary = imported(run, tmp_path, model)
    assert "      - conv:4,1,name=a,save=a\n" in text
    assert text.endswith("  - add:with=a,name=t\n")
    assert summary.params == 2 * (3 * 4 + 4)


def test_dense_connectivity_joins_saved_tensors_in_keras_order(run, tmp_path):
    """concat([c0, x1, x2]) where x2 is made from concat([c0, x1]): the saved ones first, as
    Keras lists them, then the way on; 4 + 2 + 2 channels."""
    model = k.functional(
        "dense",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("c0", "x", (8, 8, 3), 4, 1),
            k.conv2d("x1", "c0", (8, 8, 4), 2, 1),
            k.layer("Concatenate", "cat1", [("c0", (8, 8, 4)), ("x1", (8, 8, 2))], merge=True),
            k.conv2d("x2", "cat1", (8, 8, 6), 2, 1),
            k.layer(
                "Concatenate", "cat2", [("c0", (8, 8, 4)), ("x1", (8, 8, 2)), ("x2", (8, 8, 2))],
                merge=True, axis=-1,
            ),
        ],
        ["x"],
        ["cat2"],
    )  # fmt: skip
    text, summary = imported(run, tmp_path, model)
    assert "  - conv:4,1,name=c0,save=c0\n" in text
    assert "      - - conv:2,1,name=x1,save=x1\n" in text
    assert text.endswith("  - {type: concat, name: cat2, with: [c0, x1]}\n")
    assert summary.output_shape == (8, 8, 8)
    assert summary.params == (3 * 4 + 4) + (4 * 2 + 2) + (6 * 2 + 2)


def test_a_second_output_is_a_side_head(run, tmp_path):
    """An auxiliary output: a side head after the layer it branches from, counted."""
    model = k.functional(
        "heads",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("trunk", "x", (8, 8, 3), 4, 3),
            k.layer("Flatten", "aux_flat", [("trunk", (6, 6, 4))]),
            k.layer("Dense", "aux", [("aux_flat", (144,))], (144,), units=2, activation="linear"),
            k.conv2d("more", "trunk", (6, 6, 4), 4, 3),
            k.layer("Flatten", "flat", [("more", (4, 4, 4))]),
            k.layer("Dense", "main", [("flat", (64,))], (64,), units=3, activation="linear"),
        ],
        ["x"],
        ["main", "aux"],
    )
    text, summary = imported(run, tmp_path, model)
    assert (
        "  - conv:4,3,name=trunk\n"
        "  - side:  # output 2 of the model\n"
        "      - flatten:name=aux_flat\n"
        "      - fc:2,name=aux\n"
        "  - conv:4,3,name=more\n"
    ) in text
    assert summary.params == (3 * 3 * 3 * 4 + 4) + (144 * 2 + 2) + (3 * 3 * 4 * 4 + 4) + (
        64 * 3 + 3
    )
    assert [row.name for row in summary.outputs] == ["Side", "main"]


def test_a_model_used_as_a_layer_is_a_block(run, tmp_path):
    """A Sequential inside a functional model: a block of its name, once."""
    inner = k.sequential(
        "stem",
        [k.input_layer("stem_in", (8, 8, 3)), k.conv2d("stem_conv", "stem_in", (8, 8, 3), 4, 3)],
    )
    nested = {
        **inner,
        "name": "stem",
        "inbound_nodes": [{"args": [k.tensor("x", (8, 8, 3))], "kwargs": {}}],
    }
    model = k.functional(
        "outer",
        [k.input_layer("x", (8, 8, 3)), nested, k.conv2d("after", "stem", (6, 6, 4), 2, 1)],
        ["x"],
        ["after"],
    )
    text, summary = imported(run, tmp_path, model)
    assert (
        "  - name: stem  # a Sequential model used as a layer\n"
        "    repeat: 1\n"
        "    layers:\n"
        "      - conv:4,3,name=stem_conv\n"
    ) in text
    assert summary.params == (3 * 3 * 3 * 4 + 4) + (4 * 2 + 2)


def test_a_global_pool_at_the_end_is_flattened(run, tmp_path):
    """Keras's GlobalAveragePooling2D gives a vector of C; cnncalc's keeps 1×1×C, so a
    model that ends with it ends with a flatten too."""
    model = k.functional(
        "pooled",
        [
            k.input_layer("x", (7, 7, 5)),
            k.layer("GlobalAveragePooling2D", "gap", [("x", (7, 7, 5))], keepdims=False),
        ],
        ["x"],
        ["gap"],
    )
    text, summary = imported(run, tmp_path, model)
    assert text.endswith(
        "  - globalavgpool:name=gap  # Keras gives (5,), cnncalc keeps 1×1×5\n"
        "  - flatten:name=gap/flatten  # Keras's output is (5,): the global pool's, flattened\n"
    )
    assert summary.output_shape == (5,)


def test_the_input_joined_by_name_is_kept_by_an_identity(run, tmp_path):
    """concat([x, a, b]) of the input x itself: the input has no row to save it on, so an
    identity named after it keeps it, first; 3 + 2 + 2 channels."""
    model = k.functional(
        "dense_input",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("a", "x", (8, 8, 3), 2, 1),
            k.layer("Concatenate", "cat1", [("x", (8, 8, 3)), ("a", (8, 8, 2))], merge=True),
            k.conv2d("b", "cat1", (8, 8, 5), 2, 1),
            k.layer(
                "Concatenate", "cat2", [("x", (8, 8, 3)), ("a", (8, 8, 2)), ("b", (8, 8, 2))],
                merge=True,
            ),
        ],
        ["x"],
        ["cat2"],
    )  # fmt: skip
    text, summary = imported(run, tmp_path, model)
    assert text.split("layers:\n")[1] == (
        "  - identity:name=x,save=x  # the input itself, saved for a join\n"
        "  - name: cat1\n"
        "    concat:\n"
        "      - []\n"
        "      - - conv:2,1,name=a,save=a\n"
        "  - conv:2,1,name=b\n"
        "  - {type: concat, name: cat2, with: [x, a]}\n"
    )
    assert summary.output_shape == (8, 8, 7)
    assert summary.params == (3 * 2 + 2) + (5 * 2 + 2)
