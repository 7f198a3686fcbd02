"""Specs: an input shape and a list of layers, checked and located.

A spec comes from a YAML file, from shorthand layers typed on the command line,
or from Python values. Every layer is checked here before any shape is
computed: its type, its keys and each value. A problem raises `SpecError` with
the file, line and column, or the command-line argument, where it was written.
"""

from __future__ import annotations

import re
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
from cnncalc.records import Record
from cnncalc.shorthand import split
from cnncalc.source import Mark, MarkedDict, MarkedList, parse_yaml, read_text, where_in

TOP_KEYS = ("name", "description", "layout", "input", "blocks", "layers", "expect")
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


@dataclass(repr=False, eq=False)
class LayerSpec(Record):
    """One checked layer, its name, and where each of its fields was written."""

    layer: Layer
    name: str
    where: Where | None = None
    field_where: Mapping[str, Where] = field(default_factory=dict)
    expect: Expectation | None = None
    context: str = ""  # ", in block 'x' used at f.yaml:40:5" for layers inside a named block

    def where_of(self, field_name: str | None) -> Where | None:
        """Where a field was written, or the layer itself if it was not."""
        if field_name is not None and field_name in self.field_where:
            return self.field_where[field_name]
        return self.where


class Block(Layer):
    """A layer made of layers: the engine walks its children instead of calling apply."""


@dataclass(repr=False, eq=False)
class Sequential(Block):
    """Layers one after another: a `repeat`, or a use of a named block."""

    layers: tuple[LayerSpec, ...]
    label: str  # the parameters a named block was used with: "width=64, stride=2"
    what: str = "block"  # "repeat" or "block"

    @property
    def kind(self) -> str:
        return self.what

    def notation(self) -> str:
        return self.label


@dataclass(repr=False, eq=False)
class Residual(Block):
    """The layers' output added to the block's input, or to the shortcut's output."""

    layers: tuple[LayerSpec, ...]
    shortcut: tuple[LayerSpec, ...] = ()

    @property
    def kind(self) -> str:
        return "residual"


@dataclass(repr=False, eq=False)
class Concat(Block):
    """Branches applied to the same input, joined along the channels."""

    branches: tuple[tuple[LayerSpec, ...], ...]

    @property
    def kind(self) -> str:
        return "concat"


class BlockDef(NamedTuple):
    """A named block from the spec's `blocks:`, to be used like a layer."""

    name: str
    params: dict[str, Any]  # name -> default, or REQUIRED
    layers: list[Any]  # as YAML gave them, read again at each use
    where: Where | None


REQUIRED = object()  # a block parameter without a default
MAX_LAYERS = 200_000  # layers in a spec once repeats and blocks are expanded
MAX_REPEAT = 10_000
MAX_NESTING = 50
BLOCK_KEYS = {
    "residual": ("residual", "shortcut", "name", "expect"),
    "concat": ("concat", "name", "expect"),
    "repeat": ("repeat", "layers", "name", "expect"),
}


@dataclass(repr=False, eq=False)
class Spec(Record):
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
        tuple(reader.read(raw, (index,), None, None) for index, raw in enumerate(layers, 1)),
        name,
    )


