"""Named blocks: defined once under `blocks:` with parameters, used like a layer.

`block_defs` reads the definitions; `substitute` writes a use's parameter values
into the block's raw layers, which `cnncalc.spec.blocks` then reads as layers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from cnncalc.errors import SpecError, Where, suggestion
from cnncalc.spec import values
from cnncalc.spec.marked import key_at, value_at

if TYPE_CHECKING:
    from cnncalc.spec.expressions import Expression


class BlockDef(NamedTuple):
    """A named block from the spec's `blocks:`, to be used like a layer."""

    params: dict[str, Any]  # name -> default, or REQUIRED
    layers: list[Any]  # as YAML gave them, read again at each use
    where: Where | None


REQUIRED = object()  # a block parameter without a default
USE_KEYS = (
    "use",
    "name",
    "expect",
    "save",
    "if",
)  # of a use of a named block; the rest are parameters
BLOCK_DEF_KEYS = ("params", "layers", "description")  # of a named block's definition


# $width, or ${name} where letters follow (${name}_1_conv); re caches it when first needed.
PARAMETER = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"


MAX_TEXT = 100  # characters of a parameter's value written out: in a label, in shorthand


def _text(value: Any) -> str | None:
    """A parameter's value as shorthand writes it (64, 3x5, same, true), or None past
    `MAX_TEXT` characters: the work stops there, however large an aliased list is."""
    parts: list[str] = []
    length = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed([*_between(item)]))
            continue
        if isinstance(item, bool):
            part = "true" if item else "false"
        elif isinstance(item, dict) or (isinstance(item, int) and item.bit_length() > 400):
            return None  # no shorthand for a mapping; str() of a huge number is work
        else:
            part = item if isinstance(item, str) else str(item)
        length += len(part)
        if length > MAX_TEXT:
            return None
        parts.append(part)
    return "".join(parts)


class _Separator(str):
    """The x between a list's items, told apart from an item that is the text "x"."""


def _between(items: list[Any]) -> list[Any]:
    spaced: list[Any] = []
    for index, item in enumerate(items[: MAX_TEXT + 1]):
        if index:
            spaced.append(_Separator("x"))
        spaced.append(item)
    return spaced


def label_of(given: dict[str, Any]) -> str:
    """What a use of a named block shows beside its name: width=64, stride=2."""
    shown = []
    for key, value in given.items():
        text = _text(value)
        shown.append(f"{key}={text if text is not None else '…'}")
    return ", ".join(shown)


def substitute(
    raw: Any,
    params: dict[str, Any],
    where: Where | None,
    block: str,
    inputs: dict[str, int] | None = None,
    budget: Budget | None = None,
) -> Any:
    """`raw` with each `$name` of the block's parameters replaced by its value, and each
    `${EXPR}` by what the expression gives (`inputs`: in.c, in.h… of the use's input).

    A value that is exactly `$name` takes the parameter's value as it is (a
    number, a list); inside longer text (`conv:$width,3`) it is written out.
    Anything without a `$` is returned as it was, marks and all.
    """
    return _Substitution(params, where, block, inputs, budget).walk(raw)


MAX_EVALUATED = 2_000_000  # characters of expressions evaluated in one spec, each case once


class Budget:
    """The expressions one spec evaluates: each distinct case (its text and the values of
    the names it reads) once, and at most `MAX_EVALUATED` characters of them, so that
    100,000 uses of a block cannot cost minutes."""

    def __init__(self) -> None:
        self.known: dict[tuple[Any, ...], Any] = {}
        self.spent = 0

    def spend(self, characters: int, where: Where | None) -> None:
        self.spent += characters
        if self.spent > MAX_EVALUATED:
            raise SpecError(
                f"the spec evaluates more than {MAX_EVALUATED:,} characters of expressions "
                "in cases that differ; give its blocks fewer or shorter expressions",
                where,
            )


# ${…} as a whole value: an expression (a bare ${name} is the parameter, as $name).
_EXPRESSION = r"\s*\$\{(.*)\}\s*"


@lru_cache(maxsize=256)
def _parsed(text: str) -> Expression:
    """An expression parsed once, however many uses of its block evaluate it."""
    from cnncalc.spec import expressions

    return expressions.parse(text)


def is_expression(raw: Any) -> bool:
    """Whether a value is written as an expression, ${…}."""
    return isinstance(raw, str) and raw.strip().startswith("${")


def outside_a_block(key: str, raw: str) -> str:
    """Why an expression cannot stand at the top of a spec."""
    return (
        f"{key} is an expression, {raw.strip()!r}, outside a named block; "
        "expressions are read with a block's parameters: write the value here"
    )


def reads_input(layers: list[Any]) -> bool:
    """Whether a block's layers hold an expression of its input's size (in.c): such a
    block is read when the walk reaches it."""
    seen: set[int] = set()
    stack: list[Any] = [layers]
    while stack:
        raw = stack.pop()
        if isinstance(raw, str):
            if "${" in raw and "in." in raw:
                return True
        elif isinstance(raw, (dict, list)) and id(raw) not in seen:
            seen.add(id(raw))
            stack.extend(raw.values() if isinstance(raw, dict) else raw)
    return False


# in.l; in.h, in.w; in.d, in.h, in.w: the spatial sizes of a use's input, by its rank.
_AXES = {1: ("in.l",), 2: ("in.h", "in.w"), 3: ("in.d", "in.h", "in.w")}


def input_names(shape: tuple[int, ...]) -> dict[str, int]:
    """The names an expression reads of its block's input: in.c, and its spatial sizes."""
    names = dict(zip(_AXES.get(len(shape) - 1, ()), shape[:-1], strict=False))
    names["in.c"] = shape[-1]
    return names


