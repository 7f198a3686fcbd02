"""How long `draw` and `report` take on the bundled specs, the largest first.

For each spec, in a process of its own: `cnncalc draw NAME` and `cnncalc report
NAME` at their default depth and at `--depth all`, written to a file. Each
figure is the median wall time of several runs, and its ratio to a floor timed
in the same run (`python -c "import click, yaml"`, what any command pays to
start), since these machines are noisy. The target (issue 14): the drawing and
the report of the largest bundled spec each well under a second.

Run: python benchmarks/pictures.py [--runs N] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnncalc import bundled, engine
from cnncalc import spec as specs


def cnncalc() -> list[str]:
    script = Path(sys.executable).with_name("cnncalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cnncalc"]


def timed(command: list[str], runs: int) -> float:
    """The median wall seconds of `runs` runs of `command`, which must succeed."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows(name: str) -> int:
    path, shown = bundled.resolve(name)
    return sum(1 for _ in engine.analyze(specs.load(path, shown)).flat())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="one bundled spec")
    args = parser.parse_args()
    names = [args.only] if args.only else bundled.names()
    by_size = sorted(names, key=rows, reverse=True)
    floor = timed([sys.executable, "-c", "import click, yaml"], args.runs)
    print(f"floor (import click, yaml): {floor * 1000:.0f} ms, median of {args.runs}")
    print(f"{'spec':<20} {'rows':>5}  {'command':<22} {'seconds':>8} {'× floor':>8}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in by_size:
            for command, suffix in (("draw", "svg"), ("report", "html")):
                for depth in ([], ["--depth", "all"]):
                    target = str(Path(folder) / f"{name}.{suffix}")
                    seconds = timed([*cnncalc(), command, name, *depth, "-o", target], args.runs)
                    worst = max(worst, seconds)
                    shown = " ".join([command, *depth])
                    print(
                        f"{name:<20} {rows(name):>5}  {shown:<22} {seconds:>8.3f} "
                        f"{seconds / floor:>7.1f}×"
                    )
    print(f"slowest: {worst:.3f} s ({worst / floor:.1f}× the floor)")


if __name__ == "__main__":
    main()
