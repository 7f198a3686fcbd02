"""Blocks: residual, concat, repeat and named blocks, their rows, totals and errors."""

from __future__ import annotations

import json
import textwrap

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError

BLOCKS = """\
    input: [32, 32, 16]
    blocks:
      basic:
        params: {width: null, stride: 1}
        layers:
          - residual:
              - conv:$width,3,$stride,1
              - relu
              - {type: conv, filters: $width, kernel: 3, padding: 1}
            shortcut:
              - conv:$width,1,$stride
    layers:
      - {use: basic, width: 16}
      - {use: basic, width: 32, stride: 2}
      - repeat: 2
        layers:
          - {use: basic, width: 32}
      - concat:
          - - conv:8,1
          - - conv:8,3,1,same
            - relu
      - flatten
      - fc:10
    """


def load(text: str) -> engine.Summary:
    return engine.analyze(spec.from_text(textwrap.dedent(text), "net.yaml"))


def error(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        load(text)
    return str(caught.value)


def test_block_counts_by_hand():
    """Every row's parameters, worked out: (f·f·c_in + 1)·c_out per conv."""
    summary = load(BLOCKS)
    first, second, repeat, concat, _, fc = summary.rows
    conv = lambda f, c_in, c_out: (f * f * c_in + 1) * c_out  # noqa: E731
    assert first.params == conv(3, 16, 16) * 2 + conv(1, 16, 16)  # 2,320·2 + 272
    assert second.params == conv(3, 16, 32) + conv(3, 32, 32) + conv(1, 16, 32)
    assert repeat.params == 2 * (conv(3, 32, 32) * 2 + conv(1, 32, 32))
    assert concat.params == conv(1, 32, 8) + conv(3, 32, 8)
    assert concat.shape == (16, 16, 8 + 8)
    assert fc.params == (16 * 16 * 16 + 1) * 10
    # Totals add the top-level rows once each: a block's row is its children's sum.
    assert summary.params == sum(row.params for row in summary.rows)
    leaves = [row for row in summary.flat() if not row.children]
    assert summary.params == sum(row.params for row in leaves)


def test_shapes_through_the_blocks():
    """The stride-2 block halves the size; the concat joins 8 + 8 channels."""
    shapes = [row.shape for row in load(BLOCKS).rows]
    assert shapes == [(32, 32, 16), (16, 16, 32), (16, 16, 32), (16, 16, 16), (4096,), (10,)]


def test_rows_nest_with_paths_and_branches():
    """A named block holds a residual, which holds its layers and its shortcut."""
    summary = load(BLOCKS)
    residual = summary.rows[0].children[0]
    assert residual.kind == "residual"
    assert [(row.path, row.branch) for row in residual.children] == [
        ("1.1.1", ""), ("1.1.2", ""), ("1.1.3", ""), ("1.1.4", "shortcut"),
    ]  # fmt: skip
    assert [row.depth for row in summary.flat()][:6] == [1, 2, 3, 3, 3, 3]


def test_depth_folds_rows(run, tmp_path):
    """--depth 1 shows one row per top-level layer, with the same totals."""
    path = tmp_path / "net.yaml"
    path.write_text(textwrap.dedent(BLOCKS))
    full = run("table", str(path), "--format", "csv").stdout.splitlines()
    short = run("table", str(path), "--format", "csv", "--depth", "1").stdout.splitlines()
    assert len(short) == 1 + 1 + 6  # header, input, six layers
    assert len(full) > len(short)
    assert [line.split(",")[0] for line in short[1:]] == ["0", "1", "2", "3", "4", "5", "6"]


def test_json_carries_the_tree(run, tmp_path):
    """JSON nests a block's layers as children; totals count them once."""
    path = tmp_path / "net.yaml"
    path.write_text(textwrap.dedent(BLOCKS))
    document = json.loads(run("table", str(path), "--format", "json").stdout)
    block = document["layers"][0]
    assert block["type"] == "block"
    residual = block["children"][0]
    assert [child["name"] for child in residual["children"]] == ["CONV1", "ReLU", "CONV2", "CONV3"]
    assert residual["children"][3]["branch"] == "shortcut"
    assert document["totals"]["params"] == sum(layer["params"] for layer in document["layers"])


def test_residual_shapes_that_cannot_be_added():
    """The message names both shapes and points at the block."""
    message = error("""\
        input: [8, 8, 4]
        layers:
          - residual:
              - conv:8,3,1,1
        """)  # fmt: skip
    assert message == (
        "net.yaml:3:5: layer 1 (Residual): the residual block's layers give (8, 8, 8) but its "
        "input is (8, 8, 4); they cannot be added"
    )


def test_concat_sizes_that_differ():
    """Each branch's size is named."""
    message = error("""\
        input: [8, 8, 4]
        layers:
          - concat:
              - [conv:8]
              - [maxpool:2]
        """)  # fmt: skip
    # conv:8 lacks a kernel: an error at the branch's layer comes first.
    assert "conv needs kernel" in message
    message = error("""\
        input: [8, 8, 4]
        layers:
          - concat:
              - - conv:8,1
              - - maxpool:2
        """)  # fmt: skip
    assert message == (
        "net.yaml:3:5: layer 1 (Concat): the concat block's branches differ in size "
        "(branch 1 gives (8, 8, 8), branch 2 gives (4, 4, 4)); they can be joined only "
        "along the channels"
    )


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        (-1, "repeat cannot be negative, got -1"),
        (10**9, "repeat 1,000,000,000 is more than the limit of 10,000"),
    ],
)
def test_repeat_limits(repeat, message):
    """A repeat of 0 or of 10^9 is refused at its line, at once."""
    assert error(f"""\
        input: [8, 8, 4]
        layers:
          - repeat: {repeat}
            layers: [relu]
        """) == f"net.yaml:3:13: layer 1 (repeat): {message}"  # fmt: skip


