"""`cnncalc conv` and `cnncalc pool` through the CLI: output, formats and exit codes.

Expected values are the course's, or worked out by hand beside the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

COURSE_IMAGE = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
COURSE_OUTPUT = [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]
NEGATIVE_VERTICAL = "-1 0 1; -1 0 1; -1 0 1"  # the vertical filter turned: negates the output
NEGATED = [[-v for v in row] for row in COURSE_OUTPUT]
AVG_POOL_4 = "1 3 2 1; 2 9 1 1; 1 4 2 3; 5 6 1 2"


def output_of(result) -> list:
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["shape", "output"]
    return document["output"]


# The course's examples through the CLI


def test_course_example_json(run):
    """The course's 6×6 image and vertical filter, as the JSON contract."""
    result = run("conv", COURSE_IMAGE, "vertical", "--format", "json")
    assert json.loads(result.stdout) == {"shape": [4, 4, 1], "output": [COURSE_OUTPUT]}


def test_course_example_text(run):
    """The text format: the shape, the formula, and the 4×4 grid, aligned."""
    result = run("conv", COURSE_IMAGE, "vertical")
    assert result.exit_code == 0
    assert "output 4×4×1: each side ⌊(6 + 2·0 − 3)/1⌋ + 1 = 4" in result.stdout
    assert "cross-correlation of a 6×6×1 input with 1 filter 3×3×1" in result.stdout
    grid = result.stdout.splitlines()[-4:]
    assert grid == [" -5  -4   0   8", "-10  -2   2   3", "  0  -2  -4  -7", " -3  -2  -3 -16"]


def test_course_explain(run):
    """--explain 1,1 prints the course's sum that gives −5, and the window."""
    result = run("conv", COURSE_IMAGE, "vertical", "--explain", "1,1")
    assert result.exit_code == 0
    assert "3×1 + 1×1 + 2×1 + 0×0 + 5×0 + 7×0 + 1×(−1) + 8×(−1) + 2×(−1) = −5" in result.stdout
    assert "  3 0 1" in result.stdout and "  2 7 2" in result.stdout


def test_course_edges(run):
    """10s then 0s gives rows of 0 30 30 0; mirrored, 0 −30 −30 0."""
    bright_left = "; ".join(["10 10 10 0 0 0"] * 6)
    bright_right = "; ".join(["0 0 0 10 10 10"] * 6)
    left = output_of(run("conv", bright_left, "vertical", "--format", "json"))
    right = output_of(run("conv", bright_right, "vertical", "--format", "json"))
    assert left == [[[0, 30, 30, 0]] * 4]
    assert right == [[[0, -30, -30, 0]] * 4]


def test_course_padding_keeps_size(run):
    """--padding 1 keeps the 6×6 image 6×6; --padding same does the same."""
    for padding in ("1", "same"):
        result = run("conv", COURSE_IMAGE, "vertical", "--padding", padding, "--format", "json")
        assert json.loads(result.stdout)["shape"] == [6, 6, 1]


def test_course_feature_map(run):
    """The slides' 5×5 feature map and 3×3 filter: 25 18 17; 18 22 14; 20 15 23."""
    feature_map = "3 5 2 8 1; 9 7 5 4 3; 2 0 6 1 6; 6 3 7 9 2; 1 4 9 5 1"
    result = run("conv", feature_map, "1 0 0; 1 1 0; 0 0 1", "--format", "json")
    assert output_of(result) == [[[25, 18, 17], [18, 22, 14], [20, 15, 23]]]


def test_course_volume(run):
    """6×6×3 with two 3×3×3 filters: 4×4×2, output[channel][row][col]."""
    image = " | ".join([COURSE_IMAGE] * 3)
    every = " | ".join(["1 0 -1; 1 0 -1; 1 0 -1"] * 3)
    zero = " | ".join(["0 0 0; 0 0 0; 0 0 0"] * 3)
    result = run("conv", image, every, zero, "--format", "json")
    document = json.loads(result.stdout)
    assert document["shape"] == [4, 4, 2]
    assert document["output"][0] == [[3 * v for v in row] for row in COURSE_OUTPUT]
    assert document["output"][1] == [[0] * 4] * 4


