"""A Keras 3 model's config (`model.to_json()`, or a .keras archive's config.json) as a
`Graph`: its layers in topological order, each converted to spec rows.

A functional model's layers name the tensors they take (`keras_history`) and their shapes,
which are Keras's own and are checked against the arithmetic of each converted layer; a
Sequential model's layers take each the one before. A model used as a layer is a graph
of its own (a block in the spec). Every layer that cannot be written exactly is found
before anything is refused, and all of them are named in one message.

Part of the core: it imports nothing of cnncalc but `errors` and `importing`'s modules,
and no framework: the config is JSON.
"""

from __future__ import annotations

import itertools
from typing import Any

from cnncalc.errors import Where
from cnncalc.importing.graph import Dims, Graph, Node, Refused, quoted, shown, topological
from cnncalc.importing.keras_config import (
    KerasLayer,
    Unsupported,
    dims,
    no_frozen_weights,
    unnameable,
)
from cnncalc.importing.keras_layers import WEIGHTED, Converter, layerscale
from cnncalc.importing.keras_shape_layers import OPS, SHAPED

MAX_LAYERS = 20_000  # in all, nested models included: far beyond any real network
MODELS = ("Functional", "Sequential", "Model")


def converter(layer: KerasLayer) -> Converter | None:
    """The converter of a Keras class, by its module: Keras's layers, keras.ops, and
    ConvNeXt's LayerScale; a class of the same name from elsewhere is not Keras's."""
    module = layer.module or "keras.layers"
    if module.startswith("keras.src.ops"):
        return OPS.get(layer.cls)
    if module == "keras.src.applications.convnext" and layer.cls == "LayerScale":
        return layerscale
    if module == "keras.layers" or module.startswith("keras.src.layers"):
        return WEIGHTED.get(layer.cls) or SHAPED.get(layer.cls)
    return None


