"""`cnncalc size`: the output-size formula on its own, forwards and backwards.

Each option value is read by the same `values` readers as a spec's fields, so a
bad one gets the same sentence and exits 2; options that do not go together
are usage errors too (exit 2). Values that are each fine but cannot work
together, such as a kernel larger than the padded input, are bad data: exit 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import click

from cnncalc.cli import CONTEXT, ValueType, format_option, user_errors
from cnncalc.commands.arguments import valued_options
from cnncalc.render.size import FORMATS

if TYPE_CHECKING:
    from cnncalc.geometry import Sizes


class SizeCommand(click.Command):
    """A command whose N may be typed negative: `size -5 -f 3` says that sizes start
    at 1, where click would report an unknown option '-5'."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        import re

        valued = valued_options(self)
        previous = ""  # an argument right after an option's name is its value
        for arg in args:
            if arg == "--":
                break
            if re.fullmatch(r"-[0-9][0-9x×]*", arg) and previous not in valued:
                raise click.BadParameter(
                    f"the input size n must be at least 1, got {arg}", ctx, param_hint="'N'"
                )
            previous = arg
        return super().parse_args(ctx, args)


def _sizes(what: str, metavar: str) -> ValueType:
    return ValueType("axes.sizes", what, metavar)


@click.command(
    cls=SizeCommand,
    context_settings=CONTEXT,
    short_help="One output size, or the padding or stride that gives it.",
)
@click.argument("n", type=_sizes("the input size n", "N"))
@click.option(
    "-f",
    "--kernel",
    type=_sizes("the kernel f", "F"),
    required=True,
    metavar="F",
    help="Kernel (filter) size f, or one per axis: FHxFW.",
)
@click.option(
    "-s",
    "--stride",
    type=_sizes("the stride s", "S"),
    metavar="S",
    help="Stride s, or one per axis: SHxSW.  [default: 1; f with --pool]",
)
@click.option(
    "-p",
    "--padding",
    type=ValueType("axes.padding", "the padding p", "P"),
    metavar="P",
    help="Padding p on each side: p, one per axis (PHxPW), (before, after) per axis "
    "(TOPxBOTTOMxLEFTxRIGHT, the way to give them apart), 'valid' (0) or 'same' "
    "(TensorFlow's rule, the odd one after).  [default: 0]",
)
@click.option(
    "-d",
    "--dilation",
    type=_sizes("the dilation d", "D"),
    default=1,
    metavar="D",
    help="Dilation d, or DHxDW: the kernel then spans d(f − 1) + 1.  [default: 1]",
)
@click.option(
    "--pool",
    is_flag=True,
    help="Pooling: the stride defaults to f, and the padding may be at most ⌊f/2⌋ (PyTorch).",
)
@click.option(
    "--out",
    type=_sizes("the wanted output size", "N"),
    metavar="N",
    help="Solve: find what gives this output size, or HxW (see --solve).",
)
@click.option(
    "--solve",
    type=click.Choice(["padding", "stride"]),
    help="What --out solves for: the symmetric padding (with -s, or 1) or the stride "
    "(with -p, or 0).  [default: padding]",
)
@click.option(
    "--transposed",
    is_flag=True,
    help="A transposed convolution: s(n − 1) + f − 2p (PyTorch's ConvTranspose2d).",
)
@click.option(
    "--output-padding",
    type=ValueType("axes.sizes_or_zero", "the output padding", "OP"),
    metavar="OP",
    help="Added to one side of a transposed convolution's output, or OPHxOPW; smaller "
    "than the stride or the dilation (PyTorch's rule).  [default: 0]",
)
@format_option(
    FORMATS,
    "text: the answer on the first line, the arithmetic after it; json: the same "
    "figures as one object.",
)
@click.option("-q", "--quiet", is_flag=True, help="Text: print the answer line alone.")
def size(
    n: Sizes,
    kernel: Sizes,
    stride: Sizes | None,
    padding: Any,
    dilation: Sizes,
    pool: bool,
    out: Sizes | None,
    solve: str | None,
    transposed: bool,
    output_padding: Sizes | None,
    format_: str,
    quiet: bool,
) -> None:
    """Work out one output size, ⌊(n + 2p − f)/s⌋ + 1, or solve it for p or s.

    \b
        cnncalc size 32 -f 5 -s 1 -p 2         # 32, and the arithmetic
        cnncalc size 32 -f 5 --out 32           # which padding keeps 32?
        cnncalc size 32 -f 5 --out 7 --solve stride
        cnncalc size 7 -f 3 -s 2 --transposed   # s(n − 1) + f − 2p = 15

    The first line is the answer alone: the output size, or the values that
    give --out ('1 2' for several, 'A..B' for more than ten, 'none'), so that
    $(cnncalc size … -q) works in a script. The lines after it show the
    arithmetic. N and every size take one number for every axis, or one per
    axis: HxW, or DxHxW for a 3-D volume; when the axes differ, each gets its
    own answer (28×22). Asymmetric padding is TOPxBOTTOMxLEFTxRIGHT, as
    everywhere in cnncalc: -p 0x1x0x1 pads 0 before and 1 after on both axes.

    Solving searches the symmetric paddings p from 0 to f − 1 (k − 1 for a
    dilated kernel spanning k; ⌊f/2⌋ with --pool), or the strides from 1 to
    the padded input n + 2p; it lists all that work, or says that none does
    and gives the nearest outputs (exit 0 either way).

    Bad option values and options that do not go together exit 2; values that
    cannot work together (a kernel larger than the padded input) exit 1.
    """
    from cnncalc import sizing

    _check_usage(padding, stride, pool, out, solve, transposed, output_padding)
    given = {"N": n, "-f": kernel, "-s": stride, "-d": dilation, "--out": out}
    given["--output-padding"] = output_padding
    rank, padding = _rank(given, padding)
    axes = {name: _axes(value, rank) for name, value in given.items()}
    question = sizing.Question(
        n=_axes(n, rank),
        f=_axes(kernel, rank),
        s=axes["-s"],
        padding=padding,
        dilation=axes["-d"],
        pool=pool,
        transposed=transposed,
        output_padding=axes["--output-padding"],
        out=axes["--out"],
        solve="stride" if solve == "stride" else "padding",
    )
    if quiet and format_ != "text":
        raise click.UsageError(f"-q is for the text answer; --format {format_} has no other lines")
    with user_errors():
        answers = sizing.answer(question)
    click.echo(FORMATS[format_](answers, quiet), nl=False)


