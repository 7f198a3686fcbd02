"""The cost of the worst inputs: time and peak memory of adversarial specs at the limits.

Each spec here is built to cost the most that one of cnncalc's limits lets
through, or to be refused by it: as many layers as a spec may expand to (flat,
nested 50 deep, or doubled by named blocks), 8 MiB of layers, aliased values
in block uses, names at their length limit, nesting and numbers past theirs.
Each goes through `check`, `explain` and `table` in every format, the rich
table on a pretend terminal included, as a process of its own: its wall time
and its peak resident memory (from the kernel, `wait4`) are recorded.

The budget (issue 11): every run in seconds and under 512 MiB. The report
gives the worst run, each spec's worst, and the worst time as a ratio to a
floor timed in the same run (`python -c "import click, yaml"`), since these
machines are noisy.

Run: python benchmarks/hostile.py [--runs N] [--only NAME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cnncalc.spec.expansion import MAX_LAYERS
from cnncalc.spec.source import MAX_BYTES

BUDGET_SECONDS = 10.0
BUDGET_BYTES = 512 * 1024 * 1024

COMMANDS = {
    "check": ["check"],
    "explain": ["explain"],
    "json": ["table", "--format", "json"],
    "csv": ["table", "--format", "csv", "--depth", "all"],
    "plain": ["table", "--format", "plain", "--depth", "all"],
    "rich": ["table", "--depth", "all"],  # with FORCE_COLOR: the terminal's table
    "draw": ["draw"],
    "report": ["report"],
}


def cnncalc() -> list[str]:
    script = Path(sys.executable).with_name("cnncalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cnncalc"]


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, peak resident bytes and exit code of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss * 1024, process.returncode  # ru_maxrss is in KiB


# The specs: each a function of nothing, giving YAML text.


def flat() -> str:
    """As many layers as a spec may have, one a line."""
    return "input: [8, 8, 4]\nlayers:\n" + "  - relu\n" * MAX_LAYERS


def flat_8mib() -> str:
    """8 MiB of layers: read, then refused at the layer past the limit."""
    line = "  - relu\n"
    return "input: [8, 8, 4]\nlayers:\n" + line * ((MAX_BYTES - 40) // len(line))


def long_names() -> str:
    """8 MiB of layers whose names are at the 100-character limit."""
    head = "input: [8, 8, 4]\nlayers:\n"
    line = "  - {type: relu, name: %s}\n"
    count = min(MAX_LAYERS, (MAX_BYTES - len(head)) // (len(line) + 100))
    return head + "".join(line % f"n{n:099d}" for n in range(count))


def nested() -> str:
    """Blocks nested 50 deep around repeats, as many layers as allowed."""
    # 50 uses of b47, each 48 use rows, a repeat's row and its ReLUs.
    relus = MAX_LAYERS // 50 - 49
    lines = ["input: [8, 8, 4]", "blocks:", "  b0:"]
    lines.append(f"    layers: [{{repeat: {relus}, layers: [relu]}}]")
    for n in range(1, 48):
        lines += [f"  b{n}:", f"    layers: [{{use: b{n - 1}}}]"]
    return "\n".join([*lines, "layers:", *["  - use: b47"] * 50]) + "\n"


def doubling(levels: int) -> Callable[[], str]:
    def spec() -> str:
        lines = ["input: [8, 8, 4]", "blocks:", "  b0:", "    layers: [relu]"]
        for n in range(1, levels + 1):
            lines += [f"  b{n}:", f"    layers: [{{use: b{n - 1}}}, {{use: b{n - 1}}}]"]
        return "\n".join([*lines, "layers:", f"  - use: b{levels}", ""])

    spec.__doc__ = f"Named blocks each using the one before twice: 2^{levels} ReLUs."
    return spec


def repeats() -> str:
    """A repeat of 10,000 repeats, as close to the limit of layers as that allows."""
    # Each of the 10,000 is its inner repeat's row and its ReLUs; one more is the outer row.
    inner = MAX_LAYERS // 10_000 - 2
    return (
        "input: [8, 8, 4]\nlayers:\n  - repeat: 10000\n    layers:\n"
        f"      - repeat: {inner}\n        layers: [relu]\n"
    )


def aliased_uses() -> str:
    """Uses of a block whose value is a 100,000-item aliased list, repeated."""
    anchors = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    anchors += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 5)]
    lines = ["input: [8, 8, 4]", "blocks:", "  b:", "    params: [k]"]
    lines += ["    layers: [{type: maxpool, kernel: $k, stride: 1}]", "layers:"]
    lines.append(f"  - {{use: b, k: [{', '.join(anchors)}]}}")
    lines += ["  - {use: b, k: *a4}"] * 8
    return "\n".join(lines) + "\n"


def alias_bomb() -> str:
    """A 'billion laughs': nine levels of nine aliases."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join([*lines, "input: [32, 32, 3]", "layers: *i"]) + "\n"


