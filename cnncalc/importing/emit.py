"""A graph of layers as a spec's list of layers: blocks where the graph has them, saved
tensors where it does not.

The graph is walked back from its output. A layer of one input is its rows. A join (a
sum, a concatenation, a product) is matched with the node that dominates it, the fork
every path to it passes through: when the paths from that fork to each of the join's
inputs share no layer, the join is a block whose branches are those paths (a residual
with its shortcut, a concat's branches in the framework's order, a multiply's gate).
Otherwise the join reads its other inputs by name (`add: with=`), and each of them is
saved (`save:`) where it is made; a tensor that is made on no path the spec walks before
the join cannot be written, and is refused. A second output is a `side:` head from the
network's way on.

Part of the core: it imports nothing of cnncalc but `importing.graph`.
"""

from __future__ import annotations

from cnncalc.importing.graph import Block, Dims, Graph, Item, Node, Refused, Row, quoted, shown

MAX_NESTING = 50  # blocks inside blocks, as the spec reader allows
# Layers visited in matching joins with their forks: a real network's joins span a few
# dozen layers each, a tangle of long skips could make it quadratic.
MAX_WORK = 5_000_000


class SaveNames:
    """The names tensors are saved under: the framework's layer's name, made unique across
    the models nested in one another."""

    def __init__(self) -> None:
        self.given: dict[int, str] = {}
        self.taken: set[str] = set()

    def of(self, node: Node) -> str:
        if id(node) not in self.given:
            name, number = node.name, 1
            while name in self.taken:
                number += 1
                name = f"{node.name}_{number}"
            self.taken.add(name)
            self.given[id(node)] = name
        return self.given[id(node)]


