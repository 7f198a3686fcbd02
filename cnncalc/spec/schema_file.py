"""The JSON Schema file the package ships, read without building it.

`cnncalc schema` prints it; importing `cnncalc.spec.schema`, which builds it
from the layer registry, would load every reader and layer for nothing.
"""

from __future__ import annotations

import os

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spec.schema.json")


def shipped() -> str:
    """The schema file the package ships."""
    with open(SCHEMA_FILE, encoding="utf-8") as stream:
        return stream.read()
