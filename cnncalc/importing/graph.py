"""A network as a framework saved it: a graph of layers, each already turned into the spec
rows that mean it, whatever the framework. A format's reader builds the `Graph`; `emit`
turns it into a spec's layers and `writer` writes them out.

Part of the core: it imports nothing of cnncalc but `errors`.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, TypeAlias

from cnncalc.errors import SpecError, visible

# A shape without the batch axis, channels last; None where the model leaves a size open.
Dims: TypeAlias = "tuple[int | None, ...]"


class Refused(SpecError):
    """The model cannot be written as a spec, exactly: bad data, exit 1."""


def quoted(name: str) -> str:
    """A framework's name as a message shows it: quoted, control characters escaped."""
    return f"'{visible(name)}'"


def shown(shape: Dims) -> str:
    """A shape as Python and Keras print it: (224, 224, 3), (10,), None where open."""
    sizes = ["None" if n is None else str(n) for n in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


@dataclass(eq=False)
class Row:
    """One layer of the spec as it will be written: a cnncalc type and its fields."""

    kind: str  # cnncalc's type: conv, relu, identity…
    fields: dict[str, Any]  # in the order they are written; tuples are per axis
    name: str
    comment: str = ""  # a YAML comment on its line: what it was, when that is not plain
    save: str | None = None  # `save: NAME`, filled in by `emit`


@dataclass(eq=False)
class Block:
    """A block of the spec: residual (its layers, then its shortcut), concat (branches),
    multiply (the gate), side (a head) or repeat (a nested model, once)."""

    form: str
    parts: list[list[Item]]
    name: str | None = None
    comment: str = ""
    save: str | None = None


Item: TypeAlias = "Row | Block"


@dataclass(eq=False)
class Node:
    """One layer of the framework's graph, as rows or as a join of its inputs."""

    name: str  # the framework's
    op: str  # its class, for messages: Conv2D
    inputs: tuple[str, ...]  # the nodes whose outputs it takes, in order
    rows: tuple[Row, ...] = ()  # what it is in the spec, for a layer of one input
    join: str | None = None  # add, concat or multiply: its inputs joined
    inner: Graph | None = None  # a model used as a layer: written as a block of its own
    shape: Dims = ()  # its output, as the framework has it
    # Its output in cnncalc when that differs from the framework's: a global pool keeps
    # 1×1×C where Keras gives a vector of C (the next fc flattens it the same).
    kept: Dims | None = None

    @property
    def spec_shape(self) -> Dims:
        return self.shape if self.kept is None else self.kept


@dataclass(eq=False)
class Graph:
    """A model of one input: its nodes in topological order, the input first."""

    name: str | None
    input: str
    nodes: dict[str, Node]
    outputs: tuple[str, ...]

    @property
    def input_shape(self) -> Dims:
        return self.nodes[self.input].shape

    def consumers(self) -> dict[str, list[str]]:
        """Each node's consumers, in order."""
        found: dict[str, list[str]] = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for source in dict.fromkeys(node.inputs):
                found[source].append(node.name)
        return found

    def dominators(self) -> dict[str, str]:
        """Each node's immediate dominator: the last node every path from the input to it
        passes through (Cooper, Harvey and Kennedy's rule, one pass over a DAG in
        topological order). The input dominates itself."""
        order = {name: index for index, name in enumerate(self.nodes)}
        idom = {self.input: self.input}
        for node in self.nodes.values():
            if node.name == self.input:
                continue
            found: str | None = None
            for source in node.inputs:
                found = source if found is None else _meet(source, found, idom, order)
            assert found is not None
            idom[node.name] = found
        return idom

    def ancestors(self, target: str, stop: str | None) -> set[str]:
        """The nodes on the paths from `stop` to `target`, `target` included and `stop` not:
        every path from the input to them passes through `stop`, which dominates them."""
        seen: set[str] = set()
        todo = [target] if target != stop else []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(source for source in self.nodes[name].inputs if source != stop)
        return seen


def _meet(one: str, other: str, idom: dict[str, str], order: dict[str, int]) -> str:
    """The nearest common dominator of two nodes."""
    while one != other:
        while order[one] > order[other]:
            one = idom[one]
        while order[other] > order[one]:
            other = idom[other]
    return one


def topological(names: list[str], inputs: dict[str, tuple[str, ...]]) -> list[str] | None:
    """`names` in an order where each comes after its inputs, as close to the given order as
    that allows; None when they form a cycle."""
    waiting = {name: len(set(inputs[name])) for name in names}
    consumers: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        for source in set(inputs[name]):
            consumers[source].append(name)
    position = {name: index for index, name in enumerate(names)}
    ready = [(position[name], name) for name in names if waiting[name] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, name = heapq.heappop(ready)
        ordered.append(name)
        for consumer in consumers[name]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(ready, (position[consumer], consumer))
    return ordered if len(ordered) == len(names) else None
