"""`cnncalc check` and `cnncalc schema`: spec files checked in CI."""

from __future__ import annotations

import sys
from typing import Any

import click

from cnncalc.cli import CONTEXT, completes, format_option
from cnncalc.render.check import FORMATS


@click.command(context_settings=CONTEXT, short_help="Check spec files, for CI.")
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", shell_complete=completes("spec")
)
@click.option("--strict", is_flag=True, help="Fail a file on warnings too.")
@format_option(
    FORMATS,
    "text is coloured on a terminal, plain never; junit: JUnit XML for CI test views; "
    "github: GitHub Actions annotations.",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=False),
    help="Write the report to this file instead of standard output.",
)
def check(paths: tuple[str, ...], strict: bool, format_: str, output: Any) -> None:
    """Check spec files: each must load, fit together and meet its `expect`.

    PATH is a spec file, a directory (searched for *.yaml and *.yml), or the
    name of a bundled spec. Each file is checked on its own. Exit 0 when every
    file passes, 1 when any fails, 2 for a usage error. Warnings (rows the
    stride leaves unused, asymmetric padding) fail a file only with --strict.
    """
    from cnncalc import check as checking

    results = checking.check(paths, strict)
    FORMATS[format_](results, output)
    if output is not None:
        output.close()
    sys.exit(0 if all(result.passed for result in results) else 1)


@click.command(context_settings=CONTEXT, short_help="Print the JSON Schema of the spec format.")
def schema() -> None:
    """Print the JSON Schema of the spec format, for editors and validators.

    Save it and point the YAML language server at it from a spec file:

    \b
        cnncalc schema > cnncalc.schema.json
        # yaml-language-server: $schema=cnncalc.schema.json
    """
    from cnncalc.spec.schema_file import shipped

    click.echo(shipped(), nl=False)
