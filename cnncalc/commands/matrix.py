"""`cnncalc conv` and `cnncalc pool`: the reference convolver on the command line."""

from __future__ import annotations

from typing import Any, NamedTuple

import click

from cnncalc.cli import CONTEXT, ValueType, completes, format_option, user_errors
from cnncalc.commands.arguments import valued_options
from cnncalc.errors import SpecError
from cnncalc.render.matrix import FORMATS


class MatrixCommand(click.Command):
    """A command whose matrix arguments may start with a minus sign: "-1 0 1; -2 0 2".

    click would take such an argument for an option. Each one that is not the
    value of an option gets a leading space for the parse (click leaves those
    alone) and is restored afterwards, so it works before or after the options
    without `--`, while a real unknown option (`-x`, `--nope`) is still an error.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = valued_options(self)
        shielded: list[str] = []
        originals: dict[str, str] = {}
        wants_value = False
        for index, arg in enumerate(args):
            if wants_value:  # `--bias -1`: the option's value, not a matrix
                shielded.append(arg)
                wants_value = False
            elif arg == "--":
                shielded.extend(args[index:])
                break
            elif _looks_negative(arg):
                originals[" " + arg] = arg
                shielded.append(" " + arg)
            else:
                wants_value = arg in valued
                shielded.append(arg)
        rest = super().parse_args(ctx, shielded)
        for name, value in ctx.params.items():
            if isinstance(value, str):
                ctx.params[name] = originals.get(value, value)
            elif type(value) is tuple:  # FILTER... or --bias, not a converted value (a Cell)
                ctx.params[name] = tuple(
                    originals.get(v, v) if isinstance(v, str) else v for v in value
                )
        return rest


def _looks_negative(arg: str) -> bool:
    """-1, -.5 or "-1 0 1; -2 0 2": a minus sign, a digit, then only what a matrix holds,
    or any text with a separator in it. `-1x` is neither, so click still rejects it."""
    import re

    if not re.match(r"-[0-9.]", arg):
        return False
    return bool(re.fullmatch(r"[0-9.eE+\-−]*", arg) or re.search(r"[\s,;|]", arg))


class NumberType(click.ParamType):  # type: ignore[type-arg]
    """A number kept exact: an integer or a decimal, never a float."""

    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import correlate

        if not isinstance(value, str):
            return value
        try:
            return correlate.number(value)
        except SpecError as error:
            self.fail(error.message, param, ctx)


class Cell(NamedTuple):
    """An output cell, 1-based, and how it was written, for a message about it."""

    row: int
    col: int
    text: str


# Beyond any output (the convolver keeps at most 10^7 values): a row or column of
# more digits stands for "too far" without int() of text Python may refuse.
_FAR = 10**18


class CellType(click.ParamType):  # type: ignore[type-arg]
    """An output cell, 1-based: ROW,COL."""

    name = "ROW,COL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import re

        from cnncalc.correlate import quoted

        if isinstance(value, tuple):
            return value
        found = re.fullmatch(r"\s*([0-9]+)\s*,\s*([0-9]+)\s*", str(value))
        if not found or min(map(_index, found.groups())) < 1:
            got = quoted(str(value))
            self.fail(f"expected ROW,COL counted from 1, e.g. 1,1; got {got}", param, ctx)
        row, col = found.groups()
        return Cell(_index(row), _index(col), f"{_shown(row)},{_shown(col)}")


def _index(digits: str) -> int:
    """A row or column as written; any of more than 18 digits is just too far."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _FAR


def _shown(digits: str) -> str:
    return digits if len(digits) <= 20 else f"{digits[:6]}… ({len(digits):,} digits)"


def _explain_option(function: Any) -> Any:
    return click.option(
        "--explain",
        type=CellType(),
        help="Show the window and the sum of products behind output cell ROW,COL (from 1).",
    )(function)


def _format_option(function: Any) -> Any:
    return format_option(
        FORMATS,
        'json is {"shape": [H, W, C], "output": [channel][row][column]}; csv is one '
        "line per row, channels apart by a blank line. Notes and --explain go to "
        "standard error with json and csv.",
    )(function)


def _padding_option(function: Any) -> Any:
    return click.option(
        "-p",
        "--padding",
        type=ValueType("axes.padding_2d", "the padding", "P|PHxPW|same|valid"),
        metavar="P",
        default="0",
        show_default=True,
        help="Zeros around the input: p, PHxPW, TOPxBOTTOMxLEFTxRIGHT, 'valid' (0) or "
        "'same' (TensorFlow's rule, the odd pixel bottom and right).",
    )(function)


def _read(argument: str, label: str, presets: bool = False) -> Any:
    from cnncalc import matrix

    return matrix.load(argument, label, presets=presets)


def _show(result: Any, explain: Cell | None, format_: str) -> None:
    """Write the result; --explain's cell is checked against the output's size here."""
    explanations: tuple[Any, ...] = ()
    if explain is not None:
        height, width, _ = result.shape
        if not (explain.row <= height and explain.col <= width):
            raise click.BadParameter(
                f"{explain.text} is outside the {height}×{width} output "
                f"(rows 1–{height}, columns 1–{width})",
                param_hint="'--explain'",
            )
        explanations = result.explain(explain.row, explain.col)
    rendered = FORMATS[format_](result, explanations)
    if rendered.err:
        click.echo(rendered.err, err=True, nl=False)
    click.echo(rendered.out, nl=False)


