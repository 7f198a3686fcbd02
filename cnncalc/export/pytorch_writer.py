"""The body of the exported model's `__init__` and `forward`, written a row at a time.

Each row with a layer is one submodule, registered in `__init__` in table
order and named after the row (`pytorch_names`); `forward` applies them step
by step, each block written out by its entry in `pytorch_blocks.BLOCKS`, with
each row's shape (channels first) beside its last step.

While it writes `forward`, the writer notes where each row's output can be
seen (`Probe`): the output of the module that computes it, the input of the
module that takes it next, or the model's output, for a hook; and for a row
whose output goes only into a join (a sum, torch.cat), the variable that still
holds it as a later statement starts. The exported test looks there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from cnncalc import model
from cnncalc.export import Probe
from cnncalc.export.body import Body, Line
from cnncalc.export.pytorch_blocks import BLOCKS
from cnncalc.export.pytorch_layers import EMITTERS, REFUSED
from cnncalc.export.pytorch_names import Namer, Parts, Placed, access, dotted, target
from cnncalc.export.pytorch_steps import Mod, torch_order
from cnncalc.export.rows import Item, handler
from cnncalc.export.source import Call, Expr, comments, flat, literal
from cnncalc.summary import Row


class Seen(NamedTuple):
    """A module call whose output is a row's: the module's dotted name and the call."""

    module: str
    call: int


class Out(NamedTuple):
    """Where a row's output is: its variable, and the module call that made it, if one."""

    var: str
    seen: Seen | None = None


