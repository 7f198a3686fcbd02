"""cnncalc: shapes, parameter counts and arithmetic of convolutional networks.

The package root stays light (no YAML, click or rich) so that importing it, or
starting the CLI, costs next to nothing. What lives where:

- the core, which imports neither click nor rich and returns dataclasses:
  `model` (Spec, LayerSpec and the blocks), `spec` (reading YAML, shorthand
  and Python values into a model, and the JSON Schema), `layers` (the layer
  types and their arithmetic), `geometry` (every per-axis rule of sliding
  windows, for any number of axes), `shapes` (shapes and their notation),
  `engine` (walks a spec) and `summary` (what it gives), `check`, `explain`
  (each layer's arithmetic in the course's notation), `sizing` (the formula
  forwards and backwards), and the reference convolver: `matrix`, `convolve`,
  `correlate` and `worked`;
- `render`: every output format, one module per family; it may import the
  core, never a command;
- `cli` and `commands`: parse arguments, call the core, hand the results to
  `render`, and turn the core's errors into messages and exit codes.

No module imports upward: the core knows nothing of render or the CLI, and
`geometry`, `shapes`, `layers` and `model` nothing of the spec reader or the
engine (tests/test_structure.py holds them to it).
"""

__version__ = "0.1.0"
