"""Reading layers: a mapping with `type`, a shorthand string, or a `Layer`, checked field
by field and named by the course's rule (CONV1, POOL1, FC3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cnncalc.errors import LayerRef, SpecError, Where, suggestion
from cnncalc.geometry import flat_sides
from cnncalc.layers import Layer
from cnncalc.model import Expectation, LayerSpec, Requires
from cnncalc.naming import Default, numbered
from cnncalc.spec import axes, values
from cnncalc.spec.blocks import BlockReader
from cnncalc.spec.expect import layer_expectation
from cnncalc.spec.marked import Mark, item_marks, key_at, place, value_at, where_in
from cnncalc.spec.named import BlockDef, Budget, is_expression, outside_a_block, substitute
from cnncalc.spec.shorthand import split, split_shorthand
from cnncalc.spec.vocabulary import (
    LAYER_TYPES,
    LayerType,
    layer_type,
    required_ranks,
    type_names,
)

MAX_NESTING = 50
_OWN = ("name", "expect", "save")  # keys of every layer, whatever its type


class LayerReader(BlockReader):
    """Reads layers in order, numbering them by the course's naming rule."""

    def __init__(self, source: str | None, layout: str = "hwc", rank: int = 0) -> None:
        self.source = source
        self.layout = layout  # of the shapes in `expect`
        self.rank = rank  # the input's spatial axes: which axes a flat padding list is of
        self.weighted = 0  # layers with weights so far: CONV1, FC3…
        self.blocks: dict[str, BlockDef] = {}
        self.params: dict[str, Any] | None = None  # of the named block being read
        self.inputs: dict[str, int] | None = None  # in.c… of its use, once the walk knows
        self.budget = Budget()  # the expressions evaluated, each case once
        self.depth = 0  # how deep its own layers are: each is substituted there, whole, once
        self.using: list[str] = []  # the named blocks being read, outermost first
        self.context = ""  # where the innermost of them is used, for messages
        self.count = 0  # layers read, repeats and blocks expanded
        self.defaults: dict[str, int] = {}  # how often each default name was given

    def read(
        self, raw: Any, path: tuple[int, ...], where: Where | None, mark: Mark | None
    ) -> LayerSpec | None:
        """The layer `raw` spells, or None when its `if:` is false: it is not there."""
        self.expand(1, path, where)
        if self.params is not None and len(path) == self.depth:
            try:
                substituted = substitute(
                    raw, self.params, where, self.using[-1], self.inputs, self.budget
                )
            except SpecError as error:  # say which use of the block it was
                raise SpecError(error.message + self.context, error.where, error.layer) from None
            if substituted is not raw and isinstance(raw, str):
                mark = None  # the text moved: offsets no longer map to columns
            raw = substituted
        if isinstance(raw, str):
            return self._shorthand(raw, path, where, mark)
        if isinstance(raw, Mapping) and "if" in raw:
            at = value_at(raw, "if", self.source) or where
            with values.located(at, LayerRef.at(path, None), self.context):
                if not values.condition("if", raw["if"]):
                    return None
        if isinstance(raw, Mapping):
            read = self._mapping
            if "type" not in raw:
                read = next((form for key, form in self._forms() if key in raw), self._mapping)
            built = read(raw, path, where)
            if "save" in raw:
                at = value_at(raw, "save", self.source) or where
                self._save(built, raw["save"], path, at)
            return built
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
            LayerRef.at(path, None),
        )

    def _forms(self) -> tuple[tuple[str, Callable[..., LayerSpec]], ...]:
        """The blocks a mapping without `type` may be, by the key that says which."""
        return (
            ("residual", self._residual),
            ("concat", self._concat),
            ("multiply", self._multiply),
            ("split", self._split),
            ("side", self._side),
            ("repeat", self._repeat),
            ("use", self._use),
        )

    def _save(self, built: LayerSpec, raw: Any, path: tuple[int, ...], where: Where | None) -> None:
        """`save: NAME`: the layer's output is kept under that name for later joins."""
        with values.located(where, LayerRef.at(path, built.name)):
            built.save = values.tensor_name("save", raw)
        if where is not None:
            built.field_where = {**built.field_where, "save": where}

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
            raise SpecError("the layer has no 'type'" + hint, where, LayerRef.at(path, None))
        type_where = value_at(raw, "type", self.source) or where
        kind = self._type(raw["type"], path, type_where)
        default = self._default_name(kind)
        explicit, expect = self._name_and_expect(raw, path, where, default)
        ref = LayerRef.at(path, explicit or default)
        given = []
        for key, value in raw.items():
            if key in ("type", "if", *_OWN):
                continue
            if not isinstance(key, str) or kind.field(key) is None:
                raise _unknown_key(kind, key, key_at(raw, key, self.source) or where, ref, "type")
            given.append((key, repr(key), value, value_at(raw, key, self.source) or where))
        requires = _requires(raw["type"], type_where)
        return self._build(kind, given, ref, explicit, where, expect, requires)

    def _shorthand(
        self, text: str, path: tuple[int, ...], where: Where | None, mark: Mark | None
    ) -> LayerSpec:
        def at(offset: int) -> Where | None:
            return where_in(mark, self.source, offset) if mark else where

        type_name, pieces = split(text)
        kind = self._type(type_name, path, where)
        once = {piece.key: piece for piece in reversed(pieces) if piece.key in _OWN}
        for piece in pieces:
            if piece.key in once and once[piece.key] is not piece:
                raise SpecError(
                    f"{piece.key} is given twice in {text!r}; give it once",
                    at(piece.offset),
                    LayerRef.at(path, None),
                )
        explicit = None
        if "name" in once:
            explicit = self._name(once["name"].value, path, at(once["name"].offset))
        ref = LayerRef.at(path, explicit or self._default_name(kind))
        expect = None
        if "expect" in once:
            piece = once["expect"]
            expect = layer_expectation(piece.value, at(piece.offset), self.source, ref, self.layout)
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
            if piece.key in _OWN:
                continue
            if kind.field(piece.key) is None:
                raise _unknown_key(kind, piece.key, at(piece.offset), ref, None)
            given.append((piece.key, f"{piece.key}={piece.value}", piece.value, at(piece.offset)))
        built = self._build(kind, given, ref, explicit, where, expect, _requires(type_name, where))
        if "save" in once:
            self._save(built, once["save"].value, path, at(once["save"].offset))
        return built

    def layers(
        self,
        raw: Any,
        path: tuple[int, ...],
        where: Where | None,
        what: str,
        start: int = 0,
        empty: bool = False,
    ) -> tuple[LayerSpec, ...]:
        """A list of layers inside a block, numbered below `path` from start + 1; with
        `empty`, [] is allowed: a branch that is its input."""
        if isinstance(raw, list) and not raw and empty:
            return ()
        if not isinstance(raw, list) or not raw:
            kind = (
                "a list of layers ([] for the input itself)"
                if empty
                else "a non-empty list of layers"
            )
            raise SpecError(
                f"{what} must be {kind}, got {values.show(raw)}",
                where,
                LayerRef.at(path, None),
            )
        split_shorthand(raw, self.source)
        self.will_read_list(raw, path, where, start)
        if len(path) > MAX_NESTING:
            raise SpecError(
                f"blocks nest more than {MAX_NESTING} deep", where, LayerRef.at(path, None)
            )
        read: list[LayerSpec] = []
        for item, mark in zip(raw, item_marks(raw), strict=True):
            number = start + len(read) + 1  # a layer whose if: is false takes no number
            built = self.read(item, (*path, number), place(mark, self.source) or where, mark)
            if built is not None:
                read.append(built)
        return tuple(read)

    def _name_and_expect(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, default: str
    ) -> tuple[str | None, Expectation | None]:
        name = None
        if "name" in raw:
            name = self._name(raw["name"], path, value_at(raw, "name", self.source) or where)
        expect = None
        if "expect" in raw:
            at = value_at(raw, "expect", self.source) or where
            ref = LayerRef.at(path, name or default)
            expect = layer_expectation(raw["expect"], at, self.source, ref, self.layout)
        return name, expect

    def _build(
        self,
        kind: LayerType,
        given: list[tuple[str, str, Any, Where | None]],
        ref: LayerRef,
        explicit: str | None,
        where: Where | None,
        expect: Expectation | None = None,
        requires: Requires | None = None,
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
            if self.params is None and is_expression(raw):
                raise SpecError(outside_a_block(field.name, raw), at, ref)
            with values.located(at, ref):
                fields[field.name] = _of_rank(field.read(field.name, raw), self.rank)
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
        with values.located(where, ref):  # a rule across fields
            layer = kind.build(**fields)
        return self._named(layer, explicit, kind, where, field_where, expect, requires)

    def _named(
        self,
        layer: Layer,
        explicit: str | None,
        kind: LayerType,
        where: Where | None,
        field_where: dict[str, Where],
        expect: Expectation | None = None,
        requires: Requires | None = None,
    ) -> LayerSpec:
        name = explicit or self.unique(kind.default_name(self.weighted))
        if layer.numbered:
            self.weighted += 1
        return LayerSpec(
            layer=layer,
            name=name,
            default=None if explicit else Default(kind.name_format, kind.numbered),
            where=where,
            field_where=field_where,
            expect=expect,
            context=self.context,
            requires=requires,
        )

    def _default_name(self, kind: LayerType) -> str:
        """The course's name for the next layer of `kind` (CONV1, POOL1, FC3), as `unique`
        will give it, without taking it yet: messages about the layer use it."""
        name = kind.default_name(self.weighted)
        return numbered(name, self.defaults.get(name, 0) + 1)

    def unique(self, default: str) -> str:
        """A default name, made unique the way Keras does when it repeats: ReLU, ReLU_2."""
        given = self.defaults[default] = self.defaults.get(default, 0) + 1
        return numbered(default, given)

    def _type(self, raw: Any, path: tuple[int, ...], where: Where | None) -> LayerType:
        if not isinstance(raw, str) or not raw.strip():
            raise SpecError(
                f"a layer type must be a name such as conv, got {values.show(raw)}",
                where,
                LayerRef.at(path, None),
            )
        kind = layer_type(raw)
        if kind is None:
            from cnncalc.spec.calls import suggest

            hint = suggest(raw) or suggestion(
                raw.strip().lower(), type_names(), f"; the types are {', '.join(LAYER_TYPES)}"
            )
            raise SpecError(
                f"unknown layer type {raw.strip()!r}{hint}", where, LayerRef.at(path, None)
            )
        return kind

    def _name(self, raw: Any, path: tuple[int, ...], where: Where | None) -> str:
        with values.located(where, LayerRef.at(path, None)):
            return values.text("name", raw)


def _requires(spelled: str, where: Where | None) -> Requires | None:
    """What rank a type name such as conv3d demands of its input, if it demands one."""
    ranks = required_ranks(spelled)
    kind = layer_type(spelled)
    if not ranks or kind is None:
        return None
    return Requires(spelled.strip(), kind.name, ranks, where)


def _of_rank(value: Any, rank: int) -> Any:
    """A padding written flat, [1, 2], as (before, after) pairs for an input of `rank` axes:
    one number per axis, or two in axis order. Left flat when the rank is not known yet
    or the length does not fit it, for the layer to say so with its input in hand."""
    if rank and isinstance(value, axes.Flat):
        return flat_sides(value, rank) or value
    return value


def _type_of(layer: Layer) -> LayerType:
    kind = layer_type(layer.kind)
    assert kind is not None, layer.kind
    return kind


def _unknown_key(
    kind: LayerType, key: Any, where: Where | None, ref: LayerRef, extra: str | None
) -> SpecError:
    keys = [name for field in kind.fields for name in (field.name, *field.aliases)]
    keys += [*_OWN] + ([extra] if extra else [])
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
