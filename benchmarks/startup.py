"""How long `cnncalc table` takes, as ratios against floors measured in the same run.

Startup is the cost a user feels, and these machines are noisy, so every
figure is a ratio to a floor timed in the same run, round-robin:

- `--format json` against `python -c "import click, yaml"`, the imports no
  implementation of this CLI can avoid;
- the rich table (on a pretend terminal) against the same plus
  `import rich.console, rich.table`, which drawing a rich table needs;
- generated specs of 10,000 and 20,000 layers, absolute and as a ratio.

Each ratio is the median of the ratios of runs made back to back. With
`--instructions`, the two startup ratios are also measured in instructions
executed (valgrind's callgrind), which do not depend on what else the machine
is doing: the steadiest figure on a noisy machine.

Run: python benchmarks/startup.py [--runs N] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LENET = str(ROOT / "specs" / "lenet5.yaml")

# A layer pattern that keeps a 32×32×16 volume the same shape forever.
PATTERN = [
    "  - conv:16,3,1,same",
    "  - relu",
    "  - {type: conv, filters: 16, kernel: 3, padding: 1}",
    "  - {type: maxpool, kernel: 3, stride: 1, padding: 1}",
]


JSON_FLOOR = "floor: import click, yaml"
RICH_FLOOR = "floor: + rich.console, rich.table"


def cnncalc() -> list[str]:
    """The installed console script beside this Python, as a user runs it."""
    script = Path(sys.executable).with_name("cnncalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cnncalc"]


def generated_spec(folder: Path, layers: int) -> str:
    lines = [f"name: generated, {layers} layers", "input: [32, 32, 16]", "layers:"]
    lines += [PATTERN[i % len(PATTERN)] for i in range(layers)]
    path = folder / f"generated-{layers}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def time_all(
    commands: dict[str, tuple[list[str], dict[str, str]]], runs: int
) -> dict[str, list[float]]:
    """Wall time of each command, interleaved so that noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(
                argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
            )
            times[name].append(time.perf_counter() - start)
    return times


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """Instructions a process executes, counted by callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split()[-1])
    raise RuntimeError("callgrind printed no count")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of each startup command")
    parser.add_argument("--big-runs", type=int, default=7, help="runs of each large spec")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions with valgrind"
    )
    args = parser.parse_args()

    # Time what an installed copy runs: compiled bytecode, as pip leaves it, even where
    # PYTHONDONTWRITEBYTECODE would have every run compile the package again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cnncalc")], check=True)
    dropped = ("FORCE_COLOR", "NO_COLOR", "PYTHONDONTWRITEBYTECODE")
    plain = {k: v for k, v in os.environ.items() if k not in dropped}
    terminal = {**plain, "FORCE_COLOR": "1", "COLUMNS": "100"}
    python = sys.executable
    startup = {
        JSON_FLOOR: ([python, "-c", "import click, yaml"], plain),
        "table --format json": ([*cnncalc(), "table", LENET, "--format", "json"], plain),
        RICH_FLOOR: (
            [python, "-c", "import click, yaml, rich.console, rich.table"], plain),
        "table (rich, terminal)": ([*cnncalc(), "table", LENET], terminal),
    }  # fmt: skip
    times = time_all(startup, args.runs)

    folder = Path(tempfile.mkdtemp(prefix="cnncalc-bench-"))
    try:
        big = {
            f"{n:,} layers --format json": (
                [*cnncalc(), "table", generated_spec(folder, n), "--format", "json"], plain)
            for n in (10_000, 20_000)
        }  # fmt: skip
        times.update(time_all(big, args.big_runs))
    finally:
        shutil.rmtree(folder)

    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians (min) of "
          f"{args.runs} runs, {args.big_runs} for the large specs\n")  # fmt: skip
    for name, values in times.items():
        print(f"  {name:36s} {median[name] * 1000:8.1f} ms  ({min(values) * 1000:.1f})")

    def paired(name: str, floor: str) -> float:
        """The median of the ratios of runs made back to back: noise that lasts a
        few hundred milliseconds (this VM's is bimodal) hits both sides alike."""
        return statistics.median(a / b for a, b in zip(times[name], times[floor], strict=True))

    ten = "10,000 layers --format json"
    twenty = "20,000 layers --format json"
    figures = [
        ("json table / its floor", paired("table --format json", JSON_FLOOR), "×", "≤ 1.30×"),
        ("rich table / its floor", paired("table (rich, terminal)", RICH_FLOOR), "×", "≤ 1.30×"),
        ("10,000 layers, median", median[ten], " s", "< 1 s"),
        ("10,000 layers, fastest", min(times[ten]), " s", "< 1 s"),
        ("20,000 / 10,000 layers", paired(twenty, ten), "×", "≤ 2.30×"),
    ]
    if args.instructions:
        count = {name: instructions(*startup[name]) for name in startup}
        figures[2:2] = [
            ("json table / floor, instr.", count["table --format json"] / count[JSON_FLOOR],
             "×", "≤ 1.30×"),
            ("rich table / floor, instr.", count["table (rich, terminal)"] / count[RICH_FLOOR],
             "×", "≤ 1.30×"),
        ]  # fmt: skip
    print()
    for label, value, unit, target in figures:
        print(f"  {label:28s}  {value:.2f}{unit}   (target {target})")


if __name__ == "__main__":
    main()
