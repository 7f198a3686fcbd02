"""`cnncalc export --to keras`: the source it writes, read without Keras.

Each row's layer is named after it as every Keras backend takes a name, and the
module says how to go back; names from the spec reach the source only inside
string literals, comments and docstrings; what Keras cannot say directly is
written as its exact equivalent, named after the row and commented; what it
cannot compute is refused at the spec's line; and the command writes the module
and its test as it does PyTorch's. tests/test_export.py holds both targets to
ruff and to determinism; tests/test_export_keras.py builds the modules in Keras.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cnncalc import __version__
from cnncalc.errors import SpecError
from cnncalc.export.keras_names import Names, keras_name
from tests.test_export import HOSTILE, RUFF, exported, formatted, imports


def names_in(source: str) -> list[str]:
    """The names build() gives its layers, in the order it makes them."""
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func) != "keras.Model"
    ]
    return [
        keyword.value.value
        for node in sorted(calls, key=lambda node: (node.lineno, node.col_offset))
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    ]


def test_names_cannot_inject_code():
    """A name is data: in string literals, comments and docstrings, never code; and every
    layer's name is one Keras takes on every backend."""
    result = exported(HOSTILE, "keras")
    tree = ast.parse(result.source)
    assert imports(result.source) == {"keras"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "os"]
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert "'); import os #" in strings  # in ROW_NAMES, the row's name as it was
    assert '"""; import os; """' in strings and 'a.b"c' in strings and "x\\" in strings
    assert "\n    # fmt: off\n" not in result.source.replace("# fmt: off.", "")
    for name in names_in(result.source):
        assert name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name), name
    test = result.test("'); import os #.py")
    assert imports(test) == {"importlib.util", "math", "pathlib", "pytest"}
    assert not [n for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name) and n.id == "os"]
    if RUFF is not None:
        assert formatted(result.source) == result.source and formatted(test) == test


NAMED = """\
input: [8, 8, 3]
layers:
  - conv:4,3,padding=2,name=a
  - conv:4,1,name=a_pad
  - relu:name=layer1.0.relu
  - relu:name=layer1.0.relu
  - relu:name=layer1_0_relu_2
  - relu:name=c1/relu
  - relu:name=input
  - relu:name=Müller (x2)
"""


def test_layers_are_named_after_the_rows():
    """A name every backend takes is kept; others have each run of other characters
    written _, a repeat _2 (never a name another row has), and ROW_NAMES maps each back;
    a helper layer and the input take no row's name."""
    source = exported(NAMED, "keras").source
    assert names_in(source) == [
        "input_2",  # a row is named input
        "a_pad_2",  # a row is named a_pad
        "a",
        "a_pad",
        "layer1_0_relu",
        "layer1_0_relu_3",  # layer1_0_relu_2 is a row's
        "layer1_0_relu_2",
        "c1_relu",
        "input",
        "M_ller_x2_",
    ]
    tree = ast.parse(source)
    mapping = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "ROW_NAMES"
    )
    assert ast.literal_eval(mapping) == {
        "layer1_0_relu": "layer1.0.relu",
        "layer1_0_relu_3": "layer1.0.relu",
        "c1_relu": "c1/relu",
        "M_ller_x2_": "Müller (x2)",
    }
    text = " ".join(source.split())
    assert "ROW_NAMES, at the end, gives the row's name of each layer so renamed" in text
    assert "here _pad (1 of them, the first a_pad_2)" in text


@pytest.mark.parametrize(
    ("name", "given"),
    [("CONV1", "CONV1"), ("conv-1_a", "conv-1_a"), ("layer1.0 + identity", "layer1_0_identity"),
     ("", "_"), ("é", "_"), ("a/b.c", "a_b_c")],
)  # fmt: skip
def test_keras_names(name, given):
    """Letters, digits, _ and - are kept; each run of anything else is one _."""
    assert keras_name(name) == given


def test_names_repeat_as_cnncalc_numbers_them():
    """A second row of a name is _2, past the names rows have; a helper is never a row's."""
    names = Names(["a", "a", "a_2", "b_pad"])
    assert [names.own("a"), names.own("a"), names.own("a_2")] == ["a", "a_3", "a_2"]
    assert [names.beside("b_pad"), names.beside("c_pad"), names.beside("c_pad")] == [
        "b_pad_2", "c_pad", "c_pad_2",
    ]  # fmt: skip


