"""`table --columns/--dtype/--batch/--layout` and `cnncalc explain`, through the CLI."""

from __future__ import annotations

import json

from tests.test_cli import table_cells


def test_columns_choose_and_order(run):
    """--columns picks the columns after the layer's, in the order given."""
    result = run("table", "lenet5", "--columns", "params,macs")
    assert result.exit_code == 0
    cells = table_cells(result.stdout)
    assert cells[1] == ("CONV1 (f=5, s=1)", "608", "470,400")
    assert cells[-1] == ("Total", "62,958", "849,320")  # 608 + 3,216 + … and the course's MACs


def test_columns_all_has_every_column(run):
    """--columns all shows each of the columns the README documents, in its order."""
    header = next(line for line in run("table", "vgg16", "--columns", "all").stdout.splitlines()
                  if line.startswith("| Layer"))  # fmt: skip
    assert [cell.strip() for cell in header.strip("|").split("|")][1:] == [
        "Type", "Input shape", "Activation shape", "Activation size", "# parameters",
        "Weights", "Biases", "Non-trainable", "MACs", "FLOPs", "Memory",
        "Receptive field", "Jump", "Start", "Kernel", "Stride", "Padding", "% of parameters",
    ]  # fmt: skip


def test_unknown_column_is_a_usage_error(run):
    """A misspelled column gets a suggestion and exit 2."""
    result = run("table", "lenet5", "--columns", "shape,mcas")
    assert result.exit_code == 2
    assert "unknown column 'mcas'; did you mean 'macs'?" in result.stderr


def test_receptive_field_columns(run):
    """rf, jump and start for VGG-16's last layers; 'all' after flatten."""
    cells = table_cells(run("table", "vgg16", "--columns", "rf,jump,start").stdout)
    by_name = {cell[0].split()[0]: cell[1:] for cell in cells}
    # start: each 3×3 conv with p=1 moves it by −j; the stages have 2, 2, 3, 3, 3 convs
    # at jumps 1, 2, 4, 8, 16, and the pools add no padding.
    start = str(-(2 * 1 + 2 * 2 + 3 * 4 + 3 * 8 + 3 * 16))
    assert by_name["features.28"] == ("196", "16", start)  # conv5_3, the last conv
    assert by_name["features.30"] == ("212", "32", start)  # the last pool
    assert by_name["Flatten"] == ("all", "all", "all")


def test_macs_footer_states_the_convention(run):
    """The footer says what a MAC is and that FLOPs are twice the MACs."""
    output = run("table", "vgg16", "--columns", "macs").stdout
    assert "15,470,264,320 MACs (15.47 G)" in output
    assert "FLOPs = 2 × MACs" in output


def test_memory_in_decimal_units_with_dtype_and_batch(run):
    """float16, batch 2: every value 2 bytes, activations ×2, parameters once."""
    result = run("table", "lenet5", "--columns", "memory", "--dtype", "float16", "--batch", "2")
    cells = table_cells(result.stdout)
    assert cells[0] == ("Input", "12.29 KB")  # 3,072 × 2 × 2 = 12,288 bytes
    assert cells[1] == ("CONV1 (f=5, s=1)", "25.09 KB")  # 6,272 × 2 × 2 = 25,088
    # The course's activation sizes, 2 inputs, 2 bytes: 40,216 bytes, read 40.22 KB.
    activations = (6272 + 1568 + 1600 + 400 + 120 + 84 + 10) * 2 * 2
    assert f"+ activations {activations / 1000:.2f} KB " in result.stdout
    assert (
        "Memory (float16, 2 bytes a value, batch of 2; 1 KB = 1,000 bytes): input 12.29 KB "
        "+ activations 40.22 KB + parameters 125.92 KB = 178.42 KB"  # 62,958 × 2 = 125,916
    ) in result.stdout


def test_batch_shows_m_first(run):
    """--batch 64: shapes start with 64 and sizes are 64 times larger."""
    cells = table_cells(run("table", "lenet5", "--batch", "64").stdout)
    assert cells[1][1:] == ("(64, 28, 28, 8)", f"{64 * 6272:,}", "608")
    assert cells[5][1] == "(64, 120)"  # FC3, after Input and four layers


def test_json_has_every_figure_whatever_the_columns(run):
    """JSON carries MACs, memory, the receptive field and the window of each layer."""
    document = json.loads(run("table", "lenet5", "--format", "json").stdout)
    conv = document["layers"][0]
    assert conv["macs"] == 28 * 28 * 8 * 5 * 5 * 3
    assert conv["flops"] == 2 * conv["macs"]
    assert conv["memory"] == 6272 * 4
    assert (conv["rf"], conv["jump"], conv["start"]) == ([5, 5], [1, 1], [0, 0])
    assert (conv["kernel"], conv["stride"], conv["padding"]) == ([5, 5], [1, 1], [0, 0, 0, 0])
    assert document["layers"][4]["rf"] is None  # FC3 sees everything
    assert document["totals"]["macs"] == 849_320
    assert document["totals"]["memory"] == {
        "input": 3072 * 4, "activations": 10_054 * 4, "params": 62_958 * 4,
        "total": (3072 + 10_054 + 62_958) * 4,
    }  # fmt: skip