def _rank(given: dict[str, Any], padding: Any) -> tuple[int, Any]:
    """How many axes the question has, from the sizes given per axis (1 when none is), and
    the padding as (before, after) per axis. Without such a size, a flat padding's own
    length says: PHxPW is one per axis, TOPxBOTTOMxLEFTxRIGHT two."""
    from cnncalc.geometry import flat_sides

    lengths = {len(value) for value in given.values() if isinstance(value, tuple)}
    if len(lengths) > 1:
        listed = ", ".join(
            f"{name} {'x'.join(map(str, value))}"
            for name, value in given.items()
            if isinstance(value, tuple)
        )
        raise click.UsageError(
            f"the sizes given per axis differ in how many axes they have: "
            f"{listed}; give each one number, or as many as N has axes"
        )
    rank = lengths.pop() if lengths else 0
    if not isinstance(padding, tuple) or isinstance(padding[0], tuple):
        return rank or 1, padding
    # Without a size per axis, PHxPW is one per axis and TOPxBOTTOMxLEFTxRIGHT two.
    sides = flat_sides(padding, rank or (len(padding) if len(padding) <= 3 else len(padding) // 2))
    if sides is None:
        axes = f"N has {rank} {'axis' if rank == 1 else 'axes'}" if rank else "it is neither"
        raise click.UsageError(
            f"-p {'x'.join(map(str, padding))} has {len(padding)} entries, but {axes}: give "
            "one number, one per axis, or (before, after) per axis"
        )
    return len(sides), sides


@overload
def _axes(value: int | Sizes, rank: int) -> Sizes: ...
@overload
def _axes(value: int | Sizes | None, rank: int) -> Sizes | None: ...
def _axes(value: int | Sizes | None, rank: int) -> Sizes | None:
    """One number for every axis, made one per axis."""
    if value is None or isinstance(value, tuple):
        return value
    return (value,) * rank


def _check_usage(
    padding: Any,
    stride: Sizes | None,
    pool: bool,
    out: Sizes | None,
    solve: str | None,
    transposed: bool,
    output_padding: Sizes | None,
) -> None:
    """Options that do not go together: click's usage errors, exit 2."""
    if transposed and out is not None:
        raise click.UsageError(
            "--out solves convolutions and pooling only, not --transposed: there the "
            "output is s(n − 1) + f − 2p + output_padding, so p = (s(n − 1) + f + "
            "output_padding − out)/2"
        )
    if transposed and pool:
        raise click.UsageError("--pool and --transposed do not go together: choose one")
    if output_padding is not None and not transposed:
        raise click.UsageError("--output-padding is for --transposed only")
    if transposed and padding == "same" and output_padding is not None:
        raise click.UsageError(
            "--output-padding needs the padding as a number with --transposed; "
            "'same' is Keras's rule, n·s"
        )
    if solve is not None and out is None:
        raise click.UsageError(f"--solve {solve} needs --out, the output size wanted")
    if out is None:
        return
    if solve == "stride":
        if stride is not None:
            raise click.UsageError("-s is what --solve stride finds; leave it out")
        if padding == "same":
            raise click.UsageError(
                "--solve stride needs -p as a number: 'same' padding depends on the stride"
            )
    elif padding is not None:
        raise click.UsageError(
            "-p is what --out finds (--solve padding); leave it out, or add --solve stride"
        )
