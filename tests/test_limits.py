"""The 10^18 rule everywhere: a figure cnncalc works out past 10^18 is refused at the
layer that makes it, and never printed.

Each expected figure is worked out here by hand; the place each error names is the
layer whose figure first passes 10^18, with every figure before it at or below.
"""

from __future__ import annotations

import json
import re

import pytest

from cnncalc import limits
from cnncalc.spec import values

E18 = 10**18
REFUSED = "no real network is this large"
# A figure of 10^18 or more as cnncalc prints numbers: 1,000,000,000,000,000,000 or plain.
HUGE = re.compile(r"[0-9]{1,3}(,[0-9]{3}){6,}|[0-9]{19,}")


def assert_refused(result, message: str) -> None:
    """Exit 1 with `message` on standard error, nothing on standard output, and no figure
    of 19 digits or more but the user's own arguments, which the message quotes."""
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stdout == ""
    assert not HUGE.search(re.sub(r"argument '[^']*'", "", result.stderr)), result.stderr


# The limit itself


def test_the_limit_is_the_spec_readers():
    """What the engine refuses is what a spec may not say: one limit, 10^18."""
    assert limits.MAX_SIZE == 10**18
    with pytest.raises(values.ValueProblem, match="larger than 10\\^18"):
        values.positive_int("filters", 10**18 + 1)
    assert values.positive_int("filters", 10**18) == 10**18


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (2**60, "about 1.2×10^18"),  # 1,152,921,504,606,846,976
        (3 * 10**24, "about 3×10^24"),
        (-(2 * 10**18 - 2), "about −2×10^18"),
        (9_960_000_000_000_000_000, "about 1×10^19"),  # 9.96 rounds up to 10.0
        (3 * 10**5000, "about 3×10^5000"),  # str() of it would raise
    ],
    ids=["2^60", "3e24", "-2e18", "9.96e18", "3e5000"],
)
def test_about_gives_the_power_of_ten_without_printing_the_number(number, text):
    assert limits.about(number) == text


# A repeat of doublings: refused at the layer that passes, in every command


UPSAMPLES = "input: [1, 1, 1]\nlayers:\n  - repeat: 7200\n    layers: [upsample:2]\n"
# After k doublings of height and width, 4^k values of 4 bytes: 4^(k+1) bytes, past 10^18
# first at k = 29 (4^30 ≈ 1.15·10^18; at k = 28, 4^29 ≈ 2.9·10^17). The memory in all
# before it, 4 bytes of input and 4·(4 + 4^2 + … + 4^28) = 4·(4^29 − 4)/3 ≈ 3.8·10^17
# bytes of activations, is below too.
UPSAMPLE_ERROR = (
    ":4:14: layer 1.29 (Upsample_29): its output's memory (float32, 4 bytes a value) would "
    f"be past 10^18 bytes (about 1.2×10^18); {REFUSED}"
)


@pytest.fixture
def upsamples(tmp_path):
    path = tmp_path / "upsamples.yaml"
    path.write_text(UPSAMPLES, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "command",
    [("table",), ("table", "--format", "json"), ("table", "--format", "csv"), ("explain",)],
)
def test_upsample_repeat_is_refused_at_the_layer_that_passes(run, upsamples, command):
    """It used to print a shape of thousands of digits, then fail at Python's limit."""
    assert_refused(run(*command, upsamples), upsamples + UPSAMPLE_ERROR)


def test_upsample_repeat_fails_check(run, upsamples):
    """check called it passed; now it fails the file, with the place and the layer."""
    assert 4**28 * 4 <= E18 < 4**29 * 4
    memory_before = 4 + 4 * (4**29 - 4) // 3
    assert memory_before == 4 + sum(4**k * 4 for k in range(1, 29))
    assert memory_before <= E18
    result = run("check", upsamples, "--format", "json")
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)
    (problem,) = report["problems"]
    assert report["passed"] is False
    assert (problem["line"], problem["column"], problem["name"]) == (4, 14, "Upsample_29")
    assert problem["message"].startswith("its output's memory (float32, 4 bytes a value)")
    plain = run("check", upsamples)
    assert plain.exit_code == 1 and "layer 1.29 (Upsample_29)" in plain.stdout


