"""Specs: an input shape and a list of layers, checked and located.

A spec comes from a YAML file, from shorthand layers typed on the command line,
or from Python values. Every layer is checked here before any shape is
computed: its type, its keys and each value. A problem raises `SpecError` with
the file, line and column, or the command-line argument, where it was written.
PyYAML is imported only when YAML is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnncalc.errors import SpecError, Where, suggestion
from cnncalc.layers import Layer
from cnncalc.model import LAYOUTS, Spec
from cnncalc.shapes import Shape, from_layout, rank_of
from cnncalc.spec import axes, values
from cnncalc.spec.expect import spec_expectation
from cnncalc.spec.layer_reader import LayerReader
from cnncalc.spec.marked import key_at, place, value_at
from cnncalc.spec.named import block_defs
from cnncalc.spec.shorthand import split_shorthand

TOP_KEYS = ("name", "description", "layout", "input", "blocks", "layers", "expect")


def load(path: str, display: str | None = None) -> Spec:
    """Read and check the spec file at `path` ("-": standard input); messages call it
    `display`."""
    from cnncalc.spec.source import STDIN, parse_yaml, read_text

    source = display or ("<stdin>" if path == STDIN else path)
    return from_document(parse_yaml(read_text(path, source), source), source)


def from_text(text: str, source: str | None = None) -> Spec:
    """Check a spec given as YAML text."""
    from cnncalc.spec.source import parse_yaml

    return from_document(parse_yaml(text, source), source)


def from_layers(
    input: Sequence[int], layers: Sequence[str | Mapping[str, Any] | Layer], name: str | None = None
) -> Spec:
    """A spec from Python values: shorthand strings, mappings or `Layer` objects."""
    shape = _read_input(list(input), None)
    reader = LayerReader(None, rank=rank_of(shape))
    read = [reader.read(raw, (index,), None, None) for index, raw in enumerate(layers, 1)]
    return Spec(input=shape, layers=tuple(spec for spec in read if spec is not None), name=name)


def from_arguments(
    input: Sequence[int], arguments: Sequence[str], name: str | None = None, layout: str = "hwc"
) -> Spec:
    """A spec from shorthand layers given on the command line, one per argument."""
    if not arguments:
        raise SpecError("no layers given; list them after the input, e.g. conv:8,5 maxpool:2 fc:10")
    shape = from_layout(_read_input(list(input), Where("--input")), layout)
    reader = LayerReader(None, layout, rank_of(shape))
    read = [
        reader.read(text, (index,), Where(f"argument '{text}'"), None)
        for index, text in enumerate(arguments, 1)
    ]
    layers = tuple(spec for spec in read if spec is not None)
    return Spec(input=shape, layers=layers, name=name, layout=layout, input_where=Where("--input"))


def from_document(document: Any, source: str | None = None) -> Spec:
    """Check a loaded YAML document (marked or plain Python values)."""
    where = place(getattr(document, "mark", None), source)
    if not isinstance(document, Mapping):
        raise SpecError(
            "a spec must be a mapping with 'input' and 'layers', "
            f"but this document is {_kind_of(document)}",
            where,
        )
    for key in document:
        if key not in TOP_KEYS:
            raise SpecError(
                f"unknown key {values.show(key)} at the top of the spec"
                + suggestion(key, TOP_KEYS, f"; the keys are {', '.join(TOP_KEYS)}"),
                key_at(document, key, source),
            )
    name = _optional_text(document, "name", source)
    description = _optional_text(document, "description", source)
    layout = (_optional_text(document, "layout", source) or "hwc").lower()
    if layout not in LAYOUTS:
        raise SpecError(
            f"layout must be hwc (height, width, channels) or chw, got {layout!r}",
            value_at(document, "layout", source),
        )
    if "input" not in document:
        raise SpecError(
            "the spec has no 'input'; give the input shape as [height, width, channels], "
            "e.g. input: [32, 32, 3] ([length, channels] in 1-D, [depth, height, width, "
            "channels] in 3-D)",
            where,
        )
    input_where = value_at(document, "input", source)
    input_shape = from_layout(_read_input(document["input"], input_where), layout)
    if "layers" not in document:
        raise SpecError(
            "the spec has no 'layers'; list them, one per line, e.g. '- conv:8,5'",
            where,
        )
    items = document["layers"]
    items_where = value_at(document, "layers", source)
    if not isinstance(items, list):
        raise SpecError(f"'layers' must be a list of layers, got {values.show(items)}", items_where)
    if not items:
        raise SpecError("'layers' is empty; list at least one layer", items_where)
    split_shorthand(items, source)  # before the blocks are read, as it always was
    reader = LayerReader(source, layout, rank_of(input_shape))
    if "blocks" in document:
        reader.blocks = block_defs(document["blocks"], value_at(document, "blocks", source), source)
    layers = reader.layers(items, (), items_where, "layers")
    expect = None
    if "expect" in document:
        at = value_at(document, "expect", source)
        expect = spec_expectation(document["expect"], at, source, layout)
    return Spec(
        input=input_shape,
        layers=layers,
        name=name,
        description=description,
        source=source,
        expect=expect,
        layout=layout,
        input_where=input_where,
    )


def _read_input(raw: Any, where: Where | None) -> Shape:
    with values.located(where):
        return axes.dims("input", raw)


def _optional_text(document: Mapping[Any, Any], key: str, source: str | None) -> str | None:
    if key not in document or document[key] is None:
        return None
    limit = values.MAX_NAME if key == "name" else 2_000
    with values.located(value_at(document, key, source)):
        return values.text(key, document[key], limit)


def _kind_of(document: Any) -> str:
    if document is None:
        return "empty"
    if isinstance(document, list):
        return "a list"
    if isinstance(document, str):
        return f"the text {values.show(document)}"
    return f"the value {values.show(document)}"
