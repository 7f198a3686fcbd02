"""The Keras code of each kind of block, written out step by step: `BLOCKS`, one per
block type of `cnncalc.model`, each (writer, item, input, output) -> `Out`.

A block's layers are the writer's rows, in the variables it is given; a
block adds the Keras layer that joins them, named after the block's row: the
Add of a residual, the Concatenate of a concat's or a split's branches (a
split's parts are `Channels` layers, defined in the exported module), the
Multiply of a gate. A side head's output is kept for the model's outputs.
Every block is preceded by a comment naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cnncalc import model
from cnncalc.export.rows import Item
from cnncalc.export.source import Call, Seq

if TYPE_CHECKING:
    from cnncalc.export.keras_writer import Out, Writer

Block = Callable[["Writer", Item, "Out", str], "Out"]


def _sequential(writer: Writer, item: Item, inp: Out, out: str) -> Out:
    writer.heading(item, "")
    (layers,) = item.children()
    return writer.rows(layers, inp, out)


def _residual(writer: Writer, item: Item, inp: Out, out: str) -> Out:
    block = item.row.layer
    assert isinstance(block, model.Residual)
    if not block.add:
        writer.heading(item, "its layers alone, without the sum")
        (layers,) = item.children()
        return writer.rows(layers, inp, out)
    lists = item.children()
    what = "plus the shortcut's output" if len(lists) > 1 else "plus the block's input"
    writer.heading(item, f"the layers' output {what}")
    name = writer.own(item.row)
    shortcut = inp
    if inp.var == out:  # the layers reassign it: the block's input kept, as Keras writes it
        shortcut = writer.assign(writer.variable("shortcut"), inp)
    main = writer.rows(lists[0], inp, out)
    if len(lists) > 1:
        target = shortcut.var if shortcut.var != inp.var else writer.variable("shortcut")
        shortcut = writer.rows(lists[1], shortcut, target)
    done = writer.apply(name, Call("layers.Add"), Seq((shortcut.var, main.var), "[]"), out)
    writer.release(*{shortcut.var} - {inp.var})
    return done


def _branches(writer: Writer, item: Item, inp: Out, out: str) -> Out:
    """A concat's or a split's branches, each into its own variable, then joined."""
    block = item.row.layer
    lists = item.children()
    name = writer.own(item.row)
    if isinstance(block, model.Split):
        writer.heading(item, "the channels split among the branches, their outputs joined")
        channels = item.row.input_shape[-1]
        given = block.sizes or (channels // len(lists),) * len(lists)
        writer.helper("Channels")
        starts, stop = [], 0
        for number, size in enumerate(given, 1):
            part = writer.variable(f"part{number}")
            built = Call("Channels", (str(stop), str(stop + size)))
            starts.append(
                writer.apply(writer.next_to(name, f"_part{number}"), built, inp.var, part)
            )
            stop += size
    else:
        writer.heading(item, "the branches joined along the channels")
        starts = [inp] * len(lists)
    results, made = [], []
    for number, (layers, start) in enumerate(zip(lists, starts, strict=True), 1):
        branch = writer.variable(f"branch{number}") if layers else start.var
        made.append(branch)
        results.append(writer.rows(layers, start, branch).var)
    done = writer.apply(name, Call("layers.Concatenate"), Seq(tuple(results), "[]"), out)
    writer.release(*{*(start.var for start in starts), *made} - {inp.var, out})
    return done


def _multiply(writer: Writer, item: Item, inp: Out, out: str) -> Out:
    writer.heading(item, "a gate multiplied into the block's input")
    (layers,) = item.children()
    name = writer.own(item.row)
    made = writer.variable("gate")
    gate = writer.rows(layers, inp, made)
    # A gate of fewer axes (a vector) is broadcast from the last axis, as NumPy does:
    # Keras's Multiply inserts the axes it lacks after the batch's.
    done = writer.apply(name, Call("layers.Multiply"), Seq((inp.var, gate.var), "[]"), out)
    writer.release(made)
    return done


def _side(writer: Writer, item: Item, inp: Out, out: str) -> Out:
    writer.heading(item, "a side head, one of the model's outputs; the next layer takes its input")
    (layers,) = item.children()
    made = writer.variable("head")
    head = writer.rows(layers, inp, made)
    if head.var == inp.var:  # no layer of its own: the input as it is here, kept
        head = writer.assign(made, inp)
    writer.heads.append(head)
    return head


BLOCKS: dict[type[model.Block], Block] = {
    model.Sequential: _sequential,
    model.Deferred: _sequential,
    model.Residual: _residual,
    model.Concat: _branches,
    model.Split: _branches,
    model.Multiply: _multiply,
    model.Side: _side,
}
