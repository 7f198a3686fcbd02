"""Specs: an input shape and a list of layers, checked and located.

A spec comes from a YAML file, from shorthand layers typed on the command line,
or from Python values. Every layer is checked here before any shape is
computed: its type, its keys and each value. A problem raises `SpecError` with
the file, line and column, or the command-line argument, where it was written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cnncalc import values
from cnncalc.errors import LayerRef, SpecError, Where, suggestion
from cnncalc.layers import (
    LAYER_TYPES,
    Layer,
    LayerType,
    Shape,
    from_layout,
    layer_type,
    type_names,
)
from cnncalc.shorthand import split
from cnncalc.source import Mark, MarkedDict, MarkedList, parse_yaml, read_text, where_in

TOP_KEYS = ("name", "description", "layout", "input", "layers", "expect")
LAYOUTS = ("hwc", "chw")
SPEC_EXPECT_KEYS = ("output", "params")
LAYER_EXPECT_KEYS = ("shape", "params")


class Expectation(NamedTuple):
    """What the author expects a layer (or the whole network) to give.

    `cnncalc check` fails a spec whose expectations do not hold; each figure
    keeps the place it was written, so the failure points at it.
    """

    shape: Shape | None = None
    params: int | None = None
    shape_where: Where | None = None
    params_where: Where | None = None


@dataclass
class LayerSpec:
    """One checked layer, its name, and where each of its fields was written."""

    layer: Layer
    name: str
    where: Where | None = None
    field_where: Mapping[str, Where] = field(default_factory=dict)
    expect: Expectation | None = None

    def where_of(self, field_name: str | None) -> Where | None:
        """Where a field was written, or the layer itself if it was not."""
        if field_name is not None and field_name in self.field_where:
            return self.field_where[field_name]
        return self.where


@dataclass
class Spec:
    """A network to analyse: the input shape (H, W, C) and the layers in order."""

    input: Shape
    layers: tuple[LayerSpec, ...]
    name: str | None = None
    description: str | None = None
    source: str | None = None
    expect: Expectation | None = None  # of the output shape and the total parameters
    layout: str = "hwc"  # how the spec writes its shapes; they are held as (H, W, C)


def load(path: str, display: str | None = None) -> Spec:
    """Read and check the spec file at `path`; messages call it `display`."""
    source = display or path
    return from_document(parse_yaml(read_text(path, source), source), source)


def from_text(text: str, source: str | None = None) -> Spec:
    """Check a spec given as YAML text."""
    return from_document(parse_yaml(text, source), source)


def from_layers(
    input: Sequence[int], layers: Sequence[str | Mapping[str, Any] | Layer], name: str | None = None
) -> Spec:
    """A spec from Python values: shorthand strings, mappings or `Layer` objects."""
    reader = _LayerReader(None)
    return Spec(
        _read_input(list(input), None),
        tuple(reader.read(raw, index, None, None) for index, raw in enumerate(layers, 1)),
        name,
    )


def from_arguments(
    input: Sequence[int], arguments: Sequence[str], name: str | None = None, layout: str = "hwc"
) -> Spec:
    """A spec from shorthand layers given on the command line, one per argument."""
    reader = _LayerReader(None, layout)
    layers = tuple(
        reader.read(text, index, Where(f"argument {text!r}"), None)
        for index, text in enumerate(arguments, 1)
    )
    if not layers:
        raise SpecError("no layers given; list them after the input, e.g. conv:8,5 maxpool:2 fc:10")
    shape = from_layout(_read_input(list(input), Where("--input")), layout)
    return Spec(shape, layers, name, layout=layout)


def from_document(document: Any, source: str | None = None) -> Spec:
    """Check a loaded YAML document (marked or plain Python values)."""
    where = _at(getattr(document, "mark", None), source)
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
                _key_at(document, key, source),
            )
    name = _optional_text(document, "name", source)
    description = _optional_text(document, "description", source)
    layout = (_optional_text(document, "layout", source) or "hwc").lower()
    if layout not in LAYOUTS:
        raise SpecError(
            f"layout must be hwc (height, width, channels) or chw, got {layout!r}",
            _value_at(document, "layout", source),
        )
    if "input" not in document:
        raise SpecError(
            "the spec has no 'input'; give the input shape as [height, width, channels], "
            "e.g. input: [32, 32, 3]",
            where,
        )
    input_shape = from_layout(
        _read_input(document["input"], _value_at(document, "input", source)), layout
    )
    if "layers" not in document:
        raise SpecError(
            "the spec has no 'layers'; list them, one per line, e.g. '- conv:8,5'",
            where,
        )
    items = document["layers"]
    items_where = _value_at(document, "layers", source)
    if not isinstance(items, list):
        raise SpecError(f"'layers' must be a list of layers, got {values.show(items)}", items_where)
    if not items:
        raise SpecError("'layers' is empty; list at least one layer", items_where)
    reader = _LayerReader(source, layout)
    marks = items.item_marks if isinstance(items, MarkedList) else [None] * len(items)
    layers = tuple(
        reader.read(raw, index, _at(mark, source) or items_where, mark)
        for index, (raw, mark) in enumerate(zip(items, marks, strict=True), 1)
    )
    expect = None
    if "expect" in document:
        at = _value_at(document, "expect", source)
        expect = _spec_expectation(document["expect"], at, source, layout)
    return Spec(input_shape, layers, name, description, source, expect, layout)


class _LayerReader:
    """Reads layers in order, numbering them by the course's naming rule."""

    def __init__(self, source: str | None, layout: str = "hwc") -> None:
        self.source = source
        self.layout = layout  # of the shapes in `expect`
        self.weighted = 0  # layers with weights so far: CONV1, FC3…

    def read(self, raw: Any, index: int, where: Where | None, mark: Mark | None) -> LayerSpec:
        if isinstance(raw, str):
            return self._shorthand(raw, index, where, mark)
        if isinstance(raw, Mapping):
            return self._mapping(raw, index, where)
        if isinstance(raw, Layer):
            return self._named(raw, None, _type_of(raw), where, {})
        hint = ""
        if isinstance(raw, int) and not isinstance(raw, bool):
            # `[conv:8,5, fc:10]` splits at every comma: 5 arrives as a layer.
            hint = "; inside [ ], quote a shorthand that has commas: 'conv:8,5'"
        raise SpecError(
            "a layer is a mapping with 'type' or a shorthand string such as conv:16,5, "
            f"got {values.show(raw)}{hint}",
            where,
            LayerRef(index, None),
        )

    def _mapping(self, raw: Mapping[Any, Any], index: int, where: Where | None) -> LayerSpec:
        if "type" not in raw:
            named = [key for key in raw if isinstance(key, str) and layer_type(key)]
            hint = (
                f"; write {{type: {named[0]}, …}}, not {{{named[0]}: …}}"
                if named
                else "; add one, e.g. type: conv"
            )
            raise SpecError("the layer has no 'type'" + hint, where, LayerRef(index, None))
        kind = self._type(raw["type"], index, _value_at(raw, "type", self.source) or where)
        explicit = None
        if "name" in raw:
            explicit = self._name(raw["name"], index, _value_at(raw, "name", self.source) or where)
        ref = LayerRef(index, explicit or kind.default_name(self.weighted))
        expect = None
        if "expect" in raw:
            at = _value_at(raw, "expect", self.source) or where
            expect = _layer_expectation(raw["expect"], at, self.source, ref, self.layout)
        given = []
        for key, value in raw.items():
            if key in ("type", "name", "expect"):
                continue
            if not isinstance(key, str) or kind.field(key) is None:
                raise _unknown_key(kind, key, _key_at(raw, key, self.source) or where, ref, "type")
            given.append((key, repr(key), value, _value_at(raw, key, self.source) or where))
        return self._build(kind, given, ref, explicit, where, expect)

    def _shorthand(
        self, text: str, index: int, where: Where | None, mark: Mark | None
    ) -> LayerSpec:
        def at(offset: int) -> Where | None:
            return where_in(mark, self.source, offset) if mark else where

        type_name, pieces = split(text)
        kind = self._type(type_name, index, where)
        explicit = None
        for piece in pieces:
            if piece.key == "name":
                explicit = self._name(piece.value, index, at(piece.offset))
        ref = LayerRef(index, explicit or kind.default_name(self.weighted))
        expect = None
        for piece in pieces:
            if piece.key == "expect":
                expect = _layer_expectation(
                    piece.value, at(piece.offset), self.source, ref, self.layout
                )
        given = []
        positional = list(kind.positional)
        seen_named = False
        for number, piece in enumerate(pieces, 1):
            if piece.key is None:
                if not piece.value:
                    raise SpecError(f"value {number} of {text!r} is empty", at(piece.offset), ref)
                if seen_named:
                    raise SpecError(
                        f"the value {piece.value!r} comes after a named one; "
                        "write it as key=value too",
                        at(piece.offset),
                        ref,
                    )
                if not positional:
                    order = ", ".join(f.name for f in kind.positional) or "none"
                    raise SpecError(
                        f"{kind.name} takes {len(kind.positional)} values in order ({order}), "
                        f"but {text!r} has more",
                        at(piece.offset),
                        ref,
                    )
                field = positional.pop(0)
                given.append(
                    (field.name, f"value {number} ({piece.value})", piece.value, at(piece.offset))
                )
                continue
            seen_named = True
            if piece.key in ("name", "expect"):
                continue
            if kind.field(piece.key) is None:
                raise _unknown_key(kind, piece.key, at(piece.offset), ref, None)
            given.append((piece.key, f"{piece.key}={piece.value}", piece.value, at(piece.offset)))
        return self._build(kind, given, ref, explicit, where, expect)

    def _build(
        self,
        kind: LayerType,
        given: list[tuple[str, str, Any, Where | None]],
        ref: LayerRef,
        explicit: str | None,
        where: Where | None,
        expect: Expectation | None = None,
    ) -> LayerSpec:
        """Read each given field, check none is missing or doubled, build the layer."""
        fields: dict[str, Any] = {}
        spelled: dict[str, str] = {}
        field_where: dict[str, Where] = {}
        for key, spelling, raw, at in given:
            field = kind.field(key)
            assert field is not None
            if field.name in fields:
                raise SpecError(
                    f"{field.name} is given twice, as {spelled[field.name]} and as {spelling}",
                    at,
                    ref,
                )
            try:
                fields[field.name] = field.read(field.name, raw)
            except values.ValueProblem as problem:
                raise SpecError(str(problem), at, ref) from None
            spelled[field.name] = spelling
            if at is not None:
                field_where[field.name] = at
        for field in kind.fields:
            if field.required and field.name not in fields:
                raise SpecError(
                    f"{kind.name} needs {field.name} ({field.help}), e.g. {kind.example}",
                    where,
                    ref,
                )
        return self._named(kind.build(**fields), explicit, kind, where, field_where, expect)

    def _named(
        self,
        layer: Layer,
        explicit: str | None,
        kind: LayerType,
        where: Where | None,
        field_where: dict[str, Where],
        expect: Expectation | None = None,
    ) -> LayerSpec:
        name = explicit or kind.default_name(self.weighted)
        if layer.has_weights:
            self.weighted += 1
        return LayerSpec(layer, name, where, field_where, expect)

    def _type(self, raw: Any, index: int, where: Where | None) -> LayerType:
        if not isinstance(raw, str) or not raw.strip():
            raise SpecError(
                f"a layer type must be a name such as conv, got {values.show(raw)}",
                where,
                LayerRef(index, None),
            )
        kind = layer_type(raw)
        if kind is None:
            raise SpecError(
                f"unknown layer type {raw.strip()!r}"
                + suggestion(
                    raw.strip().lower(),
                    type_names(),
                    f"; the types are {', '.join(LAYER_TYPES)}",
                ),
                where,
                LayerRef(index, None),
            )
        return kind

    def _name(self, raw: Any, index: int, where: Where | None) -> str:
        try:
            return values.text("name", raw)
        except values.ValueProblem as problem:
            raise SpecError(str(problem), where, LayerRef(index, None)) from None


