"""The pytest file `cnncalc export --with-test` writes beside an exported PyTorch module.

It loads the module from its path (relative to the test's own folder), builds
the model, runs a batch of one input of zeros through it, and compares what
torch gives with the figures cnncalc computed, written into the test as
data: every row's shape where it can be seen (`Probe`: a hook on a module, or,
for a row whose output goes only into a join, forward's variable as a line
starts, read with sys.settrace), the outputs, the trainable parameters and the
batch norms' running statistics. Where torch is not installed it is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc import __version__
from cnncalc.export import Probe
from cnncalc.export.pytorch_steps import torch_order
from cnncalc.export.source import Seq, comment, docstring, literal, statement, wrap
from cnncalc.shapes import Shape
from cnncalc.summary import Summary

_CHECKS = '''

def load():
    """The exported module, loaded from its file."""
    spec = importlib.util.spec_from_file_location("exported_model", MODEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exported():
    return load()


@pytest.fixture(scope="module")
def model(exported):
    return exported.build().eval()


def outputs(model):
    """The model's outputs for one input of zeros, as a tuple."""
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    return out if isinstance(out, tuple) else (out,)


def test_input_shape(exported):
    """The module's INPUT_SHAPE is cnncalc's input, channels first."""
    assert tuple(exported.INPUT_SHAPE) == INPUT_SHAPE


def test_outputs(model):
    """The model gives the output shapes cnncalc computed."""
    assert [tuple(out.shape[1:]) for out in outputs(model)] == OUTPUTS


def test_trainable_parameters(model):
    """parameters() holds cnncalc's trainable count."""
    assert sum(p.numel() for p in model.parameters()) == TRAINABLE


def test_running_statistics(model):
    """The batch norms' running means and variances are cnncalc's non-trainable count."""
    running = ("running_mean", "running_var")
    buffers = model.named_buffers()
    held = sum(b.numel() for name, b in buffers if name.rsplit(".", 1)[-1] in running)
    assert held == NON_TRAINABLE


def test_every_row(model):
    """Each row's output, where it is seen, has the shape cnncalc computed."""
    modules = dict(model.named_modules())
    seen = {"module": {}, "input": {}}
    handles = []
    for _, _, kind, name, _, _ in ROWS:
        if kind not in seen or name in seen[kind]:
            continue
        shapes = seen[kind][name] = []
        if kind == "module":

            def hook(module, args, out, shapes=shapes):
                shapes.append(tuple(out.shape[1:]))

            handles.append(modules[name].register_forward_hook(hook))
        else:

            def pre_hook(module, args, shapes=shapes):
                shapes.append(tuple(args[0].shape[1:]))

            handles.append(modules[name].register_forward_pre_hook(pre_hook))
    try:
        given, held = watched(model)
    finally:
        for handle in handles:
            handle.remove()
    for path, row, kind, name, call, shape in ROWS:
        if kind == "output":
            got = tuple(given[call].shape[1:])
        elif kind == "variable":
            got = held[name, call]
        else:
            got = seen[kind][name][call]
        assert got == shape, f"row {path} ({row}): {got}, cnncalc {shape}"
'''

_WATCHED = '''

def watched(model):
    """The outputs, and the shape of what forward's variables hold as a line starts, for
    the (variable, line) pairs of ROWS: a row whose output goes only into a join (a sum,
    torch.cat) passes no hook."""
    wanted = {(name, line) for _, _, kind, name, line, _ in ROWS if kind == "variable"}
    forward = type(model).forward.__code__
    held = {}

    def lines(frame, event, arg):
        for name, line in wanted - held.keys():
            if frame.f_lineno >= line and name in frame.f_locals:
                held[name, line] = tuple(frame.f_locals[name].shape[1:])
        return lines

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: lines if frame.f_code is forward else None)
    try:
        given = outputs(model)
    finally:
        sys.settrace(previous)
    return given, held
'''

_HOOKED = '''

def watched(model):
    """The outputs: every row's output passes a hook, none is read from a variable."""
    return outputs(model), {}
'''


def checks(
    summary: Summary,
    probes: Sequence[Probe],
    model_path: str,
    title: str | None,
    outputs: list[Shape],
) -> str:
    """The test of the module saved at `model_path`, relative to the test's folder."""
    watching = any(probe.kind == "variable" for probe in probes)
    about = [
        *wrap(
            f"Checks of {comment(model_path)}, {comment(title or 'a network')} exported by "
            f"cnncalc {__version__}, against the figures cnncalc computed.",
            88,
        ),
        "",
        *wrap(
            "The model must take INPUT_SHAPE, give every row the shape cnncalc computed "
            "(seen by hooks on its modules"
            + (
                ", or in forward's variables for a row whose output goes only into a join"
                if watching
                else ""
            )
            + ") and hold the parameters cnncalc counted. Shapes are channels first, as "
            "PyTorch's, without the batch axis. Skipped where torch is not installed.",
            88,
        ),
    ]
    lines = docstring(0, about)
    lines += ["", "import importlib.util", *(["import sys"] if watching else [])]
    lines += ["from pathlib import Path", "", "import pytest", ""]
    lines += ['torch = pytest.importorskip("torch")', ""]
    lines += statement(0, "MODEL = ", f"Path(__file__).parent / {literal(model_path)}")
    lines += ["", "# cnncalc's figures."]
    lines += statement(0, "INPUT_SHAPE = ", _shape(torch_order(summary.input_shape)))
    lines += statement(0, "OUTPUTS = ", Seq(tuple(_shape(out) for out in outputs), "[]"))
    lines += [f"TRAINABLE = {summary.params}", f"NON_TRAINABLE = {summary.buffers}"]
    lines += [
        "# Each row: its place in the table, its name, where its output is seen (module: the",
        "# output of the module named, at its call counted from 0; input: the input of the",
        "# module that takes it next; output: the model's output of that number; variable:",
        "# what forward's variable holds as that line starts), and the row's shape.",
    ]
    rows = tuple(
        Seq(
            (
                literal(probe.path),
                literal(probe.name),
                literal(probe.kind),
                literal(probe.module),
                str(probe.call),
                _shape(probe.shape),
            ),
            "()",
        )
        for probe in probes
    )
    lines += statement(0, "ROWS = ", Seq(rows, "[]")) if rows else ["ROWS = []"]
    return "\n".join(lines) + "\n" + _CHECKS + (_WATCHED if watching else _HOOKED)


def _shape(shape: Shape) -> Seq:
    return Seq(tuple(map(str, shape)), "()")
