"""`cnncalc table` and `cnncalc list` through click's runner: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import cnncalc
from tests.conftest import SPECS

LENET_INLINE = ["conv:8,5", "maxpool:2", "conv:16,5", "maxpool:2", "fc:120", "fc:84", "softmax:10"]

# The course's table, as published (week 1, "Neural network example").
COURSE_TABLE = [
    ("Input", "(32, 32, 3)", "3,072", "0"),
    ("CONV1 (f=5, s=1)", "(28, 28, 8)", "6,272", "608"),
    ("POOL1", "(14, 14, 8)", "1,568", "0"),
    ("CONV2 (f=5, s=1)", "(10, 10, 16)", "1,600", "3,216"),
    ("POOL2", "(5, 5, 16)", "400", "0"),
    ("FC3", "(120, 1)", "120", "48,120"),
    ("FC4", "(84, 1)", "84", "10,164"),
    ("Softmax", "(10, 1)", "10", "850"),
]


def table_cells(output: str) -> list[tuple[str, ...]]:
    """The body rows of a plain (ASCII) table, split into cells."""
    rows = []
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| Layer "):
            rows.append(tuple(cell.strip() for cell in line.strip("|").split("|")))
    return rows


def test_table_lenet5_is_the_course_table(run):
    """`cnncalc table lenet5` prints every cell of the course's table."""
    result = run("table", "lenet5")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert table_cells(result.stdout)[:-1] == COURSE_TABLE
    assert table_cells(result.stdout)[-1] == ("Total", "", "", "62,958")
    assert "62,958 parameters: 62,720 weights + 238 biases" in result.stdout


def test_table_inline_is_the_course_table(run):
    """Layers typed on the command line give the same table."""
    result = run("table", "--input", "32x32x3", *LENET_INLINE)
    assert result.exit_code == 0
    assert table_cells(result.stdout)[:-1] == COURSE_TABLE


def test_table_json_contract(run):
    """--format json gives exactly the issue's contract for the course's LeNet."""
    result = run("table", "lenet5", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["name"] == "LeNet-5 (course variant)"
    assert document["input"] == {"shape": [32, 32, 3], "size": 3072}
    contract = ("index", "name", "type", "shape", "size", "weights", "biases", "params")
    assert {key: document["layers"][0][key] for key in contract} == {
        "index": 1, "name": "CONV1", "type": "conv", "shape": [28, 28, 8],
        "size": 6272, "weights": 600, "biases": 8, "params": 608,
    }  # fmt: skip
    assert [(layer["name"], layer["shape"], layer["size"], layer["params"])
            for layer in document["layers"]] == [
        ("CONV1", [28, 28, 8], 6272, 608),
        ("POOL1", [14, 14, 8], 1568, 0),
        ("CONV2", [10, 10, 16], 1600, 3216),
        ("POOL2", [5, 5, 16], 400, 0),
        ("FC3", [120], 120, 48120),
        ("FC4", [84], 84, 10164),
        ("Softmax", [10], 10, 850),
    ]  # fmt: skip
    totals = document["totals"]
    assert (totals["params"], totals["weights"], totals["biases"]) == (62958, 62720, 238)
    assert document["warnings"] == []


def test_json_lists_every_layer_but_no_implicit_flatten(run):
    """An explicit flatten is a row; the flatten fc does by itself is not."""
    result = run("table", "--input", "4x4x2", "--format", "json", "flatten", "fc:3", "fc:2")
    assert [layer["type"] for layer in json.loads(result.stdout)["layers"]] == [
        "flatten", "fc", "fc"
    ]  # fmt: skip


def test_warnings_go_to_stderr_and_json(run):
    """A warning does not fail the command; it is on stderr and in the JSON."""
    result = run("table", "--input", "15x15x3", "--format", "json", "conv:4,2,2")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: argument 'conv:4,2,2': layer 1 (CONV1): "
        "stride 2 leaves the last row and the last column unused\n"
    )
    warning = json.loads(result.stdout)["warnings"][0]
    assert warning["severity"] == "warning"
    assert warning["layer"] == 1
    assert warning["message"] == "stride 2 leaves the last row and the last column unused"


def test_a_pools_floor_is_a_note(run):
    """The same drop by a pool is a note: on stderr as one, and so in the JSON."""
    result = run("table", "--input", "15x15x3", "--format", "json", "maxpool:2")
    assert result.exit_code == 0
    assert result.stderr.startswith("Note: argument 'maxpool:2': layer 1 (POOL0): stride 2")
    assert json.loads(result.stdout)["warnings"][0]["severity"] == "note"