EQUIVALENTS = """\
name: equivalents
input: [12, 12, 6]
layers:
  - {type: conv, filters: 6, kernel: 3, padding: [0, 2, 1, 0]}
  - {type: maxpool, kernel: 3, stride: 1, padding: [1, 0, 0, 1]}
  - maxpool:3,1,1
  - conv:6,3,1,1
  - {type: avgpool, kernel: 2, stride: 1, padding: [0, 1, 1, 0]}
  - conv:12,3,2,same,d=2
  - conv:kernel=3,depthwise=true,padding=same
  - channelshuffle:3
  - {split: [["conv:4,1"], []], sizes: [4, 8]}
  - {type: upsample, to: [5, 7], mode: area}
  - instancenorm
  - prelu
  - layerscale
  - fc:8,flatten=false
  - {type: convtranspose, filters: 4, kernel: 3, stride: 2, padding: 1}
  - leakyrelu
  - softmax:5
"""


def test_what_keras_cannot_say_directly_is_written_so():
    """Uneven or numbered padding, a max pool's −inf, a stride with a dilation, a
    transposed convolution's cut, a shuffle, a split, area interpolation and instance
    norm: Keras's layers (or a small Layer defined in the module), each named after its
    row."""
    source = exported(EQUIVALENTS, "keras").source
    for line in [
        "from keras import layers, ops",
        "# The spec's padding is 0 top, 2 bottom, 1 left, 0 right; Keras's Conv2D pads only",
        'layers.ZeroPadding2D(((0, 2), (1, 0)), name="CONV1_pad")(inputs)',
        'x = MaxPoolPadding(((1, 0), (0, 1)), name="POOL1_pad")(x)',
        'x = layers.MaxPooling2D(3, strides=1, name="POOL1")(x)',
        'x = layers.MaxPooling2D(3, strides=1, padding="same", name="POOL1_2")(x)',
        'x = layers.Conv2D(6, 3, padding="same", name="CONV2")(x)',
        'x = layers.ZeroPadding2D(((0, 1), (1, 0)), name="POOL2_pad")(x)',
        'x = layers.ZeroPadding2D(((2, 2), (1, 2)), name="CONV3_pad")(x)',
        'x = layers.Conv2D(12, 3, dilation_rate=2, name="CONV3")(x)',
        'x = layers.MaxPooling2D(1, strides=2, name="CONV3_stride")(x)',
        'x = layers.DepthwiseConv2D(3, padding="same", name="CONV4")(x)',
        'x = layers.Reshape((6, 5, 3, 4), name="ChannelShuffle_groups")(x)',
        'x = layers.Permute((1, 2, 4, 3), name="ChannelShuffle_swap")(x)',
        'part1 = Channels(0, 4, name="Split_part1")(x)',
        'part2 = Channels(4, 12, name="Split_part2")(x)',
        'x = layers.AdaptiveAveragePooling2D((5, 7), name="Upsample")(x)',
        "# Instance norm: a group norm of a group per channel.",
        'x = layers.GroupNormalization(12, center=False, scale=False, name="IN5")(x)',
        'x = layers.PReLU(shared_axes=[1, 2], name="PReLU")(x)',
        'x = LayerScale(name="LayerScale")(x)',
        'x = layers.Dense(8, name="FC6")(x)',
        'x = layers.Conv2DTranspose(4, 3, strides=2, name="DECONV7")(x)',
        'x = layers.Cropping2D(1, name="DECONV7_crop")(x)',
        'x = layers.LeakyReLU(name="LeakyReLU")(x)',
        'x = layers.Flatten(name="Softmax_flatten")(x)',
        'x = layers.Dense(5, activation="softmax", name="Softmax")(x)',
    ]:
        assert line in source, line
    text = " ".join(source.split())
    assert 'A padding the spec gives as numbers is written padding="same" where it is' in text
    assert "It needs Keras 3.13 or later, for AdaptiveAveragePooling2D." in text
    assert "class MaxPoolPadding(layers.Layer):" in source
    assert "class Channels(layers.Layer):" in source and "class LayerScale(layers.Layer):" in source


