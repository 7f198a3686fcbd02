"""Importing a model saved by a framework as a spec: `cnncalc import`.

A format's reader (`keras` for a Keras model's JSON or .keras archive) builds a `Graph`
of the model's layers, each converted to the spec rows that mean it exactly (the
converters: `keras_layers`, `keras_shape_layers`); `emit` turns the graph into a spec's
layers, with blocks where the graph has them and saved tensors where it does not;
`writer` writes the YAML. The spec is then read back and walked by the engine, and the
shape of every layer compared with the framework's: what does not match is refused,
never written. `FORMATS` is the one registry of the files this reads, by kind.

Part of the core: no click, no rich, and no framework; the standard library reads the
files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from cnncalc.errors import SpecError, Where, first_unsafe
from cnncalc.importing.graph import Dims, Graph, Node, Refused, quoted, shown

if TYPE_CHECKING:
    from cnncalc.summary import Summary


class Format(NamedTuple):
    """A kind of model file: what it is, the suffixes that name it, and its reader (None:
    refused, with `refusal` saying why)."""

    what: str
    suffixes: tuple[str, ...]
    read: Callable[[str, str, Dims | None], tuple[Graph, str]] | None
    refusal: str = ""


def _keras(archive: bool) -> Callable[[str, str, Dims | None], tuple[Graph, str]]:
    def read(path: str, display: str, input_dims: Dims | None) -> tuple[Graph, str]:
        from cnncalc.importing import keras, sources

        loaded = (sources.read_archive if archive else sources.read_json)(path, display)
        graph = keras.read(loaded.document, display, input_dims)
        return graph, f"Keras {loaded.version}" if loaded.version else "Keras"

    return read


FORMATS: dict[str, Format] = {
    "keras-archive": Format("a Keras model archive", (".keras",), _keras(archive=True)),
    "keras-json": Format("a Keras model's JSON (model.to_json())", (".json",), _keras(False)),
    "onnx": Format(
        "an ONNX model", (".onnx",), None,
        "ONNX import is not available yet in this version of cnncalc; import the model "
        "from Keras (.keras or model.to_json()) instead",
    ),
    "keras-h5": Format(
        "a legacy Keras HDF5 file", (".h5", ".hdf5"), None,
        "legacy HDF5 Keras files are not read; save the model as .keras "
        "(model.save('model.keras')) or its JSON (model.to_json())",
    ),
}  # fmt: skip


def kind_of(path: str, display: str) -> str:
    """Which format the file is: by its suffix, else by its first bytes."""
    suffix = os.path.splitext(path)[1].lower()
    for kind, form in FORMATS.items():
        if suffix in form.suffixes:
            return kind
    from cnncalc.importing import sources

    return "keras-archive" if sources.head(path, display) == sources.ZIP_MAGIC else "keras-json"


class Imported(NamedTuple):
    """The spec's text, and the engine's summary of it."""

    text: str
    summary: Summary


def import_model(path: str, display: str | None = None, input_dims: Dims | None = None) -> Imported:
    """The spec of the model saved at `path`; `display` names it in messages; `input_dims`
    gives the sizes its input leaves open (None)."""
    from cnncalc import __version__
    from cnncalc.importing import emit, writer

    display = display or path
    form = FORMATS[kind_of(path, display)]
    if form.read is None:
        raise SpecError(form.refusal, Where(display))
    graph, framework = form.read(path, display, input_dims)
    shape = _input(graph, display)
    items = emit.emit(graph, display)
    name = graph.name if graph.name and _fits(graph.name) else None
    model = f" model {quoted(graph.name)}" if graph.name else " model"
    file = os.path.basename(display)
    header = [f"Imported by cnncalc {__version__} from '{file}': the {framework}{model}."]
    if input_dims is not None:
        header.append(f"Its input's shape, {shown(shape)}, was given with --input.")
    if "/" in writer.names(items):
        header.append("A row named 'layer/part' is part of that layer: its activation, say.")
    text = writer.write(header, name, shape, items)
    return Imported(text, _verified(text, graph, display))


def _fits(name: str) -> bool:
    """Whether a model's name can be a spec's name: short, and nothing that acts."""
    from cnncalc.spec.values import MAX_NAME

    return 0 < len(name.strip()) <= MAX_NAME and first_unsafe(name) is None


def _input(graph: Graph, display: str) -> tuple[int, ...]:
    shape = graph.input_shape
    if None in shape:
        raise Refused(
            f"the model's input {shown(shape)} has sizes that are not fixed; give them with "
            "--input, e.g. --input 224x224x3",
            Where(display),
        )
    if len(shape) > 4:
        raise Refused(
            f"the model's input has {len(shape) - 1} spatial axes; a spec has at most 3",
            Where(display),
        )
    return tuple(n for n in shape if n is not None)


def _verified(text: str, graph: Graph, display: str) -> Summary:
    """The spec read back and walked, every layer's shape the framework's."""
    from cnncalc import engine, spec

    try:
        summary = engine.analyze(spec.from_text(text, f"the spec imported from {display}"))
    except SpecError as error:
        raise Refused(
            f"cnncalc cannot compute the spec it makes: {error}", Where(display)
        ) from None
    rows: dict[str, list[tuple[int, ...]]] = {}
    for row in summary.flat():
        rows.setdefault(row.name, []).append(row.shape)
    for node in _nodes(graph):
        name = node.rows[-1].name if node.rows else node.name
        found = rows.get(name, [])
        want = node.spec_shape
        if len(found) != 1 or node.op == "InputLayer":
            continue
        got = found[0]
        if len(got) != len(want) or any(
            w is not None and w != g for g, w in zip(got, want, strict=False)
        ):
            raise Refused(
                f"layer {quoted(node.name)} ({node.op}) gives {shown(got)} in the spec but "
                f"{shown(want)} in the model; please report this",
                Where(display),
            )
    return summary


def _nodes(graph: Graph) -> list[Node]:
    found = []
    for node in graph.nodes.values():
        found.append(node)
        if node.inner is not None:
            found += _nodes(node.inner)
    return found


__all__ = ["FORMATS", "Imported", "Refused", "import_model", "kind_of"]
