"""Blocks in a spec: residual, concat, repeat, and named blocks with parameters.

`BlockReader` reads the block forms a layer may take; `LayerReader` extends
it with plain layers. Named blocks are defined once under `blocks:` and read
again at each use, with each `$parameter` substituted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from cnncalc.errors import LayerRef, SpecError, Where, suggestion
from cnncalc.model import Block, Concat, Expectation, LayerSpec, Residual, Sequential
from cnncalc.spec import values
from cnncalc.spec.marked import item_marks, key_at, place, value_at


class BlockDef(NamedTuple):
    """A named block from the spec's `blocks:`, to be used like a layer."""

    params: dict[str, Any]  # name -> default, or REQUIRED
    layers: list[Any]  # as YAML gave them, read again at each use
    where: Where | None


REQUIRED = object()  # a block parameter without a default
MAX_REPEAT = 10_000
BLOCK_KEYS = {
    "residual": ("residual", "shortcut", "name", "expect"),
    "concat": ("concat", "name", "expect"),
    "repeat": ("repeat", "layers", "name", "expect"),
}
USE_KEYS = ("use", "name", "expect")  # of a use of a named block; the rest are parameters
BLOCK_DEF_KEYS = ("params", "layers", "description")  # of a named block's definition


class BlockReader:
    """The block forms of a layer; the layers inside are read by the subclass."""

    source: str | None
    blocks: dict[str, BlockDef]
    params: dict[str, Any] | None  # of the named block being read
    depth: int  # how deep its own layers are: each is substituted there, whole, once
    using: list[str]  # the named blocks being read, outermost first
    context: str  # where the innermost of them is used, for messages

    def layers(
        self, raw: Any, path: tuple[int, ...], where: Where | None, what: str, start: int = 0
    ) -> tuple[LayerSpec, ...]:
        raise NotImplementedError

    def _name_and_expect(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, default: str
    ) -> tuple[str | None, Expectation | None]:
        raise NotImplementedError

    def unique(self, default: str) -> str:
        raise NotImplementedError

    def _spec(
        self, block: Block, name: str, where: Where | None, expect: Expectation | None
    ) -> LayerSpec:
        return LayerSpec(layer=block, name=name, where=where, expect=expect, context=self.context)

    def _block_start(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, kind: str
    ) -> tuple[str | None, Expectation | None]:
        """Check a block's keys; read its name and expect."""
        allowed = BLOCK_KEYS[kind]
        ref = LayerRef.at(path, kind)
        for key in raw:
            if key not in allowed:
                raise SpecError(
                    f"a {kind} block has no key {values.show(key)}"
                    + suggestion(key, allowed, f"; its keys are {', '.join(allowed)}"),
                    key_at(raw, key, self.source) or where,
                    ref,
                )
        return self._name_and_expect(raw, path, where, kind)

    def _residual(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "residual")
        at = value_at(raw, "residual", self.source) or where
        layers = self.layers(raw["residual"], path, at, "residual")
        shortcut: tuple[LayerSpec, ...] = ()
        if "shortcut" in raw:
            at = value_at(raw, "shortcut", self.source) or where
            shortcut = self.layers(raw["shortcut"], path, at, "shortcut", len(layers))
        return self._spec(
            Residual(layers, shortcut), name or self.unique("Residual"), where, expect
        )

    def _concat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "concat")
        at = value_at(raw, "concat", self.source) or where
        branches = raw["concat"]
        if not isinstance(branches, list) or len(branches) < 2:
            raise SpecError(
                "concat must be a list of at least two branches, each a list of layers, "
                f"got {values.show(branches)}",
                at,
                LayerRef.at(path, "concat"),
            )
        built: list[tuple[LayerSpec, ...]] = []
        number = 0
        for branch, mark in zip(branches, item_marks(branches), strict=True):
            branch_at = place(mark, self.source) or at
            layers = self.layers(branch, path, branch_at, f"branch {len(built) + 1}", number)
            number += len(layers)
            built.append(layers)
        return self._spec(Concat(tuple(built)), name or self.unique("Concat"), where, expect)

    def _repeat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "repeat")
        at = value_at(raw, "repeat", self.source) or where
        with values.located(at, LayerRef.at(path, "repeat")):
            times = values.positive_int("repeat", raw["repeat"])
        if times > MAX_REPEAT:
            raise SpecError(
                f"repeat {times:,} is more than the limit of {MAX_REPEAT:,}",
                at,
                LayerRef.at(path, "repeat"),
            )
        if "layers" not in raw:
            raise SpecError(
                "a repeat needs 'layers', the list to repeat", where, LayerRef.at(path, None)
            )
        body_at = value_at(raw, "layers", self.source) or where
        layers: list[LayerSpec] = []
        for _ in range(times):
            layers += self.layers(raw["layers"], path, body_at, "layers", len(layers))
        block = Sequential(tuple(layers), "", "repeat")
        return self._spec(block, name or self.unique(f"Repeat ×{times}"), where, expect)

    def _use(self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None) -> LayerSpec:
        used = raw["use"]
        at = value_at(raw, "use", self.source) or where
        if not isinstance(used, str) or used not in self.blocks:
            known = list(self.blocks)
            listed = f"; the blocks are {', '.join(known)}" if known else "; the spec has no blocks"
            raise SpecError(
                f"no block named {values.show(used)}" + suggestion(used, known, listed),
                at,
                LayerRef.at(path, None),
            )
        block = self.blocks[used]
        if used in self.using:
            chain = " → ".join([*self.using[self.using.index(used) :], used])
            raise SpecError(f"block {used!r} uses itself ({chain})", at, LayerRef.at(path, used))
        name, expect = self._name_and_expect(raw, path, where, used)
        given = {}
        for key, value in raw.items():
            if key in USE_KEYS:
                continue
            if key not in block.params:
                listed = ", ".join(block.params) or "none"
                raise SpecError(
                    f"block {used!r} has no parameter {values.show(key)}"
                    + suggestion(key, list(block.params), f"; its parameters are {listed}"),
                    key_at(raw, key, self.source) or where,
                    LayerRef.at(path, used),
                )
            if isinstance(value, str):  # shown in the block's row: refuse what would act there
                at = value_at(raw, key, self.source) or where
                with values.located(at, LayerRef.at(path, used)):
                    values.text(key, value)
            given[key] = value
        params = {**block.params, **given}
        missing = [key for key, value in params.items() if value is REQUIRED]
        if name is not None:
            params["name"] = name  # `$name` inside the block: its use's name, layer1.0
        if missing:
            raise SpecError(
                f"block {used!r} needs {', '.join(missing)}: give "
                + ", ".join(f"{key}: …" for key in missing),
                where,
                LayerRef.at(path, used),
            )
        label = ", ".join(f"{key}={_text(value)}" for key, value in given.items())
        outer = (self.params, self.context, self.depth)
        self.params, self.depth = params, len(path) + 1
        self.context = f", in block {used!r} used at {where}" if where else ""
        self.using.append(used)
        try:
            layers = self.layers(block.layers, path, block.where, f"block {used!r}")
        finally:
            self.using.pop()
            self.params, self.context, self.depth = outer
        return self._spec(Sequential(layers, label), name or self.unique(used), where, expect)