class Reader:
    """Reads one file's model, and the models nested in it, finding every problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.unknown: dict[str, list[str]] = {}  # class -> its layers
        # (why, class) -> the layers it is said of: one reason, said once for them all
        self.problems: dict[tuple[str, str], list[str]] = {}
        self.count = 0

    def refuse(self, message: str) -> Refused:
        return Refused(message, Where(self.source))

    def model(self, cls: str, config: Any, input_dims: Dims | None, frozen: bool) -> Graph:
        """A model's graph; `input_dims` is what the layer before a nested model gives."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise self.refuse(f"its {cls} model has no list of layers in its config")
        frozen = frozen or config.get("trainable") is False
        raw = config["layers"]
        if cls == "Sequential":
            layers, source, sink = self._sequential(raw, config)
            inputs, outputs = [source], [sink]
        else:
            layers = [self._layer(item) for item in raw]
            inputs = _refs(config.get("input_layers"), "input_layers", self)
            outputs = _refs(config.get("output_layers"), "output_layers", self)
        name = config.get("name") if isinstance(config.get("name"), str) else None
        return self._graph(layers, inputs, outputs, name, input_dims, frozen)

    def _layer(self, raw: Any) -> KerasLayer:
        """One layer of a functional model's config, with the tensors it takes."""
        if not isinstance(raw, dict) or not isinstance(raw.get("config"), dict):
            raise self.refuse("a layer of its config is not a mapping with a config")
        config = raw["config"]
        name = raw.get("name", config.get("name"))
        cls = raw.get("class_name")
        if not isinstance(name, str) or not name or not isinstance(cls, str):
            raise self.refuse("a layer of its config has no name or no class_name")
        self.count += 1
        if self.count > MAX_LAYERS:
            raise self.refuse(f"it has more than {MAX_LAYERS:,} layers")
        module = raw.get("module") or "keras.layers"  # older configs leave it out
        layer = KerasLayer(name, cls, module if isinstance(module, str) else "?", config)
        built = raw.get("build_config")
        if isinstance(built, dict) and isinstance(built.get("input_shape"), list):
            layer.built = built["input_shape"]
        nodes = raw.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise self.refuse(f"layer {quoted(name)} has inbound_nodes that are not a list")
        if len(nodes) > 1:
            why = "it is used more than once, sharing its weights, which a spec would count twice"
            self.problem(name, cls, why)
        if nodes:
            if not isinstance(nodes[0], dict):
                raise self.refuse(
                    "its layers' inbound_nodes are Keras 2's (tf.keras), which cnncalc does "
                    "not read; load the model with Keras 3 and save it again"
                )
            _tensors([nodes[0].get("args"), nodes[0].get("kwargs")], layer, self, 0)
        return layer

    def _sequential(
        self, raw: list[Any], config: dict[str, Any]
    ) -> tuple[list[KerasLayer], str, str]:
        """A Sequential model's layers, each taking the one before; its input, made from
        its InputLayer or the shape it was built with."""
        layers = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("config"), dict):
                raise self.refuse("a layer of its config is not a mapping with a config")
            layers.append(self._layer({**item, "inbound_nodes": []}))
        if not layers or layers[0].cls != "InputLayer":
            built = config.get("build_input_shape")
            if built is None and layers:
                built = layers[0].built
            name = "input"
            while any(layer.name == name for layer in layers):
                name += "_"
            layers.insert(0, KerasLayer(name, "InputLayer", "keras.layers", {"batch_shape": built}))
        for before, layer in itertools.pairwise(layers):
            layer.inputs = [before.name]
            layer.shapes = [dims(layer.built)]
        return layers, layers[0].name, layers[-1].name

    def _graph(
        self,
        layers: list[KerasLayer],
        inputs: list[str],
        outputs: list[str],
        name: str | None,
        input_dims: Dims | None,
        frozen: bool,
    ) -> Graph:
        by_name: dict[str, KerasLayer] = {}
        for layer in layers:
            if layer.name in by_name:
                raise self.refuse(f"two of its layers are named {quoted(layer.name)}")
            by_name[layer.name] = layer
        for layer in layers:
            for source in layer.inputs:
                if source not in by_name:
                    raise self.refuse(
                        f"layer {quoted(layer.name)} takes the output of {quoted(source)}, "
                        "which is not one of its layers"
                    )
        if len(inputs) != 1:
            listed = ", ".join(quoted(name) for name in inputs)
            raise self.refuse(
                f"the model has {len(inputs)} inputs ({listed}); a spec has one input"
            )
        if not outputs or any(output not in by_name for output in outputs):
            raise self.refuse("its output_layers do not name its layers")
        order = topological(list(by_name), {name: tuple(by_name[name].inputs) for name in by_name})
        if order is None:
            raise self.refuse("its layers take each other's outputs in a cycle")
        nodes: dict[str, Node] = {}
        for layer_name in order:
            layer = by_name[layer_name]
            nodes[layer_name] = self._node(
                layer, nodes, input_dims, frozen, layer_name == inputs[0]
            )
        reached = {inputs[0]}
        for node in nodes.values():
            if node.inputs and all(source in reached for source in node.inputs):
                reached.add(node.name)
        missing = [output for output in outputs if output not in reached]
        if missing or any(node.name not in reached for node in nodes.values()):
            stray = next(node.name for node in nodes.values() if node.name not in reached)
            raise self.refuse(
                f"layer {quoted(stray)} is not reached from the input {quoted(inputs[0])}"
            )
        return Graph(name, inputs[0], nodes, tuple(dict.fromkeys(outputs)))

    def _node(
        self,
        layer: KerasLayer,
        nodes: dict[str, Node],
        input_dims: Dims | None,
        frozen: bool,
        is_input: bool,
    ) -> Node:
        if layer.cls == "InputLayer" or is_input:
            if layer.cls != "InputLayer":
                raise self.refuse(f"its input {quoted(layer.name)} is not an InputLayer")
            shape = dims(layer.get("batch_shape", layer.get("batch_input_shape")))
            if shape is None and input_dims is not None:  # a nested model's: what it is given
                shape = input_dims
            if not shape:
                raise self.refuse(
                    f"its input {quoted(layer.name)} has no shape; a Sequential model saved "
                    "before it was built has none: start it with keras.Input(shape)"
                )
            return Node(layer.name, "InputLayer", (), shape=_given(shape, input_dims, self))
        if not layer.inputs:
            raise self.refuse(f"layer {quoted(layer.name)} ({layer.cls}) takes no input")
        inputs = [nodes[source] for source in layer.inputs]
        for node, shape in zip(inputs, layer.shapes, strict=False):
            if shape is not None:
                self._agree(node, shape)
        # A layer after one that failed is still read, when Keras saved what it takes.
        failed = any(node.op == "?" and not node.shape for node in inputs)
        if layer.cls in MODELS and layer.module.split(".")[0] == "keras":
            return self._nested(layer, inputs, frozen)
        convert = converter(layer)
        if convert is None:
            self.unknown.setdefault(layer.cls, []).append(layer.name)
            return Node(layer.name, "?", tuple(layer.inputs))
        if failed:
            return Node(layer.name, "?", tuple(layer.inputs))
        try:
            done = convert(layer, inputs)
            if frozen or layer.get("trainable") is False:
                no_frozen_weights(done.rows)
        except Unsupported as why:
            self.problem(layer.name, layer.cls, str(why))
            return Node(layer.name, "?", tuple(layer.inputs))
        for row in done.rows:
            unnamed = unnameable(row.name)
            if unnamed:
                self.problem(layer.name, layer.cls, unnamed)
                return Node(layer.name, "?", tuple(layer.inputs))
        return Node(
            layer.name,
            layer.cls,
            tuple(layer.inputs),
            done.rows,
            done.join,
            None,
            done.shape,
            done.kept,
        )

    def _nested(self, layer: KerasLayer, inputs: list[Node], frozen: bool) -> Node:
        """A model used as a layer: its graph, on the shape the layer before gives."""
        if len(inputs) != 1:
            raise self.refuse(
                f"the model {quoted(layer.name)} inside it takes {len(inputs)} inputs"
            )
        inner = self.model(layer.cls, layer.config, inputs[0].shape, frozen)
        if len(inner.outputs) != 1:
            raise self.refuse(
                f"the model {quoted(layer.name)} inside it has {len(inner.outputs)} outputs"
            )
        out = inner.nodes[inner.outputs[0]]
        return Node(
            layer.name, layer.cls, tuple(layer.inputs), inner=inner, shape=out.shape, kept=out.kept
        )

    def _agree(self, node: Node, saved: Dims) -> None:
        """The shape Keras saved for a node's output against the one its rows give."""
        mine = node.shape
        if node.op == "?":  # it failed: what Keras saved is all there is
            node.shape = saved
            return
        if (
            node.inner is None
            and node.op != "InputLayer"
            and (
                len(mine) != len(saved)
                or any(
                    a is not None and b is not None and a != b
                    for a, b in zip(mine, saved, strict=False)
                )
            )
        ):
            self.problem(
                node.name, node.op,
                f"cnncalc's arithmetic gives {shown(mine)}, Keras saved {shown(saved)}",
            )  # fmt: skip
            node.op, node.shape = "?", saved
            return
        if len(mine) == len(saved):
            node.shape = tuple(b if b is not None else a for a, b in zip(mine, saved, strict=True))

    def problem(self, name: str, cls: str, why: str) -> None:
        self.problems.setdefault((why, cls), []).append(name)

    def check(self) -> None:
        """Refuse, naming every layer that cannot be written, if any cannot."""
        parts = []
        for (why, cls), names in self.problems.items():
            if len(names) == 1:
                parts.append(f"layer {quoted(names[0])} ({cls}): {why}")
            else:
                listed = ", ".join(quoted(name) for name in names)
                parts.append(f"{len(names)} {cls} layers ({listed}): {why}")
        if self.unknown:
            count = sum(map(len, self.unknown.values()))
            listed = "; ".join(
                f"{cls} ({', '.join(quoted(name) for name in names)})"
                for cls, names in self.unknown.items()
            )
            one = count == 1
            parts.append(
                f"{count} layer{'' if one else 's'} {'is' if one else 'are'} of "
                f"{'a class' if len(self.unknown) == 1 else 'classes'} cnncalc has no layer "
                f"type for: {listed} (cnncalc list --layers shows its types)"
            )
        if parts:
            raise self.refuse("cannot import it exactly: " + "; ".join(parts))


