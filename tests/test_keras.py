"""The bundled Keras spec against Keras itself, where it is installed.

Optional (skipped without Keras; CI does not install it): every layer of
`keras.applications.ResNet50` has a row of its name, of the matching type and
with its parameters (Keras counts the batch norms' statistics too), and every
other row is a block of cnncalc's that groups them.
"""

from __future__ import annotations

import os

import pytest

from cnncalc import bundled, engine, spec

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

KINDS = {
    "ZeroPadding2D": "zeropad", "Conv2D": "conv", "BatchNormalization": "batchnorm",
    "Activation": "relu", "MaxPooling2D": "maxpool", "Add": "residual",
    "GlobalAveragePooling2D": "globalavgpool", "Dense": "softmax",
}  # fmt: skip


def test_rows_are_keras_layers():
    model = keras.applications.ResNet50(weights=None)
    path = bundled.path("resnet50-keras")
    assert path is not None
    rows = {row.name: row for row in engine.analyze(spec.load(path)).flat()}
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    for layer in layers:
        assert layer.name in rows, f"Keras's {layer.name} has no row"
        row = rows[layer.name]
        assert row.kind == KINDS[type(layer).__name__], layer.name
        # A block's row sums its layers: Add's own parameters are none.
        own = 0 if row.branches else row.params + row.buffers
        assert own == layer.count_params(), layer.name
    names = {layer.name for layer in layers}
    assert all(row.branches for name, row in rows.items() if name not in names)