def test_course_pooling(run):
    """Max pooling 9 2; 6 3 and average pooling 3.75 1.25; 4 2, from the course."""
    maximum = run("pool", "1 3 2 1; 2 9 1 1; 1 3 2 3; 5 6 1 2", "--kernel", "2", "--format", "json")
    assert output_of(maximum) == [[[9, 2], [6, 3]]]
    mean = run("pool", AVG_POOL_4, "--kernel", "2", "--mode", "avg", "--format", "json")
    assert "[3.75, 1.25]" in mean.stdout  # exact decimals in the JSON text itself
    assert output_of(mean) == [[[3.75, 1.25], [4, 2]]]


def test_pool_text_and_explain(run):
    """The text grid prints 3.75, not 3.7499999, and --explain shows the mean."""
    result = run("pool", AVG_POOL_4, "--kernel", "2", "--mode", "avg", "--explain", "1,1")
    assert result.exit_code == 0
    assert "3.75 1.25" in result.stdout
    assert "(1 + 2 + 3 + 9)/4 = 15/4 = 3.75" in result.stdout


def test_pool_max_explain(run):
    """max() over the window's values, down each column: max(1, 2, 3, 9) = 9."""
    result = run("pool", AVG_POOL_4, "--kernel", "2", "--explain", "1,1")
    assert "max(1, 2, 3, 9) = 9" in result.stdout


def test_pool_padded_average(run):
    """Padded zeros count: 4 8; 12 16 with f=2, s=2, p=1 averages v/4 in each window."""
    result = run(
        "pool", "4 8; 12 16", "--kernel", "2", "--padding", "1", "--mode", "avg", "--format", "json"
    )
    assert output_of(result) == [[[1, 2], [3, 4]]]


def test_non_terminating_average(run):
    """10/9 prints as 10/9 in text and as the nearest double in JSON."""
    args = ["pool", "1 2; 3 4", "--kernel", "3", "--stride", "1", "--padding", "1", "--mode", "avg"]
    text = run(*args)
    assert "10/9 10/9" in text.stdout
    assert output_of(run(*args, "--format", "json")) == [[[10 / 9, 10 / 9], [10 / 9, 10 / 9]]]


# Options


def test_flip_negates_vertical(run):
    """--flip turns 1 0 −1 into −1 0 1: the course's output negated."""
    result = run("conv", COURSE_IMAGE, "vertical", "--flip", "--format", "json")
    assert output_of(result) == [NEGATED]
    assert "convolution of a 6×6×1" in run("conv", COURSE_IMAGE, "vertical", "--flip").stdout


def test_stride_per_axis(run):
    """--stride 1x2 keeps every other column: 1 3; 5 7 from 1 2 3 4; 5 6 7 8."""
    result = run("conv", "1 2 3 4; 5 6 7 8", "1", "--stride", "1x2", "--format", "json")
    assert output_of(result) == [[[1, 3], [5, 7]]]


def test_padding_per_axis(run):
    """--padding 1x0 pads rows only: a 1×1 filter of 1 gives a zero row above and below."""
    result = run("conv", "1 2", "1", "--padding", "1x0", "--format", "json")
    assert output_of(result) == [[[0, 0], [1, 2], [0, 0]]]


def test_bias_and_relu(run):
    """--bias 1 --relu: max(0, v + 1) on the course's first row, −5 −4 0 8 → 0 0 1 9."""
    result = run("conv", COURSE_IMAGE, "vertical", "--bias", "1", "--relu", "--format", "json")
    assert output_of(result)[0][0] == [0, 0, 1, 9]


def test_negative_bias_value_is_not_a_matrix(run):
    """--bias -1 takes -1 as its value; --bias=-0.5 works too."""
    result = run("conv", "1 2", "1", "--bias", "-1", "--format", "json")
    assert output_of(result) == [[[0, 1]]]
    halves = run("conv", "1 2", "1", "--bias=-0.5", "--format", "json")
    assert output_of(halves) == [[[0.5, 1.5]]]


def test_two_d_filter_on_colour_input_says_so(run):
    """A 2-D filter on a 3-channel input is stacked, and the text says so."""
    result = run("conv", "1 | 2 | 3", "1")
    assert "stacked 3 times" in result.stdout
    assert result.stdout.rstrip().endswith("6")  # 1 + 2 + 3
    as_json = run("conv", "1 | 2 | 3", "1", "--format", "json")
    assert "stacked 3 times" in as_json.stderr and json.loads(as_json.stdout)["output"] == [[[6]]]


# Negative literals: no `--` needed, before or after the options


def test_negative_filter_after_input(run):
    """A filter literal that starts with a minus sign is a matrix, not an option."""
    result = run("conv", COURSE_IMAGE, NEGATIVE_VERTICAL, "--format", "json")
    assert output_of(result) == [NEGATED]


