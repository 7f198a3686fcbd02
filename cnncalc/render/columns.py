"""The table's columns: one record each, shared by every format.

A column says how to compute its raw figure for a line of the table (an int,
a size per axis, a share, a word), how a person reads it, and what its Total
row holds. The table prints `text`; CSV and JSON write the raw figure itself,
so no machine reads a number back from display text. A new column is one
entry in `COLUMNS`: the table, CSV, JSON and `--columns`' help all follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cnncalc.geometry import Field, Sides, Sizes, Window
from cnncalc.render import numbers
from cnncalc.render.numbers import Share, nbytes, percent
from cnncalc.shapes import Shape, by, in_layout, padding_text, shape_text, size_of

if TYPE_CHECKING:
    from typing import Protocol

    from cnncalc.summary import Summary

    class Figures(Protocol):
        """What a column reads: a row of the engine's summary, or the input's `Line`."""

        @property
        def shape(self) -> Shape: ...
        @property
        def weights(self) -> int: ...
        @property
        def biases(self) -> int: ...
        @property
        def buffers(self) -> int: ...
        @property
        def macs(self) -> int: ...
        @property
        def window(self) -> Window | None: ...
        @property
        def padding(self) -> Sides | None: ...
        @property
        def field(self) -> Field | None: ...
        @property
        def lost(self) -> str: ...
        @property
        def kind(self) -> str: ...
        @property
        def input_shape(self) -> Shape: ...
        @property
        def params(self) -> int: ...


DEFAULT_COLUMNS = ("shape", "size", "params")  # the course's table
DTYPES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}  # bytes a value


class View(NamedTuple):
    """How a summary is shown: its columns, and the units of shapes and memory."""

    columns: tuple[str, ...] = DEFAULT_COLUMNS
    dtype: str = "float32"
    batch: int | None = None  # the course's m; shapes then show it first
    layout: str = "hwc"  # or "chw", as PyTorch writes shapes
    depth: int | None = None  # rows inside blocks deeper than this are folded away
    total: int = 0  # the network's trainable parameters: each row's share is of these
    folded: bool = False  # the depth was chosen to keep a large table readable

    def dims(self, shape: Shape) -> list[int]:
        """A shape in this view's layout, with the batch first when there is one."""
        dims = list(in_layout(shape, self.layout))
        return [self.batch, *dims] if self.batch else dims

    def shape(self, shape: Shape) -> str:
        """(28, 28, 8) as the course writes it; a vector as the column (120, 1)."""
        if self.batch:
            return "(" + ", ".join(str(n) for n in self.dims(shape)) + ")"
        return shape_text(shape, self.layout)

    @property
    def copies(self) -> int:
        return self.batch or 1

    @property
    def per_value(self) -> int:
        return DTYPES[self.dtype]


class Line(NamedTuple):
    """The input's line of the table, as the columns read it."""

    shape: Shape
    weights: int = 0
    biases: int = 0
    buffers: int = 0
    macs: int = 0
    window: Window | None = None
    padding: Sides | None = None
    field: Field | None = None
    lost: str = "all"  # shown for the field when there is none
    kind: str = "input"
    input_shape: Shape = ()  # the input has none of its own

    @property
    def params(self) -> int:
        return self.weights + self.biases


Figure = Callable[["Figures", View], Any]
Text = Callable[[Any, View], str]


class Column(NamedTuple):
    """One column of the table."""

    key: str  # as --columns names it; the CSV header and the JSON key
    header: str
    value: Figure  # the raw figure
    text: Text  # the figure for a person
    total: Callable[[Summary], Any] | None = None  # the Total row's figure; None: blank
    numeric: bool = True  # right-aligned
    help: str = ""  # a word for --columns' help when the key is not enough
    csv: Text = lambda value, view: numbers.raw(value)
    # The figure as a JSON value; None: it is one already (a whole number).
    json: Callable[[Any, View], Any] | None = None


def _count(number: int, view: View) -> str:
    return f"{number:,}"