def deep_nesting() -> str:
    """8 MiB of brackets: a list nested four million deep."""
    depth = (MAX_BYTES - 100) // 2
    return "input: [8, 8, 4]\nlayers: " + "[" * depth + "]" * depth + "\n"


def huge_name() -> str:
    """One name of 8 MiB."""
    return "input: [8, 8, 4]\nlayers:\n  - {type: relu, name: " + "x" * (MAX_BYTES - 80) + "}\n"


def _expression(name: str) -> str:
    """An expression of nearly 500 characters, the most one may have."""
    terms = (500 - 4) // len(f"min({name}, 3) * 2 + ")  # and ' > 0'
    return "${" + " + ".join([f"min({name}, 3) * 2"] * terms) + " > 0}"


def expressions_alike() -> str:
    """Uses of a block reading in.c, as many as the limit of layers allows, each with the
    longest expression: every case alike, so evaluated once."""
    lines = ["input: [4, 4, 8]", "blocks:", "  b:", "    layers:"]
    lines += [f"      - {{type: relu, if: '{_expression('in.c')}'}}", "layers:"]
    return "\n".join([*lines, *["  - {use: b}"] * (MAX_LAYERS // 2 - 1)]) + "\n"


def expressions_differ() -> str:
    """The same with each use's parameter different: refused at the budget of characters."""
    lines = ["input: [4, 4, 8]", "blocks:", "  b:", "    params: {k: 1}", "    layers:"]
    lines += [f"      - {{type: relu, if: '{_expression('k')}'}}", "layers:"]
    uses = [f"  - {{use: b, k: {k}}}" for k in range(MAX_LAYERS // 2 - 1)]
    return "\n".join([*lines, *uses]) + "\n"


def overflow() -> str:
    """Upsampling doubled 7,200 times: refused where a figure passes 10^18."""
    return "input: [2, 2, 1]\nlayers:\n  - repeat: 7200\n    layers: ['upsample:2']\n"


SPECS: dict[str, Callable[[], str]] = {
    "flat": flat,
    "flat-8mib": flat_8mib,
    "long-names": long_names,
    "nested-50": nested,
    "doubling-15": doubling(15),  # 2^16 - 1 layers, the most under the limit
    "doubling-40": doubling(40),
    "repeats": repeats,
    "aliased-uses": aliased_uses,
    "alias-bomb": alias_bomb,
    "deep-nesting": deep_nesting,
    "huge-name": huge_name,
    "overflow": overflow,
    "expressions-alike": expressions_alike,
    "expressions-differ": expressions_differ,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each (median taken)")
    parser.add_argument("--only", action="append", help="one spec by name (repeatable)")
    options = parser.parse_args()
    env = {**os.environ, "FORCE_COLOR": "", "NO_COLOR": "1", "COLUMNS": "120"}
    rich_env = {**env, "FORCE_COLOR": "1", "NO_COLOR": ""}
    rich_env.pop("NO_COLOR")
    floor_command = [sys.executable, "-c", "import click, yaml"]
    floors = []
    worst: tuple[float, int, str] = (0.0, 0, "")
    over = []
    with tempfile.TemporaryDirectory() as folder:
        for name, build in SPECS.items():
            if options.only and name not in options.only:
                continue
            path = Path(folder) / f"{name}.yaml"
            text = build()
            path.write_text(text)
            size = len(text.encode())
            print(f"{name} ({size / 1024 / 1024:.2f} MiB): {build.__doc__}")
            for label, args in COMMANDS.items():
                runs = []
                for _ in range(options.runs):
                    floors.append(measure(floor_command, env)[0])
                    runs.append(
                        measure(
                            [*cnncalc(), *args, str(path)], rich_env if label == "rich" else env
                        )
                    )
                seconds = statistics.median(run[0] for run in runs)
                peak = max(run[1] for run in runs)
                code = runs[-1][2]
                print(f"  {label:8} exit {code}  {seconds:6.2f} s  {peak / 1024 / 1024:6.0f} MiB")
                if seconds > worst[0]:
                    worst = (seconds, worst[1], f"{name} {label}")
                worst = (worst[0], max(worst[1], peak), worst[2])
                if seconds > BUDGET_SECONDS or peak > BUDGET_BYTES or code not in (0, 1, 2):
                    over.append(f"{name} {label}")
    floor = statistics.median(floors)
    print()
    print(f"floor (import click, yaml): {floor * 1000:.0f} ms")
    print(f"worst time: {worst[0]:.2f} s ({worst[2]}), {worst[0] / floor:.0f}× the floor")
    print(f"worst peak memory: {worst[1] / 1024 / 1024:.0f} MiB")
    print(
        f"budget ({BUDGET_SECONDS:.0f} s, {BUDGET_BYTES // 1024 // 1024} MiB, exit 0–2): "
        + ("every run within it" if not over else "over in " + ", ".join(over))
    )


if __name__ == "__main__":
    main()
