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

import re
from collections.abc import Sequence
from typing import NamedTuple

from cnncalc import model
from cnncalc.export import Probe
from cnncalc.export.pytorch_blocks import BLOCKS, Block
from cnncalc.export.pytorch_layers import EMITTERS, REFUSED
from cnncalc.export.pytorch_names import Namer, Parts, Placed, access, dotted, target
from cnncalc.export.pytorch_steps import Emitter, Mod, torch_order
from cnncalc.export.rows import Item
from cnncalc.export.source import (
    INDENT,
    WIDTH,
    Call,
    Expr,
    comment,
    flat,
    identifier,
    literal,
    wrap,
)
from cnncalc.layers import Layer
from cnncalc.shapes import Shape
from cnncalc.summary import Row


class Line(NamedTuple):
    """A line of a method's body: a statement (`head` and `expr`), or a comment when
    `expr` is None; `blank` puts an empty line before it."""

    head: str
    expr: Expr | None = ""
    comment: str | None = None
    blank: bool = False


class Seen(NamedTuple):
    """A module call whose output is a row's: the module's dotted name and the call."""

    module: str
    call: int


class Out(NamedTuple):
    """Where a row's output is: its variable, and the module call that made it, if one."""

    var: str
    seen: Seen | None = None


class Writer:
    """The lines of __init__ and forward, written a row at a time."""

    def __init__(self) -> None:
        self.namer = Namer()
        self.init: list[Line] = []
        self.body: list[Line] = []
        self.helpers: set[str] = set()
        self.uses_functional = False
        self.flattened = False
        self.taken = {"self", "torch", "nn", "F", "x", "getattr"}  # what forward uses
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
        self.scopes: list[dict[str, tuple[str, Shape]]] = [{}]

    # --- what emitters ask for (pytorch_steps.Context) ---

    def saved(self, name: str) -> tuple[str, Shape]:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise AssertionError(f"{name} was saved: the engine checked it")

    def helper(self, name: str) -> None:
        self.helpers.add(name)

    def functional(self) -> None:
        self.uses_functional = True

    def flattens(self) -> None:
        self.flattened = True

    # --- forward ---

    def variable(self, base: str) -> str:
        """A variable of its own, named after `base` as far as Python allows."""
        name = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in base)
        name = name.lstrip("_")  # a class body would mangle __x
        if not identifier(name):
            name = f"saved_{name}" if name else "saved"
        candidate, number = name, 2
        while candidate in self.taken:
            candidate, number = f"{name}_{number}", number + 1
        self.taken.add(candidate)
        return candidate

    def release(self, *names: str) -> None:
        """Variables no longer needed, which a later block may take again."""
        self.taken.difference_update(name for name in names if name != "x")

    def assign(self, var: str, expr: Expr) -> None:
        """`var = expr`: what `var` held, if a row's unseen output, is watched here."""
        self.watched += [(row, var, len(self.body)) for row in self.pending.pop(var, [])]
        self.body.append(Line(f"{var} = ", expr))

    def note(self, text: str, blank: bool = False) -> None:
        lines = _comments([text])
        self.body.append(Line(f"# {lines[0]}", None, blank=blank))
        self.body += [Line(f"# {line}", None) for line in lines[1:]]

    def heading(self, item: Item, what: str) -> None:
        row = item.row
        notation = row.layer.notation()
        label = f"{row.name} ({notation})" if notation else row.name
        blank = bool(self.body) and self.body[-1].expr is not None  # not between headings
        self.note(f"{label}: {what}" if what else label, blank=blank)

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
                done = _block(type(layer))(self, item, inp, out)
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
        if item.spec.save is not None:
            keep = self.variable(item.spec.save)
            self.body.append(Line(f"{keep} = ", done.var))
            self.scopes[-1][item.spec.save] = (keep, row.shape)
        return done

    def _layer(self, item: Item, inp: str, out: str) -> Out:
        kind = type(item.row.layer)
        if kind in REFUSED:
            raise item.refusal(REFUSED[kind])
        steps = _emitter(kind)(item, self)
        modules = self._place(item, [step for step in steps if isinstance(step, Mod)])
        current = Out(inp)
        for step in steps:
            if isinstance(step, Mod):
                current = self._call(modules[step.suffix], current.var, out)
            else:
                self.body += [Line(f"# {line}", None) for line in _comments(step.why)]
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
                self.init += [Line(f"# {line}", None) for line in _comments(mod.why)]
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


def _comments(texts: Sequence[str]) -> list[str]:
    """Comment lines in a method's body, each paragraph wrapped to the line; a line that a
    name made into a formatter's directive (`fmt: off`) gets a full stop, which it is not."""
    lines = [line for text in texts for line in wrap(comment(text), WIDTH - 2 * len(INDENT) - 2)]
    return [line + "." if _DIRECTIVE.fullmatch(line) else line for line in lines]


_DIRECTIVE = re.compile(r"\s*(fmt|yapf|isort)\s*:\s*\w+\s*", re.IGNORECASE)


def _probe(row: Row, kind: str, module: str, call: int) -> Probe:
    return Probe(row.path, row.name, torch_order(row.shape), kind, module, call)


def _emitter(kind: type[Layer]) -> Emitter:
    for base in kind.__mro__:
        if base in EMITTERS:
            return EMITTERS[base]
    raise AssertionError(f"no emitter for {kind.__name__}: tests/test_export.py checks")


def _block(kind: type[model.Block]) -> Block:
    for base in kind.__mro__:
        if base in BLOCKS:
            return BLOCKS[base]
    raise AssertionError(f"no forward for {kind.__name__}: tests/test_export.py checks")