def _type_of(layer: Layer) -> LayerType:
    kind = layer_type(layer.kind)
    assert kind is not None, layer.kind
    return kind


def _unknown_key(
    kind: LayerType, key: Any, where: Where | None, ref: LayerRef, extra: str | None
) -> SpecError:
    keys = [name for field in kind.fields for name in (field.name, *field.aliases)]
    keys += ["name", "expect"] + ([extra] if extra else [])
    listed = ", ".join(field.name for field in kind.fields) or "no keys of its own"
    if not isinstance(key, str):
        return SpecError(
            f"{kind.name} has no key {values.show(key)}; its keys are {listed}", where, ref
        )
    return SpecError(
        f"{kind.name} has no key {key!r}"
        + suggestion(key, keys, f"; its keys are {listed}, name, expect"),
        where,
        ref,
    )


def _spec_expectation(
    raw: Any, where: Where | None, source: str | None, layout: str
) -> Expectation:
    """`expect: {output: [10], params: 62958}` at the top of a spec."""
    if not isinstance(raw, Mapping):
        raise SpecError(
            "expect must be a mapping such as {output: [10], params: 62958}, "
            f"got {values.show(raw)}",
            where,
        )
    return _expectation(
        raw, where, source, None, "output", SPEC_EXPECT_KEYS, "the spec's expect", layout
    )


