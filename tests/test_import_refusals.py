"""`cnncalc import` refuses what it cannot write exactly, in one sentence naming the file
and the layer, exit 1 for bad data and 2 for bad usage; it never drops a layer.

The models are Keras 3 configs written by hand (tests/keras_json.py).
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.importing import sources
from tests import keras_json as k

DATA = Path(__file__).parent / "data" / "keras"


def refused(run, path, *options, code=1):
    """The message of a refused import, checked to be one line on standard error."""
    result = run("import", str(path), *options)
    assert result.exit_code == code, result.stdout
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def write(tmp_path, document, name="model.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else k.text(document), "utf-8")
    return path


def _chain(*layers):
    """A functional model: an 8×8×3 input, then `layers`, each on the one before."""
    built = [k.input_layer("x", (8, 8, 3))]
    before, shape = "x", (8, 8, 3)
    for cls, name, config in layers:
        built.append(k.layer(cls, name, [(before, shape)], shape, **config))
        before = name
    return k.functional("chain", built, ["x"], [before])


def test_every_unknown_layer_class_is_named(run, tmp_path):
    """Each layer of a class cnncalc has no type for, by class and name, in one message."""
    path = write(
        tmp_path,
        _chain(
            ("Lambda", "lam", {"function": "x"}),
            ("MyScale", "scale_1", {}),
            ("BatchNormalization", "bn", {}),
            ("MyScale", "scale_2", {}),
        ),
    )
    message = refused(run, path)
    assert message.startswith(f"Error: {path}: cannot import it exactly: 3 layers are of classes")
    assert "Lambda ('lam'); MyScale ('scale_1', 'scale_2')" in message


def test_a_class_of_keras_s_name_from_elsewhere_is_not_keras_s(run, tmp_path):
    """A custom layer called Conv2D is not read as Keras's Conv2D."""
    model = _chain(("Conv2D", "mine", {"filters": 4, "kernel_size": [3, 3]}))
    model["config"]["layers"][1]["module"] = "my_package.layers"
    assert "Conv2D ('mine')" in refused(run, write(tmp_path, model))


@pytest.mark.parametrize(
    ("cls", "config", "why"),
    [
        ("BatchNormalization", {"axis": -1, "center": True, "scale": False},
         "it learns a shift (center) without a scale; cnncalc's learns both or neither"),
        ("BatchNormalization", {"axis": 1}, "it normalises over axis 1"),
        ("Normalization", {"axis": [-1], "mean": None, "variance": None},
         "it holds the mean, variance and count that adapt() sets"),
        ("Activation", {"activation": "selu"}, "its activation 'selu' has no cnncalc layer"),
        ("ReLU", {"max_value": 4.0, "negative_slope": 0.0, "threshold": 0.0},
         "ReLU(max_value=4.0, negative_slope=0.0, threshold=0.0) is none of cnncalc's"),
        ("Reshape", {"target_shape": [3, 8, 8]}, "it reshapes (8, 8, 3) to (3, 8, 8)"),
        ("Conv2D", {"filters": 4, "kernel_size": [3, 3], "data_format": "channels_first"},
         "its data_format is 'channels_first'"),
        ("PReLU", {"shared_axes": None}, "its shared_axes None give slopes per position"),
        ("LayerNormalization", {"axis": [1, 2, 3]}, "it normalises over axis [1, 2, 3]"),
    ],
)  # fmt: skip
def test_a_layer_that_cannot_be_exact_is_refused_with_why(run, tmp_path, cls, config, why):
    """The layer is named, with the reason; nothing is approximated."""
    message = refused(run, write(tmp_path, _chain((cls, "it", config))))
    assert f": cannot import it exactly: layer 'it' ({cls}): {why}" in message


def test_all_layers_that_cannot_be_exact_are_named_together(run, tmp_path):
    """Two batch norms of one reason are named in one clause, an unknown class in another."""
    center = {"axis": -1, "center": True, "scale": False}
    message = refused(
        run,
        write(
            tmp_path,
            _chain(
                ("BatchNormalization", "bn1", center),
                ("Lambda", "lam", {}),
                ("BatchNormalization", "bn2", center),
            ),
        ),
    )
    assert "2 BatchNormalization layers ('bn1', 'bn2'): it learns a shift" in message
    assert "1 layer is of a class cnncalc has no layer type for: Lambda ('lam')" in message


def test_a_frozen_layer_with_weights_is_refused(run, tmp_path):
    """Keras counts a frozen layer's weights as non-trainable; a spec cannot say so."""
    model = _chain(("Dense", "fc", {"units": 4}))
    model["config"]["layers"][1]["config"]["trainable"] = False
    assert "layer 'fc' (Dense): it is frozen (trainable: false)" in refused(
        run, write(tmp_path, model)
    )


