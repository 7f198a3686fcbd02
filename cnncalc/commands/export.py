"""`cnncalc export`: a spec's network as a framework's source code (PyTorch's or Keras's)."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, NoReturn

import click

from cnncalc.cli import CONTEXT, user_errors
from cnncalc.commands.draw import spec_inputs, write_out
from cnncalc.commands.table import analyzed, layer_options
from cnncalc.errors import visible
from cnncalc.export import TARGETS

if TYPE_CHECKING:
    from cnncalc.commands.check import ReportFile
    from cnncalc.export import Exported

ROLE = "the spec to export"  # what the spec is to the files written, when one would replace it


@click.command(
    context_settings=CONTEXT,
    short_help="The network as framework code: a PyTorch or Keras model, and a test of it.",
)
@layer_options
@click.option(
    "--to",
    "target",
    type=click.Choice(list(TARGETS)),
    required=True,
    help="The framework to write for: "
    + "; ".join(f"{name}, {target.writes}" for name, target in TARGETS.items())
    + ".",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(readable=False, allow_dash=True),
    metavar="FILE",
    help="Write the module to this file instead of standard output; it is replaced only by "
    "a whole module, and never one of the inputs.",
)
@click.option(
    "--with-test",
    "test",
    type=click.Path(readable=False, dir_okay=False),
    metavar="FILE",
    help="Also write a pytest file that builds the model from the -o file and checks every "
    "row's shape and the parameter counts against cnncalc's (skipped without the "
    "framework).",
)
def export(
    arguments: tuple[str, ...],
    input_shape: tuple[int, ...] | None,
    layout: str | None,
    target: str,
    output: str | None,
    test: str | None,
) -> None:
    """Write the network as source code for a framework.

    --to pytorch writes one Python file that imports only torch: an
    nn.Module named after the spec, a build() function and INPUT_SHAPE, the
    input in PyTorch's order (C, H, W). Each row of the table with a layer
    is a submodule named after it, and forward is written out step by step.
    --to keras writes one that imports only keras: a build() function that
    builds a functional keras.Model, each row's layer named after it, and
    INPUT_SHAPE channels last (H, W, C). The output shape and the weights
    are exactly the table's; a layer the framework cannot compute exactly
    (for PyTorch an average pool's uneven 'same' padding with stride 1, for
    Keras a transposed convolution with groups) is refused, with where the
    spec writes it. SPEC and the layers are given as for `cnncalc table`:

    \b
        cnncalc export resnet18 --to pytorch -o resnet18.py
        cnncalc export unet --to pytorch -o unet.py --with-test test_unet.py
        cnncalc export resnet18 --to keras -o resnet18_keras.py
    """
    inputs = spec_inputs(arguments, input_shape)
    made: list[Exported] = []

    def module() -> list[str]:
        made.append(_exported(arguments, input_shape, layout, target))
        return [made[0].source]

    if test is None:
        write_out(output, inputs, module, "module", ROLE)
        return
    if output is None or output == "-":
        raise click.UsageError("--with-test needs -o FILE: the test loads the module from it")
    from cnncalc.commands.check import same_file

    if same_file(test, output):
        raise click.UsageError(
            f"--with-test and -o name one file, '{visible(test)}': give the test one of its own"
        )
    # The test's file is checked first, so that nothing is written when it cannot be.
    with _test_file(test, inputs) as file:
        write_out(output, inputs, module, "module", ROLE)
        text = made[0].test(_relative(output, test))

        def written(stream: IO[str]) -> None:
            stream.write(text)

        file.write(written)


def _test_file(path: str, inputs: list[str]) -> ReportFile:
    """The --with-test file, written whole as the module is; its refusals name --with-test
    where the module's name -o."""
    from cnncalc.commands.check import ReportFile

    class TestFile(ReportFile):
        def _refuse(self, message: str) -> NoReturn:
            context = click.get_current_context()
            option = next(param for param in context.command.params if param.name == "test")
            raise click.BadParameter(message, context, option)

    return TestFile(path, inputs, "test", ROLE, name_spec=False)


def _exported(
    arguments: tuple[str, ...], input_shape: tuple[int, ...] | None, layout: str | None, target: str
) -> Exported:
    from cnncalc import export as exporting

    spec, summary = analyzed(arguments, input_shape, layout)
    with user_errors():
        return exporting.export(spec, summary, target)


def _relative(model: str, test: str) -> str:
    """The module's path as the test finds it: from the test's folder."""
    try:
        return os.path.relpath(os.path.abspath(model), os.path.dirname(os.path.abspath(test)))
    except ValueError:  # another drive, on Windows
        return os.path.abspath(model)
