"""The shape of the package: who may import whom, and every registry complete.

The core (model, spec, layers, engine, the convolver…) imports neither click
nor rich; `render` imports no command; nothing imports upward. Every layer
type and block type has an explanation and every block type a walk; every
command's --format choices are its family's registry.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cnncalc import blockwalks, explain, model
from cnncalc.cli import COMMANDS, cli
from cnncalc.layers import Layer
from cnncalc.spec.vocabulary import LAYER_TYPES

PACKAGE = Path(__file__).parent.parent / "cnncalc"
MODULES = {
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): path
    for path in PACKAGE.rglob("*.py")
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _layer(module: str) -> str:
    if module in ("cnncalc.cli", "cnncalc.__main__") or module.startswith("cnncalc.commands"):
        return "cli"
    if module.startswith("cnncalc.render"):
        return "render"
    return "core"


# What each part of the package may not import.
FORBIDDEN = {
    "core": ("click", "rich", "cnncalc.cli", "cnncalc.commands", "cnncalc.render"),
    "render": ("click", "cnncalc.cli", "cnncalc.commands"),
    "cli": (),
}
# Inside the core, the lower modules know nothing of the higher.
LOWER = {
    "cnncalc.geometry": ("cnncalc.layers", "cnncalc.model", "cnncalc.spec", "cnncalc.engine"),
    "cnncalc.shapes": ("cnncalc.layers", "cnncalc.model", "cnncalc.spec", "cnncalc.engine"),
    "cnncalc.layers": ("cnncalc.model", "cnncalc.spec", "cnncalc.engine", "cnncalc.summary"),
    "cnncalc.model": ("cnncalc.spec", "cnncalc.engine", "cnncalc.summary"),
    "cnncalc.spec": ("cnncalc.engine", "cnncalc.summary", "cnncalc.explain", "cnncalc.check"),
    "cnncalc.engine": ("cnncalc.spec", "cnncalc.explain", "cnncalc.check"),
    "cnncalc.summary": ("cnncalc.spec", "cnncalc.engine"),
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_upward(module):
    """The core imports neither click, rich nor the CLI; render no command; lower no higher."""
    imports = _imports(MODULES[module])
    forbidden = FORBIDDEN[_layer(module)]
    forbidden += next((v for k, v in LOWER.items() if module.startswith(k)), ())
    wrong = sorted(i for i in imports if any(i == f or i.startswith(f + ".") for f in forbidden))
    assert not wrong, f"{module} imports {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_small_enough_to_read(module):
    """One job per module: none is over 400 lines."""
    assert len(MODULES[module].read_text(encoding="utf-8").splitlines()) <= 400


def _loaded_by(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return eval(result.stdout)  # a list literal of module names


@pytest.mark.parametrize(
    "code",
    [
        "import cnncalc.engine",
        "import cnncalc.model, cnncalc.layers, cnncalc.explain",
        "from cnncalc import engine, spec\n"
        "engine.analyze(spec.from_layers((32, 32, 3), ['conv:8,5', 'maxpool:2', 'fc:10']))",
    ],
)
def test_the_engine_does_not_import_yaml(code):
    """PyYAML is for reading YAML: the engine, the model and a spec from Python need none."""
    loaded = _loaded_by(code)
    assert "yaml" not in loaded
    assert not {"click", "rich"} & set(loaded)


def test_every_layer_type_has_an_explanation():
    """A layer type without an explanation fails here, not with a generic sentence."""
    types = [kind.layer for kind in LAYER_TYPES.values()] + list(model.BLOCK_TYPES)
    assert [t.__name__ for t in types if not explain.explains(t)] == []


def test_a_missing_explanation_is_caught():
    """The test above can fail: a new layer type with no handler is reported."""

    class Unexplained(Layer):
        pass

    assert not explain.explains(Unexplained)
    assert explain.explains(Layer) is False  # the base has no handler of its own either


def test_every_block_type_has_a_walk():
    """The engine walks each block type its own way; none falls through."""
    assert set(blockwalks.BLOCK_WALKS) == set(model.BLOCK_TYPES)
    assert {t for t in model.BLOCK_TYPES if not issubclass(t, model.Block)} == set()


def _formats(name: str) -> list[str]:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    option = next(p for p in command.params if p.name == "format_")
    assert isinstance(option.type, click.Choice)
    return list(option.type.choices)


@pytest.mark.parametrize(
    ("command", "family"),
    [("table", "table"), ("explain", "explain"), ("check", "check"), ("conv", "matrix"),
     ("pool", "matrix"), ("size", "size")],
)  # fmt: skip
def test_format_choices_are_the_family_registry(command, family):
    """--format offers exactly what the family's FORMATS can write."""
    import importlib

    formats = importlib.import_module(f"cnncalc.render.{family}").FORMATS
    assert _formats(command) == list(formats)


def test_every_command_is_registered_lazily():
    """Each command lives in its own module under cnncalc.commands, found by name."""
    for name, target in COMMANDS.items():
        module = target.partition(":")[0]
        assert module.startswith("cnncalc.commands.")
        assert cli.get_command(click.Context(cli), name) is not None, name