def test_a_shared_layer_is_refused(run, tmp_path):
    """A layer called twice shares its weights: a spec would count them twice."""
    model = _chain(("Dense", "fc", {"units": 3}))
    entry = model["config"]["layers"][1]
    entry["inbound_nodes"].append(entry["inbound_nodes"][0])
    assert "layer 'fc' (Dense): it is used more than once" in refused(run, write(tmp_path, model))


def test_a_model_of_two_inputs_is_refused(run, tmp_path):
    model = k.functional(
        "pair",
        [
            k.input_layer("left", (4,)),
            k.input_layer("right", (4,)),
            k.layer("Concatenate", "both", [("left", (4,)), ("right", (4,))], merge=True),
        ],
        ["left", "right"],
        ["both"],
    )
    path = write(tmp_path, model)
    assert refused(run, path) == (
        f"Error: {path}: the model has 2 inputs ('left', 'right'); a spec has one input\n"
    )


def test_a_product_of_two_branches_with_layers_is_refused(run, tmp_path):
    """cnncalc's multiply block takes its own input as one factor."""
    model = k.functional(
        "gates",
        [
            k.input_layer("x", (8, 8, 3)),
            k.conv2d("a", "x", (8, 8, 3), 4, 1),
            k.conv2d("b", "x", (8, 8, 3), 4, 1),
            k.layer("Multiply", "m", [("a", (8, 8, 4)), ("b", (8, 8, 4))], merge=True),
        ],
        ["x"],
        ["m"],
    )
    message = refused(run, write(tmp_path, model))
    assert "layer 'm' (Multiply) joins 2 paths that each begin with layers of their own" in message