def test_negative_literals_before_options(run):
    """Negative literals first, options after."""
    result = run("conv", "-1 -2; -3 -4", "-1", "--format", "json")
    assert output_of(result) == [[[1, 2], [3, 4]]]


def test_negative_literals_after_options(run):
    """Options first, then a negative input and a negative filter."""
    result = run("conv", "--format", "json", "--stride", "1", "-1 -2; -3 -4", "-2")
    assert output_of(result) == [[[2, 4], [6, 8]]]


def test_negative_literal_between_options_and_flag(run):
    """A negative literal right after a flag (--relu) is still a matrix."""
    result = run("conv", "1 -2", "--relu", "-1", "--format", "json")
    assert output_of(result) == [[[0, 2]]]


def test_negative_decimal_literal(run):
    """-.5 is a 1×1 matrix."""
    assert output_of(run("conv", "-.5", "2", "--format", "json")) == [[[-1]]]


def test_pool_negative_input(run):
    """pool takes a negative literal too; padding never wins against −1."""
    result = run("pool", "-1 -2; -3 -4", "--kernel", "2", "--padding", "1", "--format", "json")
    assert output_of(result) == [[[-1, -2], [-3, -4]]]


def test_double_dash_still_works(run):
    """`--` before the matrices works as usual."""
    result = run("conv", "--format", "json", "--", "-1", "-1")
    assert output_of(result) == [[[1]]]


@pytest.mark.parametrize("option", ["-x", "--nope", "-1x"])
def test_unknown_option_is_a_usage_error(run, option):
    """Real unknown options still exit 2."""
    result = run("conv", "1 2", "1", option)
    assert result.exit_code == 2
    assert "No such option" in result.stderr


# Formats and input sources


def test_csv_shape_and_round_trip(run, tmp_path):
    """CSV: one line per row, a blank line between channels; it reads back as a matrix file."""
    result = run("conv", "1 2; 3 4", "1", "2", "--format", "csv")
    assert result.stdout == "1,2\n3,4\n\n2,4\n6,8\n"
    path = tmp_path / "out.csv"
    path.write_text(result.stdout, encoding="utf-8")
    again = run("pool", str(path), "--kernel", "1", "--format", "json")  # pooling 1×1: a copy
    assert json.loads(again.stdout) == {
        "shape": [2, 2, 2],
        "output": [[[1, 2], [3, 4]], [[2, 4], [6, 8]]],
    }


def test_json_decimal_stays_exact(run):
    """0.1 + 0.2 is written 0.3 in JSON, not 0.30000000000000004."""
    result = run("conv", "0.1 0.2", "1 1", "--format", "json")
    assert '"output": [\n    [\n      [0.3]' in result.stdout


def test_stdin_input(run):
    """`-` reads the input from standard input."""
    result = run(
        "conv", "-", "vertical", "--format", "json", input=COURSE_IMAGE.replace("; ", "\n")
    )
    assert output_of(result) == [COURSE_OUTPUT]