def _layer_expectation(
    raw: Any, where: Where | None, source: str | None, ref: LayerRef, layout: str
) -> Expectation:
    """A layer's `expect`: its output shape, or {shape: [...], params: N}."""
    if not isinstance(raw, Mapping):
        try:
            shape = from_layout(values.dims("expect", raw), layout)
            return Expectation(shape=shape, shape_where=where)
        except values.ValueProblem as problem:
            raise SpecError(f"{problem}; or give {{shape: [...], params: N}}", where, ref) from None
    return _expectation(
        raw, where, source, ref, "shape", LAYER_EXPECT_KEYS, "a layer's expect", layout
    )


def _expectation(
    raw: Mapping[Any, Any],
    where: Where | None,
    source: str | None,
    ref: LayerRef | None,
    shape_key: str,
    keys: Sequence[str],
    what: str,
    layout: str,
) -> Expectation:
    for key in raw:
        if key not in keys:
            raise SpecError(
                f"{what} has no key {values.show(key)}"
                + suggestion(str(key), keys, f"; its keys are {', '.join(keys)}"),
                _key_at(raw, key, source) or where,
                ref,
            )
    shape_where = _value_at(raw, shape_key, source) or where
    params_where = _value_at(raw, "params", source) or where
    shape = params = None
    try:
        if shape_key in raw:
            shape = from_layout(values.dims(shape_key, raw[shape_key]), layout)
    except values.ValueProblem as problem:
        raise SpecError(str(problem), shape_where, ref) from None
    try:
        if "params" in raw:
            params = values.count("params", raw["params"])
    except values.ValueProblem as problem:
        raise SpecError(str(problem), params_where, ref) from None
    return Expectation(shape, params, shape_where, params_where)


