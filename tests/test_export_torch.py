"""The exported PyTorch modules run in torch, against cnncalc's figures, where torch is
installed.

Optional (skipped without torch; CI does not install it). Each network is exported,
its source executed, the model built and a batch of one input of zeros run through it.
What is compared comes from torch on one side (the output's shape, the parameters'
and the running statistics' sizes, each row's output as a forward hook sees it) and
from cnncalc's table on the other, put in PyTorch's order here, not by the exporter.
The exporter says only which module's hook sees which row.
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import event, given, settings

from cnncalc import bundled, engine, spec
from cnncalc.errors import SpecError
from cnncalc.export import export
from tests.conftest import SPECS
from tests.export_networks import networks, walked

torch = pytest.importorskip("torch")

EXAMPLES = Path(__file__).parent.parent / "examples"
BUNDLED = sorted(path.stem for path in SPECS.glob("*.yaml"))


def channels_first(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape as cnncalc holds it, (H, W, C), in PyTorch's order without the batch."""
    return shape if len(shape) < 2 else (shape[-1], *shape[:-1])


def built(source: str):
    """The exported module, executed."""
    module = types.ModuleType("exported")
    exec(compile(source, "<exported>", "exec"), module.__dict__)
    return module


def watched(model, wanted: Iterable[tuple[str, int]], run):
    """`run()`, and the shape of what forward's variables hold as the lines `wanted` start
    ((variable, line) pairs), read with sys.settrace."""
    wanted = set(wanted)
    forward = type(model).forward.__code__
    held: dict[tuple[str, int], tuple[int, ...]] = {}

    def lines(frame, event, arg):
        for name, line in wanted - held.keys():
            if frame.f_lineno >= line and name in frame.f_locals:
                held[name, line] = tuple(frame.f_locals[name].shape[1:])
        return lines

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: lines if frame.f_code is forward else None)
    try:
        return run(), held
    finally:
        sys.settrace(previous)


def assert_faithful(read, summary) -> int:
    """The exported model gives every figure of cnncalc's table; how many rows were read
    from forward's variables (their output goes only into a join)."""
    exported = export(read, summary)
    module = built(exported.source)
    model = module.build().eval()
    assert tuple(module.INPUT_SHAPE) == channels_first(summary.input_shape)
    modules = dict(model.named_modules())
    seen: dict[tuple[str, str], list] = {}
    for probe in exported.probes:
        key = (probe.kind, probe.module)
        if probe.kind in ("output", "variable") or key in seen:
            continue
        shapes = seen[key] = []
        if probe.kind == "module":
            modules[probe.module].register_forward_hook(
                lambda module, args, out, shapes=shapes: shapes.append(tuple(out.shape[1:]))
            )
        else:
            modules[probe.module].register_forward_pre_hook(
                lambda module, args, shapes=shapes: shapes.append(tuple(args[0].shape[1:]))
            )

    def run():
        with torch.no_grad():
            return model(torch.zeros(1, *module.INPUT_SHAPE))

    wanted = [(p.module, p.call) for p in exported.probes if p.kind == "variable"]
    out, held = watched(model, wanted, run)
    outputs = out if isinstance(out, tuple) else (out,)
    assert tuple(outputs[-1].shape[1:]) == channels_first(summary.output_shape)
    assert sum(p.numel() for p in model.parameters()) == summary.params
    running = sum(
        b.numel()
        for name, b in model.named_buffers()
        if name.rsplit(".", 1)[-1] in ("running_mean", "running_var")
    )
    assert running == summary.buffers
    rows = list(summary.flat())
    assert [probe.path for probe in exported.probes] == [row.path for row in rows]
    for probe, row in zip(exported.probes, rows, strict=True):
        if probe.kind == "output":
            got = tuple(outputs[probe.call].shape[1:])
        elif probe.kind == "variable":
            got = held[probe.module, probe.call]
        else:
            got = seen[(probe.kind, probe.module)][probe.call]
        assert got == channels_first(row.shape), (probe, exported.source)
    return len(wanted)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_spec(name):
    """Every bundled spec exports, and torch gives the table's every figure."""
    path = bundled.path(name)
    assert path is not None
    read = spec.load(path)
    assert_faithful(read, engine.analyze(read))