def test_json_file_input(run, tmp_path):
    """A .json file of [channels][rows][cols] is read as a volume."""
    path = tmp_path / "image.json"
    path.write_text(json.dumps([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), encoding="utf-8")
    result = run("conv", str(path), "1 | 1", "--format", "json")
    assert output_of(result) == [[[6, 8], [10, 12]]]


def test_explain_with_json_goes_to_stderr(run):
    """With --format json the explanation goes to standard error; stdout stays JSON."""
    result = run("conv", COURSE_IMAGE, "vertical", "--format", "json", "--explain", "1,1")
    assert json.loads(result.stdout)["shape"] == [4, 4, 1]
    assert "= −5" in result.stderr


def test_help_names_the_operations(run):
    """The help says which is cross-correlation and which convolution; pool's help, padded zeros."""
    conv_help = run("conv", "--help").stdout
    assert "cross-correlation" in conv_help and "convolution of signal processing" in conv_help
    pool_help = run("pool", "--help").stdout
    assert "counts padded zeros in the divisor" in pool_help


# Bad data exits 1, bad usage 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1 2 3; 4 5", "1"], "row 2 has 2 values, but row 1 has 3 values"),
        (["1 2; 3 x", "1"], "'x' (row 2) is not a number"),
        (["1 2; 3 4", "vertical"], "the filter 3×3 is larger than the padded input 2×2"),
        (["1 | 2 | 3", "1 | 1"], "filter 1 has 2 channels, but the input has 3"),
        (["", "1"], "the matrix is empty"),
        (["missing.txt", "1"], "no such file"),
        (["1 2", "sobel"], "the presets are vertical, horizontal, sobel-vertical"),
        (["1 2", "1", "--bias", "1", "--bias", "2"], "2 biases for 1 filter"),
        (["1", "vertical", "--padding", "10000"], "more than the limit of 100,000,000"),
    ],
)
def test_conv_bad_data_exits_1(run, args, message):
    """Bad data: one line naming the culprit, exit 1, no traceback."""
    result = run("conv", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_pool_bad_data_exits_1(run):
    """Pooling padding of more than half the kernel is bad data: exit 1."""
    result = run("pool", "1 2; 3 4", "--kernel", "3", "--padding", "2")
    assert result.exit_code == 1
    assert "more than half the kernel" in result.stderr


def test_bad_file_reports_line(run, tmp_path):
    """A ragged row in a file is reported at its line."""
    path = tmp_path / "bad.txt"
    path.write_text("1 2\n3\n", encoding="utf-8")
    result = run("conv", str(path), "1")
    assert result.exit_code == 1
    assert f"{path}:2: row 2 has 1 value, but row 1 has 2 values" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conv", "1 2", "1", "--stride", "0"], "the stride must be at least 1"),
        (["conv", "1 2", "1", "--stride", "-1"], "the stride must be at least 1"),
        (["conv", "1 2", "1", "--explain", "1"], "expected ROW,COL"),
        (["conv", "1 2", "1", "--explain", "0,1"], "expected ROW,COL"),
        (["conv", "1 2", "1", "--explain", "2,1"], "outside the 1×2 output"),
        (["conv", "1 2", "1", "--bias", "x"], "'x' is not a number"),
        (["conv", "1 2", "1", "--padding", "-1"], "cannot be negative"),
        (["conv", "1 2"], "Missing argument 'FILTER...'"),
        (["conv"], "Missing argument 'INPUT'"),
        (["conv", "-", "-"], "standard input (-) can be read only once"),
        (["pool", "1 2"], "Missing option '-f' / '--kernel'"),
        (["pool", "1 2", "--kernel", "1", "--mode", "min"], "'min' is not one of 'max', 'avg'"),
        (["pool", "1 2", "1", "--kernel", "1"], "unexpected extra argument"),
        (["conv", "1 2", "1", "--format", "xml"], "'xml' is not one of"),
    ],
)
def test_usage_errors_exit_2(run, args, message):
    """Bad usage: click's message and exit 2."""
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="0123456789 -.;|,ex", max_size=20),
    st.text(alphabet="0123456789 -.;|,ex", max_size=12),
    st.sampled_from([[], ["--padding", "same"], ["--stride", "2"], ["--flip", "--relu"]]),
)
def test_no_traceback_for_any_literal(run, image, filt, options):
    """Any literal text ends in output, exit 1 or exit 2, never an exception."""
    result = run("conv", image, filt, *options)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert "Error:" in result.stderr


def test_help_does_not_load_the_convolver():
    """Startup: `cnncalc --help` lists conv, pool and size without importing the
    convolver, the sizing core, fractions or difflib."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import sys
        from cnncalc.cli import cli
        try:
            cli(["--help"])
        except SystemExit:
            pass
        heavy = ("cnncalc.convolve", "cnncalc.matrix", "cnncalc.sizing", "fractions", "difflib")
        print([name for name in heavy if name in sys.modules], file=sys.stderr)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "conv" in result.stdout and "size" in result.stdout
    assert result.stderr.strip() == "[]"


# Hostile input: files that are not files, huge numbers, ambiguous names


def guarded(*args: str, closed_stdin: bool = False) -> subprocess.CompletedProcess[str]:
    """`cnncalc ARGS` in a child that cannot hang the tests or eat the machine: at most 10
    seconds and 1 GiB of memory (a reader that runs away fails, not the test run)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
        if closed_stdin:
            os.close(0)

    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        stdin=None if closed_stdin else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
        preexec_fn=limit,
    )


needs_posix = pytest.mark.skipif(
    not hasattr(os, "mkfifo") or resource is None, reason="needs POSIX FIFOs and rlimits"
)


@needs_posix
def test_device_is_refused_without_reading():
    """/dev/zero reports 0 bytes and never ends: refused for what it is, not read."""
    result = guarded("conv", "/dev/zero", "vertical")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: /dev/zero: is a character device, not a regular file; "
        "cnncalc reads only files and standard input\n"
    )


