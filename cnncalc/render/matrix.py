"""`cnncalc conv` and `cnncalc pool`: the output grids, their heading and arithmetic.

`FORMATS` is the registry: the command's `--format` choices and the function
that renders each. A format gives what goes to standard output and what goes
to standard error: with json and csv, notes and explanations go to standard
error, so that standard output stays machine-readable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from cnncalc.render import jsonout
from cnncalc.shapes import by

# The convolver is imported where a result is rendered, not here: `cnncalc --help`
# loads this module for the --format choices alone.
if TYPE_CHECKING:
    from cnncalc.convolve import Explanation, Result
    from cnncalc.correlate import Number
    from cnncalc.matrix import Grid


class Rendered(NamedTuple):
    out: str  # for standard output
    err: str = ""  # for standard error


def _machine_number() -> Callable[[Number], str]:
    """How JSON and CSV write a value: exact when it has a finite decimal form, else the
    nearest double (4/3 → 1.3333333333333333), since neither format has fractions."""
    from cnncalc.worked import plain

    def matrix_number(value: Number) -> str:
        text = plain(value)
        return repr(float(value)) if "/" in text else text

    return matrix_number


def _grid(grid: Grid, width: int) -> str:
    from cnncalc.worked import plain

    return "".join(" ".join(plain(v).rjust(width) for v in row) + "\n" for row in grid)


def _padding_text(result: Result) -> str:
    (top, bottom), (left, right) = result.padding
    if top == bottom == left == right:
        applied = str(top)
    elif top == bottom and left == right:
        applied = f"{top}×{left}"
    else:
        applied = f"{top} top, {bottom} bottom, {left} left, {right} right"
    return f"{result.padding_spec} ({applied})" if isinstance(result.padding_spec, str) else applied


def explanation_text(explanations: Sequence[Explanation]) -> str:
    return "\n".join(str(explanation) + "\n" for explanation in explanations)


def text_grids(result: Result, explanations: Sequence[Explanation] = ()) -> Rendered:
    """A heading with the shape and its formula, then each output channel as a grid."""
    from cnncalc.convolve import Convolution
    from cnncalc.worked import called, plain

    h, w, c = result.input.shape
    kh, kw = result.kernel
    settings = f"stride {by(result.stride)}, padding {_padding_text(result)}"
    if isinstance(result, Convolution):
        count = len(result.filters)
        plural = "filter" if count == 1 else "filters"
        heading = f"{result.operation} of a {h}×{w}×{c} input with {count} {plural} {kh}×{kw}×{c}"
        heading += f", {settings}"
        if result.taps != (1, 1):
            sh, sw = result.spans
            heading += f", dilation {by(result.taps)} (each filter spans {sh}×{sw})"
        if result.bias:
            heading += ", bias " + ", ".join(plain(b) for b in result.bias)
        if result.relu:
            heading += ", then ReLU"
    else:
        heading = f"{result.operation} of a {h}×{w}×{c} input, kernel {kh}×{kw}, {settings}"
        if result.operation == "average pooling" and any(
            n for side in result.padding for n in side
        ):
            heading += " (padded zeros count in the divisor)"
    out_h, out_w, out_c = result.shape
    fh, fw = result.height.formula(), result.width.formula()
    sides = f"each side {fh}" if fh == fw else f"height {fh}, width {fw}"
    lines = [heading, f"output {out_h}×{out_w}×{out_c}: {sides}"]
    lines += [f"note: {note}" for note in result.notes]
    width = max(len(plain(v)) for grid in result.output for row in grid for v in row)
    written = "\n".join(lines) + "\n"
    for k, grid in enumerate(result.output, 1):
        label = f"channel {k}"
        if isinstance(result, Convolution):
            label += f": {called(k, result.filters[k - 1])}"
        written += f"\n{label}\n" + _grid(grid, width)
    if explanations:
        written += "\n" + explanation_text(explanations)
    return Rendered(written)


def _aside(result: Result, explanations: Sequence[Explanation]) -> str:
    """Notes and explanations, which JSON and CSV leave to standard error."""
    notes = "".join(f"Note: {note}\n" for note in result.notes)
    return notes + (explanation_text(explanations) if explanations else "")


_OUTPUT = jsonout.Layout(keys={"output": jsonout.Layout(items=jsonout.Layout(
    items=jsonout.Layout(spread=False, raw=True)))})  # fmt: skip


def json_grids(result: Result, explanations: Sequence[Explanation] = ()) -> Rendered:
    """The JSON contract: {"shape": [H, W, C], "output": [channel][row][column]}."""
    number = _machine_number()
    output = [[[number(v) for v in row] for row in grid] for grid in result.output]
    document = {"shape": list(result.shape), "output": output}
    return Rendered(jsonout.dumps(document, _OUTPUT), _aside(result, explanations))


def csv_grids(result: Result, explanations: Sequence[Explanation] = ()) -> Rendered:
    """One line per row, channels apart by a blank line: the matrix file format, so
    `cnncalc conv` can read it back."""
    number = _machine_number()
    grids = "\n".join(
        "".join(",".join(number(v) for v in row) + "\n" for row in grid) for grid in result.output
    )
    return Rendered(grids, _aside(result, explanations))


Format = Callable[["Result", Sequence["Explanation"]], Rendered]
FORMATS: dict[str, Format] = {"text": text_grids, "json": json_grids, "csv": csv_grids}