# $width, or ${name} where letters follow (${name}_1_conv); re caches it when first needed.
PARAMETER = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"


def _text(value: Any) -> str:
    """A parameter's value as shorthand writes it: 64, 3x5, same, true."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "x".join(_text(item) for item in value)
    return str(value)


def substitute(raw: Any, params: dict[str, Any], where: Where | None, block: str) -> Any:
    """`raw` with each `$name` of the block's parameters replaced by its value.

    A value that is exactly `$name` takes the parameter's value as it is (a
    number, a list); inside longer text (`conv:$width,3`) it is written out.
    Anything without a `$` is returned as it was, marks and all.
    """
    import copy  # only named blocks need it, not the start-up of every spec

    def value_of(name: str) -> Any:
        if name == "name" and name not in params:
            raise SpecError(
                f"block {block!r} writes $name, the name its use gives it; give the use one: "
                "name: …",
                where,
            )
        if name not in params:
            listed = ", ".join(p for p in params if p != "name") or "none"
            raise SpecError(
                f"block {block!r} has no parameter {name!r}"
                + suggestion(name, list(params), f"; its parameters are {listed}"),
                where,
            )
        return params[name]

    def walk(raw: Any) -> Any:
        if isinstance(raw, str) and "$" in raw:
            whole = re.fullmatch(PARAMETER, raw.strip())
            if whole:
                return value_of(whole.group(1) or whole.group(2))
            return re.sub(
                PARAMETER, lambda found: _text(value_of(found.group(1) or found.group(2))), raw
            )
        # A container is copied only when something in it changed, and copied whole:
        # a MarkedDict's or MarkedList's marks and flow come with it.
        if isinstance(raw, dict):
            pairs = {key: walk(value) for key, value in raw.items()}
            if all(pairs[key] is value for key, value in raw.items()):
                return raw
            changed = copy.copy(raw)
            changed.update(pairs)
            return changed
        if isinstance(raw, list):
            items = [walk(item) for item in raw]
            if all(new is old for new, old in zip(items, raw, strict=True)):
                return raw
            changed_list = copy.copy(raw)
            changed_list[:] = items
            return changed_list
        return raw

    return walk(raw)


def block_defs(raw: Any, where: Where | None, source: str | None) -> dict[str, BlockDef]:
    """The spec's `blocks:`, checked: a name, its parameters with defaults, its layers."""
    if not isinstance(raw, Mapping):
        raise SpecError(
            "blocks must map each block's name to {params: …, layers: […]}, "
            f"got {values.show(raw)}",
            where,
        )
    found = {}
    for name, body in raw.items():
        at = value_at(raw, name, source) or where
        if not isinstance(name, str) or not name.isidentifier():
            raise SpecError(
                f"a block's name must be a word such as bottleneck, got {values.show(name)}",
                key_at(raw, name, source) or where,
            )
        if not isinstance(body, Mapping) or "layers" not in body:
            raise SpecError(f"block {name!r} needs 'layers', the list of its layers", at)
        for key in body:
            if key not in BLOCK_DEF_KEYS:
                raise SpecError(
                    f"block {name!r} has no key {values.show(key)}"
                    + suggestion(
                        key, BLOCK_DEF_KEYS, f"; its keys are {', '.join(BLOCK_DEF_KEYS)}"
                    ),
                    key_at(body, key, source) or at,
                )
        params = _block_params(name, body.get("params", {}), value_at(body, "params", source) or at)
        layers = body["layers"]
        if not isinstance(layers, list) or not layers:
            raise SpecError(
                f"block {name!r}: 'layers' must be a non-empty list of layers",
                value_at(body, "layers", source) or at,
            )
        found[name] = BlockDef(params, layers, value_at(body, "layers", source) or at)
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
        if not isinstance(key, str) or not key.isidentifier() or key in USE_KEYS:
            raise SpecError(
                f"block {block!r}: a parameter's name must be a word other than "
                f"{', '.join(USE_KEYS)}, got {values.show(key)}",
                where,
            )
        params[key] = REQUIRED if default is None else default
    return params
