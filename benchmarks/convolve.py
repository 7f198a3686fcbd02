"""Whole-process timing of `cnncalc conv` against the same work done with SciPy.

Why whole processes: cnncalc conv is a command a person runs once, so what
counts is start-up plus work, and the question the issue asks is whether the
pure-Python convolver beats `import numpy, scipy.signal` plus correlate2d.

Cases:
  a. the course's 6×6 image with the vertical filter, `--format json`;
  b. a generated 64×64×3 integer input, eight 3×3×3 filters, `--padding same`.

Each case runs both commands alternately, many times; the machine is noisy, so
the figures to quote are the ratios of medians and of minima from one run.
The SciPy process reads the same files (or literal), builds NumPy arrays,
correlates each channel with scipy.signal.correlate2d and sums them, and
prints the same JSON; the two outputs are compared, so the benchmark is also
a cross-check. Without SciPy the comparison is skipped.

    python benchmarks/convolve.py [--repeat 40]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COURSE_IMAGE = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
TARGETS = {"a": 0.25, "b": 1.0}  # cnncalc's time as a fraction of SciPy's, at most

# The SciPy side: parse the same formats into arrays, correlate, print the same JSON.
SCIPY_SCRIPT = r"""
import json, sys
import numpy as np
from scipy.signal import correlate2d

def literal(text):
    return np.array([[[int(v) for v in row.split()] for row in channel.split(";")]
                     for channel in text.split("|")])

def text_file(path):
    with open(path) as file:
        blocks = [b for b in file.read().split("\n\n") if b.strip()]
    return np.array([np.loadtxt(block.splitlines(), dtype=np.int64, ndmin=2) for block in blocks])

def load(arg):
    return text_file(arg) if arg.endswith(".txt") else literal(arg)

mode, image, *filters = sys.argv[1:]
image = load(image)
out = []
for arg in filters:
    kernel = load(arg)
    if kernel.shape[0] == 1:
        kernel = np.repeat(kernel, image.shape[0], axis=0)
    out.append(sum(correlate2d(image[c], kernel[c], mode=mode) for c in range(image.shape[0])))
out = np.array(out)
print(json.dumps({"shape": [out.shape[1], out.shape[2], out.shape[0]], "output": out.tolist()}))
"""


def write_volume(path: Path, channels: list[list[list[int]]]) -> None:
    """cnncalc's text format: one row a line, a blank line between channels."""
    text = "\n\n".join("\n".join(" ".join(map(str, row)) for row in grid) for grid in channels)
    path.write_text(text + "\n", encoding="utf-8")


def cnncalc_command() -> list[str]:
    """The console script beside this interpreter, else `python -m cnncalc`."""
    script = Path(sys.executable).with_name("cnncalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cnncalc"]


def run_once(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return elapsed, done.stdout


def measure(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Run the commands alternately, so that a slow spell of the machine hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # one warm-up each: file cache, .pyc files
        run_once(command)
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(run_once(command)[0])
    return times


def report(case: str, title: str, times: dict[str, list[float]]) -> None:
    print(f"\n({case}) {title}")
    for name, values in times.items():
        print(
            f"  {name:<22} median {statistics.median(values) * 1000:7.1f} ms   "
            f"min {min(values) * 1000:7.1f} ms   ({len(values)} runs)"
        )
    if "scipy" in times:
        median = statistics.median(times["cnncalc"]) / statistics.median(times["scipy"])
        minimum = min(times["cnncalc"]) / min(times["scipy"])
        verdict = "meets" if median <= TARGETS[case] else "MISSES"
        print(
            f"  cnncalc / scipy: {median:.3f}× by median, {minimum:.3f}× by min "
            f"({verdict} the target of ≤ {TARGETS[case]}×)"
        )


def same_output(ours: str, theirs: str) -> bool:
    return bool(json.loads(ours) == json.loads(theirs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="runs of each command per case")
    args = parser.parse_args()
    have_scipy = importlib.util.find_spec("scipy") is not None
    if not have_scipy:
        print("SciPy is not installed: timing cnncalc alone (pip install scipy to compare).")
    cnncalc = cnncalc_command()
    workdir = Path(tempfile.mkdtemp(prefix="cnncalc-bench-"))
    try:
        scipy_script = workdir / "scipy_conv.py"
        scipy_script.write_text(SCIPY_SCRIPT, encoding="utf-8")

        rng = random.Random(2024)
        image = [[[rng.randint(0, 255) for _ in range(64)] for _ in range(64)] for _ in range(3)]
        write_volume(workdir / "image.txt", image)
        filter_paths = []
        for k in range(8):
            filt = [[[rng.randint(-2, 2) for _ in range(3)] for _ in range(3)] for _ in range(3)]
            path = workdir / f"filter{k + 1}.txt"
            write_volume(path, filt)
            filter_paths.append(str(path))

        cases = {
            "a": (
                "course 6×6 image, vertical filter, --format json",
                [*cnncalc, "conv", COURSE_IMAGE, "vertical", "--format", "json"],
                [sys.executable, str(scipy_script), "valid", COURSE_IMAGE, "1 0 -1;1 0 -1;1 0 -1"],
            ),
            "b": (
                "64×64×3 input, eight 3×3×3 filters, --padding same",
                [
                    *cnncalc,
                    "conv",
                    str(workdir / "image.txt"),
                    *filter_paths,
                    "--padding",
                    "same",
                    "--format",
                    "json",
                ],
                [
                    sys.executable,
                    str(scipy_script),
                    "same",
                    str(workdir / "image.txt"),
                    *filter_paths,
                ],
            ),
        }
        print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs; cnncalc: {cnncalc[0]}")
        baseline = measure({"python -c pass": [sys.executable, "-c", "pass"]}, args.repeat)
        report_baseline = statistics.median(baseline["python -c pass"]) * 1000
        print(f"interpreter start-up alone: median {report_baseline:.1f} ms")
        for case, (title, ours, theirs) in cases.items():
            commands = {"cnncalc": ours}
            if have_scipy:
                commands["scipy"] = theirs
                if not same_output(run_once(ours)[1], run_once(theirs)[1]):
                    sys.exit(f"case {case}: cnncalc and SciPy disagree")
            report(case, title, measure(commands, args.repeat))
        if have_scipy:
            print("\nBoth cases: cnncalc's JSON equals SciPy's, value for value.")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