def test_an_axis_past_the_limit_is_named(run):
    """5·10^17 rows upsampled 3 times: 1.5·10^18 rows, past before anything else is
    (int8, so the memory is the values: 5·10^17 in, fine)."""
    result = run(
        "table",
        "--input",
        f"{5 * 10**17}x1x1",
        "--dtype",
        "int8",
        "--columns",
        "memory",
        "upsample:3x1",
    )
    assert_refused(
        result,
        "layer 1 (Upsample): its output height would be past 10^18 (about 1.5×10^18)",
    )


# Layers whose own figures pass


def test_transposed_conv_with_a_huge_stride(run):
    """3×3 input, stride 10^18, kernel 1: 10^18·(3 − 1) + 1 = 2·10^18 + 1 on each axis."""
    result = run("table", "--input", "3x3x1", f"deconv:1,1,{E18}")
    assert_refused(
        result, "layer 1 (DECONV1): its output height would be past 10^18 (about 2×10^18)"
    )


def test_transposed_conv_padding_far_below_zero_is_not_printed(run):
    """2×2 input, padding 10^18: 1·(2 − 1) − 2·10^18 + 1 = 2 − 2·10^18, no output."""
    result = run("table", "--input", "2x2x1", f"deconv:1,1,1,{E18}")
    assert_refused(
        result, "layer 1 (DECONV1): the padding leaves no output: about −2×10^18 on the height"
    )


def test_dilated_span_past_the_limit(run):
    """d(f − 1) + 1 = 10^18·(10^18 − 1) + 1 ≈ 10^36: said, not printed."""
    result = run("table", "--input", "5x5x1", f"conv:1,{E18},dilation={E18}")
    assert_refused(
        result,
        "layer 1 (CONV1): the dilated kernel's span d(f − 1) + 1 on the height would be past "
        "10^18 (about 1×10^36)",
    )


def test_fc_after_a_huge_flatten(run):
    """100,000·10,000 = 10^9 values flattened, then 10^9 units: weights 10^9·10^9 = 10^18,
    at the limit; with 10^9 biases the parameters are 10^18 + 10^9, past it."""
    result = run("table", "--input", "100000x10000x1", "flatten", "fc:1000000000")
    assert_refused(
        result,
        "layer 2 (FC1): its parameters (weights + biases) would be past 10^18 (about 1×10^18)",
    )


def test_flops_at_the_limit_and_one_input_past(run):
    """5·10^8 inputs to 10^9 units: 5·10^17 MACs, FLOPs 2·5·10^17 = 10^18 exactly, counted.
    One input more: 2·(5·10^8 + 1)·10^9 = 10^18 + 2·10^9 FLOPs, refused."""
    fits = run(
        "table", "--input", "500000000", "--dtype", "int8", "--format", "json", "fc:1000000000"
    )
    assert fits.exit_code == 0, fits.output
    totals = json.loads(fits.stdout)["totals"]
    assert (totals["macs"], totals["flops"]) == (5 * 10**17, 10**18)
    # int8: input 5·10^8 + output 10^9 + parameters 5·10^17 + 10^9 bytes, below 10^18.
    assert totals["memory"]["total"] == 5 * 10**8 + 10**9 + 5 * 10**17 + 10**9
    past = run(
        "table", "--input", "500000001", "--dtype", "int8", "--format", "json", "fc:1000000000"
    )
    assert_refused(past, "layer 1 (FC1): its FLOPs (2 × MACs) would be past 10^18 (about 1×10^18)")


def test_the_input_itself(run, tmp_path):
    """10^12 × 10^12 × 3 = 3·10^24 values: each size may be given, their product is not."""
    result = run("table", "--input", f"{10**12}x{10**12}x3", "relu")
    assert_refused(result, "--input: the input's size would be past 10^18 values (about 3×10^24)")
    path = tmp_path / "wide.yaml"
    path.write_text(f"input: [{10**12}, {10**12}, 3]\nlayers: [relu]\n", encoding="utf-8")
    checked = run("check", str(path))
    assert checked.exit_code == 1
    assert f"{path}:1:8: error: the input's size would be past 10^18 values" in checked.stdout


