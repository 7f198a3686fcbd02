"""Every exit is 0, 1 or 2, whatever happens to standard output.

A closed standard output, a full disk, a reader that goes away half-way: each
is exit 1 with one sentence on standard error (none for a broken pipe, whose
reader wants nothing more), never exit 70 or 120, a traceback or Python's
'Exception ignored'. These run `python -m cnncalc` in a real process, since
what they test is the process's own standard output and its exit.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time

import pytest

CNNCALC = [sys.executable, "-m", "cnncalc"]
# A table of some 230 KB, far more than a pipe holds (64 KiB on Linux and macOS).
BIG = ["table", "-i", "32x32x3", *["conv:8,1"] * 3000]
WRITERS = [
    pytest.param(["table", "lenet5"], id="table"),
    pytest.param(["check", "lenet5", "--format", "json"], id="check"),
    pytest.param(["explain", "lenet5"], id="explain"),
]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file descriptors")


def in_bash(command: str) -> subprocess.CompletedProcess[str]:
    """`command`, with $CNNCALC standing for `python -m cnncalc`, run by bash."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash")
    script = f'CNNCALC="{sys.executable} -m cnncalc"; {command}'
    return subprocess.run([bash, "-c", script], capture_output=True, text=True, check=False)


@posix_only
@pytest.mark.parametrize("args", WRITERS)
def test_closed_stdout_is_exit_1_with_a_sentence(args):
    """`cnncalc table lenet5 >&-`: exit 1 and why, not an internal error (or, for
    `explain`, exit 0 with the output silently lost)."""
    result = in_bash(f"$CNNCALC {' '.join(args)} >&-")
    assert (result.returncode, result.stderr) == (
        1,
        "Error: cannot write to standard output: it is closed\n",
    )


@posix_only
def test_closed_stdout_and_stderr_is_still_exit_1():
    """With nowhere to say why, the exit code still tells."""
    assert in_bash("$CNNCALC table lenet5 >&- 2>&-").returncode == 1


@posix_only
def test_closed_stdout_is_no_error_when_nothing_is_written_to_it(tmp_path):
    """`check -o FILE` writes nothing to standard output: a closed one does not fail it."""
    report = tmp_path / "report.xml"
    result = in_bash(f"$CNNCALC check lenet5 --format junit -o '{report}' >&-")
    assert (result.returncode, result.stderr) == (0, "")
    assert report.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", WRITERS)
def test_full_stdout_is_exit_1_with_a_sentence(args):
    """`cnncalc table lenet5 > /dev/full`: exit 1 and the reason, not an internal error."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*CNNCALC, *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert (result.returncode, result.stderr) == (
        1,
        "Error: cannot write to standard output: No space left on device\n",
    )


@posix_only
def test_a_disk_filling_up_half_way_is_not_a_success(tmp_path):
    """The first part of a large write fits, the rest does not: Python's buffer would drop
    the rest without a word and the run end with exit 0 and a truncated output. (A file
    size limit stands in for the full disk.)"""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, resource.RLIM_INFINITY))

    with open(tmp_path / "out.txt", "w") as out:
        result = subprocess.run(
            [*CNNCALC, *BIG],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=limit,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        1,
        f"Error: cannot write to standard output: {os.strerror(errno.EFBIG)}\n",
    )


@posix_only
@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_a_reader_that_goes_away_half_way_is_exit_1_quietly(fmt):
    """`cnncalc table … | head -1`: the write that finds the pipe closed fails quietly,
    with exit 1; not exit 0 with most of the table dropped."""
    process = subprocess.Popen(
        [*CNNCALC, *BIG, "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)
    process.stdout.close()
    assert (process.wait(), process.stderr.read()) == (1, b"")
    process.stderr.close()


@posix_only
def test_a_pipe_closed_before_anything_is_written_is_exit_1_quietly():
    """The reader is gone before the table is written: no 'Exception ignored', no 120."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [*CNNCALC, "table", "lenet5", "--format", "csv"],
            stdout=writer,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (1, b"")


@posix_only
def test_a_non_blocking_stdout_gets_the_whole_output(tmp_path):
    """A standard output left non-blocking by whoever shares it (CI runners do) is waited
    on when full, not given up on: all the output arrives, with exit 0."""
    import fcntl
    import termios

    with open(tmp_path / "expected.txt", "wb") as out:
        subprocess.run([*CNNCALC, *BIG], stdout=out, check=True)
    expected = (tmp_path / "expected.txt").read_bytes()
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    process = subprocess.Popen([*CNNCALC, *BIG], stdout=writer, stderr=subprocess.PIPE)
    os.close(writer)
    # Read nothing until the pipe is full, so that the writer surely meets it full.
    waiting = bytearray(4)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        fcntl.ioctl(reader, termios.FIONREAD, waiting)
        if int.from_bytes(waiting, sys.byteorder) >= 60_000:
            break
        time.sleep(0.01)
    time.sleep(0.2)
    received = bytearray()
    while chunk := os.read(reader, 1 << 16):
        received += chunk
    os.close(reader)
    assert process.stderr is not None
    assert (process.wait(), process.stderr.read()) == (0, b"")
    process.stderr.close()
    assert bytes(received) == expected