class _Substitution:
    """One use's parameters written into its block's layers. A class, not nested
    functions: a recursive closure is a reference cycle, which the CLI (its garbage
    collector off) would keep for every use of a block."""

    def __init__(
        self,
        params: dict[str, Any],
        where: Where | None,
        block: str,
        inputs: dict[str, int] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.params, self.where, self.block, self.inputs = params, where, block, inputs
        self.budget = budget or Budget()

    def value_of(self, name: str) -> Any:
        params, block = self.params, self.block
        if name == "name" and name not in params:
            raise SpecError(
                f"block {block!r} writes $name, the name its use gives it; give the use one: "
                "name: …",
                self.where,
            )
        if name not in params:
            listed = ", ".join(p for p in params if p != "name") or "none"
            raise SpecError(
                f"block {block!r} has no parameter {name!r}"
                + suggestion(name, list(params), f"; its parameters are {listed}"),
                self.where,
            )
        return params[name]

    def evaluated(self, text: str) -> Any:
        """What `${text}` gives with the block's parameters (and in.c…, once known): an
        integer, true or false, text; a fraction that is not whole stays written as one,
        for the field that wants a whole number to refuse."""
        from cnncalc.spec import expressions

        names: dict[str, Any] = {
            key: value
            for key, value in self.params.items()
            if isinstance(value, (int, str)) and value is not REQUIRED
        }
        if self.inputs is not None:
            names.update(self.inputs)
        try:
            expression = _parsed(text)
            # What it gives depends on the names it reads alone: each distinct case once.
            case = (text, *((name, names.get(name)) for name in sorted(expression.names())))
            if case not in self.budget.known:
                self.budget.spend(len(text), self.where)
                self.budget.known[case] = expression.evaluate(names)
            value = self.budget.known[case]
        except expressions.ExpressionError as problem:
            raise SpecError(f"block {self.block!r}: {problem.message}", self.where) from None
        if isinstance(value, (bool, int, str)):
            return value
        return (
            value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        )

    def written(self, found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        text = _text(self.value_of(name))
        if text is None:
            raise SpecError(
                f"block {self.block!r} writes ${name} into text, but its value is longer than "
                f"{MAX_TEXT} characters written out; give a shorter value",
                self.where,
            )
        return text

    def walk(self, raw: Any) -> Any:
        import copy  # only uses of named blocks need it, not the start-up of every spec

        if isinstance(raw, str) and "$" in raw:
            whole = re.fullmatch(PARAMETER, raw.strip())
            if whole:
                return self.value_of(whole.group(1) or whole.group(2))
            expression = re.fullmatch(_EXPRESSION, raw)
            if expression:
                return self.evaluated(expression.group(1))
            written = re.sub(PARAMETER, self.written, raw)
            if "${" in written:
                raise SpecError(
                    f"block {self.block!r} writes an expression inside text ({raw.strip()!r}); "
                    "an expression is a field's whole value, '${…}' and nothing else (a "
                    "shorthand layer written as a mapping: {type: …, filters: '${…}'})",
                    self.where,
                )
            return written
        # A container is copied only when something in it changed, and copied whole:
        # a MarkedDict's or MarkedList's marks and flow come with it.
        if isinstance(raw, dict):
            pairs = {key: self.walk(value) for key, value in raw.items()}
            if all(pairs[key] is value for key, value in raw.items()):
                return raw
            changed = copy.copy(raw)
            changed.update(pairs)
            return changed
        if isinstance(raw, list):
            items = [self.walk(item) for item in raw]
            if all(new is old for new, old in zip(items, raw, strict=True)):
                return raw
            changed_list = copy.copy(raw)
            changed_list[:] = items
            return changed_list
        return raw


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
        if not isinstance(name, str) or not name.isidentifier() or len(name) > values.MAX_NAME:
            raise SpecError(
                f"a block's name must be a word such as bottleneck, of at most "
                f"{values.MAX_NAME} characters, got {values.show(name)}",
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
        unused = [key for key in params if key not in _references(layers)]
        if unused:  # a value given for one would be ignored without a word
            raise SpecError(
                f"block {name!r} declares {', '.join(unused)} but none of its layers uses "
                f"{', '.join('$' + key for key in unused)}; use or remove "
                + ("it" if len(unused) == 1 else "them"),
                value_at(body, "params", source) or at,
            )
        found[name] = BlockDef(params, layers, value_at(body, "layers", source) or at)
    return found


def _references(layers: list[Any]) -> set[str]:
    """The parameters that `layers` write as $name or ${name}, each value looked at once
    (YAML aliases can share one list many times over)."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [layers]
    while stack:
        raw = stack.pop()
        if isinstance(raw, str):
            if "$" in raw:
                found.update(a or b for a, b in re.findall(PARAMETER, raw))
            for expression in re.findall(r"\$\{([^}]*)\}", raw) if "${" in raw else ():
                # the words an expression reads: some of them parameters
                found.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
        elif isinstance(raw, (dict, list)) and id(raw) not in seen:
            seen.add(id(raw))
            stack.extend(raw.values() if isinstance(raw, dict) else raw)
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
        if (
            not isinstance(key, str)
            or not key.isidentifier()
            or key in USE_KEYS
            or len(key) > values.MAX_NAME
        ):
            raise SpecError(
                f"block {block!r}: a parameter's name must be a word other than "
                f"{', '.join(USE_KEYS)}, got {values.show(key)}",
                where,
            )
        params[key] = REQUIRED if default is None else default
    return params