# Sums: the concat's channels, the network's totals


def test_concat_channels_are_refused_before_they_are_summed(run, tmp_path):
    """Three branches of 4·10^17 channels would join to 1.2·10^18. At int8 the input and
    the first branch's output are 8·10^17 bytes; the second branch's takes the memory in
    all to 1.2·10^18: refused there, before the concat adds anything up."""
    path = tmp_path / "concat.yaml"
    path.write_text(
        f"input: [1, 1, {4 * 10**17}]\nlayers:\n  - concat:\n      - [relu]\n      - [relu]\n"
        "      - [relu]\n",
        encoding="utf-8",
    )
    result = run("table", str(path), "--dtype", "int8", "--columns", "memory")
    assert_refused(
        result,
        f"{path}:5:10: layer 1.2 (ReLU_2): with it, the network's memory in all (int8, 1 byte "
        "a value) would be past 10^18 bytes (about 1.2×10^18)",
    )


def test_totals_over_many_layers_are_refused_at_the_layer_that_crosses(run, tmp_path):
    """3·10^8 inputs through fc layers of 3·10^8 units: each has 9·10^16 weights, MACs
    likewise, far below 10^18. The FLOPs in all, 2·9·10^16 a layer, pass 10^18 at the
    sixth (1.08·10^18; five make 9·10^17). In float32 the parameters' memory, 4·(9·10^16 +
    3·10^8) bytes a layer, passes first: at the third (≈ 1.08·10^18; two make 7.2·10^17)."""
    n = 3 * 10**8
    path = tmp_path / "deep.yaml"
    path.write_text(
        f"input: [{n}]\nlayers:\n  - repeat: 10\n    layers: ['fc:{n}']\n", encoding="utf-8"
    )
    assert 5 * 2 * n * n <= E18 < 6 * 2 * n * n
    assert 2 * 4 * (n * n + n) <= E18 < 3 * 4 * (n * n + n)
    int8 = run("table", str(path), "--dtype", "int8", "--columns", "memory")
    assert_refused(
        int8,
        "layer 1.6 (FC6): with it, the network's FLOPs in all (2 × MACs) would be past 10^18 "
        "(about 1.1×10^18)",
    )
    float32 = run("check", str(path))
    assert float32.exit_code == 1
    assert (
        "layer 1.3 (FC3): with it, the memory of the network's parameters (float32) would be "
        "past 10^18 bytes (about 1.1×10^18)" in float32.stdout
    )


def test_receptive_field_jump(run, tmp_path):
    """A 1×1 input through 1×1 pools of stride 2 stays 1×1, but the jump doubles: 2^60 ≈
    1.15·10^18 at the 60th, past; 2^59 at the 59th is not."""
    path = tmp_path / "jump.yaml"
    path.write_text(
        "input: [1, 1, 1]\nlayers:\n  - repeat: 7200\n"
        "    layers: [{type: maxpool, kernel: 1, stride: 2}]\n",
        encoding="utf-8",
    )
    assert 2**59 <= E18 < 2**60
    result = run("check", str(path))
    assert result.exit_code == 1
    assert (
        "layer 1.60 (POOL0_60): its receptive field's jump on the height would be past 10^18 "
        "(about 1.2×10^18)" in result.stdout
    )


# Memory with --batch and --dtype


def test_a_layers_memory_with_a_large_batch(run):
    """1,000·1,000 upsampled 100 times: 10^10 values, 4 bytes, 10^9 inputs: 4·10^19 bytes."""
    result = run(
        "table", "--input", "1000x1000x1", "--batch", "1000000000", "--columns", "memory",
        "upsample:100",
    )  # fmt: skip
    assert_refused(
        result,
        "layer 1 (Upsample): its output's memory (float32, 4 bytes a value, batch of "
        "1,000,000,000) would be past 10^18 bytes (about 4×10^19); no real network is this "
        "large: a smaller --batch would fix it",
    )


def test_the_inputs_memory_with_a_large_batch(run):
    """10^6·10^6 values, 4 bytes each, 10^9 of them: 4·10^21 bytes of input."""
    result = run("table", "--input", "1000000x1000000x1", "--batch", "1000000000", "relu")
    assert_refused(
        result,
        "--input: the input's memory (float32, 4 bytes a value, batch of 1,000,000,000) would "
        "be past 10^18 bytes (about 4×10^21)",
    )


