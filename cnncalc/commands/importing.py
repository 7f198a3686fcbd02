"""`cnncalc import`: a spec written from a model a framework saved (Keras's JSON, a .keras
archive), its layers named as the framework names them."""

from __future__ import annotations

import click

from cnncalc.cli import CONTEXT, ValueType, user_errors
from cnncalc.commands.draw import write_out


@click.command(
    context_settings=CONTEXT,
    short_help="A spec from a Keras model: a .keras file or its JSON.",
)
@click.argument("model", metavar="FILE", type=click.Path(dir_okay=True, allow_dash=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(readable=False, allow_dash=True),
    metavar="SPEC",
    help="Write the spec to this file instead of standard output; it is replaced only by a "
    "whole spec, and never the model's own file.",
)
@click.option(
    "--input",
    "-i",
    "input_shape",
    type=ValueType("axes.dims", "the input shape", "HxWxC", " (e.g. --input 224x224x3)"),
    help="The input's shape, HxWxC, for a model whose input leaves sizes open (None).",
)
def import_spec(model: str, output: str | None, input_shape: tuple[int, ...] | None) -> None:
    """Write a spec from a Keras model: a .keras file or the JSON of model.to_json().

    Each layer becomes the spec's layer that counts and shapes as it does (its
    name kept); residual sums, concatenations and products become blocks, or
    joins of saved tensors; a Conv's or Dense's activation is a row of its own.
    The spec is read back and checked against the model's shapes before it is
    written. A layer that cannot be written exactly is refused, with every
    such layer named; so are models of several inputs. Keras is not needed:
    the file is read as JSON (a .keras file as a zip).

    \b
        cnncalc import resnet50.keras -o resnet50.yaml
        cnncalc import model.json | cnncalc table -
    """

    if model == "-":
        raise click.BadParameter(
            "a model is read from its file (.keras or .json), not standard input",
            param_hint="'FILE'",
        )

    def written() -> str:
        from cnncalc import importing

        with user_errors():
            return importing.import_model(model, input_dims=input_shape).text

    write_out(output, [model], written, "spec", "the model to import")