def _one_stdin(*arguments: str) -> None:
    if sum(argument == "-" for argument in arguments) > 1:
        raise click.UsageError("standard input (-) can be read only once")


@click.command(
    cls=MatrixCommand,
    context_settings=CONTEXT,
    short_help="Convolve small matrices exactly, showing the arithmetic.",
)
@click.argument("input_", metavar="INPUT", shell_complete=completes("matrix"))
@click.argument(
    "filters", nargs=-1, required=True, metavar="FILTER...", shell_complete=completes("filter_")
)
@click.option(
    "-s",
    "--stride",
    type=ValueType("axes.pair", "the stride", "S|HxW"),
    default="1",
    show_default=True,
    metavar="S",
    help="Step of the filter: S, or SHxSW per axis (2x1).",
)
@_padding_option
@click.option(
    "-d",
    "--dilation",
    type=ValueType("axes.pair", "the dilation", "D|DHxDW"),
    default="1",
    show_default=True,
    metavar="D",
    help="Spacing of the filter's taps, or DHxDW: a filter of f spans d(f − 1) + 1.",
)
@click.option(
    "--flip",
    is_flag=True,
    help="Turn each filter by 180° first: true convolution (signal processing) instead of "
    "cross-correlation.",
)
@click.option(
    "--bias",
    type=NumberType(),
    multiple=True,
    help="Add to every value of one output channel; give it once per filter, in order.",
)
@click.option("--relu", is_flag=True, help="Apply max(0, x) after the bias.")
@_explain_option
@_format_option
def conv(
    input_: str,
    filters: tuple[str, ...],
    stride: tuple[int, int],
    padding: Any,
    dilation: tuple[int, int],
    flip: bool,
    bias: tuple[Any, ...],
    relu: bool,
    explain: Cell | None,
    format_: str,
) -> None:
    """Slide each FILTER over INPUT, exactly, as the course does by hand.

    By default this is cross-correlation, what deep learning calls convolution
    (tf.nn.conv2d, PyTorch's Conv2d): the filter is used as written. --flip
    turns it by 180° first, the mathematical convolution of signal processing.

    A matrix is a literal, rows split by ';', values by spaces or commas and
    channels by '|' (a literal may start with a minus sign, no '--' needed); a
    file, one row a line and a blank line between channels, or a .json file of
    nested lists [rows][cols] or [channels][rows][cols]; '-' for standard input;
    or, for a filter, a preset: vertical, horizontal, sobel-vertical,
    sobel-horizontal, scharr-vertical, scharr-horizontal.

    \b
        cnncalc conv "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3;
        0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9" vertical --explain 1,1

    Each filter gives one output channel. A filter has as many channels as the
    input, or one: a 2-D filter on a C-channel input is stacked C times. Whole
    numbers stay whole and decimals stay exact; the work is limited to 10^8
    multiply-adds. Bad data exits 1, bad usage 2.
    """
    from cnncalc import convolve

    _one_stdin(input_, *filters)
    with user_errors():
        image = _read(input_, "input")
        kernels = [_read(argument, f"filter {k}", True) for k, argument in enumerate(filters, 1)]
        result = convolve.convolve(
            image,
            kernels,
            stride=stride,
            padding=padding,
            flip=flip,
            bias=bias,
            relu=relu,
            dilation=dilation,
        )
    _show(result, explain, format_)


@click.command(
    cls=MatrixCommand,
    context_settings=CONTEXT,
    short_help="Max or average pooling of small matrices, exactly.",
)
@click.argument("input_", metavar="INPUT", shell_complete=completes("matrix"))
@click.option(
    "-f",
    "--kernel",
    type=ValueType("axes.pair", "the kernel", "S|HxW"),
    required=True,
    metavar="F",
    help="F, or FHxFW per axis.",
)
@click.option(
    "-s",
    "--stride",
    type=ValueType("axes.pair", "the stride", "S|HxW"),
    metavar="S",
    help="S, or SHxSW per axis.  [default: the kernel]",
)
@_padding_option
@click.option(
    "--mode",
    type=click.Choice(["max", "avg"]),
    default="max",
    show_default=True,
    help="avg counts padded zeros in the divisor (PyTorch's count_include_pad=True); "
    "max pads with values that never win.",
)
@_explain_option
@_format_option
def pool(
    input_: str,
    kernel: tuple[int, int],
    stride: tuple[int, int] | None,
    padding: Any,
    mode: str,
    explain: Cell | None,
    format_: str,
) -> None:
    """Max or average pooling of each channel of INPUT on its own.

    INPUT is a matrix as for `cnncalc conv`. The padding may be at most half
    the kernel (PyTorch's rule), so that no window lies wholly in the padding.
    Average pooling counts padded zeros in the divisor: every window divides by
    FH·FW. A mean that never ends, such as 4/3, prints as a fraction in text
    and as the nearest double in json and csv.

    \b
        cnncalc pool "1 3 2 1; 2 9 1 1; 1 4 2 3; 5 6 1 2" --kernel 2 --mode avg
    """
    from cnncalc import convolve

    with user_errors():
        image = _read(input_, "input")
        result = convolve.pool(image, kernel, stride=stride, padding=padding, mode=mode)
    _show(result, explain, format_)