def _given(shape: Dims, input_dims: Dims | None, reader: Reader) -> Dims:
    """The input's shape, its open sizes (None) taken from `input_dims` when given."""
    if input_dims is None:
        return shape
    if len(input_dims) != len(shape) or any(
        a is not None and b is not None and a != b for a, b in zip(shape, input_dims, strict=True)
    ):
        raise reader.refuse(
            f"the input shape {shown(input_dims)} does not fit the model's input {shown(shape)}"
        )
    return tuple(a if a is not None else b for a, b in zip(shape, input_dims, strict=True))


def _refs(value: Any, key: str, reader: Reader) -> list[str]:
    """The layers input_layers or output_layers name: [name, 0, 0] or a list of them."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = [value]
    if not isinstance(value, list):
        raise reader.refuse(f"its {key} is not a list of layers")
    names = []
    for ref in value:
        if not isinstance(ref, list) or not ref or not isinstance(ref[0], str):
            raise reader.refuse(f"its {key} is not a list of layers")
        if ref[1:3] not in ([0, 0], []):
            raise reader.refuse(f"its {key} names a second output or use of {quoted(ref[0])}")
        names.append(ref[0])
    return names


def _tensors(value: Any, layer: KerasLayer, reader: Reader, depth: int) -> None:
    """The tensors a layer's call takes (`__keras_tensor__`), in order, and its numbers."""
    if depth > 20:
        raise reader.refuse(f"the arguments of layer {quoted(layer.name)} nest too deep")
    if isinstance(value, list):
        for item in value:
            _tensors(item, layer, reader, depth + 1)
    elif isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        config = value.get("config")
        config = config if isinstance(config, dict) else {}
        history = config.get("keras_history")
        if not isinstance(history, list) or len(history) != 3 or not isinstance(history[0], str):
            raise reader.refuse(f"layer {quoted(layer.name)} takes a tensor of no known layer")
        if history[1:] != [0, 0]:
            why = f"it takes output {history[2]} of use {history[1]} of {quoted(history[0])}"
            reader.problem(layer.name, layer.cls, why + "; a spec's layers have one output")
        layer.inputs.append(history[0])
        layer.shapes.append(dims(config.get("shape")))
    elif isinstance(value, dict):
        for item in value.values():
            _tensors(item, layer, reader, depth + 1)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        layer.constants.append(value)


def read(document: Any, source: str, input_dims: Dims | None = None) -> Graph:
    """The graph of a Keras model's config; `source` names the file in messages."""
    reader = Reader(source)
    if not isinstance(document, dict) or not isinstance(document.get("class_name"), str):
        raise reader.refuse("it is JSON, but not a Keras model's config (no class_name)")
    cls = document["class_name"]
    if cls not in MODELS:
        raise reader.refuse(f"it holds a Keras {cls}, not a model (Functional or Sequential)")
    version = document.get("keras_version")
    if isinstance(version, str) and version.startswith(("1.", "2.")):
        raise reader.refuse(
            f"it was written by Keras {version}, whose configs cnncalc does not read; load "
            "it with Keras 3 and save it again"
        )
    graph = reader.model(cls, document.get("config"), input_dims, False)
    reader.check()
    return graph


__all__ = ["MODELS", "converter", "read"]