@pytest.mark.parametrize("name", ["inverted-residual", "modern-blocks", "tiny-resnet"])
def test_the_readmes_examples(name):
    """The README's examples of blocks export too (the others are examples of errors)."""
    read = spec.load(str(EXAMPLES / f"{name}.yaml"))
    assert_faithful(read, engine.analyze(read))


CASES = {
    # TensorFlow's 'same', uneven: a ZeroPad2d before the conv, −inf before the max pool.
    "same conv, stride 2": ([15, 15, 3], ["conv:4,2,2,same", "conv:4,3,2,same"]),
    "same max pool": ([9, 10, 2], ["maxpool:2,2,same", "maxpool:2,1,same"]),
    "same average pool, stride 2": ([9, 10, 2], ["avgpool:3,2,same", "avgpool:2,2,same"]),
    "pairs": ([9, 9, 2], [{"type": "conv", "filters": 3, "kernel": 3, "padding": [0, 2, 1, 0]},
                          {"type": "maxpool", "kernel": 3, "padding": [1, 0, 0, 1], "ceil": True},
                          {"type": "avgpool", "kernel": 2, "padding": [0, 1, 1, 0]}]),
    "causal": ([20, 2], ["conv:3,3,p=causal,d=2", "conv:3,2,p=causal"]),
    "3-D": ([5, 6, 7, 2], ["conv3d:3,3,2,same", "maxpool:2,1,same", "bn", "gap", "fc:3"]),
    "transposed same": ([5, 6, 2], ["convtranspose:3,3,2,same", "convtranspose:2,1,3,same",
                                    "convtranspose:2,4,2,same", "convtranspose:2,2,2,same"]),
    "transposed pairs": ([5, 5, 2], [{"type": "convtranspose", "filters": 2, "kernel": 3,
                                      "stride": 2, "padding": [0, 2, 1, 0],
                                      "output_padding": 1}]),
    "per position": ([4, 5, 6], ["layernorm", "fc:8,flatten=false", "gelu", "layerscale"]),
    "vector gate": ([6, 6, 4], [{"multiply": ["gap", "flatten", "fc:4", "sigmoid"]}]),
    "upsampling": ([4, 5, 3], ["upsample:2,mode=bilinear", "upsample:factor=3x1,mode=bicubic",
                              {"type": "upsample", "to": [5, 7], "mode": "area"}]),
    "side head": ([8, 8, 3], ["conv:4,3", {"side": ["gap", "flatten", "fc:2"]}, "conv:2,3"]),
    "split sizes": ([4, 4, 6], [{"split": [["conv:2,1"], []], "sizes": [4, 2]}]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_what_pytorch_cannot_say_directly(case):
    """Uneven padding, causal and transposed 'same', per-position layers, broadcast gates,
    upsampling modes, side heads and uneven splits: exact equivalents, checked."""
    found = walked(*CASES[case])
    assert found is not None, case
    assert_faithful(*found)


@given(networks())
@settings(max_examples=250, deadline=None)
def test_random_networks(document):
    """Hundreds of small sequential and block networks: each exports to a model torch
    runs with cnncalc's figures, or is refused at a located layer."""
    read = spec.from_document(document)
    summary = engine.analyze(read)
    refused = None
    try:
        if assert_faithful(read, summary):
            event("a row whose output goes only into a join")
    except SpecError as refusal:
        refused = refusal
    if refused is not None:
        assert refused.layer is not None, refused
        event("refused: " + refused.message.split(":")[0])


@given(networks(named=True))
@settings(max_examples=100, deadline=None)
def test_random_networks_with_awkward_names(document):
    """Names that nest, repeat, shadow an nn.Module attribute or are no Python name: torch
    registers every module, and each row's hook still sees its row."""
    read = spec.from_document(document)
    summary = engine.analyze(read)
    try:
        assert_faithful(read, summary)
    except SpecError:
        event("refused")


def test_the_written_test_passes(tmp_path, run):
    """`--with-test` writes a pytest file that passes against the module beside it; in
    modern-blocks the squeeze-and-excitation's product goes only into a split, and is read
    from forward's variable."""
    model, test = tmp_path / "models" / "blocks.py", tmp_path / "test_blocks.py"
    model.parent.mkdir()
    spec_file = str(EXAMPLES / "modern-blocks.yaml")
    result = run("export", spec_file, "--to", "pytorch", "-o", str(model), "--with-test", str(test))
    assert result.exit_code == 0, result.output
    assert "sys.settrace" in test.read_text(encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "5 passed" in checked.stdout
