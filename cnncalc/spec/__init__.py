"""Reading specs: YAML files, shorthand layers and Python values, checked and located.

What lives here: `reader` (whole documents), `layer_reader` and `blocks` (each
layer and block form), `vocabulary` (the layer types and their fields),
`values` (one field's value), `shorthand` (`TYPE[:ARGS]`), `expect`, `marked`
and `source` (YAML with line and column marks) and `schema` (the JSON Schema).
This package builds `cnncalc.model` types from `cnncalc.layers` and may import
them, `errors`, `geometry` and `shapes`; never click, rich, the engine or a
renderer. Only `source` imports PyYAML, and only when YAML is read.

The readers are loaded on first use, so that `cnncalc.spec.values` alone, which
the command line's option types need, costs nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnncalc.spec.reader import from_arguments, from_document, from_layers, from_text, load

__all__ = ["from_arguments", "from_document", "from_layers", "from_text", "load"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cnncalc.spec import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'cnncalc.spec' has no attribute {name!r}")
