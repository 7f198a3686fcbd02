"""The JSON Schema of the spec format, built from the layer registry.

Editors use it, through the YAML language server, to complete layer types and
keys and to flag a misspelled key as it is typed. The package ships the
generated file `spec.schema.json` so that `cnncalc schema` only reads it; a
test keeps the file equal to `build()`. Regenerate it with
`python -m cnncalc.spec.schema > cnncalc/spec/spec.schema.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cnncalc.limits import MAX_SIZE
from cnncalc.model import LAYOUTS
from cnncalc.spec import axes, values
from cnncalc.spec.blocks import BLOCK_KEYS
from cnncalc.spec.expect import LAYER_EXPECT_KEYS, SPEC_EXPECT_KEYS
from cnncalc.spec.named import BLOCK_DEF_KEYS, PARAMETER, USE_KEYS
from cnncalc.spec.reader import TOP_KEYS
from cnncalc.spec.schema_file import shipped
from cnncalc.spec.vocabulary import LAYER_TYPES, Field, LayerType, type_names

__all__ = ["build", "shipped", "text"]

_MAX = MAX_SIZE
_POSITIVE = {"type": "integer", "minimum": 1, "maximum": _MAX}
_COUNT = {"type": "integer", "minimum": 0, "maximum": _MAX}
_DIGITS = r"\s*[+]?(0|[1-9][0-9]*)\s*"  # no leading zero: YAML 1.1 would read octal


def _text_of(numbers: int) -> dict[str, Any]:
    """Shorthand-style text of that many numbers: '5', '3x5', '0x1x0x1'."""
    return {"type": "string", "pattern": "^" + "[xX×]".join([_DIGITS] * numbers) + "$"}


def _caseless(words: Sequence[str]) -> str:
    """A regex matching any of `words` in any case (JSON Schema regexes take no flags)."""
    alternatives = [
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word) for word in words
    ]
    return "(" + "|".join(alternatives) + ")"


def _properties(keys: Sequence[str], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """The properties of an object whose keys a reader lists, in its order: a key the
    reader gains fails here rather than go missing from the schema."""
    return {key: schemas[key] for key in keys}


_SIZES = {
    "anyOf": [
        _POSITIVE,
        {"type": "array", "items": _POSITIVE, "minItems": 1, "maxItems": axes.MAX_RANK},
        *(_text_of(n) for n in range(1, axes.MAX_RANK + 1)),
    ]
}
_PAIRS = {  # [[top, bottom], [left, right]]
    "type": "array",
    "items": {"type": "array", "items": _COUNT, "minItems": 2, "maxItems": 2},
    "minItems": 1,
    "maxItems": axes.MAX_RANK,
}
_NUMERIC_PADDING = {
    "anyOf": [
        _COUNT,
        {"type": "array", "items": _COUNT, "minItems": 1, "maxItems": 2 * axes.MAX_RANK},
        _PAIRS,
        *(_text_of(n) for n in range(1, 2 * axes.MAX_RANK + 1)),
    ],
    "description": "p; one per axis; or (before, after) per axis, flat in axis order or as pairs",
}


def _padding(words: Sequence[str]) -> dict[str, Any]:
    return {
        "anyOf": [
            {"enum": list(words)},
            {"type": "string", "pattern": r"^\s*" + _caseless(words) + r"\s*$"},
            *_NUMERIC_PADDING["anyOf"],
        ]
    }


# true, false, yes, no, on, off: each word beside its opposite
_BOOLEAN_WORDS = [
    word for pair in zip(values.TRUE_WORDS, values.FALSE_WORDS, strict=True) for word in pair
]
_BOOLEAN = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": r"^\s*" + _caseless(_BOOLEAN_WORDS) + r"\s*$"},
    ]
}
_DIMS = {
    "anyOf": [
        {"type": "array", "items": _POSITIVE, "minItems": 1, "maxItems": axes.MAX_RANK + 1},
        _POSITIVE,
        *(_text_of(n) for n in range(2, axes.MAX_RANK + 2)),
    ],
    "description": "[length, channels], [height, width, channels] or [depth, height, width, "
    "channels]; or [n] for a vector",
}
_READERS: dict[Any, dict[str, Any]] = {
    values.positive_int: {"anyOf": [_POSITIVE, _text_of(1)]},
    axes.sizes: _SIZES,
    axes.sizes_or_zero: {
        "anyOf": [
            _COUNT,
            {"type": "array", "items": _COUNT, "minItems": 1, "maxItems": axes.MAX_RANK},
            *(_text_of(n) for n in range(1, axes.MAX_RANK + 1)),
        ]
    },
    values.rate: {
        "anyOf": [
            {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            {"type": "string", "pattern": r"^\s*0?\.?[0-9]*\s*$"},
        ]
    },
    axes.padding: _padding(axes.PADDING_WORDS),
    axes.conv_padding: _padding((*axes.PADDING_WORDS, "causal")),
    axes.numeric_padding: _NUMERIC_PADDING,
    values.boolean: _BOOLEAN,
    values.tensor_name: {"type": "string", "minLength": 1},
    values.tensor_names: {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": values.MAX_JOINED,
            },
        ]
    },
    values.upsample_mode: {
        "type": "string",
        "pattern": r"^\s*" + _caseless(values.UPSAMPLE_MODES) + r"\s*$",
    },
}
_EXPECTED = {"output": _DIMS, "shape": _DIMS, "params": _COUNT}  # the keys of an `expect`
_LAYER_EXPECT = {
    "description": "the layer's output shape, or {shape, params}; checked by cnncalc check",
    "anyOf": [
        _DIMS,
        {
            "type": "object",
            "properties": _properties(LAYER_EXPECT_KEYS, _EXPECTED),
            "additionalProperties": False,
        },
    ],
}


# Inside a named block any value may be a parameter, `$width`, filled in at each use.
_PARAMETER = {"type": "string", "pattern": r"^\s*" + PARAMETER + r"\s*$"}
_LAYERS = {"$ref": "#/definitions/layers"}
_SAVE = {"type": "string", "minLength": 1, "description": "keep the output under this name"}
# ${…}: an expression of a named block's parameters, written as the whole value.
_EXPRESSION = {"type": "string", "pattern": r"^\s*\$\{.*\}\s*$"}
_CONDITION = {
    "anyOf": [_BOOLEAN, _PARAMETER, _EXPRESSION],
    "description": "present only when true",
}


def _field(field: Field) -> dict[str, Any]:
    """A field's schema refers to its value kind's, shared in `definitions`."""
    return {"allOf": [{"$ref": f"#/definitions/{field.read.__name__}"}], "description": field.help}


def _value_kinds() -> dict[str, Any]:
    """Each reader's schema, once, with a block parameter or an expression allowed in its
    place (cnncalc refuses an expression outside a named block, which no schema can say)."""
    return {
        reader.__name__: {"anyOf": [*schema.get("anyOf", [schema]), _PARAMETER, _EXPRESSION]}
        for reader, schema in _READERS.items()
    }


def _blocks() -> list[dict[str, Any]]:
    """The block forms a layer may take: residual, concat, multiply, split, repeat, use."""
    # A branch of a concat or a split may be [], the input itself.
    branches = {
        "type": "array",
        "minItems": 2,
        "items": {"type": "array", "items": {"$ref": "#/definitions/layer"}},
    }
    keys = {
        "residual": _LAYERS,
        "shortcut": _LAYERS,
        "concat": branches,
        "multiply": _LAYERS,
        "split": branches,
        "sizes": {
            "type": "array",
            "items": {"anyOf": [_POSITIVE, _PARAMETER, _EXPRESSION]},
            "minItems": 2,
        },
        "repeat": {"anyOf": [_COUNT, _PARAMETER, _EXPRESSION]},
        "layers": _LAYERS,
        "use": {"type": "string"},
        "name": {"type": "string", "minLength": 1, "description": "the name shown in the table"},
        "expect": _LAYER_EXPECT,
        "save": _SAVE,
        "side": _LAYERS,
        "if": _CONDITION,
        "add": {**_CONDITION, "description": "false: the layers alone, without the sum"},
    }
    return [
        {
            "type": "object",
            "description": "the layers' output added to the input (or to the shortcut's)",
            "required": ["residual"],
            "properties": _properties(BLOCK_KEYS["residual"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "branches on the same input, joined along the channels",
            "required": ["concat"],
            "properties": _properties(BLOCK_KEYS["concat"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "the layers' output multiplied into the input, broadcasting axes "
            "of size 1 (a squeeze-and-excitation gate)",
            "required": ["multiply"],
            "properties": _properties(BLOCK_KEYS["multiply"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "the input's channels divided among branches (evenly, or by "
            "sizes), the results joined along the channels",
            "required": ["split"],
            "properties": _properties(BLOCK_KEYS["split"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "a head on the current tensor, not the network's way on (an "
            "auxiliary output)",
            "required": ["side"],
            "properties": _properties(BLOCK_KEYS["side"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "the layers, N times",
            "required": ["repeat", "layers"],
            "properties": _properties(BLOCK_KEYS["repeat"], keys),
            "additionalProperties": False,
        },
        {
            "type": "object",
            "description": "a block from `blocks:`, with its parameters as further keys",
            "required": ["use"],
            "properties": _properties(USE_KEYS, keys),
        },
    ]


def _layer(kind: LayerType) -> dict[str, Any]:
    names = list(kind.names)
    properties: dict[str, Any] = {
        "type": {
            "anyOf": [{"enum": names}, {"type": "string", "pattern": f"^{_caseless(names)}$"}],
            "description": kind.help,
        },
        "name": {"type": "string", "minLength": 1, "description": "the name shown in the table"},
        "expect": _LAYER_EXPECT,
        "save": _SAVE,
        "if": _CONDITION,
    }
    for field in kind.fields:
        for key in (field.name, *field.aliases):
            properties[key] = _field(field)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": ["type"],
        "additionalProperties": False,
    }
    required = [
        {"anyOf": [{"required": [key]} for key in (field.name, *field.aliases)]}
        for field in kind.fields
        if field.required
    ]
    if required:
        schema["allOf"] = required
    return schema


def _top_keys() -> dict[str, Any]:
    block = {
        "params": {
            "description": "each parameter and its default (null: none)",
            "anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "string"}}],
        },
        "layers": _LAYERS,
        "description": {"type": "string"},
    }
    return {
        "name": {"type": "string", "description": "the table's title"},
        "description": {"type": "string", "description": "one line for `cnncalc list`"},
        "layout": {
            "anyOf": [
                {"enum": list(LAYOUTS)},
                {"type": "string", "pattern": f"^{_caseless(LAYOUTS)}$"},
            ],
            "description": "how the spec writes shapes: hwc (the course's) or chw",
        },
        "input": _DIMS,
        "blocks": {
            "type": "object",
            "description": "named blocks, defined once and used like a layer",
            "additionalProperties": {
                "type": "object",
                "required": ["layers"],
                "properties": _properties(BLOCK_DEF_KEYS, block),
                "additionalProperties": False,
            },
        },
        "layers": _LAYERS,
        "expect": {
            "type": "object",
            "description": "the network's output shape and total parameters",
            "properties": _properties(SPEC_EXPECT_KEYS, _EXPECTED),
            "additionalProperties": False,
        },
    }


def build() -> dict[str, Any]:
    """The schema, from the layer types cnncalc knows."""
    shorthand = {
        "type": "string",
        # A named block may give the type as a parameter: $act:name=$name.act
        "pattern": r"^\s*(" + _caseless(type_names()) + "|" + PARAMETER + r")\s*(:.*)?$",
        "description": "shorthand TYPE[:ARGS], e.g. conv:16,5 or maxpool:2,stride=2",
    }
    # A layer whose type is a block's parameter: what its fields may be depends on the
    # value, so only the type is checked here; cnncalc checks the rest at each use.
    parameterised = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": _PARAMETER},
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "cnncalc spec",
        "description": "A convolutional network for cnncalc: an input shape and its layers.",
        "type": "object",
        "required": ["input", "layers"],
        "additionalProperties": False,
        "properties": _properties(TOP_KEYS, _top_keys()),
        "definitions": {
            **_value_kinds(),
            "layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/layer"}},
            "layer": {
                "anyOf": [
                    shorthand,
                    parameterised,
                    *(_layer(kind) for kind in LAYER_TYPES.values()),
                    *_blocks(),
                ]
            },
        },
    }


def text() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(text(), end="")