def test_an_open_input_size_asks_for_input(run, tmp_path):
    """(None, None, 3): the sizes come from --input, which must fit the channels."""
    model = k.functional(
        "open",
        [k.input_layer("x", (None, None, 3)), k.conv2d("c", "x", (None, None, 3), 4, 3)],
        ["x"],
        ["c"],
    )
    path = write(tmp_path, model)
    assert (
        "the model's input (None, None, 3) has sizes that are not fixed; give them with --input"
        in (refused(run, path))
    )
    result = run("import", str(path), "--input", "16x16x3")
    assert result.exit_code == 0
    assert "input: [16, 16, 3]\n" in result.stdout
    assert "does not fit the model's input (None, None, 3)" in refused(run, path, "-i", "16x16x4")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty, not a model's JSON"),
        ('{"class_name": "Functional",\n oops}', "the file is not JSON: Expecting property name"),
        ("[1, 2]", "it is JSON, but not a Keras model's config (no class_name)"),
        ('{"class_name": "Dense", "config": {}}', "it holds a Keras Dense, not a model"),
        ('{"class_name": "Functional", "config": {}}', "its Functional model has no list of layers"),
        ('{"class_name": "Sequential", "config": {"layers": []}, "keras_version": "2.15.0"}',
         "it was written by Keras 2.15.0, whose configs cnncalc does not read"),
        ('{"a": NaN}', "the file is not JSON that cnncalc reads: NaN is not a number JSON allows"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_model_is_refused(run, tmp_path, content, message):
    path = write(tmp_path, content)
    assert message in refused(run, path)


def test_json_errors_give_line_and_column(run, tmp_path):
    path = write(tmp_path, '{"class_name": "Functional",\n oops}')
    assert refused(run, path).startswith(f"Error: {path}:2:2: the file is not JSON")


def test_not_utf8_is_refused_at_its_byte(run, tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b'{"name": "\xff"}')
    assert "the file is not UTF-8 text (byte 0xff)" in refused(run, path)


def test_keras_2_layers_are_refused(run, tmp_path):
    """tf.keras's inbound_nodes are lists of lists, with no shapes: not read."""
    model = _chain(("Dense", "fc", {"units": 3}))
    model["config"]["layers"][1]["inbound_nodes"] = [[["x", 0, 0, {}]]]
    assert "its layers' inbound_nodes are Keras 2's (tf.keras)" in refused(
        run, write(tmp_path, model)
    )


def _archive(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_an_archive_without_a_config_is_refused(run, tmp_path):
    path = _archive(tmp_path / "model.keras", {"metadata.json": "{}"})
    assert refused(run, path) == (
        f"Error: {path}: the archive has no config.json, so it is not a Keras model archive\n"
    )


def test_a_keras_file_that_is_not_a_zip_is_refused(run, tmp_path):
    path = write(tmp_path, (DATA / "tiny.json").read_text("utf-8"), "model.keras")
    assert "is not a zip archive, as a .keras model file is" in refused(run, path)


def test_a_zip_bomb_is_refused_from_its_directory(run, tmp_path, monkeypatch):
    """The config's size is read from the archive's directory before it is inflated."""
    monkeypatch.setattr(sources, "MAX_CONFIG", 10_000)
    path = _archive(tmp_path / "bomb.keras", {"config.json": " " * 10_001})
    assert path.stat().st_size < 1_000
    assert "its config.json would be 10,001 bytes, more than the limit of 10,000" in refused(
        run, path
    )


def test_a_json_file_past_the_limit_is_refused(run, tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_CONFIG", 1024 * 1024)
    path = write(tmp_path, " " * (1024 * 1024 + 1))
    assert "the file is larger than 1 MiB, the limit for a model's JSON" in refused(run, path)


def test_onnx_is_not_available_yet(run, tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x07")
    assert refused(run, path) == (
        f"Error: {path}: ONNX import is not available yet in this version of cnncalc; import "
        "the model from Keras (.keras or model.to_json()) instead\n"
    )


def test_hdf5_is_refused_with_what_to_save_instead(run, tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n")
    assert "legacy HDF5 Keras files are not read; save the model as .keras" in refused(run, path)


def test_missing_files_and_directories(run, tmp_path):
    assert (
        refused(run, tmp_path / "none.json") == f"Error: {tmp_path / 'none.json'}: no such file\n"
    )
    assert refused(run, tmp_path) == f"Error: {tmp_path}: is a directory, not a model file\n"


def test_the_spec_never_overwrites_the_model(run, tmp_path):
    """-o naming the model's own file is a usage error, before anything is read."""
    path = write(tmp_path, (DATA / "tiny.json").read_text("utf-8"))
    before = path.read_text("utf-8")
    result = run("import", str(path), "-o", str(path))
    assert result.exit_code == 2
    assert (
        f"'{path}' is the model to import; the spec would overwrite it: write it to another file"
        in result.stderr
    )
    assert path.read_text("utf-8") == before


def test_the_spec_is_written_to_a_file(run, tmp_path):
    path = write(tmp_path, (DATA / "tiny.json").read_text("utf-8"))
    result = run("import", str(path), "-o", str(tmp_path / "tiny.yaml"))
    assert result.exit_code == 0
    assert result.stdout == result.stderr == ""
    assert (tmp_path / "tiny.yaml").read_text("utf-8") == run("import", str(path)).stdout


def test_a_refused_import_leaves_no_spec(run, tmp_path):
    """A file -o names is replaced only by a whole spec: a refusal leaves it as it was."""
    path = write(tmp_path, _chain(("Lambda", "lam", {})))
    target = tmp_path / "out.yaml"
    target.write_text("before\n", "utf-8")
    refused(run, path, "-o", str(target))
    assert target.read_text("utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "out.yaml"]


def test_a_shape_keras_saved_that_the_rows_do_not_give_is_refused(run, tmp_path):
    """Each layer's output is checked against the shape Keras saved for it: a Dense of 4
    units cannot give 3 channels."""
    model = _chain(("Dense", "fc", {"units": 4}), ("Identity", "then", {}))
    message = refused(run, write(tmp_path, model))
    assert "layer 'fc' (Dense): cnncalc's arithmetic gives (8, 8, 4), Keras saved (8, 8, 3)" in (
        message
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=8,
)  # fmt: skip


def _places(value, path=()):
    """Every place in a JSON document, as the keys and indexes that lead to it."""
    yield path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        yield from _places(item, (*path, key))


TINY = json.loads((DATA / "tiny.json").read_text("utf-8"))
PLACES = list(_places(TINY))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PLACES[1:]), _JSON)
def test_any_value_anywhere_is_imported_or_refused(run, tmp_path_factory, place, value):
    """Whatever value stands anywhere in a model's config, the import ends with exit 0 or 1
    and a message, never an exception."""
    document = copy.deepcopy(TINY)
    target = document
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    path = tmp_path_factory.mktemp("fuzz") / "model.json"
    path.write_text(json.dumps(document), "utf-8")
    result = run("import", str(path))
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code:
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_a_sequential_model_saved_before_it_was_built_is_refused(run, tmp_path):
    """Without an Input or a build, a Sequential model's config has no input shape."""
    model = k.sequential("unbuilt", [k.layer("Dense", "fc", units=3)])
    assert "its input 'input' has no shape; a Sequential model saved before it was built" in (
        refused(run, write(tmp_path, model))
    )


def test_a_sequential_model_built_without_an_input_layer(run, tmp_path):
    """build(input_shape) saves the shape the model was built for: that is its input."""
    model = k.sequential("built", [k.layer("Dense", "fc", built=(8,), units=3)], built=(8,))
    result = run("import", str(write(tmp_path, model)))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("input: [8]\nlayers:\n  - fc:3,name=fc\n")
