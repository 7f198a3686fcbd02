"""The `forward` of each kind of block, written out step by step: `BLOCKS`, one per
block type of `cnncalc.model`, each (writer, item, input, output) -> `Out`.

A block's layers are the writer's rows, in the variables it is given; a
block adds what joins them: the sum of a residual, the concatenation of a
concat's or a split's branches, the product of a multiply, a side head's
output kept for `return`. Every block is preceded by a comment naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cnncalc import model
from cnncalc.export.pytorch_layers import broadcast
from cnncalc.export.rows import Item
from cnncalc.export.source import Call, Kw, Seq

if TYPE_CHECKING:
    from cnncalc.export.pytorch_writer import Out, Writer

Block = Callable[["Writer", Item, str, str], "Out"]


def _sequential(writer: Writer, item: Item, inp: str, out: str) -> Out:
    writer.heading(item, "")
    (layers,) = item.children()
    return writer.rows(layers, inp, out)


def _residual(writer: Writer, item: Item, inp: str, out: str) -> Out:
    block = item.row.layer
    assert isinstance(block, model.Residual)
    if not block.add:
        writer.heading(item, "its layers alone, without the sum")
        (layers,) = item.children()
        return writer.rows(layers, inp, out)
    lists = item.children()
    what = "plus the shortcut's output" if len(lists) > 1 else "plus the block's input"
    writer.heading(item, f"the layers' output {what}")
    identity = inp
    if inp == out:
        identity = writer.variable("identity")
        writer.assign(identity, inp)
    main = writer.rows(lists[0], inp, out)
    other = identity
    if len(lists) > 1:  # into `identity`, as torchvision writes it, unless that is the input
        shortcut = identity if identity != inp else writer.variable("shortcut")
        other = writer.rows(lists[1], identity, shortcut).var
    writer.assign(out, f"{main.var} + {other}")
    writer.release(*{identity, other} - {inp})
    return writer.out(out)


def _branches(writer: Writer, item: Item, inp: str, out: str) -> Out:
    """A concat's or a split's branches, each into its own variable, then joined."""
    block = item.row.layer
    lists = item.children()
    if isinstance(block, model.Split):
        writer.heading(item, "the channels split among the branches, their outputs joined")
        channels = item.row.input_shape[-1]
        given = block.sizes or (channels // len(lists),) * len(lists)
        parts = [writer.variable(f"part{number}") for number in range(1, len(lists) + 1)]
        split = Call(f"{inp}.split", (Seq(tuple(map(str, given)), "[]"), Kw("dim", "1")))
        writer.assign(", ".join(parts), split)
        starts = parts
    else:
        writer.heading(item, "the branches joined along the channels")
        starts = [inp] * len(lists)
    results, made = [], []
    for number, (layers, start) in enumerate(zip(lists, starts, strict=True), 1):
        branch = writer.variable(f"branch{number}") if layers else start
        made.append(branch)
        results.append(writer.rows(layers, start, branch).var)
    writer.assign(out, Call("torch.cat", (Seq(tuple(results), "[]"), Kw("dim", "1"))))
    writer.release(*{*starts, *made} - {inp, out})
    return writer.out(out)


def _multiply(writer: Writer, item: Item, inp: str, out: str) -> Out:
    writer.heading(item, "a gate multiplied into the block's input")
    (layers,) = item.children()
    made = writer.variable("gate")
    gate = writer.rows(layers, inp, made).var
    shape = item.row.branches[0].shape
    writer.assign(out, f"{inp} * {broadcast(gate, shape, len(item.row.shape))}")
    writer.release(made)
    return writer.out(out)


def _side(writer: Writer, item: Item, inp: str, out: str) -> Out:
    writer.heading(item, "a side head, returned with the output; the next layer takes its input")
    (layers,) = item.children()
    made = writer.variable("head")
    head = writer.rows(layers, inp, made)
    if head.var == inp:  # no layer of its own: the input as it is here, kept
        writer.assign(made, inp)
        head = writer.out(made)
    writer.heads.append(head.var)
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
