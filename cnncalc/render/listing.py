"""`cnncalc list`: the bundled specs, or the layer types and their keys."""

from __future__ import annotations

from collections.abc import Sequence


def layer_types() -> str:
    """`cnncalc list --layers`: each type, its aliases, what it counts, and its keys."""
    from cnncalc.spec.vocabulary import LAYER_TYPES

    lines = []
    for kind in LAYER_TYPES.values():
        aliases = f" ({', '.join(kind.listed_aliases)})" if kind.listed_aliases else ""
        lines.append(f"{kind.name}{aliases}: {kind.help}")
        keys = [
            field.name + (f" ({', '.join(field.aliases)})" if field.aliases else "")
            for field in kind.fields
        ]
        lines.append(f"    keys: {', '.join([*keys, 'name', 'expect'])}; e.g. {kind.example}")
    return "\n".join(lines) + "\n"


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows of text in aligned columns: the bundled specs and their descriptions."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )
