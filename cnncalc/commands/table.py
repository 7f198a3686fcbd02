"""`cnncalc table`: a spec's table; and the options that read a spec, which `explain` shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cnncalc.cli import CONTEXT, ValueType, completes, format_option, user_errors, warn

# Every command here renders its result, so importing its renderers up front costs nothing.
from cnncalc.render import table as table_formats
from cnncalc.render.columns import COLUMNS, DEFAULT_COLUMNS, DTYPES, columns_help

if TYPE_CHECKING:
    from cnncalc.limits import Storage

ALL = 0  # --depth all: every row


class DepthType(click.ParamType):  # type: ignore[type-arg]
    """How deep the table's rows go: a whole number from 1, or `all`."""

    name = "N|all"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "all":
            return ALL
        from cnncalc.spec.values import ValueProblem, positive_int

        try:
            return positive_int("depth", text)
        except ValueProblem:
            self.fail(f"depth must be a whole number from 1, or all; got {value!r}", param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem("all")] if "all".startswith(incomplete) else []


class ColumnsType(click.ParamType):  # type: ignore[type-arg]
    """A comma-separated list of table columns, or `all`."""

    name = "LIST"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from cnncalc.commands import completion

        return completion.listed(list(COLUMNS), incomplete, ("all",))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.errors import suggestion

        if isinstance(value, tuple):
            return value
        keys = [key.strip().lower() for key in str(value).split(",") if key.strip()]
        if keys == ["all"]:
            return tuple(COLUMNS)
        for key in keys:
            if key not in COLUMNS:
                hint = suggestion(key, list(COLUMNS), f"; the columns are {', '.join(COLUMNS)}")
                self.fail(f"unknown column {key!r}{hint}", param, ctx)
        if not keys:
            self.fail("name at least one column, e.g. shape,params,macs", param, ctx)
        return tuple(dict.fromkeys(keys))  # in the order given, once each


def layer_options(function: Any) -> Any:
    """SPEC or --input and layers, and --layout: what table and explain both read."""
    function = click.option(
        "--layout",
        type=click.Choice(["hwc", "chw"]),
        help="How shapes are written and --input is read: hwc (height, width, channels, "
        "the course's) or chw (PyTorch's). Default: the spec's layout, else hwc.",
    )(function)
    function = click.option(
        "--input",
        "-i",
        "input_shape",
        type=ValueType("axes.dims", "the input shape", "HxWxC", " (e.g. --input 32x32x3)"),
        help="Input shape, HxWxC (CxHxW with --layout chw); LxC for a 1-D signal, DxHxWxC for "
        "a 3-D volume; the arguments are then layers.",
    )(function)
    return click.argument(
        "arguments",
        nargs=-1,
        metavar="SPEC | --input HxWxC LAYER...",
        shell_complete=completes("spec_or_layer"),
    )(function)


@click.command(
    context_settings=CONTEXT,
    short_help="Each layer's shape, size and parameters: the course's table.",
)
@layer_options
@click.option(
    "--columns",
    type=ColumnsType(),
    default=",".join(DEFAULT_COLUMNS),
    show_default=True,
    help=f"Columns after the layer's, comma-separated, or 'all': {columns_help()}.",
)
@click.option(
    "--depth",
    type=DepthType(),
    metavar="N|all",
    help="Show rows down to N levels deep: 1 folds every block into one row, which "
    f"still sums its layers. Default: every row, but for a table of more than "
    f"{table_formats.ROWS} rows on the terminal, Markdown or plain, the deepest depth "
    "that keeps to it (a line under the table says so); all: every row.",
)
@click.option(
    "--dtype",
    type=click.Choice(list(DTYPES)),
    default="float32",
    show_default=True,
    help="Data type, for the memory column and totals.",
)
@click.option(
    "--batch",
    type=ValueType("batch", "the batch size", "M"),
    help="Batch size m: activations and their memory are for M inputs (parameters are "
    "not); shapes show M first.",
)
@format_option(
    table_formats.FORMATS,
    "text is a table, drawn with rich on a colour terminal and plain otherwise (or with "
    "NO_COLOR); plain forces the plain table; json has every figure of every layer, "
    "whatever the columns. rich is another name for text.",
)
def table(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    columns: tuple[str, ...],
    depth: int | None,
    dtype: str,
    batch: int | None,
    format_: str,
) -> None:
    """Print each layer's activation shape, activation size and parameters.

    SPEC is a spec file or the name of a bundled spec (see `cnncalc list`):

    \b
        cnncalc table lenet5

    Or give the input shape and the layers in shorthand, TYPE:ARGS, the
    arguments in Keras's order or as key=value:

    \b
        cnncalc table --input 32x32x3 conv:8,5 maxpool:2 conv:16,5 \\
            maxpool:2 fc:120 fc:84 softmax:10

    `cnncalc list --layers` lists the layer types and their keys. SPEC may be
    - to read the spec from standard input. MACs are
    multiply-accumulates as torchvision counts them; FLOPs are twice the MACs;
    memory is in decimal units (1 KB = 1,000 bytes). Bad data exits 1, bad
    usage 2; warnings go to standard error.
    """
    from cnncalc.limits import Storage

    _refuse_unused(click.get_current_context(), columns, format_)
    # Memory is held to 10^18 as it will be printed: in this dtype, for this batch.
    storage = Storage(dtype, DTYPES[dtype], batch or 1)
    spec, summary = analyzed(arguments, input_shape, layout, storage)
    folded = False
    if depth is None and format_ in table_formats.FOR_PEOPLE:
        depth = table_formats.fitting_depth(summary)
        folded = depth is not None
    view = table_formats.View(
        columns, dtype, batch, layout or spec.layout, depth if depth != ALL else None, folded=folded
    )
    table_formats.FORMATS[format_](summary, view, None)


def _refuse_unused(ctx: click.Context, columns: tuple[str, ...], format_: str) -> None:
    """An option the user gave that would change nothing is refused, not ignored."""
    from click.core import ParameterSource

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)

    if format_ == "json" and given("columns"):
        raise click.UsageError(
            "--columns chooses the columns of a table; --format json has every figure of "
            "every layer, so leave --columns out"
        )
    if given("dtype") and format_ != "json" and "memory" not in columns:
        raise click.UsageError(
            "--dtype sets the bytes a value of the memory column, which this table does not "
            "show; add it (--columns " + ",".join([*columns, "memory"]) + ") or leave --dtype out"
        )


def analyzed(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    storage: Storage | None = None,
) -> tuple[Any, Any]:
    """The spec the arguments name and its summary; its warnings go to standard error.
    `storage` is what memory is held to 10^18 in; None: float32, one input."""
    from cnncalc import engine

    with user_errors():
        spec = _read_spec(arguments, input_shape, layout)
        summary = engine.analyze(spec, storage)
    for warning in table_formats.table_warnings(summary):
        warn(warning)
    return spec, summary


def _read_spec(
    arguments: tuple[str, ...], input_shape: tuple[int, ...] | None, layout: str | None
) -> Any:
    from cnncalc import bundled, spec

    if input_shape is not None:
        if not arguments:
            raise click.UsageError("--input needs layers after it, e.g. conv:8,5 maxpool:2 fc:10")
        return spec.from_arguments(input_shape, arguments, layout=layout or "hwc")
    if not arguments:
        raise click.UsageError("give a SPEC (a file or a bundled name), or --input and layers")
    if len(arguments) > 1:
        raise click.UsageError(
            f"got {len(arguments)} arguments but no --input; give one SPEC, "
            "or --input HxWxC followed by the layers"
        )
    path, display = bundled.resolve(arguments[0])
    shadowed = bundled.shadowed(arguments[0])
    if shadowed is not None:
        from cnncalc.errors import Diagnostic

        warn(Diagnostic(shadowed, severity="note"))
    return spec.load(path, display)