def _sizes(sizes: Sequence[int] | None, view: View) -> str:
    return "" if sizes is None else by(sizes)


def _field(part: int) -> Figure:
    """rf, jump or start: a size per axis, or why there is none ("all", "n/a")."""
    return lambda line, view: line.lost if line.field is None else line.field[part]


def _field_text(value: Any, view: View) -> str:
    return value if isinstance(value, str) else by(value)


def _field_json(value: Any, view: View) -> Any:
    return None if isinstance(value, str) else list(value)  # JSON says why in rf_lost


def _shape(shape: Shape, view: View) -> str:
    """As the table writes it, (28, 28, 8): for a person and in CSV alike."""
    return view.shape(shape)


def _input_shape(shape: Shape, view: View) -> str:
    """The layer's input shape, as `_shape`; blank for the input's own line."""
    return view.shape(shape) if shape else ""


def _share(line: Figures, view: View) -> Share | None:
    return Share(line.params, view.total) if view.total else None


def _list(sizes: Sizes | None, view: View) -> list[int] | None:
    return None if sizes is None else list(sizes)


def _flat(sides: Sides | None, view: View) -> list[int] | None:
    return None if sides is None else [n for side in sides for n in side]


def _share_json(share: Share | None, view: View) -> float | None:
    """JSON's percentage: four decimals (a float, as the contract has it; not a count)."""
    return None if share is None else round(100 * share.part / share.whole, 4)


def _column(key: str, header: str, value: Figure, text: Text = _count, **more: Any) -> Column:
    return Column(key, header, value, text, **more)


COLUMNS: dict[str, Column] = {
    column.key: column
    for column in (
        _column("type", "Type", lambda line, view: line.kind, lambda kind, view: kind,
                numeric=False),
        _column("input", "Input shape", lambda line, view: line.input_shape, _input_shape,
                numeric=False, csv=_input_shape,
                json=lambda shape, view: view.dims(shape) if shape else None),
        _column("shape", "Activation shape", lambda line, view: line.shape, _shape,
                numeric=False, csv=_shape, json=lambda shape, view: view.dims(shape)),
        _column("size", "Activation size", lambda line, view: size_of(line.shape) * view.copies),
        _column("params", "# parameters", lambda line, view: line.params,
                total=lambda summary: summary.params, help="trainable"),
        _column("weights", "Weights", lambda line, view: line.weights,
                total=lambda summary: summary.weights),
        _column("biases", "Biases", lambda line, view: line.biases,
                total=lambda summary: summary.biases),
        _column("nontrainable", "Non-trainable", lambda line, view: line.buffers,
                total=lambda summary: summary.buffers),
        _column("macs", "MACs", lambda line, view: line.macs,
                total=lambda summary: summary.macs),
        _column("flops", "FLOPs", lambda line, view: 2 * line.macs,
                total=lambda summary: summary.flops),
        _column("memory", "Memory",
                lambda line, view: size_of(line.shape) * view.copies * view.per_value,
                lambda number, view: nbytes(number)),
        _column("rf", "Receptive field", _field(0), _field_text, json=_field_json,
                help="receptive field"),
        _column("jump", "Jump", _field(1), _field_text, json=_field_json),
        _column("start", "Start", _field(2), _field_text, json=_field_json),
        _column("kernel", "Kernel", lambda line, view: line.window and line.window.kernel,
                _sizes, json=_list),
        _column("stride", "Stride", lambda line, view: line.window and line.window.stride,
                _sizes, json=_list),
        _column("padding", "Padding", lambda line, view: line.padding,
                lambda sides, view: "" if sides is None else padding_text(sides), json=_flat),
        _column("percent", "% of parameters", _share,
                lambda share, view: "–" if share is None else percent(share),
                total=lambda summary: Share(1, 1) if summary.params else None,
                json=_share_json),
    )
}  # fmt: skip


def columns_help() -> str:
    """The columns for --columns' help: shape, size, params (trainable), …"""
    return ", ".join(
        column.key + (f" ({column.help})" if column.help else "") for column in COLUMNS.values()
    )