def _read_input(raw: Any, where: Where | None) -> Shape:
    try:
        return values.dims("input", raw)
    except values.ValueProblem as problem:
        raise SpecError(str(problem), where) from None


def _optional_text(document: Mapping[Any, Any], key: str, source: str | None) -> str | None:
    if key not in document or document[key] is None:
        return None
    try:
        return values.text(key, document[key])
    except values.ValueProblem as problem:
        raise SpecError(str(problem), _value_at(document, key, source)) from None


def _at(mark: Mark | None, source: str | None) -> Where | None:
    return where_in(mark, source) if mark else (Where(source) if source else None)


def _value_at(mapping: Mapping[Any, Any], key: Any, source: str | None) -> Where | None:
    marks = mapping.value_marks if isinstance(mapping, MarkedDict) else {}
    return _at(marks.get(key), source)


def _key_at(mapping: Mapping[Any, Any], key: Any, source: str | None) -> Where | None:
    marks = mapping.key_marks if isinstance(mapping, MarkedDict) else {}
    return _at(marks.get(key), source)


def _kind_of(document: Any) -> str:
    if document is None:
        return "empty"
    if isinstance(document, list):
        return "a list"
    if isinstance(document, str):
        return f"the text {values.show(document)}"
    return f"the value {values.show(document)}"