def from_arguments(
    input: Sequence[int], arguments: Sequence[str], name: str | None = None, layout: str = "hwc"
) -> Spec:
    """A spec from shorthand layers given on the command line, one per argument."""
    reader = _LayerReader(None, layout)
    layers = tuple(
        reader.read(text, (index,), Where(f"argument {text!r}"), None)
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
    _split_shorthand(items, source)
    reader = _LayerReader(source, layout)
    if "blocks" in document:
        reader.blocks = _block_defs(
            document["blocks"], _value_at(document, "blocks", source), source
        )
    marks = items.item_marks if isinstance(items, MarkedList) else [None] * len(items)
    layers = tuple(
        reader.read(raw, (index,), _at(mark, source) or items_where, mark)
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
        self.blocks: dict[str, BlockDef] = {}
        self.params: dict[str, Any] | None = None  # of the named block being read
        self.using: list[str] = []  # the named blocks being read, outermost first
        self.context = ""  # where the innermost of them is used, for messages
        self.count = 0  # layers read, repeats and blocks expanded

    def read(
        self, raw: Any, path: tuple[int, ...], where: Where | None, mark: Mark | None
    ) -> LayerSpec:
        self.count += 1
        if self.count > MAX_LAYERS:
            raise SpecError(
                f"the spec expands to more than {MAX_LAYERS:,} layers; "
                "check the counts of its repeats",
                where,
                _ref(path, None),
            )
        if self.params is not None:
            substituted = _substitute(raw, self.params, where, self.using[-1])
            if substituted is not raw and isinstance(raw, str):
                mark = None  # the text moved: offsets no longer map to columns
            raw = substituted
        if isinstance(raw, str):
            return self._shorthand(raw, path, where, mark)
        if isinstance(raw, Mapping) and "type" not in raw:
            for key, read in (
                ("residual", self._residual),
                ("concat", self._concat),
                ("repeat", self._repeat),
                ("use", self._use),
            ):
                if key in raw:
                    return read(raw, path, where)
        if isinstance(raw, Mapping):
            return self._mapping(raw, path, where)
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
            _ref(path, None),
        )

    def _mapping(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        if "type" not in raw:
            named = [key for key in raw if isinstance(key, str) and layer_type(key)]
            hint = (
                f"; write {{type: {named[0]}, …}}, not {{{named[0]}: …}}"
                if named
                else "; add one, e.g. type: conv"
            )
            raise SpecError("the layer has no 'type'" + hint, where, _ref(path, None))
        kind = self._type(raw["type"], path, _value_at(raw, "type", self.source) or where)
        default = kind.default_name(self.weighted)
        explicit, expect = self._name_and_expect(raw, path, where, default)
        ref = _ref(path, explicit or default)
        given = []
        for key, value in raw.items():
            if key in ("type", "name", "expect"):
                continue
            if not isinstance(key, str) or kind.field(key) is None:
                raise _unknown_key(kind, key, _key_at(raw, key, self.source) or where, ref, "type")
            given.append((key, repr(key), value, _value_at(raw, key, self.source) or where))
        return self._build(kind, given, ref, explicit, where, expect)

    def _shorthand(
        self, text: str, path: tuple[int, ...], where: Where | None, mark: Mark | None
    ) -> LayerSpec:
        def at(offset: int) -> Where | None:
            return where_in(mark, self.source, offset) if mark else where

        type_name, pieces = split(text)
        kind = self._type(type_name, path, where)
        explicit = None
        for piece in pieces:
            if piece.key == "name":
                explicit = self._name(piece.value, path, at(piece.offset))
        ref = _ref(path, explicit or kind.default_name(self.weighted))
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

    def layers(
        self, raw: Any, path: tuple[int, ...], where: Where | None, what: str, start: int = 0
    ) -> tuple[LayerSpec, ...]:
        """A list of layers inside a block, numbered below `path` from start + 1."""
        if not isinstance(raw, list) or not raw:
            raise SpecError(
                f"{what} must be a non-empty list of layers, got {values.show(raw)}",
                where,
                _ref(path, None),
            )
        _split_shorthand(raw, self.source)
        if len(path) > MAX_NESTING:
            raise SpecError(f"blocks nest more than {MAX_NESTING} deep", where, _ref(path, None))
        marks = raw.item_marks if isinstance(raw, MarkedList) else [None] * len(raw)
        return tuple(
            self.read(item, (*path, number), _at(mark, self.source) or where, mark)
            for number, (item, mark) in enumerate(zip(raw, marks, strict=True), start + 1)
        )

    def _block_start(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, kind: str
    ) -> tuple[str | None, Expectation | None]:
        """Check a block's keys; read its name and expect."""
        allowed = BLOCK_KEYS[kind]
        ref = _ref(path, kind)
        for key in raw:
            if key not in allowed:
                raise SpecError(
                    f"a {kind} block has no key {values.show(key)}"
                    + suggestion(key, allowed, f"; its keys are {', '.join(allowed)}"),
                    _key_at(raw, key, self.source) or where,
                    ref,
                )
        return self._name_and_expect(raw, path, where, kind)

    def _name_and_expect(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, default: str
    ) -> tuple[str | None, Expectation | None]:
        name = None
        if "name" in raw:
            name = self._name(raw["name"], path, _value_at(raw, "name", self.source) or where)
        expect = None
        if "expect" in raw:
            at = _value_at(raw, "expect", self.source) or where
            ref = _ref(path, name or default)
            expect = _layer_expectation(raw["expect"], at, self.source, ref, self.layout)
        return name, expect

    def _residual(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "residual")
        at = _value_at(raw, "residual", self.source) or where
        layers = self.layers(raw["residual"], path, at, "residual")
        shortcut: tuple[LayerSpec, ...] = ()
        if "shortcut" in raw:
            at = _value_at(raw, "shortcut", self.source) or where
            shortcut = self.layers(raw["shortcut"], path, at, "shortcut", len(layers))
        return LayerSpec(
            Residual(layers, shortcut), name or "Residual", where, {}, expect, self.context
        )

    def _concat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "concat")
        at = _value_at(raw, "concat", self.source) or where
        branches = raw["concat"]
        if not isinstance(branches, list) or len(branches) < 2:
            raise SpecError(
                "concat must be a list of at least two branches, each a list of layers, "
                f"got {values.show(branches)}",
                at,
                _ref(path, "concat"),
            )
        marks = branches.item_marks if isinstance(branches, MarkedList) else [None] * len(branches)
        built: list[tuple[LayerSpec, ...]] = []
        number = 0
        for branch, mark in zip(branches, marks, strict=True):
            branch_at = _at(mark, self.source) or at
            layers = self.layers(branch, path, branch_at, f"branch {len(built) + 1}", number)
            number += len(layers)
            built.append(layers)
        return LayerSpec(Concat(tuple(built)), name or "Concat", where, {}, expect, self.context)

    def _repeat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "repeat")
        at = _value_at(raw, "repeat", self.source) or where
        try:
            times = values.positive_int("repeat", raw["repeat"])
        except values.ValueProblem as problem:
            raise SpecError(str(problem), at, _ref(path, "repeat")) from None
        if times > MAX_REPEAT:
            raise SpecError(
                f"repeat {times:,} is more than the limit of {MAX_REPEAT:,}",
                at,
                _ref(path, "repeat"),
            )
        if "layers" not in raw:
            raise SpecError("a repeat needs 'layers', the list to repeat", where, _ref(path, None))
        body_at = _value_at(raw, "layers", self.source) or where
        layers: list[LayerSpec] = []
        for _ in range(times):
            layers += self.layers(raw["layers"], path, body_at, "layers", len(layers))
        return LayerSpec(
            Sequential(tuple(layers), "", "repeat"),
            name or f"Repeat ×{times}",
            where,
            {},
            expect,
            self.context,
        )

    def _use(self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None) -> LayerSpec:
        used = raw["use"]
        at = _value_at(raw, "use", self.source) or where
        if not isinstance(used, str) or used not in self.blocks:
            known = list(self.blocks)
            listed = f"; the blocks are {', '.join(known)}" if known else "; the spec has no blocks"
            raise SpecError(
                f"no block named {values.show(used)}" + suggestion(used, known, listed),
                at,
                _ref(path, None),
            )
        block = self.blocks[used]
        if used in self.using:
            chain = " → ".join([*self.using[self.using.index(used) :], used])
            raise SpecError(f"block {used!r} uses itself ({chain})", at, _ref(path, used))
        name, expect = self._name_and_expect(raw, path, where, used)
        given = {}
        for key, value in raw.items():
            if key in ("use", "name", "expect"):
                continue
            if key not in block.params:
                listed = ", ".join(block.params) or "none"
                raise SpecError(
                    f"block {used!r} has no parameter {values.show(key)}"
                    + suggestion(key, list(block.params), f"; its parameters are {listed}"),
                    _key_at(raw, key, self.source) or where,
                    _ref(path, used),
                )
            given[key] = value
        params = {**block.params, **given}
        missing = [key for key, value in params.items() if value is REQUIRED]
        if missing:
            raise SpecError(
                f"block {used!r} needs {', '.join(missing)}: give "
                + ", ".join(f"{key}: …" for key in missing),
                where,
                _ref(path, used),
            )
        label = ", ".join(f"{key}={_text(value)}" for key, value in given.items())
        outer = (self.params, self.context)
        self.params = params
        self.context = f", in block {used!r} used at {where}" if where else ""
        self.using.append(used)
        try:
            layers = self.layers(block.layers, path, block.where, f"block {used!r}")
        finally:
            self.using.pop()
            self.params, self.context = outer
        return LayerSpec(Sequential(layers, label), name or used, where, {}, expect, self.context)

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
        try:
            layer = kind.build(**fields)
        except values.ValueProblem as problem:  # a rule across fields
            raise SpecError(str(problem), where, ref) from None
        return self._named(layer, explicit, kind, where, field_where, expect)

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
        if layer.numbered:
            self.weighted += 1
        return LayerSpec(layer, name, where, field_where, expect, self.context)

    def _type(self, raw: Any, path: tuple[int, ...], where: Where | None) -> LayerType:
        if not isinstance(raw, str) or not raw.strip():
            raise SpecError(
                f"a layer type must be a name such as conv, got {values.show(raw)}",
                where,
                _ref(path, None),
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
                _ref(path, None),
            )
        return kind

    def _name(self, raw: Any, path: tuple[int, ...], where: Where | None) -> str:
        try:
            return values.text("name", raw)
        except values.ValueProblem as problem:
            raise SpecError(str(problem), where, _ref(path, None)) from None