def test_channels_first_input_is_warned_of(run):
    """--input 3x224x224 reads as 3×224 pixels of 224 channels: the warning says so, names
    --layout chw and the shape it would then be, and the table marks the input."""
    args = ("table", "--input", "3x224x224", "conv:64,7,2,3")
    result = run(*args)
    assert result.exit_code == 0
    warning = (
        "the input (3, 224, 224) reads as 3×224 pixels of 224 channels; if it is channels "
        "first, as PyTorch writes it, add --layout chw (layout: chw in a spec): it is then "
        "224×224 pixels of 3 channels"
    )
    assert result.stderr == f"Warning: --input: {warning}\n"
    assert "| Input [1] " in result.stdout and f"[1] Input: {warning}" in result.stdout
    # With the layout it means, the parameters are ResNet's stem's: 7·7·3·64 + 64.
    right = run(*args, "--layout", "chw")
    assert right.stderr == "" and f"{7 * 7 * 3 * 64 + 64:,} parameters" in right.stdout


def test_an_error_from_a_channels_first_input_says_so(run):
    """The kernel larger than a 1×28 'image' of 28 channels: the error names --layout chw."""
    result = run("table", "--input", "1x28x28", "conv:32,3")
    assert result.exit_code == 1
    assert "kernel 3 is larger than the padded input 1×28; the input (1, 28, 28)" in (result.stderr)
    assert "add --layout chw" in result.stderr and "28×28 pixels of 1 channel" in result.stderr


def test_a_failed_expect_is_a_note_under_the_table(run, tmp_path):
    """table warns of an expect that does not hold, and marks its row as other notes."""
    path = tmp_path / "net.yaml"
    path.write_text("input: [8, 8, 3]\nexpect: {params: 1}\nlayers:\n  - conv:4,3,expect=6x6x5\n")
    result = run("table", str(path))
    assert result.exit_code == 0
    assert "| CONV1 (f=3, s=1) [1] " in result.stdout
    assert "| Total [2] " in result.stdout
    assert "[1] CONV1: expected shape (6, 6, 5), got (6, 6, 4)" in result.stdout
    assert f"[2] Total: expected 1 parameter in total, got {3 * 3 * 3 * 4 + 4}" in result.stdout


def test_asymmetric_padding_is_noted_in_the_table(run):
    """The table itself says when 'same' padding came out asymmetric."""
    result = run("table", "--input", "15x15x3", "conv:4,2,2,same")
    assert "CONV1 (f=2, s=2, p=same) [1]" in result.stdout
    assert "[1] CONV1: 'same' padding came out asymmetric: 0 top, 1 bottom" in result.stdout


def test_version(run):
    """--version prints the package version."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"cnncalc, version {cnncalc.__version__}\n"


def test_python_dash_m():
    """`python -m cnncalc` runs the same CLI."""
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "table", "lenet5", "--format", "csv"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.splitlines()[2] == '1,CONV1,conv,"(28, 28, 8)",6272,608'


def test_list_shows_every_bundled_spec(run):
    """`cnncalc list` names each spec in specs/ with its description."""
    result = run("list")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.stdout.splitlines()}
    assert listed == {path.stem for path in SPECS.glob("*.yaml")}
    assert "62,958 parameters" in result.stdout


def test_bundled_spec_found_from_any_directory(run, tmp_path, monkeypatch):
    """A bundled name works wherever the command runs."""
    monkeypatch.chdir(tmp_path)
    assert run("table", "vgg16", "--format", "json").exit_code == 0


def test_a_file_wins_over_a_bundled_name(run, tmp_path, monkeypatch):
    """A file called lenet5 in the current directory is read, not the bundled spec."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lenet5").write_text("input: [4, 4, 1]\nlayers: [fc:2]\n")
    result = run("table", "lenet5", "--format", "json")
    assert json.loads(result.stdout)["totals"]["params"] == 16 * 2 + 2


