"""Shell completion, through click's completion API as bash, zsh and fish call it."""

from __future__ import annotations

import pytest
from click.shell_completion import ShellComplete

from cnncalc.cli import cli


def complete(args: list[str], incomplete: str) -> list[str]:
    completer = ShellComplete(cli, {}, "cnncalc", "_CNNCALC_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


def test_commands_complete():
    assert complete([], "ch") == ["check"]
    assert set(complete([], "")) >= {"table", "explain", "check", "conv", "pool", "size", "list"}


def test_bundled_names_and_files_complete_together(tmp_path, monkeypatch):
    """A spec: the bundled names and the YAML files and folders beside what is typed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resnet-mine.yaml").write_text("")
    (tmp_path / "results").mkdir()
    (tmp_path / "readme.txt").write_text("")
    found = complete(["table"], "res")
    assert found[:3] == ["resnet18", "resnet50", "resnet50-keras"]
    assert "resnet-mine.yaml" in found and "results/" in found
    assert "readme.txt" not in found  # not a spec
    assert complete(["check"], "results/") == []


def test_after_input_the_arguments_are_layers():
    """With --input, an argument is a layer: its type completes."""
    found = complete(["table", "--input", "8x8x3"], "max")
    assert found == [
        "maxpool",
        *(f"maxpool{rank}d" for rank in (1, 2, 3)),
        *(f"maxpooling{rank}d" for rank in (1, 2, 3)),
    ]


def test_columns_complete_after_a_comma():
    """--columns is a list: what follows the last comma completes, chosen ones left out."""
    assert complete(["table", "lenet5", "--columns"], "shape,m") == ["shape,macs", "shape,memory"]
    assert "all" in complete(["table", "lenet5", "--columns"], "")
    assert "shape,shape" not in complete(["table", "lenet5", "--columns"], "shape,")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["table", "lenet5", "--format"], ["text", "plain", "markdown", "csv", "json", "rich"]),
        (["check", "specs", "--format"], ["text", "plain", "json", "junit", "github"]),
        (["table", "lenet5", "--dtype"], ["float32", "float16", "bfloat16", "int8"]),
    ],
)
def test_choices_complete(args, expected):
    assert complete(args, "") == expected


def test_a_filter_completes_to_the_presets():
    assert complete(["conv", "1 2; 3 4"], "sobel") == ["sobel-vertical", "sobel-horizontal"]
