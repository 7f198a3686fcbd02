"""`cnncalc export`: the source it writes, read without a framework.

The exported module compiles, imports only its framework (torch, keras), is the
same bytes run after run and formatted as `ruff format` formats it (when ruff is
installed); names from the spec reach it only inside string literals, comments
and docstrings; every layer and block type has an emitter or a worded refusal in
every target; what has no exact equivalent is refused at its line in the spec;
and the command behaves as the other commands that write files do.
tests/test_export_torch.py and tests/test_export_keras.py run the modules;
tests/test_export_keras_cli.py reads the Keras target's names and refusals.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from hypothesis import given, settings

from cnncalc import __version__, bundled, engine, model, spec
from cnncalc.cli import cli
from cnncalc.errors import SpecError
from cnncalc.export import TARGETS, export, keras_layers, pytorch_layers
from cnncalc.export.source import Call, Seq, statement
from cnncalc.layers import Activation, Layer
from cnncalc.spec.vocabulary import LAYER_TYPES
from tests.conftest import SPECS
from tests.export_networks import networks

EXAMPLES = Path(__file__).parent.parent / "examples"
BUNDLED = sorted(path.stem for path in SPECS.glob("*.yaml"))
RUFF = shutil.which("ruff")
# What each target's module may import.
IMPORTS = {"pytorch": {"torch", "torch.nn.functional"}, "keras": {"keras"}}


def exported(name_or_text: str, target: str = "pytorch"):
    """The export of a bundled spec, or of a spec given as YAML text."""
    path = bundled.path(name_or_text)
    read = spec.load(path) if path else spec.from_text(name_or_text, "net.yaml")
    return export(read, engine.analyze(read), target)


def formatted(source: str) -> str:
    """What `ruff format` makes of `source`, with its defaults (88 columns)."""
    assert RUFF is not None
    result = subprocess.run(
        [RUFF, "format", "--isolated", "-"], input=source, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def imports(source: str) -> set[str]:
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_spec_exports(name, target):
    """Each bundled spec gives a module that compiles, imports only its framework, and
    has a probe for each row, in table order; its test compiles too."""
    result = exported(name, target)
    compile(result.source, f"{name}.py", "exec")
    compile(result.test(f"{name}.py"), f"test_{name}.py", "exec")
    assert imports(result.source) <= IMPORTS[target]
    path = bundled.path(name)
    assert path is not None
    rows = list(engine.analyze(spec.load(path)).flat())
    assert [probe.path for probe in result.probes] == [row.path for row in rows]


@pytest.mark.skipif(RUFF is None, reason="ruff is a development dependency")
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", BUNDLED)
def test_ruff_would_change_nothing(name, target):
    """The module and its test are as `ruff format` writes them."""
    result = exported(name, target)
    for source in (result.source, result.test(f"{name}.py")):
        assert formatted(source) == source


@pytest.mark.skipif(RUFF is None, reason="ruff is a development dependency")
@pytest.mark.parametrize("target", TARGETS)
@given(document=networks(named=True))
@settings(max_examples=60, deadline=None)
def test_random_networks_are_formatted(target, document):
    """Random networks with awkward names (dotted, repeated, reserved, quotes) still give
    source that compiles and that ruff leaves alone."""
    read = spec.from_document(document)
    try:
        result = export(read, engine.analyze(read), target)
    except SpecError:
        return
    for source in (result.source, result.test("net.py")):
        compile(source, "net.py", "exec")
        assert formatted(source) == source


@pytest.mark.parametrize("target", TARGETS)
def test_the_same_bytes_every_run(target):
    """Export is deterministic: no set order, no time, no address in the source."""
    first, second = exported("googlenet", target), exported("googlenet", target)
    assert first.source == second.source and first.test("g.py") == second.test("g.py")


HOSTILE = '''\
name: "'); import os #"
input: [8, 8, 3]
layers:
  - {type: conv, filters: 4, kernel: 3, name: "'); import os #", save: "'); import os #"}
  - {type: relu, name: '"""; import os; """'}
  - {type: conv, filters: 4, kernel: 1, name: "x\\\\", padding: same}
  - {type: concat, with: "'); import os #", crop: true}
  - {type: conv, filters: 2, kernel: 1, name: "a.b\\"c"}
  - {type: conv, filters: 2, kernel: 1, name: "fmt: off"}
  - {type: fc, units: 2, name: "é.forward.0"}
'''


def test_names_cannot_inject_code():
    """A name is data: in string literals, comments and docstrings, never code."""
    result = exported(HOSTILE)
    tree = ast.parse(result.source)
    assert imports(result.source) == {"torch"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "os"]
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert "'); import os #" in strings  # the top-level module's name, for add_module
    assert '"""; import os; """' in strings
    assert 'a.b"c' not in strings  # a dotted name is split: a, b"c
    assert 'b"c' in strings and "x\\" in strings and "é" in strings
    assert "forward_" in result.source  # forward is every module's: renamed
    assert "\n        # fmt: off\n" not in result.source.replace("# fmt: off.", "")
    test = result.test("'); import os #.py")
    assert imports(test) == {"importlib.util", "pathlib", "pytest"}
    assert not [n for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name) and n.id == "os"]
    if RUFF is not None:
        assert formatted(result.source) == result.source and formatted(test) == test


def test_names_become_modules_as_the_table_names_them():
    """Dots nest (nn.ModuleDict), repeated stateless modules are shared, a repeated name
    with parameters is _2, a reserved one gets _, and the docstring lists the renamed."""
    result = exported(
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - conv:4,3,padding=1,name=layer1.0.conv1\n"
        "  - relu:name=layer1.0.relu\n"
        "  - conv:4,3,padding=1,name=layer1.0.conv1\n"
        "  - relu:name=layer1.0.relu\n"
        "  - conv:4,1,name=0\n"
        "  - conv:4,1,name=train\n"
        "  - conv:4,1,name=0.5\n"
    )
    source = result.source
    assert 'self.layer1 = nn.ModuleDict()\n        self.layer1["0"] = nn.ModuleDict()' in source
    assert 'self.layer1["0"].conv1 = nn.Conv2d(3, 4, kernel_size=3, padding=1)' in source
    assert 'self.layer1["0"].conv1_2 = nn.Conv2d(4, 4, kernel_size=3, padding=1)' in source
    assert source.count('self.layer1["0"].relu = nn.ReLU()') == 1
    assert source.count('x = self.layer1["0"].relu(x)') == 2
    assert 'self.add_module("0", nn.Conv2d(4, 4, kernel_size=1))' in source
    assert "self.train_ = nn.Conv2d(4, 4, kernel_size=1)" in source
    assert 'self.add_module("0_2", nn.ModuleDict())' in source  # 0 is a conv: 0.5 can't nest
    assert "'layer1.0.conv1' (row 3) is layer1.0.conv1_2" in source
    assert "'train' (row 6) is train_" in source
    relus = [p for p in result.probes if p.name == "layer1.0.relu"]
    assert [(p.module, p.call) for p in relus] == [("layer1.0.relu", 0), ("layer1.0.relu", 1)]


def test_every_layer_type_has_an_emitter_or_a_refusal():
    """Each target writes or refuses, in words, every layer type of the vocabulary, each
    activation function and each block type; a new type without either fails here."""

    class Unheard(Layer):
        pass

    assert set(TARGETS) == {"pytorch", "keras"}
    for target in TARGETS.values():
        module = target.load()
        for kind in LAYER_TYPES.values():
            assert kind.layer in module.EMITTERS or kind.layer in module.REFUSED, kind.name
        for reason in module.REFUSED.values():
            assert len(reason.split()) > 3
        assert set(module.BLOCKS) == set(model.BLOCK_TYPES)
        assert Unheard not in module.EMITTERS and Unheard not in module.REFUSED
    functions = {t.name for t in LAYER_TYPES.values() if t.layer is Activation}
    assert functions == set(pytorch_layers.ACTIVATIONS) == set(keras_layers.ACTIVATIONS)


REFUSED = """\
input: [8, 8, 3]
layers:
  - conv:4,3
  - {type: avgpool, kernel: 2, stride: 1, padding: same}
