"""Help that teaches: examples in --help, and mistakes answered with what was meant."""

from __future__ import annotations

import json

import pytest

from cnncalc.cli import COMMANDS


def test_help_has_one_example_a_command(run):
    """`cnncalc --help` shows a command line for every command, and no cut summaries."""
    text = run("--help").stdout
    for name in COMMANDS:
        assert f"  cnncalc {name}" in text, name
    commands = text.split("Commands:", 1)[1]
    assert "..." not in commands


@pytest.mark.parametrize("spec", ["lenet5", "specs/vgg16.yaml"])
def test_a_spec_without_a_command(run, spec):
    """`cnncalc lenet5`: the table command was meant, and the message says so."""
    result = run(spec)
    assert result.exit_code == 2
    assert f"No such command {spec!r}. Did you mean 'cnncalc table {spec}'?" in result.stderr


def test_a_misspelt_file_is_looked_for_beside_it(run, tmp_path, monkeypatch):
    """A missing file's name is compared with the spec files beside it before the bundled
    specs: resnet.yaml beside resnt.yaml is what was meant, not the bundled resnet18."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "resnet.yaml").write_text("input: [8, 8, 3]\nlayers: [relu]\n")
    result = run("table", "models/resnt.yaml")
    assert result.exit_code == 1
    assert "did you mean 'models/resnet.yaml'?" in result.stderr
    assert "did you mean 'lenet5'?" in run("table", "lenet").stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Conv2d(3, 16, 3)", "PyTorch's Conv2d(…), which cnncalc writes conv:16,3"),
        ("nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)",
         "which cnncalc writes conv:64,7,2,3,bias=false"),
        ("Conv2D(32, (3,3), activation='relu')",
         "Keras's Conv2D(…), which cnncalc writes conv:32,3 then relu"),
        ("DepthwiseConv2D(3)", "which cnncalc writes conv:kernel=3,depthwise=true"),
        ("SeparableConv2D(64, (3, 3))",
         "which cnncalc writes conv:kernel=3,depthwise=true then conv:64,1"),
        ("nn.Linear(400, 120)", "which cnncalc writes fc:120"),
        ("MaxPooling2D(pool_size=(2, 2))", "which cnncalc writes maxpool:2"),
        ("nn.MaxPool2d(3, 2, 1)", "which cnncalc writes maxpool:3,2,1"),
        ("nn.ReLU(inplace=True)", "which cnncalc writes relu"),
        ("nn.ConvTranspose2d(64, 32, 4, 2, 1)", "which cnncalc writes convtranspose:32,4,2,1"),
        # Keywords are the type's own: p is Dropout's rate, not a padding.
        ("nn.Dropout(p=0.2)", "which cnncalc writes dropout:0.2"),
        ("nn.Conv2d(3, out_channels=8, kernel_size=3)", "which cnncalc writes conv:8,3"),
        ("nn.BatchNorm2d(16, affine=False)", "which cnncalc writes batchnorm:affine=false"),
    ],
)  # fmt: skip
def test_framework_call_syntax_gets_the_shorthand(run, typed, meant):
    """A PyTorch or Keras constructor typed as a layer: the shorthand that means the same."""
    result = run("table", "--input", "28x28x3", typed)
    assert result.exit_code == 1
    assert meant in result.stderr


@pytest.mark.parametrize(
    "typed",
    [
        "Conv2d(3, 16, 3)",
        "Conv2D(32, (3,3), activation='relu')",
        "nn.Linear(2352, 10)",
        "nn.BatchNorm2d(3, affine=False)",
    ],
)
def test_the_suggested_shorthand_is_right(run, typed):
    """Typed as suggested, the layer gives the framework's parameters: Conv2d(3, 16, 3) on
    3 channels has 3·3·3·16 + 16 = 448; Keras's Conv2D(32, (3,3)) 3·3·3·32 + 32 = 896;
    Linear(2352, 10) 2352·10 + 10 = 23,530; BatchNorm2d(3, affine=False) learns nothing."""
    message = run("table", "--input", "28x28x3", typed).stderr
    shorthand = message.rsplit("which cnncalc writes ", 1)[1].strip().split(" then ")
    table = run("table", "--input", "28x28x3", *shorthand, "--format", "json").stdout
    expected = {"Conv2d": 3 * 3 * 3 * 16 + 16, "Conv2D": 3 * 3 * 3 * 32 + 32,
                "nn.Linear": 2352 * 10 + 10, "nn.BatchNorm2d": 0}[typed.split("(")[0]]  # fmt: skip
    assert json.loads(table)["totals"]["params"] == expected


def test_an_unknown_call_lists_the_types(run):
    result = run("table", "--input", "8x8x3", "Frobnicate(3)")
    assert "the types are conv, convtranspose" in result.stderr
