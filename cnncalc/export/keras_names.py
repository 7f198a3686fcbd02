"""The names of the exported model's Keras layers: each row's own, as the table names it.

Keras refuses a '/' in a layer's name (it joins a layer's name and its
weights' with one) and takes each name once in a model; its torch backend
refuses a '.' in the name of a layer with weights (torch's ParameterDict),
and TensorFlow's name scopes take only letters, digits and `_.-/>`. So a name
is kept where it holds only letters, digits, '_' and '-', which every backend
takes; any run of other characters is written '_' (`layer1.0.conv1` is
`layer1_0_conv1`, `c1/relu` `c1_relu`), and a second layer of a name is `_2`,
`_3`…, as cnncalc's own names are. The exported module maps each layer so
renamed back to its row's name (`ROW_NAMES`). A layer that only prepares or
finishes a row's work is named after the row with a suffix (`CONV1_pad`), and
the model's input `input`, neither ever taking a name a row has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def keras_name(name: str) -> str:
    """A row's name as every Keras backend takes it: each run of other characters written
    '_' (`layer1.0 + identity` is `layer1_0_identity`)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name) or "_"


class Names:
    """The layer names given so far, with the rows' names kept for the rows."""

    def __init__(self, rows: Iterable[str]) -> None:
        self.reserved = {keras_name(name) for name in rows}
        self.given: set[str] = set()

    def own(self, name: str) -> str:
        """A row's layer: its name, or for a second row of it the first free `_2`, `_3`…"""
        wanted = keras_name(name)
        if wanted in self.given:
            wanted = self._free(wanted)
        self.given.add(wanted)
        return wanted

    def beside(self, name: str) -> str:
        """Another layer's: `name` (a Keras name already) unless a row has it or it is
        given, else the first free `_2`, `_3`…"""
        if name in self.given or name in self.reserved:
            name = self._free(name)
        self.given.add(name)
        return name

    def _free(self, name: str) -> str:
        number = 2
        while f"{name}_{number}" in self.given or f"{name}_{number}" in self.reserved:
            number += 1
        return f"{name}_{number}"