REFUSALS = {
    "groups": ("- {type: convtranspose, filters: 4, kernel: 3, groups: 2}",
               "groups", "Keras's Conv2DTranspose has no groups"),
    "stride and dilation": ("- {type: convtranspose, filters: 4, kernel: 3, stride: 2, "
                            "dilation: 2}", "dilation",
                            "Keras's Conv2DTranspose takes no stride with a dilation"),
    "bicubic": ("- {type: upsample, factor: 2, mode: bicubic}", "mode",
                "Keras's bicubic interpolation is not PyTorch's on every backend"),
    "nearest to a size": ("- {type: upsample, to: [11, 13], mode: nearest}", "mode",
                          "PyTorch's nearest takes value ⌊i·n/m⌋"),
    "ceil average": ("- {type: avgpool, kernel: 2, stride: 2, ceil: true}", "ceil",
                     "ceil: true gives AveragePooling2D a last window"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_are_located(run, tmp_path, case):
    """What Keras cannot compute exactly is refused at the spec's line and column, with the
    layer, exit 1, no traceback, and no file written."""
    line, field, message = REFUSALS[case]
    text = f"input: [9, 9, 4]\nlayers:\n  - conv:4,3,padding=1\n  {line}\n"
    with pytest.raises(SpecError) as caught:
        exported(text, "keras")
    where = caught.value.where
    assert where is not None and where.line == 4
    assert where.column == 2 + line.index(f"{field}: ") + len(f"{field}: ") + 1, where
    assert caught.value.layer is not None and caught.value.message.startswith(message)
    path, target = tmp_path / "net.yaml", tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    result = run("export", str(path), "--to", "keras", "-o", str(target))
    assert result.exit_code == 1
    assert f"Error: {path}:4:{where.column}: layer 2 (" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output and not target.exists()


def test_standard_output_a_file_and_the_test(run, tmp_path):
    """Without -o the module goes to standard output; with -o to the file, whole; and
    --with-test writes a test that finds it, sets no backend and holds cnncalc's figures."""
    printed = run("export", "lenet5", "--to", "keras")
    assert printed.exit_code == 0
    assert printed.stdout.startswith('"""LeNet-5 (course variant), in Keras: written by')
    assert "def build() -> keras.Model:" in printed.stdout
    target, test = tmp_path / "nets" / "lenet5.py", tmp_path / "test_lenet5.py"
    target.parent.mkdir()
    result = run("export", "lenet5", "--to", "keras", "-o", str(target), "--with-test", str(test))
    assert result.exit_code == 0 and result.stdout == "", result.output
    assert target.read_text(encoding="utf-8") == printed.stdout
    text = test.read_text(encoding="utf-8")
    assert 'MODEL = Path(__file__).parent / "nets/lenet5.py"' in text
    assert 'keras = pytest.importorskip("keras")' in text and "KERAS_BACKEND" in text
    assert "os.environ" not in text  # the user's backend, whichever it is
    assert "TRAINABLE = 62958" in text and "NON_TRAINABLE = 0" in text
    assert '("7", "Softmax", "Softmax", (10,)),' in text
    from_layers = run("export", "--input", "32x32x3", "conv:8,5", "fc:10", "--to", "keras")
    assert from_layers.exit_code == 0 and 'name="Network")' in from_layers.stdout


GOLDEN = {  # golden file: the spec
    "keras-lenet5": "lenet5",
    "keras-modern-blocks": "examples/modern-blocks.yaml",  # every join, a split, a crop
}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(run, golden, tmp_path, monkeypatch, name):
    """The module and its test, as files to read (the version written as VERSION)."""
    monkeypatch.chdir(Path(__file__).parent.parent)
    module, test = tmp_path / f"{name}.py", tmp_path / f"test_{name}.py"
    result = run("export", GOLDEN[name], "--to", "keras", "-o", str(module), "--with-test",
                 str(test))  # fmt: skip
    assert result.exit_code == 0, result.output
    for path, suffix in ((module, ".py.txt"), (test, "-test.py.txt")):
        text = path.read_text(encoding="utf-8").replace(f"cnncalc {__version__}", "cnncalc VERSION")
        golden(f"export/{name}{suffix}", text)
