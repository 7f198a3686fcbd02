"""The PyTorch target: a network as one Python module that imports only torch.

The module holds an `nn.Module` subclass named after the spec, `build()`, and
`INPUT_SHAPE`, the input without its batch axis in PyTorch's order ((C, L),
(C, H, W) or (C, D, H, W)). `pytorch_writer` writes the bodies of `__init__`
and `forward`, the layers' emitters are `pytorch_layers.EMITTERS` and the
blocks' `pytorch_blocks.BLOCKS`; this module puts them together with a
docstring that says how the rows became modules, and `pytorch_checks` writes a
pytest file that checks the module against cnncalc's figures.
"""

from __future__ import annotations

from cnncalc import __version__
from cnncalc.errors import counted
from cnncalc.export import Exported, Probe
from cnncalc.export.body import written
from cnncalc.export.pytorch_blocks import BLOCKS
from cnncalc.export.pytorch_checks import checks
from cnncalc.export.pytorch_layers import EMITTERS, HELPERS, REFUSED
from cnncalc.export.pytorch_steps import torch_order
from cnncalc.export.pytorch_writer import Writer
from cnncalc.export.rows import items, outputs
from cnncalc.export.rows import title as network_title
from cnncalc.export.source import (
    INDENT,
    WIDTH,
    Seq,
    class_name,
    comment,
    docstring,
    paragraphs,
    statement,
    wrap,
)
from cnncalc.export.source import flat as flat_text
from cnncalc.model import Spec
from cnncalc.shapes import Shape
from cnncalc.summary import Summary

__all__ = ["BLOCKS", "EMITTERS", "REFUSED", "export"]

