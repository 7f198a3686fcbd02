"""Blocks in a spec: residual, concat, multiply, split, repeat, and uses of named blocks.

`BlockReader` reads the block forms a layer may take; `LayerReader` extends
it with plain layers. A named block (`cnncalc.spec.named`) is read again at
each use, with each `$parameter` substituted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerRef, SpecError, Where, suggestion
from cnncalc.model import (
    Block,
    Concat,
    Deferred,
    Expectation,
    LayerSpec,
    Multiply,
    Residual,
    Sequential,
    Side,
    Split,
)
from cnncalc.naming import Default
from cnncalc.spec import values
from cnncalc.spec.expansion import MAX_LAYERS
from cnncalc.spec.marked import item_marks, key_at, place, value_at
from cnncalc.spec.named import (
    REQUIRED,
    USE_KEYS,
    BlockDef,
    input_names,
    is_expression,
    label_of,
    outside_a_block,
    reads_input,
)

if TYPE_CHECKING:
    from cnncalc.shapes import Shape
    from cnncalc.spec.expansion import Counter

MAX_REPEAT = 10_000
BLOCK_KEYS = {
    "residual": ("residual", "shortcut", "add", "name", "expect", "save", "if"),
    "concat": ("concat", "name", "expect", "save", "if"),
    "multiply": ("multiply", "name", "expect", "save", "if"),
    "split": ("split", "sizes", "name", "expect", "save", "if"),
    "repeat": ("repeat", "layers", "name", "expect", "save", "if"),
    "side": ("side", "name", "expect", "save", "if"),
}


class BlockReader:
    """The block forms of a layer; the layers inside are read by the subclass."""

    source: str | None
    blocks: dict[str, BlockDef]
    params: dict[str, Any] | None  # of the named block being read
    inputs: dict[str, int] | None  # in.c, in.h… of its use's input, when the walk knows it
    depth: int  # how deep its own layers are: each is substituted there, whole, once
    using: list[str]  # the named blocks being read, outermost first
    context: str  # where the innermost of them is used, for messages

    def layers(
        self,
        raw: Any,
        path: tuple[int, ...],
        where: Where | None,
        what: str,
        start: int = 0,
        empty: bool = False,
    ) -> tuple[LayerSpec, ...]:
        raise NotImplementedError

    def _name_and_expect(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, default: str
    ) -> tuple[str | None, Expectation | None]:
        raise NotImplementedError

    def unique(self, default: str) -> str:
        raise NotImplementedError

    count: int  # layers read so far, repeats and blocks expanded
    counter: Counter | None = None  # made at the first use or repeat

    def expand(self, layers: int, path: tuple[int, ...], where: Where | None) -> None:
        """Count `layers` more layers read, or refuse them past the limit."""
        self._room(layers, path, where)
        self.count += layers

    def _room(self, layers: int, path: tuple[int, ...], where: Where | None) -> None:
        """Refuse `layers` more than those read, if they would pass the limit."""
        if self.count + layers > MAX_LAYERS:
            raise SpecError(
                f"the spec expands to more than {MAX_LAYERS:,} layers; "
                "check the counts of its repeats and the blocks it uses",
                where,
                LayerRef.at(path, None) if path else None,
            )

    def _will_read(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> None:
        """Refuse a use or a repeat that would pass the limit, before reading any of it."""
        self._room(self._counter().of_layer(raw) - 1, path, where)  # its row is counted

    def will_read_list(
        self, raw: list[Any], path: tuple[int, ...], where: Where | None, start: int = 0
    ) -> None:
        """Refuse a list of layers (uses side by side, a block's body) that would pass the
        limit before reading any of it, at the first layer that takes it past."""
        counter = self._counter()
        if self.count + counter.of_list(raw) <= MAX_LAYERS:
            return
        total = self.count
        for number, (item, mark) in enumerate(zip(raw, item_marks(raw), strict=True), start + 1):
            total += counter.of_layer(item)
            if total > MAX_LAYERS:
                self._room(total - self.count, (*path, number), place(mark, self.source) or where)

    def _counter(self) -> Counter:
        if self.counter is None or self.counter.blocks is not self.blocks:
            from cnncalc.spec.expansion import Counter

            self.counter = Counter(self.blocks, MAX_LAYERS)
        return self.counter

    def _spec(
        self,
        block: Block,
        name: str | None,
        word: str,
        where: Where | None,
        expect: Expectation | None,
    ) -> LayerSpec:
        """A block's LayerSpec, named as the spec names it or by `word` (Residual)."""
        default = None if name else Default(word, block=True)
        return LayerSpec(
            layer=block, name=name or self.unique(word), where=where, expect=expect,
            context=self.context, default=default,
        )  # fmt: skip

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
        add = True
        if "add" in raw:
            at = value_at(raw, "add", self.source) or where
            with values.located(at, LayerRef.at(path, "residual"), self.context):
                add = values.condition("add", raw["add"])
            if not add and shortcut:
                raise SpecError(
                    "a residual with add: false has no sum for its shortcut to join; remove "
                    "the shortcut, or give its layers the same if: as the sum",
                    at,
                    LayerRef.at(path, "residual"),
                )
        return self._spec(Residual(layers, shortcut, add), name, "Residual", where, expect)

    def _concat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "concat")
        built = self._branches(raw, path, where, "concat")
        return self._spec(Concat(built), name, "Concat", where, expect)

    def _split(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "split")
        built = self._branches(raw, path, where, "split")
        sizes = None
        if "sizes" in raw:
            at = value_at(raw, "sizes", self.source) or where
            given = raw["sizes"]
            if not isinstance(given, list) or len(given) != len(built):
                raise SpecError(
                    f"sizes must be a list of {len(built)} channel counts, one for each branch, "
                    f"got {values.show(given)}",
                    at,
                    LayerRef.at(path, "split"),
                )
            with values.located(at, LayerRef.at(path, "split")):
                sizes = tuple(values.positive_int("each of sizes", n) for n in given)
        return self._spec(Split(built, sizes), name, "Split", where, expect)

    def _branches(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None, kind: str
    ) -> tuple[tuple[LayerSpec, ...], ...]:
        """A concat's or a split's branches: two or more lists of layers, `[]` the input."""
        at = value_at(raw, kind, self.source) or where
        branches = raw[kind]
        if not isinstance(branches, list) or len(branches) < 2:
            raise SpecError(
                f"{kind} must be a list of at least two branches, each a list of layers "
                f"([] for the input itself), got {values.show(branches)}",
                at,
                LayerRef.at(path, kind),
            )
        built: list[tuple[LayerSpec, ...]] = []
        number = 0
        for branch, mark in zip(branches, item_marks(branches), strict=True):
            branch_at = place(mark, self.source) or at
            what = f"branch {len(built) + 1}"
            layers = self.layers(branch, path, branch_at, what, number, empty=True)
            number += len(layers)
            built.append(layers)
        return tuple(built)

    def _side(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        return self._one_list(raw, path, where, "side", Side)

    def _multiply(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        return self._one_list(raw, path, where, "multiply", Multiply)

    def _one_list(
        self,
        raw: Mapping[Any, Any],
        path: tuple[int, ...],
        where: Where | None,
        kind: str,
        make: Callable[[tuple[LayerSpec, ...]], Block],
    ) -> LayerSpec:
        """A block of one list of layers under its key: `side: […]`, `multiply: […]`."""
        name, expect = self._block_start(raw, path, where, kind)
        at = value_at(raw, kind, self.source) or where
        layers = self.layers(raw[kind], path, at, kind)
        return self._spec(make(layers), name, kind.capitalize(), where, expect)

    def _repeat(
        self, raw: Mapping[Any, Any], path: tuple[int, ...], where: Where | None
    ) -> LayerSpec:
        name, expect = self._block_start(raw, path, where, "repeat")
        at = value_at(raw, "repeat", self.source) or where
        with values.located(at, LayerRef.at(path, "repeat")):
            times = values.count("repeat", raw["repeat"])
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
        self._will_read(raw, path, where)
        layers: list[LayerSpec] = []
        before = self.count
        for number in range(times):
            layers += self.layers(raw["layers"], path, body_at, "layers", len(layers))
            if number == 0:  # now known exactly, whatever `$n` counts it held
                self._room((times - 1) * (self.count - before), path, where)
        block = Sequential(tuple(layers), "", "repeat")
        return self._spec(block, name, f"Repeat ×{times}", where, expect)

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
            if self.params is None and is_expression(value):
                raise SpecError(
                    outside_a_block(key, value),
                    value_at(raw, key, self.source) or where,
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
        self._will_read(raw, path, where)
        label = label_of(given)
        if reads_input(block.layers):  # in.c: read when the walk knows the input
            using = list(self.using)

            def read(shape: Shape) -> tuple[LayerSpec, ...]:
                outer, self.using = self.using, using
                try:
                    return self._body(block, used, params, path, where, input_names(shape))
                finally:
                    self.using = outer

            deferred = Deferred((), label, read=read)
            return self._spec(deferred, name, used, where, expect)
        layers = self._body(block, used, params, path, where, None)
        return self._spec(Sequential(layers, label), name, used, where, expect)

    def _body(
        self,
        block: BlockDef,
        used: str,
        params: dict[str, Any],
        path: tuple[int, ...],
        where: Where | None,
        inputs: dict[str, int] | None,
    ) -> tuple[LayerSpec, ...]:
        """A use's layers, read with its parameters (and its input's sizes, once known)."""
        outer = (self.params, self.context, self.depth, self.inputs)
        self.params, self.depth, self.inputs = params, len(path) + 1, inputs
        self.context = f", in block {used!r} used at {where}" if where else ""
        self.using.append(used)
        try:
            return self.layers(block.layers, path, block.where, f"block {used!r}")
        finally:
            self.using.pop()
            self.params, self.context, self.depth, self.inputs = outer
