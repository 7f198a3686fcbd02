"""1-D and 3-D networks on the command line: table, JSON, size, explain, check, schema and
the errors, each figure worked out by hand. The engine's view is tests/test_ranks.py."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest


def write(tmp_path, text: str, name: str = "net.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def cells(output: str) -> dict[str, tuple[str, ...]]:
    """The body rows of a plain table, by the layer's name (its first word)."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| Layer "):
            row = tuple(cell.strip() for cell in line.strip("|").split("|"))
            rows[row[0].split(" ")[0]] = row[1:]
    return rows


def json_layers(run, *args) -> list[dict]:
    result = run("table", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["layers"]


def failure(run, *args) -> tuple[int, str]:
    result = run(*args)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.strip()


def column(path: str, line: int, text: str) -> int:
    """The 1-based column of `text` on a line of the file: where an error should point."""
    with open(path, encoding="utf-8") as handle:
        return handle.read().splitlines()[line - 1].index(text) + 1


# --- Tables: shapes in each rank, per-axis fields ---


def test_table_1d_speech_frontend(run):
    """--input 16000x1 is a 1-D signal: (16000 − 80)//4 + 1 = 3981 positions of 8 filters."""
    result = run("table", "--input", "16000x1", "conv:8,80,4")
    assert result.exit_code == 0 and result.stderr == ""
    rows = cells(result.stdout)
    assert rows["Input"] == ("(16000, 1)", f"{16000 * 1:,}", "0")
    length = (16000 + 0 - 80) // 4 + 1
    assert rows["CONV1"] == (f"({length}, 8)", f"{length * 8:,}", f"{(80 * 1 + 1) * 8:,}")


def test_table_3d_video_clip(run):
    """--input 16x112x112x3 (C3D's clip): a 3×3×3 conv, padding 1, keeps 16×112×112."""
    result = run("table", "--input", "16x112x112x3", "conv:64,3,1,1")
    rows = cells(result.stdout)
    assert rows["Input"][0] == "(16, 112, 112, 3)"
    assert rows["CONV1"] == (
        "(16, 112, 112, 64)", f"{16 * 112 * 112 * 64:,}", f"{(3 * 3 * 3 * 3 + 1) * 64:,}"
    )  # fmt: skip


def test_field_columns_render_per_axis(run):
    """Kernel 3×5×5 dilated 3×1×1 (spans 7, 5, 5), stride 1×2×2, padding 1×2×2: field
    7×5×5, jump 1×2×2, start −1×−2×−2; a single figure where the axes agree."""
    args = ("--input", "9x20x20x8", "conv:16,3x5x5,1x2x2,1x2x2,d=3x1x1",
            "--columns", "shape,rf,jump,start")  # fmt: skip
    row = cells(run("table", *args).stdout)["CONV1"]
    assert row == ("(5, 10, 10, 16)", "7×5×5", "1×2×2", "-1×-2×-2")
    layer = json_layers(run, *args[:3])[0]
    span = 3 * (3 - 1) + 1
    assert (layer["rf"], layer["jump"], layer["start"]) == ([span, 5, 5], [1, 2, 2], [-1, -2, -2])


def test_causal_row_in_the_table(run):
    """The brief's example: f=3, d=2, causal on 100×4: padding (4, 0), field 5 from −4,
    params (3·4 + 1)·8, MACs 100·8·3·4."""
    result = run("table", "--input", "100x4", "conv:8,3,p=causal,d=2",
                 "--columns", "shape,params,macs,rf,jump,start,stride,padding")  # fmt: skip
    assert cells(result.stdout)["CONV1"] == (
        "(100, 8)", f"{(3 * 4 + 1) * 8}", f"{100 * 8 * 3 * 4:,}", "5", "1", "-4", "1", "(4, 0)"
    )  # fmt: skip


def test_uneven_adaptive_pool_shows_na(run):
    """100 into 7 windows: the field is n/a in the table."""
    row = cells(run("table", "-i", "100x4", "adaptiveavgpool:7", "--columns", "rf").stdout)
    assert row["POOL0"] == ("n/a",)


# --- JSON: padding flattened per axis in axis order ---


def test_json_padding_1d_is_left_right(run):
    """1-D: [left, right]; causal f=3, d=2 is [2·(3 − 1), 0]."""
    layers = json_layers(run, "-i", "100x4", "conv:8,3,p=causal,d=2", "maxpool:2,p=0x1")
    assert [layer["padding"] for layer in layers] == [[2 * (3 - 1), 0], [0, 1]]
    assert layers[1]["shape"] == [(100 + 0 + 1 - 2) // 2 + 1, 8]


def test_json_padding_of_the_causal_stack(run):
    """Kernel 2, dilations 1, 2, 4, 8: [d(2 − 1), 0] each; the last field 1 + 15, from −15."""
    layers = json_layers(run, "-i", "100x4",
                         *(f"conv:8,2,p=causal,d={d}" for d in (1, 2, 4, 8)))  # fmt: skip
    assert [layer["padding"] for layer in layers] == [[d * (2 - 1), 0] for d in (1, 2, 4, 8)]
    assert (layers[-1]["rf"], layers[-1]["start"]) == ([1 + 1 + 2 + 4 + 8], [-(1 + 2 + 4 + 8)])


def test_json_padding_3d_is_front_back_top_bottom_left_right(run):
    """Zeropad [[1, 2], [3, 0], [1, 1]]: flattened in axis order; 'same' 2×3×4, s=2×1×1 on
    15×10×9: [0, 1, 1, 1, 1, 2] (TensorFlow's odd pixel after)."""
    layers = json_layers(run, "-i", "4x6x6x2", "zeropad:1x2x3x0x1x1")
    assert layers[0]["padding"] == [1, 2, 3, 0, 1, 1]
    assert layers[0]["shape"] == [4 + 1 + 2, 6 + 3 + 0, 6 + 1 + 1, 2]
    layers = json_layers(run, "-i", "15x10x9x3", "conv:4,2x3x4,2x1x1,same")
    assert layers[0]["padding"] == [0, (8 - 1) * 2 + 2 - 15, 1, 1, 1, 2]


def test_json_padding_2d_for_comparison(run):
    """2-D: [top, bottom, left, right]."""
    assert json_layers(run, "-i", "10x10x4", "conv:8,3,p=1x2x0x1")[0]["padding"] == [1, 2, 0, 1]


def test_same_warning_names_the_sides_on_stderr(run):
    """The warning goes to standard error, with the sides of the rank."""
    result = run("table", "-i", "15x3", "conv:4,2,2,same")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: argument 'conv:4,2,2,same': layer 1 (CONV1): 'same' padding came out "
        "asymmetric: 0 left, 1 right (TensorFlow's rule puts the odd pixel at the right)\n"
    )


# --- Memory ---


def test_memory_of_a_3d_activation(run):
    """16×112×112×64 float32 values at 4 bytes: 51,380,224 bytes, 51.38 MB in decimal units."""
    args = ("-i", "16x112x112x3", "conv:64,3,1,1")
    activation = 16 * 112 * 112 * 64 * 4
    assert json_layers(run, *args)[0]["memory"] == activation == 51_380_224
    row = cells(run("table", *args, "--columns", "memory").stdout)
    assert row["Input"] == (f"{16 * 112 * 112 * 3 * 4 / 1e6:.2f} MB",)  # 2.41 MB
    assert row["CONV1"] == (f"{activation / 1e6:.2f} MB",)
    half = cells(run("table", *args, "--columns", "memory", "--dtype", "float16").stdout)
    assert half["CONV1"] == (f"{16 * 112 * 112 * 64 * 2 / 1e6:.2f} MB",)


# --- Layout chw ---


def test_chw_prints_channels_first(run, tmp_path):
    """--input 4x100 --layout chw is [C, L]; a 3-D spec [C, D, H, W] likewise."""
    rows = cells(run("table", "-i", "4x100", "--layout", "chw", "conv:8,3").stdout)
    assert rows["Input"][0] == "(4, 100)" and rows["CONV1"][0] == f"(8, {100 - 3 + 1})"
    path = write(tmp_path, """\
        layout: chw
        input: [2, 4, 6, 6]
        layers: ["conv:8,3"]
        """)  # fmt: skip
    rows = cells(run("table", path).stdout)
    assert rows["Input"][0] == "(2, 4, 6, 6)" and rows["CONV1"][0] == "(8, 2, 4, 4)"
    assert rows["CONV1"][-1] == f"{(3 * 3 * 3 * 2 + 1) * 8:,}"


# --- Rank aliases ---


def test_conv1d_on_1d_is_fine_and_keras_names_work(run):
    """conv1d and Conv1D on 100×4; MaxPooling1D of 2; GlobalAveragePooling1D."""
    result = run("table", "-i", "100x4", "conv1d:8,3", "Conv1D:8,3", "MaxPooling1D:2",
                 "GlobalAveragePooling1D")  # fmt: skip
    assert result.exit_code == 0
    shapes = [row[0] for row in cells(result.stdout).values()]
    assert shapes[:5] == ["(100, 4)", "(98, 8)", "(96, 8)", "(48, 8)", "(1, 8)"]


def test_keras_3d_names(run):
    """MaxPooling3D, Conv3D, ZeroPadding3D, UpSampling3D on a 3-D volume."""
    result = run("table", "-i", "8x8x8x3", "MaxPooling3D:2", "Conv3D:4,3", "ZeroPadding3D:1",
                 "UpSampling3D:2", "--columns", "shape")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shapes = [row[0] for row in cells(result.stdout).values()]
    # 8/2 = 4; 4 − 3 + 1 = 2; 2 + 2 = 4; 4·2 = 8.
    assert shapes[1:5] == ["(4, 4, 4, 3)", "(2, 2, 2, 4)", "(4, 4, 4, 4)", "(8, 8, 8, 4)"]


@pytest.mark.parametrize("command", ["check", "table"])
def test_conv3d_on_a_2d_input_is_located(run, tmp_path, command):
    """conv3d requires 3-D: the error names both ranks, at the type's line and column."""
    path = write(tmp_path, """\
        input: [28, 28, 1]
        layers:
          - {type: conv3d, filters: 8, kernel: 3}
        """)  # fmt: skip
    message = (
        f"{path}:3:{column(path, 3, 'conv3d')}: "
        + ("error: " if command == "check" else "")
        + "layer 1 (CONV1): conv3d takes a 3-D input (D, H, W, C), but its input (28, 28, 1) "
        "is 2-D; write conv to take the rank from the input"
    )
    result = run(command, path)
    assert result.exit_code == 1
    assert message in result.output + result.stderr


def test_keras_1d_pool_on_3d_names_both_ranks(run):
    code, error = failure(run, "table", "-i", "4x8x8x3", "MaxPooling1D:2")
    assert code == 1
    assert "MaxPooling1D takes a 1-D input (L, C), but its input (4, 8, 8, 3) is 3-D" in error


def test_batchnorm1d_after_fc_but_not_batchnorm2d(run):
    """PyTorch's BatchNorm1d takes (N, C): after fc:10, 2·10 trainable; BatchNorm2d does not."""
    result = run("table", "-i", "100x4", "fc:10", "batchnorm1d")
    assert result.exit_code == 0
    assert cells(result.stdout)["BN1"][-1] == f"{2 * 10}"
    code, error = failure(run, "table", "-i", "100x4", "fc:10", "batchnorm2d")
    assert code == 1 and "batchnorm2d takes a 2-D input (H, W, C)" in error


def test_rank_refusal_of_a_vector_does_not_look_1d(run):
    code, error = failure(run, "table", "-i", "100x4", "fc:10", "batchnorm2d")
    assert code == 1 and "a vector of 10" in error and "(10, 1)" not in error


def test_rank_refusal_follows_the_layout(run):
    code, error = failure(run, "table", "-i", "4x100", "--layout", "chw", "conv2d:8,3")
    assert code == 1 and "(C, H, W)" in error


# --- Bad input: each its own message ---


def test_kernel_list_of_the_wrong_length_names_the_rank(run, tmp_path):
    path = write(tmp_path, """\
        input: [100, 4]
        layers:
          - {type: conv, filters: 8, kernel: [3, 3]}
        """)  # fmt: skip
    assert failure(run, "table", path) == (
        1, f"Error: {path}:3:{column(path, 3, '[3, 3]')}: layer 1 (CONV1): kernel [3, 3] has 2 "
           "entries, but the input is 1-D (one spatial axis): give one number for every axis, "
           "or a list of 1, one per axis",
    )  # fmt: skip


def test_causal_on_a_2d_conv(run, tmp_path):
    path = write(tmp_path, """\
        input: [32, 32, 3]
        layers:
          - {type: conv, filters: 8, kernel: 3, padding: causal}
        """)  # fmt: skip
    code, error = failure(run, "table", path)
    assert code == 1
    assert error.startswith(f"Error: {path}:3:{column(path, 3, 'causal')}: layer 1 (CONV1): "
                            "causal padding is for 1-D convs")  # fmt: skip
    assert "but the input is 2-D" in error


def test_causal_on_a_pool(run):
    assert failure(run, "table", "-i", "100x4", "maxpool:2,p=causal") == (
        1, "Error: argument 'maxpool:2,p=causal': layer 1 (POOL0): padding causal is for "
           "1-D convs only (Keras's Conv1D padding='causal'); write same, valid or numbers",
    )  # fmt: skip


def test_padding_list_of_the_wrong_length(run, tmp_path):
    """Four numbers are neither one per axis (3) nor a pair per axis (6) in 3-D."""
    path = write(tmp_path, """\
        input: [8, 8, 8, 4]
        layers:
          - {type: conv, filters: 8, kernel: 3, padding: [1, 1, 1, 1]}
        """)  # fmt: skip
    assert failure(run, "table", path) == (
        1, f"Error: {path}:3:{column(path, 3, '[1, 1, 1, 1]')}: layer 1 (CONV1): padding "
           "[1, 1, 1, 1] has 4 entries, but the input is 3-D (3 spatial axes): give one number, "
           "one per axis [p_d, p_h, p_w], or a (before, after) pair per axis "
           "[front, back, top, bottom, left, right]",
    )  # fmt: skip


def test_five_axes_on_the_command_line_is_usage(run):
    code, error = failure(run, "table", "--input", "2x16x112x112x3", "conv:8,3")
    assert code == 2
    assert "the input shape has 5 axes, but cnncalc takes at most 3 spatial axes" in error


# --- cnncalc size ---


def test_size_1d(run):
    """(16000 − 80)//4 + 1 = 3981, and the arithmetic."""
    result = run("size", "16000", "-f", "80", "-s", "4")
    assert result.exit_code == 0
    first, formula = result.stdout.splitlines()[:2]
    assert first == str((16000 + 2 * 0 - 80) // 4 + 1) == "3981"
    assert formula.endswith("= ⌊(16,000 + 2·0 − 80)/4⌋ + 1 = 3,981")
    document = json.loads(run("size", "16000", "-f", "80", "-s", "4", "--format", "json").stdout)
    assert (document["n"], document["output"], document["padding"]) == (16000, 3981, [0, 0])


def test_size_3d_answers_per_axis(run):
    """16×112×112, f=3, p=1: each axis n + 2 − 3 + 1 = n."""
    result = run("size", "16x112x112", "-f", "3", "-p", "1")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{16 + 2 - 3 + 1}×{112 + 2 - 3 + 1}×{112 + 2 - 3 + 1}"
    assert lines[1:3] == ["depth:", "  ⌊(n + 2p − f)/s⌋ + 1 = ⌊(16 + 2·1 − 3)/1⌋ + 1 = 16"]
    document = json.loads(run("size", "16x112x112", "-f", "3x7x7", "-s", "1x2x2", "-p",
                              "1x3x3", "--format", "json").stdout)  # fmt: skip
    assert {axis: document[axis]["output"] for axis in ("depth", "height", "width")} == {
        "depth": 16 + 2 - 3 + 1, "height": (112 + 6 - 7) // 2 + 1, "width": 56,
    }  # fmt: skip


def test_size_same_note_names_the_axis_side(run):
    """On a 3-D depth axis the odd one goes to the back. One number asks every axis, so its
    note keeps the image's sides (bottom, right)."""
    three_d = run("size", "15x10x9", "-f", "2x3x4", "-s", "2x1x1", "-p", "same").stdout
    depth = three_d.split("height:")[0]
    assert "back" in depth


def test_size_too_many_axes_is_usage(run):
    assert failure(run, "size", "1x2x3x4", "-f", "1")[0] == 2


# --- cnncalc explain ---


def test_explain_1d_uses_n_l(run):
    result = run("explain", "-i", "16000x1", "conv:8,80,4")
    assert result.exit_code == 0
    assert "n_L = ⌊(16,000 + 2·0 − 80)/4⌋ + 1 = 3,981" in result.stdout
    assert f"MACs = 3981·8·(80·1) = {3981 * 8 * 80:,}" in result.stdout
    assert "n_H" not in result.stdout and "n_D" not in result.stdout


def test_explain_3d_uses_n_d_n_h_n_w(run):
    """8×16×16×3, f=3, p=1, then a 2×2×2 pool: 8 + 2 − 3 + 1 = 8, then (8 − 2)//2 + 1 = 4."""
    result = run("explain", "-i", "8x16x16x3", "conv:4,3,1,1", "maxpool:2")
    text = result.stdout
    assert "n_D = ⌊(8 + 2·1 − 3)/1⌋ + 1 = 8" in text
    assert "n_H = ⌊(16 + 2·1 − 3)/1⌋ + 1 = 16" in text
    assert "n_W = ⌊(16 + 2·1 − 3)/1⌋ + 1 = 16" in text
    assert f"params = (3·3·3·3 + 1)·4 = {(3 * 3 * 3 * 3 + 1) * 4}" in text
    assert "n_D = ⌊(8 + 2·0 − 2)/2⌋ + 1 = 4" in text


# --- cnncalc check with expect ---


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        # 1-D: 100 − 3 + 1 = 98, pooled to 49; (3·4 + 1)·8 = 104 parameters.
        ("input: [100, 4]\nexpect: {output: [49, 8], params: 104}\nlayers:\n"
         "  - {type: conv, filters: 8, kernel: 3, expect: {shape: [98, 8]}}\n  - maxpool:2\n",
         True),
        ("input: [100, 4]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, expect: 100x8}\n",
         False),
        # 3-D: padding 1 keeps 4×16×16, the pool halves it.
        ("input: [4, 16, 16, 3]\nexpect: {output: [2, 8, 8, 8]}\nlayers:\n"
         "  - {type: conv, filters: 8, kernel: 3, padding: 1, expect: {shape: [4, 16, 16, 8]}}\n"
         "  - maxpool3d:2\n", True),
        ("input: [4, 16, 16, 3]\nexpect: {output: [4, 8, 8, 8]}\nlayers:\n"
         "  - conv:8,3,1,1\n  - maxpool3d:2\n", False),
    ],
)  # fmt: skip
def test_check_expectations_in_1d_and_3d(run, tmp_path, text, ok):
    path = write(tmp_path, text)
    result = run("check", path)
    assert result.exit_code == (0 if ok else 1)
    assert ("passed " if ok else "FAILED ") + path in result.stdout


