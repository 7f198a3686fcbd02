"""Arguments that may start with a minus sign, which click would take for options."""

from __future__ import annotations

import click


def valued_options(command: click.Command) -> set[str]:
    """The names of the command's options that take a value: the argument after one of
    them is its value (`--bias -1`), not an option or an argument of its own."""
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in (*param.opts, *param.secondary_opts)
    }
