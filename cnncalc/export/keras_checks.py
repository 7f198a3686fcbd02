"""The pytest file `cnncalc export --to keras --with-test` writes beside an exported module.

It loads the module from its path (relative to the test's own folder), builds
the model, runs a batch of one input of zeros through it, and compares what
Keras gives with the figures cnncalc computed, written into the test as data:
every row's shape (the output of the layer that gives it, `Probe`), the
outputs, the trainable and non-trainable weights, and count_params(). Where
Keras is not installed it is skipped; it sets no backend, so it runs on the
one KERAS_BACKEND names.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc import __version__
from cnncalc.export import Probe
from cnncalc.export.source import Seq, comment, docstring, literal, statement, wrap
from cnncalc.shapes import Shape
from cnncalc.summary import Summary

_CHECKS = '''

def load():
    """The exported module, loaded from its file."""
    spec = importlib.util.spec_from_file_location("exported_model", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exported():
    return load()


@pytest.fixture(scope="module")
def model(exported):
    return exported.build()


def zeros():
    """A batch of one input of zeros."""
    return keras.ops.zeros((1, *INPUT_SHAPE))


def size(weights):
    """How many values the weights hold."""
    return sum(math.prod(weight.shape) for weight in weights)


def test_input_shape(exported):
    """The module's INPUT_SHAPE is cnncalc's input, channels last."""
    assert tuple(exported.INPUT_SHAPE) == INPUT_SHAPE


def test_outputs(model):
    """The model gives the output shapes cnncalc computed."""
    out = model(zeros())
    given = out if isinstance(out, (list, tuple)) else [out]
    assert [tuple(each.shape[1:]) for each in given] == OUTPUTS


def test_weights(model):
    """The trainable weights hold cnncalc's trainable count, the non-trainable ones (batch
    norms' moving means and variances) its non-trainable count, and count_params() both."""
    assert size(model.trainable_weights) == TRAINABLE
    assert size(model.non_trainable_weights) == NON_TRAINABLE
    assert model.count_params() == TRAINABLE + NON_TRAINABLE


def test_every_row(model):
    """Each row's output, the output of the layer that gives it, has the shape cnncalc
    computed, for a batch of zeros."""
    names = list(dict.fromkeys(layer for _, _, layer, _ in ROWS))
    seen = keras.Model(model.input, [model.get_layer(name).output for name in names])
    out = seen(zeros())
    given = dict(zip(names, out if isinstance(out, (list, tuple)) else [out]))
    for path, row, layer, shape in ROWS:
        got = tuple(given[layer].shape[1:])
        assert got == shape, f"row {path} ({row}), {layer}: {got}, cnncalc {shape}"
'''


def checks(
    summary: Summary,
    probes: Sequence[Probe],
    model_path: str,
    title: str | None,
    outputs: list[Shape],
) -> str:
    """The test of the module saved at `model_path`, relative to the test's folder."""
    about = [
        *wrap(
            f"Checks of {comment(model_path)}, {comment(title or 'a network')} exported by "
            f"cnncalc {__version__}, against the figures cnncalc computed.",
            88,
        ),
        "",
        *wrap(
            "The model must take INPUT_SHAPE, give every row the shape cnncalc computed (the "
            "output of the layer named in ROWS, for a batch of zeros) and hold the weights "
            "cnncalc counted. Shapes are channels last, as Keras's, without the batch axis. "
            "Skipped where Keras is not installed; it runs on the backend KERAS_BACKEND names.",
            88,
        ),
    ]
    lines = docstring(0, about)
    lines += ["", "import importlib.util", "import math", "from pathlib import Path", ""]
    lines += ["import pytest", "", 'keras = pytest.importorskip("keras")', ""]
    lines += statement(0, "MODEL = ", f"Path(__file__).parent / {literal(model_path)}")
    lines += ["", "# cnncalc's figures."]
    lines += statement(0, "INPUT_SHAPE = ", _shape(summary.input_shape))
    lines += statement(0, "OUTPUTS = ", Seq(tuple(_shape(out) for out in outputs), "[]"))
    lines += [f"TRAINABLE = {summary.params}", f"NON_TRAINABLE = {summary.buffers}"]
    lines += [
        "# Each row: its place in the table, its name, the Keras layer whose output is the",
        "# row's, and the row's shape.",
    ]
    rows = tuple(
        Seq(
            (literal(probe.path), literal(probe.name), literal(probe.module), _shape(probe.shape)),
            "()",
        )
        for probe in probes
    )
    lines += statement(0, "ROWS = ", Seq(rows, "[]")) if rows else ["ROWS = []"]
    return "\n".join(lines) + "\n" + _CHECKS


def _shape(shape: Shape) -> Seq:
    return Seq(tuple(map(str, shape)), "()")
