"""`cnncalc size`: the answer on its first line, the arithmetic after it; or JSON.

`FORMATS` is the registry: the command's `--format` choices and the function
that writes each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cnncalc import limits
from cnncalc.geometry import formula, same_output_size
from cnncalc.render import jsonout

# sizing is imported where an answer is written: `cnncalc --help` loads this module for
# the --format choices alone.
if TYPE_CHECKING:
    from cnncalc.sizing import Answer, Size, Solved


_LISTED = 10  # solutions listed one by one; beyond, the first and last
_STRIDE_FROM_KERNEL = "pooling: the stride is the kernel's, s = f = {} (Keras and PyTorch)"


def text_answer(answers: Sequence[tuple[str | None, Answer]], quiet: bool = False) -> str:
    """The answer alone on the first line, then the arithmetic behind it.

    One axis, or a section each for height and width when they differ.
    """
    tokens = [_size_answer(answer) for _, answer in answers]
    if len(tokens) == 1:
        first = tokens[0]
    elif all(" " not in token and token != "none" for token in tokens):
        first = "×".join(tokens)
    else:
        named = zip((axis for axis, _ in answers), tokens, strict=True)
        first = "; ".join(f"{axis}: {token}" for axis, token in named)
    if quiet:
        return first + "\n"
    lines = [first]
    for axis, answer in answers:
        worked = _size_lines(answer, axis)
        lines += [f"{axis}:", *("  " + line for line in worked)] if axis else worked
    return "\n".join(lines) + "\n"


def json_answer(answers: Sequence[tuple[str | None, Answer]], quiet: bool = False) -> str:
    """One object per axis; {"height": …, "width": …} when the axes differ."""
    if len(answers) == 1:
        document = _size_document(answers[0][1])
    else:
        document = {str(axis): _size_document(answer) for axis, answer in answers}
    return jsonout.dumps(document, jsonout.TOP)


def _size_answer(answer: Answer) -> str:
    """The bare result: 32; the solutions 1 2 (or 1..50); none."""
    from cnncalc.sizing import Size

    if isinstance(answer, Size):
        return str(answer.output)
    if answer.first is None or answer.last is None:
        return "none"
    if answer.count > _LISTED:
        return f"{answer.first}..{answer.last}"
    return " ".join(str(value) for value in range(answer.first, answer.last + 1))


def _size_lines(answer: Answer, axis: str | None) -> list[str]:
    from cnncalc.sizing import Size

    lines = []
    if answer.dilation != 1:
        d, f = answer.dilation, answer.f
        lines.append(
            f"k = d(f − 1) + 1 = {d:,}·({f:,} − 1) + 1 = {answer.kernel:,}, "
            "the dilated kernel's span"
        )
    if isinstance(answer, Size):
        if answer.transposed:
            return lines + _transposed_lines(answer)
        return lines + _forward_lines(answer, axis)
    return lines + _solved_lines(answer)


def _f(dilation: int) -> str:
    """The kernel's letter in a formula: f, or k for a dilated kernel's span."""
    return "f" if dilation == 1 else "k"


def _forward_lines(size: Size, axis: str | None) -> list[str]:
    n, k, s, before, after = size.n, size.kernel, size.s, size.before, size.after
    lines = []
    if size.stride_from_kernel:
        lines.append(_STRIDE_FROM_KERNEL.format(s))
    if size.rule == "same":
        out = same_output_size(n, s)
        need = f"({out:,} − 1)·{s:,} + {k:,} − {n:,}"
        if (out - 1) * s + k - n < 0:
            need = f"max({need}, 0)"
        lines.append(
            f"'same' padding (TensorFlow's rule): ⌈{n:,}/{s:,}⌉ = {out:,} outputs need "
            f"{need} = {before + after:,}: {before:,} before, {after:,} after"
        )
    elif size.rule == "valid":
        lines.append("'valid' padding: p = 0")
    p = "2p" if before == after else "p_before + p_after"
    lines.append(f"⌊(n + {p} − {_f(size.dilation)})/s⌋ + 1 = {formula(n, k, s, before, after)}")
    if size.unused:
        padded = f"2·{before:,}" if before == after else f"{before:,} + {after:,}"
        dropped = f"({n:,} + {padded} − {k:,}) mod {s:,} = {size.leftover:,}"
        if size.leftover > size.unused:
            dropped += f", {size.leftover - size.unused:,} of them padding"
        rows = _rows(size.unused, axis, last=True)
        lines.append(f"note: the floor leaves {rows} of the input unused: {dropped}")
    if k < s:
        lines.append(
            f"note: the kernel {k:,} is smaller than the stride {s:,}: {_rows(s - k, axis)} "
            "between windows "
            f"{'is' if s - k == 1 else 'are'} skipped too"
        )
    if size.rule == "same" and before != after:
        after_side = "back" if axis == "depth" else "bottom, right"
        lines.append(
            f"note: asymmetric; TensorFlow puts the odd one after ({after_side}), "
            "which PyTorch's padding=p cannot"
        )
    return lines


def _rows(count: int, axis: str | None, last: bool = False) -> str:
    """1 row; 3 columns; 2 rows and columns; with `last`, the last row, the last 3 rows."""
    noun = {"depth": "slice", "height": "row", "width": "column"}.get(axis or "", "row and column")
    if count != 1:
        noun = " and ".join(word + "s" for word in noun.split(" and "))
    if last:
        return f"the last {noun}" if count == 1 else f"the last {count} {noun}"
    return f"{count} {noun}"


def _transposed_lines(size: Size) -> list[str]:
    n, k, s, before, after = size.n, size.kernel, size.s, size.before, size.after
    if size.rule == "same":
        return [f"'same' padding, Keras's rule: n·s = {n:,}·{s:,} = {size.output:,}"]
    lines = ["'valid' padding: p = 0"] if size.rule == "valid" else []
    letter = _f(size.dilation)
    if before == after:
        symbols, numbers = f"s(n − 1) + {letter} − 2p", f"{s:,}·({n:,} − 1) + {k:,} − 2·{before:,}"
    else:
        symbols = f"s(n − 1) + {letter} − p_before − p_after"
        numbers = f"{s:,}·({n:,} − 1) + {k:,} − {before:,} − {after:,}"
    if size.output_padding:
        symbols += " + output_padding"
        numbers += f" + {size.output_padding:,}"
    lines.append(f"{symbols} = {numbers} = {size.output:,}")
    if size.rule == "valid" and k < s:
        # n·s passes the answer, and can pass 10^18, which no figure printed may.
        keras = "past 10^18" if limits.past(n * s) else f"{n * s:,}"
        lines.append(
            f"note: Keras's Conv2DTranspose with 'valid' gives n·s = {keras} here instead, "
            "as its kernel is smaller than the stride"
        )
    return lines


def _solved_lines(solved: Solved) -> list[str]:
    letter = "p" if solved.unknown == "padding" else "s"

    def worked(value: int) -> str:
        if solved.unknown == "padding":
            text = formula(solved.n, solved.kernel, solved.s, value, value)
        else:
            text = formula(solved.n, solved.kernel, value, solved.before, solved.after)
        return f"{letter} = {value:,}: {text}"

    lines = []
    if solved.stride_from_kernel:
        lines.append(_STRIDE_FROM_KERNEL.format(solved.s))
    if solved.first is not None and solved.last is not None:
        if solved.count > _LISTED:
            lines += [worked(solved.first), "…", worked(solved.last)]
            every = f"every {letter} from {solved.first:,} to {solved.last:,}"
            lines.append(f"{solved.count:,} {solved.unknown}s: {every}")
        else:
            lines += [worked(value) for value in range(solved.first, solved.last + 1)]
    else:
        lines.append(
            f"no {solved.unknown} {letter} from {solved.low:,} to {solved.high:,} "
            f"gives {solved.wanted:,}"
            + ("; the nearest:" if solved.nearest else "; with none of them does the kernel fit")
        )
        lines += ["  " + worked(value) for value, _ in solved.nearest]
        if solved.unknown == "padding" and all(out > solved.wanted for _, out in solved.nearest):
            lines.append("padding only makes it larger; a larger stride shrinks it: --solve stride")
        if solved.asymmetric:
            before, after = solved.asymmetric
            text = formula(solved.n, solved.kernel, solved.s, before, after)
            lines.append(f"asymmetric padding would: {before:,} before, {after:,} after: {text}")
    if solved.unknown == "padding":
        why = (
            "⌊f/2⌋, PyTorch's limit for pooling"
            if solved.pool
            else f"{_f(solved.dilation)} − 1: with more, the first window sees only padding"
        )
    else:
        why = "n + 2p, the padded input: any larger stride gives 1 too"
    lines.append(f"searched {letter} = {solved.low:,} to {solved.high:,} ({why})")
    return lines


def _size_document(answer: Answer) -> dict[str, Any]:
    from cnncalc.sizing import Size

    if isinstance(answer, Size):
        document: dict[str, Any] = {
            "operation": "transposed" if answer.transposed else "pool" if answer.pool else "conv",
            "n": answer.n,
            "f": answer.f,
            "s": answer.s,
            "padding": [answer.before, answer.after],
            "padding_rule": answer.rule,
            "dilation": answer.dilation,
            "kernel": answer.kernel,
        }
        if answer.transposed:
            document["output_padding"] = answer.output_padding
        document["output"] = answer.output
        if not answer.transposed:
            document["unused"] = answer.unused
        return document
    solved = answer
    document = {"solve": solved.unknown, "operation": "pool" if solved.pool else "conv"}
    document["n"], document["f"] = solved.n, solved.f
    if solved.unknown == "padding":
        document["s"] = solved.s
    else:
        document["padding"] = [solved.before, solved.after]
    document["dilation"], document["kernel"] = solved.dilation, solved.kernel
    document["out"] = solved.wanted
    document["searched"] = [solved.low, solved.high]
    document["solutions"] = (
        {"first": solved.first, "last": solved.last, "count": solved.count}
        if solved.count
        else None
    )
    document["nearest"] = [
        {solved.unknown: value, "output": output} for value, output in solved.nearest
    ]
    document["asymmetric"] = list(solved.asymmetric) if solved.asymmetric else None
    return document


Format = Callable[[Sequence[tuple["str | None", "Answer"]], bool], str]
FORMATS: dict[str, Format] = {"text": text_answer, "json": json_answer}