"""


def test_a_refusal_is_located_at_the_field(run, tmp_path):
    """What PyTorch cannot compute exactly is refused at the spec's line and column, with
    the layer, exit 1, no traceback, and no file written."""
    with pytest.raises(SpecError) as caught:
        exported(REFUSED)
    where = caught.value.where
    assert where is not None and (where.line, where.column) == (4, 52)  # at `same`
    assert caught.value.layer is not None and caught.value.layer.name == "POOL1"
    path = tmp_path / "net.yaml"
    path.write_text(REFUSED, encoding="utf-8")
    target = tmp_path / "net.py"
    result = run("export", str(path), "--to", "pytorch", "-o", str(target))
    assert result.exit_code == 1
    assert f"Error: {path}:4:52: layer 2 (POOL1): TensorFlow's 'same' average pooling" in (
        result.stderr
    )
    assert "Traceback" not in result.output and not target.exists()


def test_standard_output_and_a_file(run, tmp_path):
    """Without -o the module goes to standard output; with -o to the file, whole."""
    printed = run("export", "lenet5", "--to", "pytorch")
    assert printed.exit_code == 0
    assert printed.stdout.startswith('"""LeNet-5 (course variant), in PyTorch: written by')
    assert "class LeNet5CourseVariant(nn.Module):" in printed.stdout
    target = tmp_path / "lenet5.py"
    written = run("export", "lenet5", "--to", "pytorch", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    from_layers = run("export", "--input", "32x32x3", "conv:8,5", "fc:10", "--to", "pytorch")
    assert from_layers.exit_code == 0 and "class Network(nn.Module):" in from_layers.stdout


def test_the_test_file(run, tmp_path):
    """--with-test writes the test beside the module, finding it by a relative path."""
    target, test = tmp_path / "nets" / "lenet5.py", tmp_path / "test_lenet5.py"
    target.parent.mkdir()
    result = run("export", "lenet5", "--to", "pytorch", "-o", str(target), "--with-test", str(test))
    assert result.exit_code == 0, result.output
    text = test.read_text(encoding="utf-8")
    assert 'MODEL = Path(__file__).parent / "nets/lenet5.py"' in text
    assert 'torch = pytest.importorskip("torch")' in text
    assert "TRAINABLE = 62958" in text and "NON_TRAINABLE = 0" in text
    assert '("7", "Softmax", "module", "Softmax", 0, (10,)),' in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--to", "jax"), "Invalid value for '--to': 'jax' is not one of 'pytorch', 'keras'"),
        ((), "Missing option '--to'"),
        (("--to", "pytorch", "--with-test", "t.py"), "--with-test needs -o FILE"),
        (("--to", "pytorch", "-o", "-", "--with-test", "t.py"), "--with-test needs -o FILE"),
        (("--to", "pytorch", "-o", "m.py", "--with-test", "m.py"), "name one file"),
    ],
)
def test_bad_usage(run, tmp_path, monkeypatch, args, message):
    """Usage errors exit 2 with what was wrong, and write nothing."""
    monkeypatch.chdir(tmp_path)
    result = run("export", "lenet5", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_to_choices_are_the_registry():
    """--to offers exactly the targets cnncalc.export registers."""
    command = cli.get_command(click.Context(cli), "export")
    assert command is not None
    option = next(p for p in command.params if p.name == "target")
    assert isinstance(option.type, click.Choice) and list(option.type.choices) == list(TARGETS)


def test_never_replaces_the_spec(run, tmp_path):
    """Neither -o nor --with-test may name the spec: exit 2, and nothing is written."""
    path = tmp_path / "net.yaml"
    path.write_text("input: [8, 8, 3]\nlayers: [conv:4,3]\n", encoding="utf-8")
    module, test = tmp_path / "net.py", tmp_path / "test_net.py"
    for args in (
        ("-o", str(path)),
        ("-o", str(module), "--with-test", str(path)),
        ("-o", str(path), "--with-test", str(test)),
    ):
        result = run("export", str(path), "--to", "pytorch", *args)
        assert result.exit_code == 2, args
        assert "is the spec to export;" in result.stderr
        assert not module.exists() and not test.exists()
    assert path.read_text(encoding="utf-8") == "input: [8, 8, 3]\nlayers: [conv:4,3]\n"
    refused = run("export", str(path), "--to", "pytorch", "-o", str(module), "--with-test",
                  str(tmp_path / "no" / "t.py"))  # fmt: skip
    assert refused.exit_code == 2 and "Invalid value for '--with-test'" in refused.stderr


def test_bad_data_exits_1(run):
    """A spec cnncalc refuses is refused by export as by table, exit 1."""
    result = run("export", "--input", "8x8x3", "conv:4,9", "--to", "pytorch")
    assert result.exit_code == 1 and "kernel 9 is larger than the padded input" in result.stderr


def test_the_core_imports_no_framework_and_the_command_no_exporter():
    """Exporting needs neither torch, keras nor click; `cnncalc --help` loads no exporter."""
    code = (
        "import sys\nfrom cnncalc import engine, spec\nfrom cnncalc.export import export\n"
        "s = spec.from_layers((8, 8, 3), ['conv:4,3', 'fc:2'])\n"
        "export(s, engine.analyze(s)), export(s, engine.analyze(s), 'keras')\n"
        "print(sorted(m for m in ('torch', 'keras', 'click', 'rich') if m in sys.modules))\n"
        "import cnncalc.commands.export\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    code = (
        "import sys, cnncalc.commands.export\n"
        "print([m for m in ('cnncalc.export.pytorch', 'cnncalc.export.keras') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("expr", "lines"),
    [
        (Call("nn.Conv2d", ("3", "64")), ["        self.conv = nn.Conv2d(3, 64)"]),
        (Call("nn.ModuleDict"), ["        self.conv = nn.ModuleDict()"]),
        (Seq(("1",), "()"), ["        self.conv = (1,)"]),
    ],
)
def test_short_statements_stay_on_one_line(expr, lines):
    """A statement that fits is written flat; a tuple of one keeps its comma."""
    assert statement(2, "self.conv = ", expr) == lines


GOLDEN = {  # golden file: the spec
    "lenet5": "lenet5",
    "modern-blocks": "examples/modern-blocks.yaml",  # every join, and a row seen in forward
}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(run, golden, tmp_path, monkeypatch, name):
    """The module and its test, as files to read (the version written as VERSION)."""
    monkeypatch.chdir(Path(__file__).parent.parent)
    module, test = tmp_path / f"{name}.py", tmp_path / f"test_{name}.py"
    result = run("export", GOLDEN[name], "--to", "pytorch", "-o", str(module), "--with-test",
                 str(test))  # fmt: skip
    assert result.exit_code == 0, result.output
    for path, suffix in ((module, ".py.txt"), (test, "-test.py.txt")):
        text = path.read_text(encoding="utf-8").replace(f"cnncalc {__version__}", "cnncalc VERSION")
        golden(f"export/{name}{suffix}", text)