def test_layout_chw_writes_and_reads_channels_first(run):
    """--layout chw: --input is C×H×W and shapes are written (C, H, W)."""
    result = run("table", "--layout", "chw", "--input", "3x32x32", "conv:8,5")
    assert table_cells(result.stdout)[:2] == [
        ("Input", "(3, 32, 32)", "3,072", "0"),
        ("CONV1 (f=5, s=1)", "(8, 28, 28)", "6,272", "608"),
    ]


def test_spec_layout_chw(run, tmp_path):
    """A spec that says layout: chw gives its input and expectations channels first."""
    path = tmp_path / "chw.yaml"
    path.write_text("layout: chw\ninput: [3, 32, 32]\nlayers:\n  - conv:8,5,expect=8x28x28\n")
    assert run("check", str(path)).exit_code == 0
    assert table_cells(run("table", str(path)).stdout)[1][1] == "(8, 28, 28)"
    # Shown the course's way on request:
    assert table_cells(run("table", str(path), "--layout", "hwc").stdout)[1][1] == "(28, 28, 8)"


def test_explain_lenet(run):
    """explain works out the course's LeNet numbers."""
    output = run("explain", "lenet5").stdout
    for line in [
        "  n_H = n_W = ⌊(32 + 2·0 − 5)/1⌋ + 1 = 28",
        "  params = (5·5·3 + 1)·8 = 608",
        "  n_H = n_W = ⌊(28 + 2·0 − 2)/2⌋ + 1 = 14",
        "  params = (5·5·8 + 1)·16 = 3,216",
        "  input: 5×5×16 = 400 values, flattened",
        "  params = (400 + 1)·120 = 48,120",
        "  params = (120 + 1)·84 = 10,164",
        "  params = (84 + 1)·10 = 850",
    ]:
        assert line in output.splitlines(), line


def test_explain_simple_convnet(run):
    """The course's 39×39×3 example: 37, 17 and 7, and 1,960 features."""
    lines = run("explain", "simple-convnet").stdout.splitlines()
    assert "  n_H = n_W = ⌊(39 + 2·0 − 3)/1⌋ + 1 = 37" in lines
    assert "  n_H = n_W = ⌊(37 + 2·0 − 5)/2⌋ + 1 = 17" in lines
    assert "  n_H = n_W = ⌊(17 + 2·0 − 5)/2⌋ + 1 = 7" in lines
    assert "  7×7×40 = 1,960 values in a row" in lines


def test_explain_batchnorm_without_affine(run):
    """Without affine a batch norm learns nothing: its arithmetic must not read 2·3 = 0."""
    lines = run("explain", "--input", "4x4x3", "batchnorm:affine=false").stdout.splitlines()
    assert "  params = 0: with affine=false it learns no scale and no shift" in lines
    assert "  non-trainable = 2·3 = 6, a running mean and variance" in lines
    affine = run("explain", "--input", "4x4x3", "batchnorm").stdout.splitlines()
    assert "  params = 2·3 = 6, a scale and a shift per channel" in affine


def test_explain_why_convolutions(run):
    """The course's comparison: 32×32×3 → 28×28×6 by a dense layer needs 14,455,392."""
    output = run("explain", "--input", "32x32x3", "conv:6,5").stdout
    # 32·32·3 inputs, 28·28·6 outputs; the conv holds (5·5·3 + 1)·6 = 456.
    n_in, n_out, conv = 32 * 32 * 3, 28 * 28 * 6, (5 * 5 * 3 + 1) * 6
    dense = n_in * n_out + n_out
    assert dense == 14_455_392  # the course's figure
    assert (
        f"would need {n_in:,}·{n_out:,} weights + {n_out:,} biases = {dense:,} parameters, "
        f"{round(dense / conv):,} times the conv layer's {conv}"
    ) in output


def test_explain_says_when_the_floor_drops_rows(run):
    """15 rows, f=2, s=2: the 15th row is never covered, and explain says so."""
    output = run("explain", "--input", "15x15x1", "maxpool:2").stdout
    assert "  n_H = n_W = ⌊(15 + 2·0 − 2)/2⌋ + 1 = 7" in output
    assert "  note: stride 2 leaves the last row and the last column unused" in output


def test_explain_markdown(run):
    """--format markdown: a heading and a list per layer."""
    output = run("explain", "lenet5", "--format", "markdown").stdout
    assert output.startswith("### LeNet-5 (course variant)\n")
    assert "**CONV1: conv, 8 filters of 5×5×3**" in output
    assert "- params = (5·5·3 + 1)·8 = 608" in output


def test_type_and_input_columns(run):
    """--columns type,input: each row's layer type and the shape it was given, as torchinfo
    shows them; the input's own row has no input."""
    cells = table_cells(run("table", "lenet5", "--columns", "type,input,shape").stdout)
    assert cells[0] == ("Input", "input", "", "(32, 32, 3)")
    assert cells[1] == ("CONV1 (f=5, s=1)", "conv", "(32, 32, 3)", "(28, 28, 8)")
    assert cells[2] == ("POOL1", "maxpool", "(28, 28, 8)", "(14, 14, 8)")
    document = json.loads(run("table", "lenet5", "--format", "json").stdout)
    assert document["layers"][4]["input"] == [5, 5, 16]  # FC3 takes POOL2's output
