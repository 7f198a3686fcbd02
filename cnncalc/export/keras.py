"""The Keras target: a network as one Python module that imports only keras.

The module holds `build()`, which builds a functional `keras.Model`, and
`INPUT_SHAPE`, the input without its batch axis in Keras's order, channels
last ((L, C), (H, W, C) or (D, H, W, C)), as cnncalc's own. `keras_writer`
writes the body of `build()`, the layers' emitters are `keras_layers.EMITTERS`
and the blocks' `keras_blocks.BLOCKS`; this module puts them together with a
docstring that says how the rows became layers, and `keras_checks` writes a
pytest file that checks the module against cnncalc's figures. The module
chooses no backend: Keras's KERAS_BACKEND does.
"""

from __future__ import annotations

from cnncalc import __version__
from cnncalc.errors import counted
from cnncalc.export import Exported
from cnncalc.export.body import written
from cnncalc.export.keras_blocks import BLOCKS
from cnncalc.export.keras_checks import checks
from cnncalc.export.keras_layers import EMITTERS, HELPERS, REFUSED
from cnncalc.export.keras_writer import Writer
from cnncalc.export.rows import items, outputs
from cnncalc.export.rows import title as network_title
from cnncalc.export.source import (
    INDENT,
    WIDTH,
    Kw,
    Seq,
    class_name,
    comment,
    docstring,
    flat,
    literal,
    paragraphs,
    statement,
    wrap,
)
from cnncalc.model import Spec
from cnncalc.shapes import Shape
from cnncalc.summary import Summary

__all__ = ["BLOCKS", "EMITTERS", "REFUSED", "export"]

# What INPUT_SHAPE holds, by rank (0: a vector).
_AXES = {0: "(n,)", 1: "(L, C)", 2: "(H, W, C)", 3: "(D, H, W, C)"}


def export(spec: Spec, summary: Summary) -> Exported:
    """The network as a Keras module's source, with the probes its test reads."""
    writer = Writer(row.name for row in summary.flat())
    top = items(spec, summary)
    last = writer.rows(top, writer.start(), "x")
    ends_in_a_head = bool(top) and not getattr(top[-1].row.layer, "continues", True)
    title = network_title(spec)
    name = class_name(title)
    writer.finish(None if ends_in_a_head else last, name)
    source = _module(spec, summary, writer, name)
    probes = tuple(writer.probes[row.path] for row in summary.flat())
    shapes = _outputs(summary)

    def test(model_path: str) -> str:
        return checks(summary, probes, model_path, title, shapes)

    return Exported(source, probes, test)


def _outputs(summary: Summary) -> list[Shape]:
    """The model's outputs: each side head's, then the last row's."""
    return [row.shape for row in outputs(summary)] or [summary.input_shape]


def _module(spec: Spec, summary: Summary, writer: Writer, name: str) -> str:
    lines = docstring(0, _about(spec, summary, writer, name))
    lines += ["", "import keras"]
    lines.append(
        "from keras import layers" + (", ops" if "MaxPoolPadding" in writer.helpers else "")
    )
    lines.append("")
    shape = summary.input_shape
    lines += statement(0, "INPUT_SHAPE = ", Seq(tuple(map(str, shape)), "()"), _axes(shape))
    for helper, text in HELPERS.items():
        if helper in writer.helpers:
            lines += ["", "", *text]
    what = (
        f"A new keras.Model of {comment(spec.name or name)}, its layers initialised as Keras "
        f"initialises them: {_counts(summary)}"
    )
    lines += ["", "", "def build() -> keras.Model:"]
    lines += docstring(1, wrap(what, WIDTH - 2 * len(INDENT)))
    lines += written(writer.body, 1)[0]
    if writer.renamed:
        lines += ["", "", *(f"# {line}" for line in wrap(_RENAMED, WIDTH - 2))]
        renamed = (Kw(literal(given), literal(row.name), ": ") for row, given in writer.renamed)
        lines += statement(0, "ROW_NAMES = ", Seq(tuple(renamed), "{}"))
    return "\n".join(lines) + "\n"


_RENAMED = (
    "The name of the row of cnncalc's table each layer computes, where the layer's is not "
    "the row's: Keras takes only letters, digits, _ and - on every backend, and each name once."
)


def _axes(shape: Shape) -> str:
    return f"{_AXES.get(len(shape) - 1 if len(shape) > 1 else 0, '')}: the batch axis left out"


def _counts(summary: Summary) -> str:
    text = counted(summary.params, "trainable parameter")
    if summary.buffers:
        text += (
            f" and {summary.buffers:,} non-trainable values (its batch norms' moving means "
            "and variances)"
        )
    return text + ", as cnncalc counts them."


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _about(spec: Spec, summary: Summary, writer: Writer, name: str) -> list[str]:
    """The module's docstring: what it is, how its layers are named, what to mind."""
    title = comment(spec.name or name)
    source = f" from {comment(spec.source)}" if spec.source else ""
    ends = _outputs(summary)
    given = " and ".join(flat(Seq(tuple(map(str, out)), "()")) for out in ends)
    counts = (
        f"Its trainable weights hold the {counted(summary.params, 'trainable parameter')} "
        "cnncalc counts"
    )
    if summary.buffers:
        total = summary.params + summary.buffers
        counts += (
            f" and its batch norms' moving_mean and moving_variance the {summary.buffers:,} "
            f"non-trainable values: count_params() is {total:,}."
        )
    else:
        counts += ", as count_params() does."
    shape = flat(Seq(tuple(map(str, summary.input_shape)), "()"))
    texts = [
        f"{title}, in Keras: written by cnncalc {__version__}{source}.",
        f"`build()` builds the model, a new functional keras.Model named {name}: it takes a "
        f"batch of inputs of INPUT_SHAPE {shape}, channels last as Keras holds them, and "
        f"gives {given} for each"
        + (", in a list: each side head's output, then the network's" if len(ends) > 1 else "")
        + ". "
        + counts,
        "Each layer is named after the row of cnncalc's table it computes, and a block's row "
        "names the layer that joins its layers (a residual's Add, a Concatenate, a Multiply). "
        "Keras takes a name once, and on every backend only of letters, digits, _ and -: "
        "each run of other characters is written _ (layer1.0.conv1 is layer1_0_conv1), and "
        "a second layer of the same name gets _2"
        + (
            f"; ROW_NAMES, at the end, gives the row's name of each layer so renamed "
            f"({len(writer.renamed)} of them)."
            if writer.renamed
            else "."
        ),
    ]
    if writer.beside:
        suffixes = ", ".join(writer.suffixes)
        texts.append(
            "A layer named after a row with a suffix does a part of the row's work that its "
            f"own Keras layer does not, with a comment where it is not plain: here {suffixes} "
            f"({len(writer.beside):,} of them, the first {comment(writer.beside[0])})."
        )
    if writer.made_same:
        texts.append(
            'A padding the spec gives as numbers is written padding="same" where it is what '
            "TensorFlow's 'same' rule pads for this input."
        )
    if writer.newest is not None:
        (major, minor), what = writer.newest
        texts.append(f"It needs Keras {major}.{minor} or later, for {what}.")
    defined = [helper for helper in HELPERS if helper in writer.helpers]
    if defined:
        what = "are layers" if len(defined) > 1 else "is a layer"
        texts.append(
            f"{_listed(defined)}, defined here, {what} Keras lacks, registered so that a "
            "saved model loads where this module has been imported."
        )
    texts.append(
        "Shapes are channels last, as in cnncalc's table and as Keras holds them; the "
        "comments in build() give each row's shape without the batch axis."
    )
    return paragraphs(texts)
