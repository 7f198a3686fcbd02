"""The walked rows beside the spec's layers they came from, for any export target.

The summary has each row's shapes and counts; its layer's spec has where it
was written (`LayerSpec.where`, for a refusal located at file:line:col) and
the name it saves its output as (`save:`). A block's rows are its lists of
layers walked in order (`Row.branches`), so the two are paired list by list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple, TypeVar

from cnncalc import model
from cnncalc.errors import LayerRef, SpecError
from cnncalc.geometry import Sides
from cnncalc.model import LayerSpec, Spec
from cnncalc.shapes import Shape, side_names
from cnncalc.summary import Row, Summary


class Item(NamedTuple):
    """A row and the layer spec it was walked from."""

    row: Row
    spec: LayerSpec

    def children(self) -> list[list[Item]]:
        """A block's lists of rows (its layers, shortcut or branches), each paired."""
        lists = parts(self.spec.layer, self.row.input_shape)
        return [
            [Item(row, spec) for row, spec in zip(branch.rows, specs, strict=True)]
            for branch, specs in zip(self.row.branches, lists, strict=True)
        ]

    def refusal(self, message: str, field: str | None = None) -> SpecError:
        """A SpecError at this layer (at `field` where the spec wrote it)."""
        place = [int(n) for n in self.row.path.split(".")]
        return SpecError(
            message + self.spec.context,
            self.spec.where_of(field),
            LayerRef.at(place, self.row.name),
        )


def parts(block: object, shape: Shape) -> list[Sequence[LayerSpec]]:
    """A block's lists of layers in the order the engine walks them (and the summary holds
    them): a shortcut only when it has layers, a residual without its sum one list."""
    if isinstance(block, model.Deferred):
        return [block.layers_for(shape)]
    if isinstance(block, model.Residual):
        if not block.add or not block.shortcut:
            return [block.layers]
        return [block.layers, block.shortcut]
    if isinstance(block, (model.Concat, model.Split)):
        return list(block.branches)
    assert isinstance(block, (model.Sequential, model.Multiply, model.Side))
    return [block.layers]


def title(spec: Spec) -> str | None:
    """The network's title: the spec's name, or its file's name without the extension."""
    if spec.name:
        return spec.name
    return os.path.splitext(os.path.basename(spec.source))[0] if spec.source else None


def items(spec: Spec, summary: Summary) -> list[Item]:
    """The top-level rows, each with its layer spec."""
    return [Item(row, layer) for row, layer in zip(summary.rows, spec.layers, strict=True)]


def walk(top: Sequence[Item]) -> Iterator[Item]:
    """Every item in table order, a block before its rows."""
    for item in top:
        yield item
        if item.row.branches:
            for branch in item.children():
                yield from walk(branch)


def outputs(summary: Summary) -> list[Row]:
    """The rows whose output the model gives, each once: each side head's, then the last
    row's (unless that is a side head)."""
    seen: dict[str, Row] = {}
    for row in summary.outputs:
        seen.setdefault(row.path, row)
    return list(seen.values())


def sides_text(sides: Sides) -> str:
    """0 top, 1 bottom, 0 left, 1 right."""
    names = side_names(len(sides))
    return ", ".join(
        f"{n:,} {name}"
        for side, pair in zip(sides, names, strict=True)
        for n, name in zip(side, pair, strict=True)
    )


Handler = TypeVar("Handler")


def handler(registry: Mapping[type, Handler], kind: type) -> Handler:
    """A target's entry for a layer or block type (`EMITTERS`, `BLOCKS`), or for the
    nearest class it derives from."""
    for base in kind.__mro__:
        if base in registry:
            return registry[base]
    raise AssertionError(f"no entry for {kind.__name__}: tests/test_export.py checks")