@needs_posix
def test_fifo_is_refused_without_waiting(tmp_path):
    """A named pipe called x.txt with no writer would be waited on forever."""
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    result = guarded("pool", str(fifo), "--kernel", "1")
    assert result.returncode == 1
    assert f"Error: {fifo}: is a named pipe (FIFO), not a regular file" in result.stderr


def test_directory_is_named_as_one(run, tmp_path):
    """A directory is said to be one, not 'cannot read it'."""
    result = run("conv", str(tmp_path), "1")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: is a directory, not a matrix file\n"


def test_stdin_limit_counts_bytes(run):
    """16 MiB of standard input is counted in bytes: 9 million 'é' in a comment are fewer
    than 16 Mi characters but 18 million bytes."""
    result = run("conv", "-", "1", input="1\n# " + "é" * 9_000_000 + "\n")
    assert result.exit_code == 1
    assert "standard input holds more than 16 MiB" in result.stderr


@needs_posix
def test_closed_stdin_is_bad_data():
    """`-` with standard input closed (<&-) says so, with no traceback."""
    result = guarded("conv", "-", "1", closed_stdin=True)
    assert result.returncode == 1
    assert "Error: <stdin>: standard input is closed" in result.stderr


HUGE = "9" * 5000  # past Python's 4,300-digit limit for int() of text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conv", "1", "1", "--stride", HUGE], "the stride is larger than 10^18"),
        (["conv", "1", "1", "--padding", HUGE], "the padding is larger than 10^18"),
        (["conv", "1", "1", "--dilation", f"1x{HUGE}"], "the dilation is larger than 10^18"),
        (["conv", "1", "1", "--bias", HUGE], "is too long to compute exactly"),
        (["pool", "1", "--kernel", HUGE], "the kernel is larger than 10^18"),
        (
            ["conv", "1", "1", "--explain", f"{HUGE},1"],
            "999999… (5,000 digits),1 is outside the 1×1 output",
        ),
        (
            ["pool", "1", "-f", "1", "--explain", f"1,{HUGE}"],
            "1,999999… (5,000 digits) is outside the 1×1 output",
        ),
        (["conv", "1", "1", "--explain", f"0{HUGE}"], "expected ROW,COL counted from 1"),
    ],
)
def test_huge_option_numbers_are_usage_errors(run, args, message):
    """Options of 5,000 digits are usage errors with a sentence, never the internal error."""
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "internal error" not in result.stderr


def test_json_with_a_huge_integer_is_bad_data(run, tmp_path):
    """A 5,000-digit integer in a JSON matrix is bad data, exit 1, not exit 70."""
    path = tmp_path / "m.json"
    path.write_text(f"[[1, {HUGE}]]", encoding="utf-8")
    result = run("conv", str(path), "1")
    assert result.exit_code == 1
    assert "is too long to compute exactly" in result.stderr


def test_leading_zero_in_bias_is_a_usage_error(run):
    """--bias 007 says how to write it."""
    result = run("conv", "1", "1", "--bias", "007")
    assert result.exit_code == 2
    assert "'007' has a leading zero" in result.stderr and "write 7" in result.stderr


def test_name_of_both_a_file_and_a_preset_or_literal(run, tmp_path, monkeypatch):
    """A file called `vertical` or `1` in the current directory would silently win over the
    preset or the literal: refused, saying how to choose. ./ names the file; a file that
    spells neither is read as before."""
    monkeypatch.chdir(tmp_path)
    for name in ("vertical", "1", "image"):
        (tmp_path / name).write_text("5\n", encoding="utf-8")
    preset = run("conv", "1 2; 3 4", "vertical")
    assert preset.exit_code == 1
    assert preset.stderr == (
        "Error: vertical: names a file in this directory and is also the preset vertical; "
        "write ./vertical for the file, or rename the file to use the preset\n"
    )
    literal = run("conv", "1", "./vertical")
    assert literal.exit_code == 1
    assert literal.stderr == (
        "Error: 1: names a file in this directory and is also a 1×1 matrix literal; "
        "write ./1 for the file, or '1;' for the matrix\n"
    )
    assert output_of(run("conv", "1 2; 3 4", "./vertical", "--format", "json")) == [
        [[5, 10], [15, 20]]
    ]
    assert output_of(run("conv", "./1", "1;", "--format", "json")) == [[[5]]]
    assert output_of(run("conv", "image", "2", "--format", "json")) == [[[10]]]