def test_repeat_counts_layers():
    """repeat: 3 of two layers gives six rows, numbered on, no default name twice."""
    summary = load("""\
        input: [8, 8, 4]
        layers:
          - repeat: 3
            layers: ["conv:4,1", relu]
        """)  # fmt: skip
    children = summary.rows[0].children
    names = ["CONV1", "ReLU", "CONV2", "ReLU_2", "CONV3", "ReLU_3"]
    assert [row.name for row in children] == names
    assert summary.rows[0].name == "Repeat ×3"


def test_block_using_itself():
    """A block that uses itself, directly or not, is an error at the use."""
    message = error("""\
        input: [8, 8, 4]
        blocks:
          a: {layers: [{use: b}]}
          b: {layers: [relu, {use: a}]}
        layers:
          - {use: a}
        """)  # fmt: skip
    assert message == "net.yaml:4:28: layer 1.1.2 (a): block 'a' uses itself (a → b → a)"


def test_unknown_block():
    """An unknown block gets a suggestion."""
    message = error("""\
        input: [8, 8, 4]
        blocks:
          bottleneck: {layers: [relu]}
        layers:
          - {use: botleneck}
        """)  # fmt: skip
    assert (
        message == "net.yaml:5:11: layer 1: no block named 'botleneck'; did you mean 'bottleneck'?"
    )


def test_missing_and_unknown_block_parameters():
    """A parameter without a default must be given; an unknown one is refused."""
    base = """\
        input: [8, 8, 4]
        blocks:
          widen:
            params: {width: null}
            layers:
              - conv:$width,1
        layers:
        """
    assert error(base + "  - {use: widen}\n") == (
        "net.yaml:8:5: layer 1 (widen): block 'widen' needs width: give width: …"
    )
    assert error(base + "  - {use: widen, widht: 8}\n") == (
        "net.yaml:8:18: layer 1 (widen): block 'widen' has no parameter 'widht'; "
        "did you mean 'width'?"
    )
    assert load(base + "  - {use: widen, width: 8}\n").rows[0].shape == (8, 8, 8)


def test_error_inside_a_block_names_the_use():
    """A layer that fails inside a named block points at it and at the use."""
    message = error("""\
        input: [4, 4, 4]
        blocks:
          big:
            params: {f: 3}
            layers:
              - conv:4,$f
        layers:
          - {use: big}
          - {use: big, f: 9}
        """)  # fmt: skip
    assert message == (
        "net.yaml:6:9: layer 2.1 (CONV2): kernel 9 is larger than the padded input 2×2, "
        "in block 'big' used at net.yaml:9:5"
    )


def test_unknown_block_key_suggests():
    """A misspelled key of a block gets a suggestion."""
    assert error("""\
        input: [8, 8, 4]
        layers:
          - {residual: [relu], shortcat: [relu]}
        """) == (
        "net.yaml:3:24: layer 1 (residual): a residual block has no key 'shortcat'; "
        "did you mean 'shortcut'?"
    )  # fmt: skip


def test_expect_on_blocks(run, tmp_path):
    """A block's expect is checked like a layer's."""
    path = tmp_path / "net.yaml"
    path.write_text("input: [8, 8, 4]\nlayers:\n  - {residual: [relu], expect: [8, 8, 5]}\n")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "layer 1 (Residual): expected shape (8, 8, 5), got (8, 8, 4)" in result.stdout


def test_unquoted_shorthand_in_a_flow_list():
    """In [ ], YAML splits conv:4,1 at its comma: the message says so and how to fix it."""
    assert error("""\
        input: [8, 8, 4]
        layers: [conv:4,1, relu]
        """) == (
        "net.yaml:2:17: in a [ ] list a comma splits items, so 'conv:4' and 1 arrived as two "
        "layers; quote the shorthand, 'conv:4,1', or write one layer a line"
    )  # fmt: skip


def test_unquoted_shorthand_in_a_flow_list_inside_a_named_block():
    """A named block's layers get the same hint as the same layers outside a block."""
    outside = error("""\
        input: [8, 8, 4]
        layers:
          - residual: [conv:4,1, relu]
        """)  # fmt: skip
    inside = error("""\
        input: [8, 8, 4]
        blocks:
          b:
            layers:
              - residual: [conv:4,1, relu]
        layers:
          - {use: b}
        """)  # fmt: skip
    hint = (
        "in a [ ] list a comma splits items, so 'conv:4' and 1 arrived as two layers; "
        "quote the shorthand, 'conv:4,1', or write one layer a line"
    )
    assert outside == "net.yaml:3:23: " + hint
    assert inside == "net.yaml:5:27: " + hint


def test_a_parameter_value_is_substituted_once():
    """A value given at the use is taken as written, however deep in the block it lands:
    `a$w` is not read again for the block's own $w."""
    loaded = spec.from_text(
        textwrap.dedent("""\
            input: [8, 8, 4]
            blocks:
              b:
                params: {w: null, n: null}
                layers:
                  - {type: conv, filters: $w, kernel: 1, name: $n}
                  - residual:
                      - {type: conv, filters: $w, kernel: 1, name: $n}
            layers:
              - {use: b, w: 4, n: "a$w"}
            """),
        "net.yaml",
    )
    top, residual = loaded.layers[0].layer.layers
    assert top.name == residual.layer.layers[0].name == "a$w"