class Writer(Body):
    """The lines of __init__ and forward, written a row at a time."""

    def __init__(self) -> None:
        super().__init__({"self", "torch", "nn", "F", "x", "getattr"}, depth=2)  # forward's
        self.namer = Namer()
        self.init: list[Line] = []
        self.helpers: set[str] = set()
        self.uses_functional = False
        self.flattened = False
        self.calls: dict[str, int] = {}
        self.pending: dict[str, list[Row]] = {}  # rows whose output a variable holds, unseen
        self.probes: dict[str, Probe] = {}  # by row path
        # Rows no hook sees (their output goes only into a join), with the variable that
        # holds it and the statement (by index) at whose start it still does.
        self.watched: list[tuple[Row, str, int]] = []
        self.renamed: list[tuple[Row, str]] = []
        self.padded: list[str] = []  # helper modules, by dotted name
        self.nested: tuple[str, str] | None = None  # a dotted row name, and its module
        self.heads: list[str] = []

    # --- what emitters ask for (pytorch_steps.Context; `saved` is Body's) ---

    def helper(self, name: str) -> None:
        self.helpers.add(name)

    def functional(self) -> None:
        self.uses_functional = True

    def flattens(self) -> None:
        self.flattened = True

    # --- forward ---

    def assign(self, var: str, expr: Expr) -> None:
        """`var = expr`: what `var` held, if a row's unseen output, is watched here."""
        self.watched += [(row, var, len(self.body)) for row in self.pending.pop(var, [])]
        self.body.append(Line(f"{var} = ", expr))

    def out(self, var: str) -> Out:
        return Out(var)

    def rows(self, layers: Sequence[Item], inp: str, out: str) -> Out:
        """Rows one after another, from the variable `inp` into `out`."""
        current = Out(inp)
        for item in layers:
            done = self.row(item, current.var, out)
            if getattr(item.row.layer, "continues", True):
                current = done
        return current

    def row(self, item: Item, inp: str, out: str) -> Out:
        """One row, its save, and where its output can be seen."""
        layer, row = item.row.layer, item.row
        written = len(self.body)
        if isinstance(layer, model.Block):
            if layer.scope:
                self.scopes.append({})
            try:
                done = handler(BLOCKS, type(layer))(self, item, inp, out)
            finally:
                if layer.scope:  # what the block saved is its own: no use after it
                    self.release(*(var for var, _ in self.scopes.pop().values()))
        else:
            done = self._layer(item, inp, out)
        last = self.body[-1] if len(self.body) > written else None
        if last is not None and last.expr is not None and last.comment is None:
            self.body[-1] = last._replace(comment=str(torch_order(row.shape)))
        if done.seen is None:
            self.pending.setdefault(done.var, []).append(row)
        else:
            self.probes[row.path] = _probe(row, "module", *done.seen)
        self.keep(item, done.var)
        return done

    def _layer(self, item: Item, inp: str, out: str) -> Out:
        kind = type(item.row.layer)
        if kind in REFUSED:
            raise item.refusal(REFUSED[kind])
        steps = handler(EMITTERS, kind)(item, self)
        modules = self._place(item, [step for step in steps if isinstance(step, Mod)])
        current = Out(inp)
        for step in steps:
            if isinstance(step, Mod):
                current = self._call(modules[step.suffix], current.var, out)
            else:
                self.why(step.why)
                self.assign(out, step.make(current.var))
                current = Out(out, current.seen if step.keeps_shape else None)
        return current

    def _call(self, parts: Parts, inp: str, out: str) -> Out:
        name = dotted(parts)
        number = self.calls.get(name, 0)
        self.calls[name] = number + 1
        for row in self.pending.pop(inp, []):
            self.probes[row.path] = _probe(row, "input", name, number)
        self.assign(out, Call(access(parts), (inp,)))
        return Out(out, Seen(name, number))

    # --- __init__ ---

    def _place(self, item: Item, mods: list[Mod]) -> dict[str, Parts]:
        """Place the row's modules (its own first, the helpers beside it) and register
        each new one, in the order forward applies them."""
        row = item.row
        placed: dict[str, Parts] = {}
        fresh: dict[str, Placed] = {}
        own = next((mod for mod in mods if not mod.suffix), None)
        parts: Parts = tuple(row.name.split("."))
        if own is not None:
            stateless = row.weights + row.biases + row.buffers == 0
            where = self.namer.place(parts, flat(own.call) if stateless else None)
            placed[""], parts = where.parts, where.parts
            if where.parts != tuple(row.name.split(".")) and not where.shared:
                self.renamed.append((row, dotted(where.parts)))
            if len(where.parts) > 1 and self.nested is None:
                self.nested = (row.name, access(where.parts))
            fresh[""] = where
        for mod in mods:
            if mod.suffix:
                where = self.namer.place((*parts[:-1], parts[-1] + mod.suffix), None)
                placed[mod.suffix] = where.parts
                fresh[mod.suffix] = where
                self.padded.append(dotted(where.parts))
        for where in fresh.values():  # the containers first: the helpers' are the row's
            for container in where.containers:
                self._register(container, Call("nn.ModuleDict"))
        for mod in mods:
            where = fresh[mod.suffix]
            if not where.shared:
                self.init += [Line(f"# {line}", None) for line in comments(mod.why, 2)]
                self._register(where.parts, mod.call)
        return placed

    def _register(self, parts: Parts, built: Call) -> None:
        head, name = target(parts)
        if name is None:
            self.init.append(Line(head, built))
        else:
            self.init.append(Line("", Call("self.add_module", (literal(name), built))))

    def finish(self, last: str | None) -> None:
        """The return statement (the side heads' outputs, then `last`); the rows it shows
        are seen as outputs, and those still unseen are watched at it."""
        outputs = [*self.heads, *([last] if last is not None else [])]
        for number, var in enumerate(outputs):
            for row in self.pending.pop(var, []):
                self.probes[row.path] = _probe(row, "output", "", number)
        for var, rows in self.pending.items():
            self.watched += [(row, var, len(self.body)) for row in rows]
        self.pending.clear()
        self.body.append(Line("return ", ", ".join(outputs)))


def _probe(row: Row, kind: str, module: str, call: int) -> Probe:
    return Probe(row.path, row.name, torch_order(row.shape), kind, module, call)
