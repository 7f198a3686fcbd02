"""The commands of the CLI, one module per family, each imported only when run.

`cnncalc.cli` holds the group, the shared helpers and the one place where core
errors become messages and exit codes; a command module is imported only when
its command runs (or when `--help` lists them), so adding commands adds
nothing to the startup of the others. A command module may import the core,
`render` and `cli`; it takes its `--format` choices from its render family's
`FORMATS`.
"""