class Emitter:
    """Walks one graph (a model, or a model nested in it) into items."""

    def __init__(self, graph: Graph, source: str, names: SaveNames) -> None:
        self.graph = graph
        self.source = source
        self.names = names
        self.idom = graph.dominators()
        self.made: dict[str, Item] = {}  # node -> the item whose output is its output
        self.wanted: dict[str, str] = {}  # node to save -> the join that reads it
        self.emitted: set[str] = set()
        self.work = 0

    def refuse(self, message: str) -> Refused:
        from cnncalc.errors import Where

        return Refused(message, Where(self.source))

    def items(self, top: bool = True) -> list[Item]:
        """The whole graph: its way on to its main output, side heads for the others; a
        model's output that cnncalc keeps 1×1×C is flattened, unless it is a model used as
        a layer (the layers after it take it as Keras does)."""
        graph = self.graph
        main = max(graph.outputs, key=lambda name: len(graph.ancestors(name, None)))
        items = self.chain(graph.input, main, 0)
        if not items:
            name = graph.nodes[main].name
            items = [Row("identity", {}, f"{name}/identity", "a model that is its input")]
        if top:
            items += _flattened(graph.nodes[main])
        self._heads(items, main)
        self._save(items)
        return items

    def chain(self, start: str, end: str, depth: int) -> list[Item]:
        """The items that take the output of `start` (which dominates `end`) to `end`'s."""
        if depth > MAX_NESTING:
            raise self.refuse(
                f"its joins nest more than {MAX_NESTING} deep (at layer "
                f"{quoted(end)}), deeper than a spec's blocks may"
            )
        groups: list[list[Item]] = []
        here = end
        while here != start:
            if here == self.graph.input:
                raise self.refuse(f"layer {quoted(end)} is not reached from {quoted(start)}")
            node = self.graph.nodes[here]
            self.emitted.add(here)
            if node.join is None:
                groups.append(self._layer(node, depth))
                here = node.inputs[0]
            else:
                item, here = self._join(node, depth)
                groups.append([item])
        return [item for group in reversed(groups) for item in group]

    def _layer(self, node: Node, depth: int) -> list[Item]:
        if node.inner is not None:
            inner = Emitter(node.inner, self.source, self.names).items(top=False)
            block = Block("repeat", [inner], node.name, f"a {node.op} model used as a layer")
            self.made[node.name] = block
            return [block]
        rows: list[Item] = list(node.rows)
        self.made[node.name] = rows[-1]
        return rows

    def _join(self, node: Node, depth: int) -> tuple[Item, str]:
        """A join as a block over its fork, or as a layer that reads its other inputs by
        name; and where the walk goes on from."""
        fork = self.idom[node.name]
        paths = [self.graph.ancestors(source, fork) for source in node.inputs]
        self.work += sum(map(len, paths))
        if self.work > MAX_WORK:
            raise self.refuse(
                f"its joins span too many layers to match ({MAX_WORK:,} by {quoted(node.name)})"
            )
        apart = sum(map(len, paths)) == len(set().union(*paths))
        full = [index for index, path in enumerate(paths) if path]
        kind = node.join
        block = None
        if apart and kind == "concat" and full:
            parts = [self.chain(fork, source, depth + 1) for source in node.inputs]
            block = Block("concat", parts, node.name)
        elif apart and kind == "add" and len(node.inputs) == 2 and full:
            # The longer path is the block's layers, the other its shortcut.
            order = sorted(full, key=lambda index: -len(paths[index]))
            parts = [self.chain(fork, node.inputs[index], depth + 1) for index in order]
            block = Block("residual", parts, node.name)
        elif apart and kind == "multiply" and len(node.inputs) == 2 and len(full) == 1:
            gate = self.graph.nodes[node.inputs[full[0]]]
            if _broadcasts(gate.spec_shape, self.graph.nodes[fork].spec_shape):
                block = Block("multiply", [self.chain(fork, gate.name, depth + 1)], node.name)
        if block is not None:
            self.made[node.name] = block
            return block, fork
        if apart and len(full) > 1:
            raise self.refuse(
                f"layer {quoted(node.name)} ({node.op}) joins {len(full)} paths that each "
                f"begin with layers of their own from {quoted(fork)}; cnncalc's "
                f"{kind} block takes its own input as one of them"
            )
        return self._read_by_name(node, paths)

    def _read_by_name(self, node: Node, paths: list[set[str]]) -> tuple[Item, str]:
        """The join as a layer: the walk goes on to one input, the others are saved."""
        if node.join == "concat":  # the saved tensors come first: the input is the last
            main = len(node.inputs) - 1
        else:
            main = max(range(len(node.inputs)), key=lambda index: (len(paths[index]), index))
        others = [source for index, source in enumerate(node.inputs) if index != main]
        for source in others:
            self.wanted.setdefault(source, node.name)
        names = [self.names.of(self.graph.nodes[source]) for source in others]
        assert node.join is not None
        row = Row(node.join, {"with": names[0] if len(names) == 1 else names}, node.name)
        self.made[node.name] = row
        return row, node.inputs[main]

    def _heads(self, items: list[Item], main: str) -> None:
        """The graph's other outputs as side heads, each after the item it branches from."""
        top = {id(item): index for index, item in enumerate(items)}
        inserted: list[tuple[int, Block]] = []
        for number, output in enumerate(self.graph.outputs, 1):
            if output == main:
                continue
            if output == self.graph.input:
                raise self.refuse(f"output {number} of the model is its input, {quoted(output)}")
            if output in self.emitted:
                made = self.made[output]
                made.comment = _joined(made.comment, f"output {number} of the model")
                continue
            fork = self.idom[output]  # the nearest layer on the way on that dominates it
            while fork not in self.emitted and fork != self.graph.input:
                fork = self.idom[fork]
            if self.graph.ancestors(output, fork) & self.emitted:
                raise self.refuse(
                    f"output {number} of the model, {quoted(output)}, shares layers with the "
                    "way to its main output; a spec's side head branches off whole"
                )
            at = 0 if fork == self.graph.input else top.get(id(self.made.get(fork)), -1) + 1
            if at == 0 and fork != self.graph.input:
                raise self.refuse(
                    f"output {number} of the model, {quoted(output)}, branches off inside a "
                    f"block (at {quoted(fork)}); a spec's side head starts from the "
                    "network's way on"
                )
            head = self.chain(fork, output, 1) + _flattened(self.graph.nodes[output])
            inserted.append((at, Block("side", [head], None, f"output {number} of the model")))
        for at, block in sorted(inserted, key=lambda pair: -pair[0]):
            items.insert(at, block)

    def _save(self, items: list[Item]) -> None:
        """`save:` on the item that makes each tensor a join reads by name."""
        for source, reader in self.wanted.items():
            if source == self.graph.input and source not in self.made:
                keep = Row("identity", {}, source, "the input itself, saved for a join")
                items.insert(0, keep)
                self.made[source] = keep
            made = self.made.get(source)
            if made is None:
                raise self.refuse(
                    f"layer {quoted(reader)} joins the output of {quoted(source)}, which is "
                    "made on a path that is not joined to the network's way on; a spec can "
                    "join only tensors made on its way"
                )
            made.save = self.names.of(self.graph.nodes[source])


def _flattened(node: Node) -> list[Item]:
    """A flatten after an output that cnncalc keeps 1×1×C where the framework gives C."""
    if node.kept is None or len(node.shape) != 1:
        return []
    comment = f"Keras's output is {shown(node.shape)}: the global pool's, flattened"
    return [Row("flatten", {}, f"{node.name}/flatten", comment)]


def _broadcasts(gate: Dims, shape: Dims) -> bool:
    """Whether `gate` multiplies into `shape` as a spec's multiply block takes it."""
    if len(gate) > len(shape) or None in gate or None in shape:
        return False
    return all(g in (1, n) for g, n in zip(reversed(gate), reversed(shape), strict=False))


def _joined(comment: str, more: str) -> str:
    return f"{comment}; {more}" if comment else more


def emit(graph: Graph, source: str) -> list[Item]:
    """The spec's layers for `graph`; `source` names the file in refusals."""
    return Emitter(graph, source, SaveNames()).items()