def test_memory_in_all_at_the_limit_and_one_layer_past(run):
    """10^8 values of 1 byte for 10^9 inputs: 10^17 bytes each for the input and every
    ReLU's output. Nine ReLUs make 10^18 in all, counted; the tenth passes it."""
    args = ["table", "--input", "10000x10000x1", "--batch", "1000000000", "--dtype", "int8"]
    fits = run(*args, "--format", "json", *["relu"] * 9)
    assert fits.exit_code == 0, fits.output
    assert json.loads(fits.stdout)["totals"]["memory"]["total"] == 10 * 10**17
    assert_refused(
        run(*args, "--columns", "memory", *["relu"] * 10),
        "layer 10 (ReLU_10): with it, the network's memory in all (int8, 1 byte a value, "
        "batch of 1,000,000,000) would be past 10^18 bytes (about 1.1×10^18)",
    )


# explain


def test_explain_says_a_dense_layer_would_be_past_the_limit(run):
    """A conv from 10^4·10^4·3 = 3·10^8 values to 10^4·10^4·64 = 6.4·10^9: the dense layer
    of the course's comparison would need 3·10^8·6.4·10^9 + 6.4·10^9 ≈ 1.9·10^18
    parameters. The conv itself is fine, so explain says so instead of printing it."""
    result = run("explain", "--input", "10000x10000x3", "conv:64,3,p=1")
    assert result.exit_code == 0, result.output
    assert (
        "would need 300,000,000·6,400,000,000 weights + 6,400,000,000 biases, past 10^18 "
        "parameters (about 1.9×10^18), against the conv layer's 1,792" in result.stdout
    )
    assert not HUGE.search(result.stdout)


# cnncalc size


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # ⌊(10 + 2·10^18 − 1)/1⌋ + 1 = 2·10^18 + 10
        (["10", "-f", "1", "-p", str(E18)], "the output would be past 10^18 (about 2×10^18)"),
        # 10^18·(3 − 1) + 1 = 2·10^18 + 1
        (
            ["3", "-f", "1", "-s", str(E18), "--transposed"],
            "the output would be past 10^18 (about 2×10^18)",
        ),
        # 10^18·(10^18 − 1) + 1 ≈ 10^36
        (
            ["5", "-f", str(E18), "-d", str(E18)],
            "the dilated kernel's span d(f − 1) + 1 would be past 10^18 (about 1×10^36)",
        ),
        # strides up to n + 2p = 3·10^18
        (
            [str(E18), "-f", "2", "-p", str(E18), "--out", "3", "--solve", "stride"],
            "the padded input n + p + p would be past 10^18 (about 3×10^18)",
        ),
        # 2p = 10^18 − 1 has no answer; p = 5·10^17 gives 10^18 + 1, the nearest above
        (
            [str(E18), "-f", str(E18), "--out", str(E18)],
            "the nearest output, with p = 500,000,000,000,000,000, would be past 10^18",
        ),
        # 1·(2 − 1) + 1 − 2·10^18 = 2 − 2·10^18
        (
            ["2", "-f", "1", "-p", str(E18), "--transposed"],
            f"the padding leaves no output: 1·(2 − 1) + 1 − {E18} − {E18} + 0 = about −2×10^18",
        ),
    ],
)
def test_size_refuses_a_result_past_the_limit(run, args, message):
    for output in ("text", "json"):
        result = run("size", *args, "--format", output)
        assert result.exit_code == 1, result.output
        assert message in result.stderr
        assert result.stdout == ""


def test_size_keras_note_does_not_print_n_times_s(run):
    """n = 2, s = 6·10^17, f = 1: s(n − 1) + 1 = 6·10^17 + 1, the answer; Keras's n·s =
    1.2·10^18 is past the limit, so the note says so."""
    result = run("size", "2", "-f", "1", "-s", str(6 * 10**17), "-p", "valid", "--transposed")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == str(6 * 10**17 + 1)
    assert "Keras's Conv2DTranspose with 'valid' gives n·s = past 10^18 here" in result.stdout