_PARAMETER = r"\$([A-Za-z_][A-Za-z0-9_]*)"  # re caches it when a block first needs it
_RESERVED = ("use", "name", "expect")


def _text(value: Any) -> str:
    """A parameter's value as shorthand writes it: 64, 3x5, same, true."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "x".join(_text(item) for item in value)
    return str(value)


def _substitute(raw: Any, params: dict[str, Any], where: Where | None, block: str) -> Any:
    """`raw` with each `$name` of the block's parameters replaced by its value.

    A value that is exactly `$name` takes the parameter's value as it is (a
    number, a list); inside longer text (`conv:$width,3`) it is written out.
    Anything without a `$` is returned as it was, marks and all.
    """

    def value_of(name: str) -> Any:
        if name not in params:
            listed = ", ".join(params) or "none"
            raise SpecError(
                f"block {block!r} has no parameter {name!r}"
                + suggestion(name, list(params), f"; its parameters are {listed}"),
                where,
            )
        return params[name]

    if isinstance(raw, str) and "$" in raw:
        whole = re.fullmatch(_PARAMETER, raw.strip())
        if whole:
            return value_of(whole.group(1))
        return re.sub(_PARAMETER, lambda found: _text(value_of(found.group(1))), raw)
    if isinstance(raw, MarkedDict):
        copy = MarkedDict()
        copy.mark, copy.key_marks, copy.value_marks = raw.mark, raw.key_marks, raw.value_marks
        for key, value in raw.items():
            copy[key] = _substitute(value, params, where, block)
        return copy
    if isinstance(raw, MarkedList):
        items = MarkedList()
        items.mark, items.item_marks = raw.mark, raw.item_marks
        items.extend(_substitute(item, params, where, block) for item in raw)
        return items
    if isinstance(raw, dict):
        return {key: _substitute(value, params, where, block) for key, value in raw.items()}
    if isinstance(raw, list):
        return [_substitute(item, params, where, block) for item in raw]
    return raw


def _block_defs(raw: Any, where: Where | None, source: str | None) -> dict[str, BlockDef]:
    """The spec's `blocks:`, checked: a name, its parameters with defaults, its layers."""
    if not isinstance(raw, Mapping):
        raise SpecError(
            "blocks must map each block's name to {params: …, layers: […]}, "
            f"got {values.show(raw)}",
            where,
        )
    found = {}
    for name, body in raw.items():
        at = _value_at(raw, name, source) or where
        if not isinstance(name, str) or not name.isidentifier():
            raise SpecError(
                f"a block's name must be a word such as bottleneck, got {values.show(name)}",
                _key_at(raw, name, source) or where,
            )
        if not isinstance(body, Mapping) or "layers" not in body:
            raise SpecError(f"block {name!r} needs 'layers', the list of its layers", at)
        for key in body:
            if key not in ("params", "layers", "description"):
                raise SpecError(
                    f"block {name!r} has no key {values.show(key)}"
                    + suggestion(key, ["params", "layers", "description"], "; its keys are "
                                 "params, layers, description"),
                    _key_at(body, key, source) or at,
                )  # fmt: skip
        params = _block_params(
            name, body.get("params", {}), _value_at(body, "params", source) or at
        )
        layers = body["layers"]
        if not isinstance(layers, list) or not layers:
            raise SpecError(
                f"block {name!r}: 'layers' must be a non-empty list of layers",
                _value_at(body, "layers", source) or at,
            )
        found[name] = BlockDef(name, params, layers, _value_at(body, "layers", source) or at)
    return found


