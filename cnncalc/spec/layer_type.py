"""What the spec's vocabulary is made of: a `LayerType` and the `Field`s it takes.

The registry itself, every type cnncalc knows, is `cnncalc.spec.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from cnncalc.layers import Layer

RANKS = (1, 2, 3)  # the spatial axes a network may have


class Field(NamedTuple):
    """One key a layer type accepts, with the reader that checks its value."""

    name: str
    read: Callable[[str, Any], Any]
    help: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    positional: bool = True  # takes a place in shorthand's positional order


class LayerType(NamedTuple):
    """A `type:` of the spec format: its fields and how to build the layer."""

    name: str
    layer: type[Layer]  # the class it builds
    build: Callable[..., Layer]
    help: str
    example: str
    fields: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()
    # The course's default names: CONV1, POOL1, CONV2, POOL2, FC3, FC4, Softmax.
    # Layers with weights are counted; a numbered type takes the next number,
    # a pool the number of the layer before it.
    name_format: str = ""
    numbered: bool = False
    # Aliases that also require a rank, with {} for it: conv{}d is conv1d, conv2d and conv3d.
    ranked: tuple[str, ...] = ()

    def default_name(self, weighted_so_far: int) -> str:
        return self.name_format.format(weighted_so_far + 1 if self.numbered else weighted_so_far)

    def field(self, key: str) -> Field | None:
        """The field `key` names, by its name or an alias."""
        found = _FIELDS.get(self.name)
        if found is None:  # looked up for every field of every layer read: made once
            found = _FIELDS[self.name] = {k: f for f in self.fields for k in (f.name, *f.aliases)}
        return found.get(key)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the type: conv, then conv1d, conv2d, conv3d."""
        ranked = tuple(pattern.format(rank) for pattern in self.ranked for rank in RANKS)
        return (self.name, *self.aliases, *ranked)

    @property
    def listed_aliases(self) -> tuple[str, ...]:
        """The aliases as `list --layers` shows them: conv1d/2d/3d for three."""
        ranked = tuple(
            pattern.format(1) + "".join(f"/{rank}d" for rank in RANKS[1:])
            if pattern.endswith("{}d")
            else ", ".join(pattern.format(rank) for rank in RANKS)
            for pattern in self.ranked
        )
        return (*self.aliases, *ranked)

    @property
    def positional(self) -> tuple[Field, ...]:
        """The fields shorthand fills in order: conv:FILTERS,KERNEL,STRIDE,PADDING."""
        return tuple(f for f in self.fields if f.positional)


# A type's fields by name and alias, made at the first look-up of each type.
_FIELDS: dict[str, dict[str, Field]] = {}


PADDING_HELP = (  # how every padding field reads, for its help
    "p, one per axis ([p_h, p_w]), (before, after) per axis ([top, bottom, left, right])"
)


def plain(
    name: str, layer: type[Layer], name_format: str, help: str, *fields: Field, **more: Any
) -> LayerType:
    """A type whose class builds the layer from the fields as given (or `build=`)."""
    more.setdefault("example", name)
    build = more.pop("build", layer)  # by default its class, from the fields as given
    return LayerType(name, layer, build, help, fields=fields, name_format=name_format, **more)
