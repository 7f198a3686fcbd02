"""The command line: parse arguments, call the core, hand results to `render`.

Core errors become one line on standard error and an exit code here and only
here: 1 for bad data, 2 for bad usage (click's convention).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from cnncalc import __version__
from cnncalc.errors import Diagnostic, SpecError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ShapeType(click.ParamType):  # type: ignore[type-arg]
    """An input shape typed as HxWxC (or N for a vector)."""

    name = "HxWxC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import values

        if isinstance(value, tuple):
            return value
        try:
            return values.dims("the input shape", str(value).strip())
        except values.ValueProblem as problem:
            self.fail(f"{problem} (e.g. --input 32x32x3)", param, ctx)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the core's errors into a message and exit code 1."""
    try:
        yield
    except SpecError as error:
        fail(str(error))


class DataError(click.ClickException):
    """Bad data: exit 1, where click's usage errors exit 2."""

    exit_code = 1


def fail(message: str) -> NoReturn:
    raise DataError(message)


def warn(diagnostic: Diagnostic) -> None:
    click.echo(f"Warning: {diagnostic}", err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="cnncalc")
def cli() -> None:
    """Shapes, parameter counts and arithmetic of convolutional networks.

    Describe a network in a spec file (or as layers on the command line) and
    cnncalc prints what each layer does to the shape of the data and how many
    parameters it has, as the deeplearning.ai course's LeNet table does.
    """


@cli.command(context_settings=CONTEXT)
@click.argument("arguments", nargs=-1, metavar="SPEC | --input HxWxC LAYER...")
@click.option(
    "--input",
    "-i",
    "input_shape",
    type=ShapeType(),
    help="Input shape, height x width x channels; the arguments are then layers.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["rich", "markdown", "csv", "json"]),
    default="rich",
    show_default=True,
    help="rich is a table (plain ASCII when not on a terminal or with NO_COLOR).",
)
def table(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None, format_: str) -> None:
    """Print each layer's activation shape, activation size and parameters.

    SPEC is a spec file or the name of a bundled spec (see `cnncalc list`):

    \b
        cnncalc table lenet5

    Or give the input shape and the layers in shorthand, TYPE:ARGS, the
    arguments in Keras's order or as key=value:

    \b
        cnncalc table --input 32x32x3 conv:8,5 maxpool:2 conv:16,5 \\
            maxpool:2 fc:120 fc:84 softmax:10

    Layer types: conv, maxpool, avgpool, fc, flatten, softmax, relu, sigmoid,
    tanh. Bad data exits 1, bad usage 2; warnings go to standard error.
    """
    from cnncalc import check, engine, render

    with user_errors():
        spec = _spec(arguments, input_shape)
        summary = engine.analyze(spec)
    # `expect` is check's business, but a table that contradicts it should say so.
    for warning in (*summary.warnings, *check.expectation_problems(spec, summary, "warning")):
        warn(warning)
    render.print_table(summary, format_)


def _spec(arguments: tuple[str, ...], input_shape: tuple[int, ...] | None) -> Any:
    from cnncalc import bundled, spec

    if input_shape is not None:
        if not arguments:
            raise click.UsageError("--input needs layers after it, e.g. conv:8,5 maxpool:2 fc:10")
        return spec.from_arguments(input_shape, arguments)
    if not arguments:
        raise click.UsageError("give a SPEC (a file or a bundled name), or --input and layers")
    if len(arguments) > 1:
        raise click.UsageError(
            f"got {len(arguments)} arguments but no --input; give one SPEC, "
            "or --input HxWxC followed by the layers"
        )
    path, display = bundled.resolve(arguments[0])
    return spec.load(path, display)


@cli.command(name="list", context_settings=CONTEXT)
def list_specs() -> None:
    """List the bundled specs, each with a one-line description."""
    from cnncalc import bundled, render, spec

    rows = []
    for name in bundled.names():
        path = bundled.path(name)
        assert path is not None
        with user_errors():
            loaded = spec.load(path, bundled.display(path))
        rows.append([name, loaded.description or loaded.name or ""])
    click.echo(render.columns(rows), nl=False)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="Fail a file on warnings too.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "junit", "github"]),
    default="text",
    show_default=True,
    help="junit: JUnit XML for CI test views; github: GitHub Actions annotations.",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=True),
    help="Write the report to this file instead of standard output.",
)
def check(paths: tuple[str, ...], strict: bool, format_: str, output: Any) -> None:
    """Check spec files: each must load, fit together and meet its `expect`.

    PATH is a spec file, a directory (searched for *.yaml and *.yml), or the
    name of a bundled spec. Each file is checked on its own. Exit 0 when every
    file passes, 1 when any fails, 2 for a usage error. Warnings (rows the
    stride leaves unused, asymmetric padding) fail a file only with --strict.
    """
    from cnncalc import check as checking
    from cnncalc import render

    results = checking.check(paths, strict)
    render.check_report(results, format_, output)
    if output is not None:
        output.close()
    sys.exit(0 if all(result.passed for result in results) else 1)


@cli.command(context_settings=CONTEXT)
def schema() -> None:
    """Print the JSON Schema of the spec format, for editors and validators.

    Save it and point the YAML language server at it from a spec file:

    \b
        cnncalc schema > cnncalc.schema.json
        # yaml-language-server: $schema=cnncalc.schema.json
    """
    from cnncalc import schema as spec_schema

    click.echo(spec_schema.shipped(), nl=False)


# The reference convolver: `cnncalc conv` and `cnncalc pool`.


