"""Every way cnncalc writes a result, one module per family, each with a registry of formats.

`table` (with `columns`, one record per table column), `check`, `matrix` (the
reference convolver's grids), `size`, `explain` and `listing`; `jsonout` is the
one JSON writer, `numbers` writes exact figures for people and machines, and
`output` decides where text goes and whether a colour terminal takes it.

Each family's `FORMATS` maps a format's name to the function that writes it:
its command takes both the `--format` choices and the dispatch from there, so
a new format touches its family's module only. Only `table` and `check`
import rich, and only when a colour terminal will show their output. This
package may import the core (`engine`, `model`, `shapes`, …) but no command and
nothing of click.
"""