# What INPUT_SHAPE holds, by rank (0: a vector).
_AXES = {0: "(n,)", 1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def export(spec: Spec, summary: Summary) -> Exported:
    """The network as a PyTorch module's source, with the probes its test hooks."""
    writer = Writer()
    top = items(spec, summary)
    last = writer.rows(top, "x", "x")
    ends_in_a_head = bool(top) and not getattr(top[-1].row.layer, "continues", True)
    writer.finish(None if ends_in_a_head else last.var)
    title = network_title(spec)
    name = class_name(title)
    if name in HELPERS:
        name += "Network"
    source, starts = _module(spec, summary, writer, name)
    found = dict(writer.probes)
    for row, var, index in writer.watched:
        shape = torch_order(row.shape)
        found[row.path] = Probe(row.path, row.name, shape, "variable", var, starts[index])
    probes = tuple(found[row.path] for row in summary.flat())

    def test(model_path: str) -> str:
        return checks(summary, probes, model_path, title, _outputs(summary))

    return Exported(source, probes, test)


def _outputs(summary: Summary) -> list[Shape]:
    """The model's outputs, in PyTorch's order: each side head's, then the last row's."""
    shapes = [row.shape for row in outputs(summary)] or [summary.input_shape]
    return [torch_order(shape) for shape in shapes]


def _module(spec: Spec, summary: Summary, writer: Writer, name: str) -> tuple[str, list[int]]:
    """The module's source, and the line each statement of forward starts on."""
    lines = docstring(0, _about(spec, summary, writer, name))
    lines += ["", "import torch"]
    if writer.uses_functional:
        lines.append("import torch.nn.functional as F")
    lines += ["from torch import nn", ""]
    shape = torch_order(summary.input_shape)
    lines += statement(0, "INPUT_SHAPE = ", Seq(tuple(map(str, shape)), "()"), _axes(shape))
    for helper, text in HELPERS.items():
        if helper in writer.helpers:
            lines += ["", "", *text]
    many = len(_outputs(summary)) > 1
    returns = "tuple[torch.Tensor, ...]" if many else "torch.Tensor"
    what = wrap(f"{comment(spec.name or name)}: {_counts(summary)}", WIDTH - 2 * len(INDENT))
    lines += ["", "", f"class {name}(nn.Module):", *docstring(1, what), ""]
    lines += [f"{INDENT}def __init__(self) -> None:", f"{INDENT * 2}super().__init__()"]
    lines += written(writer.init, 2)[0]
    lines += ["", f"{INDENT}def forward(self, x: torch.Tensor) -> {returns}:"]
    forward, starts = written(writer.body, 2)
    starts = [len(lines) + 1 + start for start in starts]
    lines += forward
    lines += ["", "", f"def build() -> {name}:"]
    lines += docstring(1, [f"A new {name}, its layers initialised as PyTorch initialises them."])
    lines += [f"{INDENT}return {name}()"]
    return "\n".join(lines) + "\n", starts


def _axes(shape: Shape) -> str:
    return f"{_AXES.get(len(shape) - 1 if len(shape) > 1 else 0, '')}: the batch axis left out"


def _counts(summary: Summary) -> str:
    text = counted(summary.params, "trainable parameter")
    if summary.buffers:
        text += f" and {summary.buffers:,} running statistics of its batch norms"
    return text + ", as cnncalc counts them."


def _naming(writer: Writer) -> str:
    text = "Each module is named after the row of cnncalc's table it computes"
    if writer.nested is not None:
        row, reached = writer.nested
        text += (
            f", a name with dots nested in nn.ModuleDict containers: the row {comment(row)} is "
            f"{reached}, so that named_modules() lists each container and module by the "
            "table's names"
        )
    return text + (
        ". A name PyTorch cannot register as it is gets a trailing _ (forward_), and a "
        "second layer of the same name _2, unless it holds no values and is built alike: "
        "then the two rows share one module."
    )


def _about(spec: Spec, summary: Summary, writer: Writer, name: str) -> list[str]:
    """The module's docstring: what it is, how its modules are named, what to mind."""
    title = comment(spec.name or name)
    source = f" from {comment(spec.source)}" if spec.source else ""
    shape = torch_order(summary.input_shape)
    ends = _outputs(summary)
    outputs = " and ".join(flat_text(Seq(tuple(map(str, out)), "()")) for out in ends)
    texts = [
        f"{title}, in PyTorch: written by cnncalc {__version__}{source}.",
        f"`build()` builds the model, a new `{name}`: it takes a batch of inputs of INPUT_SHAPE "
        f"{flat_text(Seq(tuple(map(str, shape)), '()'))}, channels first as PyTorch holds "
        f"them, and gives {outputs} for each"
        + (", in a tuple: each side head's output, then the network's" if len(ends) > 1 else "")
        + ". Its parameters() hold the "
        f"{counted(summary.params, 'trainable parameter')} cnncalc counts"
        + (
            f"; its batch norms' running_mean and running_var buffers the {summary.buffers:,} "
            "non-trainable values."
            if summary.buffers
            else "."
        ),
        _naming(writer),
    ]
    if writer.renamed:
        listed = "; ".join(
            f"'{comment(row.name)}' (row {row.path}) is {comment(given)}"
            for row, given in writer.renamed
        )
        texts.append(f"Renamed here: {listed}.")
    if writer.padded:
        texts.append(
            "Modules named ..._pad and ..._crop pad or crop what PyTorch's layer cannot do "
            "itself (padding that differs between the two ends of an axis); a comment at "
            f"each says why ({len(writer.padded)} of them, the first {writer.padded[0]})."
        )
    texts.append(
        "cnncalc writes shapes channels last; PyTorch holds them channels first, and the "
        "comments in forward give each row's shape so, without the batch axis. Counts and "
        "shapes are the same in either order."
        + (
            " But a flatten takes a volume's values in PyTorch's order, channels first, "
            "where Keras takes them channels last: weights copied from a Keras model into "
            "the layer after a flatten need their rows permuted."
            if writer.flattened
            else ""
        )
    )
    return paragraphs(texts)
