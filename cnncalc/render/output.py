"""Where rendered text goes, whether it is for a colour terminal, and Markdown's escape."""

from __future__ import annotations

import sys
from typing import IO


def colour_terminal(file: IO[str] | None = None) -> bool:
    """Whether to draw with rich: a terminal that takes colour, as rich would decide.

    Everything else (a pipe, a file, NO_COLOR) gets plain text, without paying
    for rich's import or its layout of thousands of rows.
    """
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = file or sys.stdout
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def write(text: str, file: IO[str] | None = None) -> None:
    """`text` to `file`, or to standard output as it is now (click's runner replaces it)."""
    (file or sys.stdout).write(text)


def escape_markdown(cell: str) -> str:
    """Text for a Markdown table cell or list item: a | would end the cell."""
    return cell.replace("|", "\\|")
