"""The body of the exported `build()`, written a row at a time in Keras's functional API.

Each row with a layer applies one Keras layer named after it (`keras_names`),
the helpers it needs named beside it; a block is written out by its entry in
`keras_blocks.BLOCKS`, the layer that joins its lists (a residual's Add, a
concat's Concatenate) named after the block's row. Each row's shape is written
beside its last statement, channels last as Keras holds it.

While it writes, the writer notes which layer gives each row's output (a
block's without a join of its own: its last layer's), so that the exported
test reads `model.get_layer(name).output` for every row (`Probe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from cnncalc import model
from cnncalc.export import Probe
from cnncalc.export.body import Body, Line
from cnncalc.export.keras_blocks import BLOCKS
from cnncalc.export.keras_layers import EMITTERS, HELPERS, REFUSED
from cnncalc.export.keras_names import Names
from cnncalc.export.rows import Item, handler
from cnncalc.export.source import Call, Expr, Kw, Seq, literal
from cnncalc.summary import Row


class Out(NamedTuple):
    """A tensor in build(): the variable that holds it, and the Keras layer that gives it."""

    var: str
    layer: str


class Writer(Body):
    """The lines of build(), written a row at a time."""

    def __init__(self, rows: Iterable[str]) -> None:
        taken = {"keras", "layers", "ops", "inputs", "x", "INPUT_SHAPE", "build", *HELPERS}
        super().__init__(taken, depth=1, kept=("x", "inputs"))
        self.names = Names(rows)
        self.input = self.names.beside("input")
        self.helpers: set[str] = set()
        self.probes: dict[str, Probe] = {}
        self.renamed: list[tuple[Row, str]] = []
        self.beside: list[str] = []  # the helper layers, by name
        self.suffixes: dict[str, None] = {}  # their suffixes, in order, without a number
        self.heads: list[Out] = []
        self.made_same = False  # a padding the spec gives as numbers, written "same"
        # The newest Keras release whose layers the module uses, and what came in it.
        self.newest: tuple[tuple[int, int], str] | None = None
        self.temporaries: list[str] = []

    # --- what emitters ask for (keras_steps.Context; `saved` is Body's) ---

    def helper(self, name: str) -> None:
        self.helpers.add(name)

    def temporary(self, base: str) -> str:
        variable = self.variable(base)
        self.temporaries.append(variable)
        return variable

    def same(self) -> None:
        self.made_same = True

    def needs(self, version: tuple[int, int], what: str) -> None:
        if self.newest is None or version > self.newest[0]:
            self.newest = (version, what)

    # --- build() ---

    def start(self) -> Out:
        """`inputs = keras.Input(…)`: the model's input."""
        built = Call("keras.Input", (Kw("shape", "INPUT_SHAPE"), Kw("name", literal(self.input))))
        self.body.append(Line("inputs = ", built))
        return Out("inputs", self.input)

    def own(self, row: Row) -> str:
        """The name of the row's own layer; a row Keras cannot name as it is, listed."""
        name = self.names.own(row.name)
        if name != row.name:
            self.renamed.append((row, name))
        return name

    def next_to(self, name: str, suffix: str) -> str:
        """The name of a helper layer of the layer `name`: `name` and the suffix."""
        given = self.names.beside(name + suffix)
        self.beside.append(given)
        self.suffixes[suffix.rstrip("0123456789")] = None
        return given

    def apply(self, name: str, built: Call, arg: Expr, target: str, why: Sequence[str] = ()) -> Out:
        """`target = built(…, name=name)(arg)`."""
        self.why(why)
        layer = Call(built.func, (*built.args, Kw("name", literal(name))))
        self.body.append(Line(f"{target} = ", Call(layer, (arg,))))
        return Out(target, name)

    def assign(self, var: str, value: Out) -> Out:
        """`var = value`: another name for a tensor."""
        self.body.append(Line(f"{var} = ", value.var))
        return Out(var, value.layer)

    def rows(self, layers: Sequence[Item], inp: Out, out: str) -> Out:
        """Rows one after another, from the tensor `inp` into the variable `out`."""
        current = inp
        for item in layers:
            done = self.row(item, current, out)
            if getattr(item.row.layer, "continues", True):
                current = done
        return current

    def row(self, item: Item, inp: Out, out: str) -> Out:
        """One row, its save, and the layer that gives its output."""
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
            self.body[-1] = last._replace(comment=str(row.shape))
        self.probes[row.path] = Probe(row.path, row.name, row.shape, "module", done.layer)
        self.keep(item, done.var)
        return done

    def _layer(self, item: Item, inp: Out, out: str) -> Out:
        kind = type(item.row.layer)
        if kind in REFUSED:
            raise item.refusal(REFUSED[kind])
        steps = handler(EMITTERS, kind)(item, self)
        own = self.own(item.row)
        current = inp
        for step in steps:
            name = self.next_to(own, step.suffix) if step.suffix else own
            source = current.var if step.source is None else step.source
            arg = source if step.takes is None else step.takes(source)
            done = self.apply(name, step.call, arg, step.into or out, step.why)
            if step.into is None:
                current = done
        self.release(*self.temporaries)
        self.temporaries.clear()
        return current

    def finish(self, last: Out | None, name: str) -> list[Out]:
        """The return statement: the model of the side heads' outputs, then `last`'s."""
        outputs = [*self.heads, *([last] if last is not None else [])]
        given: Expr = outputs[0].var
        if len(outputs) > 1:
            given = Seq(tuple(out.var for out in outputs), "[]")
        built = Call("keras.Model", ("inputs", given, Kw("name", literal(name))))
        self.body.append(Line("return ", built, blank=True))
        return outputs
