"""cnncalc: shapes, parameter counts and arithmetic of convolutional networks.

The package root stays light (no YAML, click or rich) so that importing it, or
starting the CLI, costs next to nothing. The library lives in:

- `cnncalc.spec`: load and validate a spec (YAML or shorthand) into dataclasses;
- `cnncalc.engine`: walk a spec and get a `Summary` of every layer;
- `cnncalc.layers`: the layer types and their arithmetic;
- `cnncalc.check`: check spec files and their `expect` blocks;
- `cnncalc.explain`: each layer's arithmetic in the course's notation;
- `cnncalc.sizing`: the output-size formula on its own, forwards and backwards;
- `cnncalc.matrix` and `cnncalc.convolve`: the reference convolver.
"""

__version__ = "0.1.0"
