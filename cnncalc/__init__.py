"""cnncalc: shapes, parameter counts and arithmetic of convolutional networks.

The package root stays light (no YAML, click or rich) so that importing it, or
starting the CLI, costs next to nothing. The library lives in:

- `cnncalc.spec`: load and validate a spec (YAML or shorthand) into dataclasses;
- `cnncalc.engine`: walk a spec and get a `Summary` of every layer;
- `cnncalc.layers`: the layer types and their arithmetic.
"""

__version__ = "0.1.0"
