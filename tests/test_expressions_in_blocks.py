"""Expressions and conditions inside named blocks: `${EXPR}` fields read with the block's
parameters and its input's size (in.c), `if:` and a residual's `add:`. Each figure is
worked out here by hand."""

from __future__ import annotations

import pytest

from cnncalc import engine, spec
from cnncalc.errors import SpecError

# torchvision's InvertedResidual in one block: hidden = in.c·t, no expansion when t = 1,
# the sum only when the stride is 1 and the channels are kept (use_res_connect).
INVERTED = {
    "params": {"t": 6, "out": None, "stride": 1},
    "layers": [{
        "residual": [
            {"type": "conv", "filters": "${in.c * t}", "kernel": 1, "if": "${t != 1}"},
            {"type": "conv", "kernel": 3, "stride": "$stride", "padding": 1, "depthwise": True},
            {"type": "conv", "filters": "$out", "kernel": 1},
        ],
        "add": "${stride == 1 and in.c == out}",
    }],
}  # fmt: skip


def analyze(layers: list, blocks: dict | None = None, input=(28, 28, 16)) -> engine.Summary:
    document = {"input": list(input), "layers": layers, "blocks": blocks or {"b": INVERTED}}
    return engine.analyze(spec.from_document(document))


def test_an_expression_of_the_input_channels():
    """in.c = 16, t = 6: the expansion has 16·6 = 96 filters, 16·96 + 96 parameters; the
    depthwise 3×3 9·96 + 96; the projection to 16, 96·16 + 16; the sum is kept."""
    summary = analyze([{"use": "b", "out": 16}])
    (use,) = summary.rows
    (residual,) = use.children
    expand, depthwise, project = residual.children
    assert expand.shape == (28, 28, 16 * 6)
    assert (expand.params, depthwise.params, project.params) == (
        16 * 96 + 96, 9 * 96 + 96, 96 * 16 + 16,
    )  # fmt: skip
    assert residual.layer.add


def test_if_removes_a_layer_and_add_removes_the_sum():
    """t = 1: no expansion conv, the depthwise conv works on in.c = 24 channels; stride 2
    (or a change of channels) drops the sum, as torchvision's use_res_connect."""
    summary = analyze([{"use": "b", "out": 24, "stride": 2}, {"use": "b", "t": 1, "out": 24}])
    first, second = summary.rows
    assert not first.children[0].layer.add  # stride 2: no sum
    assert first.shape == (14, 14, 24)
    (residual,) = second.children
    assert [row.kind for row in residual.children] == ["conv", "conv"]  # no expansion
    assert residual.children[0].params == 9 * 24 + 24
    assert residual.layer.add  # stride 1, 24 in and 24 out


def test_names_follow_the_table_though_the_block_is_read_late():
    """The uses read in.c, so they are read during the walk: the default names still count
    in table order, CONV1 to CONV6, then the conv after them is CONV7."""
    summary = analyze([{"use": "b", "out": 16}, {"use": "b", "out": 16}, "conv:8,3"])
    names = [row.name for row in summary.flat() if row.kind == "conv"]
    assert names == [f"CONV{n}" for n in range(1, 8)]


def test_an_if_that_removes_a_shortcut():
    """A ResNet basic block with one shortcut, present only when the shape changes."""
    basic = {
        "params": {"out": None, "stride": 1},
        "layers": [{
            "residual": ["conv:$out,3,$stride,1", "relu", "conv:$out,3,1,1"],
            "shortcut": [{"type": "conv", "filters": "$out", "kernel": 1, "stride": "$stride",
                          "if": "${stride != 1 or in.c != out}"}],
        }],
    }  # fmt: skip
    summary = analyze(
        [{"use": "basic", "out": 16}, {"use": "basic", "out": 32, "stride": 2}],
        {"basic": basic},
    )
    same, down = (row.children[0] for row in summary.rows)
    assert [branch.role for branch in same.branches] == ["layers"]  # the identity
    assert [branch.role for branch in down.branches] == ["layers", "shortcut"]
    assert down.branches[1].rows[0].params == 16 * 32 + 32


def test_repeat_counts_and_divisible():
    """repeat: ${n - 1} and torchvision's _make_divisible(24·0.75 = 18, 8) = 16 (18 + 4 =
    22, 22 // 8 · 8 = 16, and 16 ≥ 0.9·18 = 16.2? no: 16 < 16.2, so 16 + 8 = 24)."""
    block = {
        "params": {"n": 3},
        "layers": [{"repeat": "${n - 1}", "layers": [
            {"type": "conv", "filters": "${divisible(24 * 3 / 4, 8)}", "kernel": 1},
        ]}],
    }  # fmt: skip
    summary = analyze([{"use": "b"}], {"b": block})
    convs = [row for row in summary.flat() if row.kind == "conv"]
    assert len(convs) == 3 - 1
    assert convs[0].shape[-1] == 24


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("${in.c / 0}", "division by zero"),
        ("${in.c * widht}", "unknown name 'widht'"),
        ("${in.c / 3}", "filters must be a whole number, got '16/3'"),
        ("${in.c > 2}", "filters must be a whole number, got true"),
    ],
)
def test_bad_expressions_are_located(field, message):
    block = {"params": {"width": 2}, "layers": [
        {"type": "conv", "filters": field, "kernel": "$width"},
    ]}  # fmt: skip
    with pytest.raises(SpecError, match=message):
        analyze([{"use": "b"}], {"b": block})


def test_an_if_that_is_not_true_or_false():
    block = {"params": {"k": 3}, "layers": [{"type": "relu", "if": "${k + 1}"}]}
    with pytest.raises(SpecError, match="if must be true or false"):
        analyze([{"use": "b"}], {"b": block})


def test_an_expression_inside_shorthand_is_refused():
    block = {"params": {"k": 3}, "layers": ["conv:${k * 2},3"]}
    with pytest.raises(SpecError, match="an expression is a field's whole value"):
        analyze([{"use": "b"}], {"b": block})


def test_an_expression_outside_a_named_block_is_refused():
    with pytest.raises(SpecError, match="outside a named block"):
        analyze([{"type": "conv", "filters": "${2 * 8}", "kernel": 3}])


def test_the_error_names_the_place(run, tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "input: [8, 8, 4]\nblocks:\n  b:\n    params: {k: 0}\n    layers:\n"
        "      - {type: conv, filters: '${in.c // k}', kernel: 1}\nlayers:\n  - {use: b}\n"
    )
    result = run("check", str(path))
    assert result.exit_code == 1
    assert f"{path}:6:9: error: block 'b': division by zero" in result.stdout
    assert f"in block 'b' used at {path}:8:5" in result.stdout


def test_each_case_of_an_expression_is_evaluated_once(monkeypatch):
    """100 uses with the same input and parameters evaluate their expression once, so a
    budget of 40 characters is enough for them; uses that differ each spend theirs."""
    from cnncalc.spec import named

    monkeypatch.setattr(named, "MAX_EVALUATED", 40)
    block = {"params": {"k": 1}, "layers": [{"type": "relu", "if": "${in.c * k > 0}"}]}
    same = analyze([{"use": "b"}] * 100, {"b": block})
    assert len(same.rows) == 100
    differ = [{"use": "b", "k": k} for k in range(1, 5)]  # 4 cases of 14 characters
    with pytest.raises(SpecError, match="more than 40 characters of expressions"):
        analyze(differ, {"b": block})