@pytest.mark.parametrize(
    ("env", "box_corner"),
    [({"FORCE_COLOR": "1"}, "┏"), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "+")],
)
def test_terminal_gets_rich_and_no_color_gets_plain(run, monkeypatch, env, box_corner):
    """On a terminal the table is drawn with box characters; NO_COLOR falls back to ASCII."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    output = run("table", "lenet5").stdout
    assert box_corner in output
    if "NO_COLOR" in env:
        assert "\x1b[" not in output


def test_core_imports_neither_click_nor_rich():
    """The library is usable without the CLI's dependencies being imported."""
    code = (
        "import sys, cnncalc.spec, cnncalc.engine, cnncalc.layers;"
        "print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_json_output_does_not_import_rich():
    """Startup: the JSON path never pays for importing rich."""
    code = textwrap.dedent(
        """
        import sys
        from cnncalc.cli import cli
        try:
            cli(["table", "lenet5", "--format", "json"])
        except SystemExit:
            pass
        print("rich" in sys.modules, file=sys.stderr)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip() == "False"


def test_internal_errors_are_one_line_not_a_traceback(monkeypatch, capsys):
    """Even a bug reaches the user as one sentence, with exit code 70."""
    from cnncalc import cli, engine

    def broken(spec, storage=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "analyze", broken)
    monkeypatch.setattr(sys, "argv", ["cnncalc", "table", "lenet5"])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 70
    assert capsys.readouterr().err == (
        "Error: internal error, please report it: RuntimeError: boom\n"
    )


def test_every_command_has_help(run):
    """Each command loads, documents itself, and appears in the top-level help."""
    from cnncalc.cli import COMMANDS

    listing = run("--help").stdout
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert result.stdout.startswith(f"Usage: cli {command} "), command
        assert f"  {command} " in listing, command


def test_a_command_imports_only_its_own_module():
    """Startup: `table` does not pay for the convolver's or check's command modules."""
    code = textwrap.dedent(
        """
        import sys
        from cnncalc.cli import cli
        try:
            cli(["table", "--input", "8x8x1", "fc:2", "--format", "json"])
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.startswith("cnncalc.commands."))
        print(loaded, "cnncalc.convolve" in sys.modules, file=sys.stderr)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip() == "['cnncalc.commands.table'] False"


# --- Bad input: one clear sentence, the place, exit 1 for data and 2 for usage ---


def write(tmp_path, text: str, name: str = "net.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def error_of(run, *args):
    result = run("table", *args)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.strip()


def test_kernel_larger_than_padded_input_in_a_file(run, tmp_path):
    """The issue's example: file:line:col, the layer, what is wrong."""
    path = write(tmp_path, """\
        input: [8, 8, 3]
        layers:
          - conv:8,5
          - maxpool:2
          - conv:16,5
        """)  # fmt: skip
    # 8 - 5 + 1 = 4, pooled to 2; the kernel value 5 sits at column 5 + len("conv:16,").
    assert error_of(run, path) == (
        1, f"Error: {path}:5:13: layer 3 (CONV2): kernel 5 is larger than the padded input 2×2"
    )  # fmt: skip


def test_kernel_too_large_on_the_command_line(run):
    """For a layer typed as an argument, the argument is the place."""
    assert error_of(run, "--input", "4x4x1", "conv:2,5") == (
        1, "Error: argument 'conv:2,5': layer 1 (CONV1): "
           "kernel 5 is larger than the padded input 4×4",
    )  # fmt: skip


def test_unknown_key_suggests(run, tmp_path):
    """A misspelled key points at the key and suggests the right one."""
    path = write(tmp_path, """\
        input: [32, 32, 3]
        layers:
          - {type: conv, filters: 8, kernel: 5, stirde: 2}
        """)  # fmt: skip
    assert error_of(run, path) == (
        1, f"Error: {path}:3:41: layer 1 (CONV1): conv has no key 'stirde'; did you mean 'stride'?"
    )  # fmt: skip


def test_unknown_key_in_shorthand_suggests(run):
    """The same in shorthand."""
    assert error_of(run, "-i", "32x32x3", "conv:8,5,strid=2") == (
        1, "Error: argument 'conv:8,5,strid=2': layer 1 (CONV1): "
           "conv has no key 'strid'; did you mean 'stride'?",
    )  # fmt: skip


def test_unknown_type_suggests(run, tmp_path):
    """A misspelled type points at the type and suggests the right one."""
    path = write(tmp_path, """\
        input: [32, 32, 3]
        layers:
          - {type: maxpol, kernel: 2}
        """)  # fmt: skip
    assert error_of(run, path) == (
        1, f"Error: {path}:3:12: layer 1: unknown layer type 'maxpol'; did you mean 'maxpool'?"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("conv:0,5", "filters must be at least 1, got 0"),
        ("conv:8,-3", "kernel must be at least 1, got -3"),
        ("conv:8,5,0", "stride must be at least 1, got 0"),
        ("conv:8,5,1,-1", "padding cannot be negative, got '-1'"),
        ("fc:0", "units must be at least 1, got 0"),
        ("conv:8,5x0", "kernel must be at least 1 on each axis, got 5×0"),
    ],
)
def test_zero_or_negative_sizes(run, layer, message):
    """Every size must be positive (padding non-negative), and the message says which."""
    code, error = error_of(run, "-i", "32x32x3", layer)
    assert code == 1
    assert error.endswith(f"): {message}")


def test_zero_input_size_is_a_usage_error(run):
    """--input is an option: a bad value is a usage error, exit 2."""
    result = run("table", "--input", "0x32x3", "fc:2")
    assert result.exit_code == 2
    assert "every size in the input shape must be at least 1, got '0x32x3'" in result.stderr


def test_zero_input_size_in_a_file(run, tmp_path):
    """In a file, the input is data: exit 1, at the input's position."""
    path = write(tmp_path, "input: [32, 0, 3]\nlayers: [fc:2]\n")
    assert error_of(run, path) == (
        1, f"Error: {path}:1:8: every size in input must be at least 1, got [32, 0, 3]"
    )  # fmt: skip


def test_missing_input(run, tmp_path):
    """A spec without input says what to add."""
    path = write(tmp_path, "layers:\n  - fc:10\n")
    assert error_of(run, path) == (
        1, f"Error: {path}:1:1: the spec has no 'input'; give the input shape as "
           "[height, width, channels], e.g. input: [32, 32, 3] ([length, channels] in 1-D, "
               "[depth, height, width, channels] in 3-D)",
    )  # fmt: skip


def test_not_a_mapping(run, tmp_path):
    """A document that is a list is not a spec."""
    path = write(tmp_path, "- conv:8,5\n- fc:10\n")
    assert error_of(run, path) == (
        1, f"Error: {path}:1:1: a spec must be a mapping with 'input' and 'layers', "
           "but this document is a list",
    )  # fmt: skip


def test_yaml_syntax_error(run, tmp_path):
    """A YAML error gives the parser's position and problem."""
    path = write(tmp_path, "input: [32, 32, 3\nlayers: [fc:2]\n")
    code, message = error_of(run, path)
    assert code == 1
    assert message.startswith(f"Error: {path}:2:7: YAML syntax error: did not find expected ','")


def test_file_does_not_exist(run, tmp_path, monkeypatch):
    """A missing file says so and lists the bundled specs."""
    monkeypatch.chdir(tmp_path)
    bundled = ", ".join(sorted(path.stem for path in SPECS.glob("*.yaml")))
    assert error_of(run, "nonet.yaml") == (
        1, f"Error: nonet.yaml: no such file, and no bundled spec of that name; the bundled "
           f"specs are {bundled}",
    )  # fmt: skip


def test_misspelled_bundled_name(run):
    """A near miss of a bundled name is suggested."""
    assert error_of(run, "vgg61") == (
        1, "Error: vgg61: no such file, and no bundled spec of that name; did you mean 'vgg16'?"
    )  # fmt: skip


def test_duplicate_key_is_refused(run, tmp_path):
    """YAML would silently keep the last of two keys; cnncalc refuses."""
    path = write(tmp_path, "input: [32, 32, 3]\nlayers:\n  - {type: fc, units: 2, units: 3}\n")
    assert error_of(run, path) == (
        1, f"Error: {path}:3:26: key 'units' appears twice in the same mapping; remove one of them"
    )  # fmt: skip


def test_field_given_twice_by_alias(run, tmp_path):
    """kernel and its course name f are the same field."""
    path = write(
        tmp_path, "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 5, f: 3}\n"
    )
    assert error_of(run, path) == (
        1, f"Error: {path}:3:44: layer 1 (CONV1): kernel is given twice, as 'kernel' and as 'f'"
    )  # fmt: skip


def test_float_is_not_silently_truncated(run, tmp_path):
    """8.0 filters is refused, not turned into 8."""
    path = write(
        tmp_path, "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8.5, kernel: 5}\n"
    )
    assert error_of(run, path) == (
        1, f"Error: {path}:3:27: layer 1 (CONV1): filters must be a whole number, got 8.5"
    )  # fmt: skip


def test_missing_required_field(run):
    """A conv without a kernel names the field and shows an example."""
    assert error_of(run, "-i", "32x32x3", "conv:8") == (
        1, "Error: argument 'conv:8': layer 1 (CONV1): conv needs kernel "
           "(window size f, or one per axis: [f_h, f_w]), e.g. conv:16,5",
    )  # fmt: skip


def test_shape_mismatch_conv_after_fc(run):
    """A conv cannot follow a vector."""
    code, message = error_of(run, "-i", "32x32x3", "fc:10", "conv:3,3")
    assert (code, message) == (
        1, "Error: argument 'conv:3,3': layer 2 (CONV2): conv needs a spatial input, "
           "(L, C), (H, W, C) or (D, H, W, C), but its input is a vector of 10",
    )  # fmt: skip


def test_unsafe_yaml_tag_is_refused(run, tmp_path):
    """Specs are data: a tag that would build a Python object is an error."""
    path = write(tmp_path, "input: [32, 32, 3]\nlayers:\n  - !!python/object:os.system {}\n")
    code, message = error_of(run, path)
    assert code == 1
    assert message == (
        f"Error: {path}:3:5: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'; "
        "specs are plain data and take no tags"
    )


def test_empty_file(run, tmp_path):
    """An empty file says it is empty."""
    path = write(tmp_path, "")
    assert error_of(run, path) == (
        1, f"Error: {path}: the file is empty; a spec needs 'input' and 'layers'"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a SPEC (a file or a bundled name), or --input and layers"),
        (("a.yaml", "b.yaml"), "got 2 arguments but no --input"),
        (("--input", "8x8x1"), "--input needs layers after it"),
        (
            ("--input", "8x8x8x8x1", "fc:2"),
            "the input shape has 5 axes, but cnncalc takes at most 3",
        ),
        (("lenet5", "--format", "xml"), "Invalid value for '--format'"),
        (("lenet5", "--bogus"), "No such option '--bogus'"),
    ],
)
def test_usage_errors_exit_2(run, args, message):
    """Bad usage exits 2 with click's usage line."""
    result = run("table", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cnncalc_debug_is_not_needed_for_bad_data(run, tmp_path):
    """Binary files are refused with a message, not a decode traceback."""
    path = tmp_path / "net.yaml"
    path.write_bytes(b"input: [1, 1, 1]\x00\xff")
    assert error_of(run, str(path)) == (
        1, f"Error: {path}: this is a binary file, not a YAML spec"
    )  # fmt: skip


def test_directory_is_not_a_spec(run, tmp_path):
    """A directory given to `table` is refused by name."""
    assert error_of(run, str(tmp_path)) == (
        1,
        f"Error: {tmp_path}: is a directory, not a spec file",
    )


def test_bundled_specs_all_load(run):
    """Every spec in specs/ renders without an error or a warning; notes, which are what is
    normal but worth knowing (M5's pools dropping a last sample), may be said."""
    for path in sorted(SPECS.glob("*.yaml")):
        result = run("table", str(path), "--format", "json")
        said = [line for line in result.stderr.splitlines() if not line.startswith("Note: ")]
        assert (path.name, result.exit_code, said) == (path.name, 0, [])


def test_not_a_terminal_has_no_escape_codes(run):
    """Piped output is plain text."""
    assert "\x1b[" not in run("table", "alexnet").stdout


def test_misspelled_command_is_suggested(run):
    """A near miss of a command name gets a suggestion, exit 2."""
    for typed in (["tabel"], ["tabel", "lenet5"]):  # with a spec, still the command's name
        result = run(*typed)
        assert result.exit_code == 2
        assert "Error: No such command 'tabel'. Did you mean 'table'?" in result.stderr
    assert "Error: No such command 'zzz'.\n" in run("zzz").stderr


def test_table_warns_of_unmet_expectations(run, tmp_path):
    """table is not check, but says when the spec's own expectations fail."""
    path = write(tmp_path, "input: [8, 8, 1]\nexpect: {params: 5}\nlayers: [fc:2]\n")
    result = run("table", path, "--format", "json")
    assert result.exit_code == 0
    # 8·8·1 inputs into 2 units: 64·2 weights + 2 biases = 130.
    assert result.stderr == f"Warning: {path}:2:18: expected 5 parameters in total, got 130\n"
    assert json.loads(result.stdout)["warnings"][0]["severity"] == "warning"


def test_list_layers_names_every_type_and_key(run):
    """`cnncalc list --layers` lists each layer type with its keys."""
    from cnncalc.spec.vocabulary import LAYER_TYPES

    output = run("list", "--layers").stdout
    for kind in LAYER_TYPES.values():
        assert any(line.startswith(f"{kind.name}") for line in output.splitlines()), kind.name
        for field in kind.fields:
            assert field.name in output
    assert "conv (conv1d/2d/3d): convolution" in output