# --- The JSON Schema ---


@pytest.fixture(scope="module")
def validator():
    from click.testing import CliRunner

    from cnncalc.cli import cli

    return jsonschema.Draft7Validator(json.loads(CliRunner().invoke(cli, ["schema"]).stdout))


@pytest.mark.parametrize(
    ("document", "ok"),
    [
        ({"input": [16000, 1], "layers": [{"type": "conv1d", "filters": 8, "kernel": [80],
          "stride": [4], "dilation": [2], "padding": "causal"}]}, True),
        ({"input": [16, 112, 112, 3], "layers": [{"type": "conv3d", "filters": 8,
          "kernel": [3, 3, 3], "stride": [1, 2, 2], "padding": [[1, 1], [0, 1], [2, 0]]}]}, True),
        ({"input": [16, 112, 112, 3], "layers": [{"type": "MaxPooling3D", "pool_size": [2, 2, 2]},
          {"type": "conv", "filters": 2, "kernel": 3, "padding": [1, 1, 0, 1, 2, 0]}]}, True),
        ({"input": [100, 4], "layers": [{"type": "zeropad", "padding": [[1, 2]]},
          {"type": "GlobalAveragePooling1D"}]}, True),
        ({"input": [16, 112, 112, 3, 2], "layers": ["conv:8,3"]}, False),
        ({"input": [8, 8, 8, 3], "layers": [{"type": "conv", "filters": 8,
          "kernel": [3, 3, 3, 3]}]}, False),
        ({"input": [100, 4], "layers": [{"type": "maxpool", "kernel": 2, "padding": "causal"}]},
         False),
    ],
)  # fmt: skip
def test_schema_accepts_ranks_and_refuses_five_axes(validator, document, ok):
    assert validator.is_valid(document) == ok
