"""A walked network as source code for a framework: `cnncalc export SPEC --to TARGET`.

`TARGETS` is the registry of frameworks, each written by its own module
(imported when used), which has one emitter per layer type (`EMITTERS`), one
per block type (`BLOCKS`), and the types it refuses with the reason why
(`REFUSED`); a test holds every type of the vocabulary to one of them.

An export works from the spec and its `Summary`: the code builds exactly the
rows the table has, with their shapes and counts, and what the framework has
no exact equivalent of is refused with a `SpecError` at the layer, never
approximated. Part of the core: no click, no rich, no framework imported; and
light, so that the command's --help can list `TARGETS` for the cost of nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from types import ModuleType

    from cnncalc.model import Spec
    from cnncalc.summary import Summary

Shape = tuple[int, ...]


class Target(NamedTuple):
    """A framework code can be exported for."""

    name: str  # as --to takes it
    module: str  # the module that writes it, imported when it is used
    writes: str  # what it writes, for --help

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


TARGETS = {
    "pytorch": Target("pytorch", "cnncalc.export.pytorch", "a torch.nn.Module in one Python file"),
    "keras": Target("keras", "cnncalc.export.keras", "a functional keras.Model in one Python file"),
}


class Probe(NamedTuple):
    """Where a test sees a row's output in the exported model: `kind` is 'module' (the
    output of the submodule named `module`, at its `call`-th call from 0), 'input' (the
    input of one), 'output' (the model's `call`-th output) or, for a row whose output goes
    only into a join, 'variable' (what forward's variable `module` holds when line `call`
    of the source starts)."""

    path: str  # the row's place in the table: 5.2.1
    name: str  # the row's name
    shape: Shape  # the row's shape, in the framework's order
    kind: str
    module: str = ""
    call: int = 0


class Exported(NamedTuple):
    """What an export gives: the module's source, where each row's output can be seen, and
    the source of a test of the module saved at a path relative to the test's folder."""

    source: str
    probes: tuple[Probe, ...]  # one a row, in table order
    test: Callable[[str], str]


def export(spec: Spec, summary: Summary, target: str = "pytorch") -> Exported:
    """The network of `spec` (walked as `summary`) as `target`'s source."""
    exported: Exported = TARGETS[target].load().export(spec, summary)
    return exported
