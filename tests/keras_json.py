"""Keras 3 model configs written by hand, as `model.to_json()` writes them: what the
import tests read, without Keras.

Every layer is a mapping of module, class_name, config (its name, trainable, dtype and
the layer's own settings), registered_name, build_config (for layers that build
weights) and, in a functional model, name and inbound_nodes, whose args are the tensors
it takes (`__keras_tensor__`, with the shape Keras gives them and the layer that makes
them). Shapes here leave out the batch axis; Keras's lead with None.
"""

from __future__ import annotations

import json
from typing import Any

DTYPE = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}


def tensor(source: str, shape: tuple[int | None, ...]) -> dict[str, Any]:
    """A tensor a layer takes: the output of `source`, of `shape`."""
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, *shape], "dtype": "float32", "keras_history": [source, 0, 0]},
    }


def layer(
    cls: str,
    name: str,
    inputs: list[tuple[str, tuple[int | None, ...]]] | None = None,
    built: tuple[int | None, ...] | None = None,
    module: str = "keras.layers",
    merge: bool = False,
    **config: Any,
) -> dict[str, Any]:
    """A layer of a functional model: `inputs` are (layer, shape) of what it takes; a merge
    layer (Add, Concatenate) takes them as one list, as Keras saves it."""
    entry: dict[str, Any] = {
        "module": module,
        "class_name": cls,
        "config": {"name": name, "trainable": True, "dtype": DTYPE, **config},
        "registered_name": None,
    }
    if built is not None:
        entry["build_config"] = {"input_shape": [None, *built]}
    entry["name"] = name
    tensors = [tensor(source, shape) for source, shape in inputs or []]
    args: list[Any] = [tensors] if merge else tensors
    entry["inbound_nodes"] = [{"args": args, "kwargs": {}}] if inputs else []
    return entry


def input_layer(name: str, shape: tuple[int | None, ...]) -> dict[str, Any]:
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": [None, *shape],
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": name,
            "optional": False,
        },
        "registered_name": None,
        "name": name,
        "inbound_nodes": [],
    }


def _refs(names: list[str]) -> list[Any]:
    refs = [[name, 0, 0] for name in names]
    return refs[0] if len(refs) == 1 else refs


def functional(
    name: str, layers: list[dict[str, Any]], inputs: list[str], outputs: list[str]
) -> dict[str, Any]:
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": name,
            "trainable": True,
            "layers": layers,
            "input_layers": _refs(inputs),
            "output_layers": _refs(outputs),
        },
        "registered_name": "Functional",
        "build_config": {"input_shape": None},
        "compile_config": {},
    }


def sequential(
    name: str, layers: list[dict[str, Any]], built: tuple[int, ...] | None = None
) -> dict[str, Any]:
    """A Sequential model: its layers without name or inbound_nodes, as Keras saves them."""
    plain = [
        {k: v for k, v in item.items() if k not in ("name", "inbound_nodes")} for item in layers
    ]
    config: dict[str, Any] = {"name": name, "trainable": True, "dtype": DTYPE, "layers": plain}
    document: dict[str, Any] = {
        "module": "keras",
        "class_name": "Sequential",
        "config": config,
        "registered_name": None,
    }
    if built is not None:
        config["build_input_shape"] = [None, *built]
        document["build_config"] = {"input_shape": [None, *built]}
    document["compile_config"] = {}
    return document


def conv2d(
    name: str,
    source: str,
    shape: tuple[int, ...],
    filters: int,
    kernel: int,
    stride: int = 1,
    padding: str = "valid",
    **more: Any,
) -> dict[str, Any]:
    """A Conv2D as Keras saves it, its other settings Keras's defaults."""
    settings = {
        "filters": filters,
        "kernel_size": [kernel, kernel],
        "strides": [stride, stride],
        "padding": padding,
        "data_format": "channels_last",
        "dilation_rate": [1, 1],
        "groups": 1,
        "activation": "linear",
        "use_bias": True,
        **more,
    }
    return layer("Conv2D", name, [(source, shape)], shape, **settings)


def text(document: dict[str, Any]) -> str:
    return json.dumps(document)