class MatrixCommand(click.Command):
    """A command whose matrix arguments may start with a minus sign: "-1 0 1; -2 0 2".

    click would take such an argument for an option. Each one that is not the
    value of an option gets a leading space for the parse (click leaves those
    alone) and is restored afterwards, so it works before or after the options
    without `--`, while a real unknown option (`-x`, `--nope`) is still an error.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = {
            name
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag and not param.count
            for name in (*param.opts, *param.secondary_opts)
        }
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
            elif isinstance(value, tuple):
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


class PairType(click.ParamType):  # type: ignore[type-arg]
    """A positive size per axis: 2, or HxW such as 2x1."""

    name = "S|HxW"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import values

        if isinstance(value, tuple):
            return value
        try:
            return values.pair(f"the {self.what}", str(value).strip())
        except values.ValueProblem as problem:
            self.fail(str(problem), param, ctx)


class PaddingType(click.ParamType):  # type: ignore[type-arg]
    """Padding as the spec format takes it: p, PHxPW, TxBxLxR, same or valid."""

    name = "P|PHxPW|same|valid"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import values

        if isinstance(value, tuple):
            return value
        try:
            return values.padding("the padding", str(value).strip())
        except values.ValueProblem as problem:
            self.fail(str(problem), param, ctx)


class NumberType(click.ParamType):  # type: ignore[type-arg]
    """A number kept exact: an integer or a decimal, never a float."""

    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc import matrix

        if not isinstance(value, str):
            return value
        try:
            return matrix.number(value)
        except SpecError as error:
            self.fail(error.message, param, ctx)


class CellType(click.ParamType):  # type: ignore[type-arg]
    """An output cell, 1-based: ROW,COL."""

    name = "ROW,COL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import re

        if isinstance(value, tuple):
            return value
        found = re.fullmatch(r"\s*([0-9]+)\s*,\s*([0-9]+)\s*", str(value))
        if not found or int(found.group(1)) < 1 or int(found.group(2)) < 1:
            self.fail(f"expected ROW,COL counted from 1, e.g. 1,1; got {value!r}", param, ctx)
        return int(found.group(1)), int(found.group(2))


def _explain_option(function: Any) -> Any:
    return click.option(
        "--explain",
        type=CellType(),
        help="Show the window and the sum of products behind output cell ROW,COL (from 1).",
    )(function)


def _format_option(function: Any) -> Any:
    return click.option(
        "--format",
        "format_",
        type=click.Choice(["text", "json", "csv"]),
        default="text",
        show_default=True,
        help='json is {"shape": [H, W, C], "output": [channel][row][column]}; csv is one '
        "line per row, channels apart by a blank line. Notes and --explain go to "
        "standard error with json and csv.",
    )(function)


def _padding_option(function: Any) -> Any:
    return click.option(
        "--padding",
        type=PaddingType(),
        metavar="P",
        default="0",
        show_default=True,
        help="Zeros around the input: p, PHxPW, TOPxBOTTOMxLEFTxRIGHT, 'valid' (0) or "
        "'same' (TensorFlow's rule, the odd pixel bottom and right).",
    )(function)


def _read(argument: str, label: str, presets: bool = False) -> Any:
    from cnncalc import matrix

    return matrix.load(argument, label, presets=presets)


def _show(result: Any, explain: tuple[int, int] | None, format_: str) -> None:
    """Write the result; --explain's cell is checked against the output's size here."""
    from cnncalc import render

    explanations: tuple[Any, ...] = ()
    if explain is not None:
        height, width, _ = result.shape
        if not (explain[0] <= height and explain[1] <= width):
            raise click.BadParameter(
                f"{explain[0]},{explain[1]} is outside the {height}×{width} output "
                f"(rows 1–{height}, columns 1–{width})",
                param_hint="'--explain'",
            )
        explanations = result.explain(*explain)
    if format_ == "text":
        click.echo(render.convolution_text(result, explanations), nl=False)
        return
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    text = render.convolution_json(result) if format_ == "json" else render.convolution_csv(result)
    click.echo(text, nl=False)
    if explanations:
        click.echo(render.explanation_text(explanations), err=True, nl=False)


def _one_stdin(*arguments: str) -> None:
    if sum(argument == "-" for argument in arguments) > 1:
        raise click.UsageError("standard input (-) can be read only once")


@cli.command(cls=MatrixCommand, context_settings=CONTEXT)
@click.argument("input_", metavar="INPUT")
@click.argument("filters", nargs=-1, required=True, metavar="FILTER...")
@click.option(
    "--stride",
    type=PairType("stride"),
    default="1",
    show_default=True,
    metavar="S",
    help="Step of the filter: S, or SHxSW per axis (2x1).",
)
@_padding_option
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
    flip: bool,
    bias: tuple[Any, ...],
    relu: bool,
    explain: tuple[int, int] | None,
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
            image, kernels, stride=stride, padding=padding, flip=flip, bias=bias, relu=relu
        )
    _show(result, explain, format_)


@cli.command(cls=MatrixCommand, context_settings=CONTEXT)
@click.argument("input_", metavar="INPUT")
@click.option(
    "--kernel", type=PairType("kernel"), required=True, metavar="F", help="F, or FHxFW per axis."
)
@click.option(
    "--stride",
    type=PairType("stride"),
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
    explain: tuple[int, int] | None,
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


def main() -> None:
    """The console script: run the CLI, never let a traceback reach the user."""
    # A short-lived process that builds many small acyclic objects (a spec of
    # 10,000 layers is 100,000 of them): the cyclic collector would only rescan
    # them, costing a third of the run.
    gc.disable()
    try:
        cli(prog_name="cnncalc")
    except BrokenPipeError:
        # The reader went away (`cnncalc table x | head`); nothing left to say.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
        sys.exit(1)
    except Exception as error:
        if os.environ.get("CNNCALC_DEBUG"):
            raise
        click.echo(
            f"Error: internal error, please report it: {type(error).__name__}: {error}", err=True
        )
        sys.exit(70)
