"""What each argument completes to in bash, zsh and fish (click's shell completion).

A spec argument completes to the bundled specs' names and to the YAML files and
directories beside what is typed; after `--input`, the arguments are layers
and complete to the layer types. Paths are listed here rather than left to
the shell, so that the bundled names and the files come in one list in every
shell. Turned on with `eval "$(_CNNCALC_COMPLETE=bash_source cnncalc)"` (see
the README for zsh and fish).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when completing, never on an ordinary run
    import click
    from click.shell_completion import CompletionItem

MAX_ITEMS = 200  # a directory of thousands of files would flood the shell


def paths(incomplete: str, extensions: tuple[str, ...] | None = None) -> Iterator[str]:
    """The files (with one of `extensions`) and directories that start with `incomplete`."""
    folder, prefix = os.path.split(incomplete)
    try:
        entries = sorted(os.listdir(folder or "."))
    except OSError:
        return
    for name in entries[: MAX_ITEMS * 10]:
        if not name.startswith(prefix) or (name.startswith(".") and not prefix.startswith(".")):
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            yield path + os.sep
        elif extensions is None or name.endswith(extensions):
            yield path


def _items(values: Iterator[str] | list[str], help: str | None = None) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    found = []
    for value in values:
        found.append(CompletionItem(value, help=help))
        if len(found) >= MAX_ITEMS:
            break
    return found


def bundled_names(incomplete: str) -> list[CompletionItem]:
    from cnncalc import bundled

    return _items([n for n in bundled.names() if n.startswith(incomplete)], "bundled spec")


def spec(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A spec: a bundled name, a YAML file or a directory."""
    from cnncalc.bundled import EXTENSIONS

    return [*bundled_names(incomplete), *_items(paths(incomplete, EXTENSIONS))]


def spec_or_layer(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """`table` and `explain`'s arguments: a spec, or with --input the layers' types."""
    if ctx.params.get("input_shape") is None:
        return spec(ctx, param, incomplete)
    from click.shell_completion import CompletionItem

    from cnncalc.spec.vocabulary import LAYER_TYPES

    typed = incomplete.lower()
    return [
        CompletionItem(name, help=kind.help)
        for kind in LAYER_TYPES.values()
        for name in kind.names
        if name.startswith(typed)
    ]


def matrix(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A matrix file (a literal is typed, not completed)."""
    return _items(paths(incomplete))


def filter_(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A filter: one of the course's presets, or a matrix file."""
    from cnncalc.matrix import PRESETS

    presets = _items([name for name in PRESETS if name.startswith(incomplete)], "preset")
    return [*presets, *_items(paths(incomplete))]


def listed(choices: list[str], incomplete: str, extra: tuple[str, ...] = ()) -> list[Any]:
    """The comma-separated list `incomplete` goes on with: shape,pa → shape,params."""
    from click.shell_completion import CompletionItem

    done, _, typed = incomplete.rpartition(",")
    chosen = set(done.split(",")) if done else set()
    head = f"{done}," if done else ""
    return [
        CompletionItem(head + choice)
        for choice in [*([] if done else extra), *choices]
        if choice.startswith(typed) and choice not in chosen
    ]