def _block_params(block: str, raw: Any, where: Where | None) -> dict[str, Any]:
    """{width: 64, stride: 1} (defaults; null for none), or [width, stride] (all required)."""
    if isinstance(raw, list):
        raw = dict.fromkeys(raw)
    if not isinstance(raw, Mapping):
        raise SpecError(
            f"block {block!r}: params must map each parameter to its default "
            f"(null for none), got {values.show(raw)}",
            where,
        )
    params = {}
    for key, default in raw.items():
        if not isinstance(key, str) or not key.isidentifier() or key in _RESERVED:
            raise SpecError(
                f"block {block!r}: a parameter's name must be a word other than "
                f"{', '.join(_RESERVED)}, got {values.show(key)}",
                where,
            )
        params[key] = REQUIRED if default is None else default
    return params


def _split_shorthand(items: list[Any], source: str | None) -> None:
    """Refuse `[conv:4,1, relu]`: in a flow list YAML splits the shorthand at its comma."""
    if not isinstance(items, MarkedList) or not items.flow:
        return
    for number in range(1, len(items)):
        before, item, mark = items[number - 1], items[number], items.item_marks[number]
        if isinstance(before, str) and ":" in before and isinstance(item, int):
            raise SpecError(
                f"in a [ ] list a comma splits items, so {before!r} and {item} arrived as two "
                f"layers; quote the shorthand, '{before},{item}', or write one layer a line",
                where_in(mark, source),
            )


def _ref(path: tuple[int, ...], name: str | None) -> LayerRef:
    """layer 5, or layer 5.2.1 inside blocks."""
    return LayerRef(path[0], name, ".".join(map(str, path)) if len(path) > 1 else "")


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
