"""A table drawn with rich on a colour terminal, every figure whole and every name as written.

Each figure column is exactly as wide as its widest figure, so rich never cuts
one; only the layer column, which holds names, gives way, and its names wrap
under their own indentation. Every cell, the title and the notes are rich
`Text`, so a name such as `ResNet [v1.5]` is shown as written and never read
as markup. When even then the table is wider than the terminal, the plain
table is printed instead, with one line saying how to see it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

# The layer column gives way down to this; below it names would be unreadable.
NAME_MIN = 16
# rich lays out every cell of every row (a 200,000-row table took 42 s); past this
# many rows the plain table, which costs a string join, is printed instead.
MAX_ROWS = 2_000


def _widest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Each column's width, the layer column's last to give way, if the table fits in
    `width` terminal columns; None if it cannot without cutting a figure."""
    cells = [max(len(row[index]) for row in rows) for index in range(len(headers))]
    # Each column has a space either side and a rule before it; one rule closes the row.
    frame = 3 * len(headers) + 1
    names = max(len(headers[0]), cells[0])
    # Headers on one line if there is room, else wrapped at their spaces.
    for header_width in (len, _widest_word):
        figures = [max(header_width(h), c) for h, c in zip(headers[1:], cells[1:], strict=True)]
        room = width - frame - sum(figures)
        if room >= min(names, NAME_MIN):
            return [min(names, room), *figures]
    return None


def draw(
    title: str | None,
    headers: Sequence[str],
    body: Sequence[Sequence[str]],
    totals: Sequence[str],
    after: Sequence[str],
    right: Sequence[bool],
    plain: str,
    file: IO[str] | None = None,
) -> None:
    """The table with rich, or `plain` with a note when it cannot fit the terminal."""
    from rich import box
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file, highlight=False, emoji=False)
    if len(body) > MAX_ROWS:
        note = (
            f"The table has {len(body):,} rows, more than the {MAX_ROWS:,} drawn in colour, so "
            "it is printed plain: choose a smaller --depth, or --format plain for no note."
        )
        _plain(console, plain, after, note)
        return
    columns = widths(headers, [*body, totals], console.width)
    if columns is None:
        wide = len(plain.splitlines()[-1])
        note = (
            f"The table is {wide} characters wide and the terminal {console.width}, so it "
            "is printed plain, every figure whole: widen the terminal, pipe it to "
            "`less -S`, or choose fewer --columns."
        )
        _plain(console, plain, after, note)
        return
    table = Table(
        title=Text(title) if title else None,
        box=box.HEAVY_HEAD,
        header_style="bold",
        title_style="bold",
    )
    for index, (header, width) in enumerate(zip(headers, columns, strict=True)):
        table.add_column(
            Text(header),
            justify="right" if right[index] else "left",
            width=width,
            overflow="fold",
        )
    for cells in body:
        label = cells[0]
        indent = len(label) - len(label.lstrip(" "))
        # A name wraps under its own indentation, so the tree stays readable.
        name = Padding(Text(label[indent:], overflow="fold"), (0, 0, 0, indent))
        table.add_row(name, *(Text(cell) for cell in cells[1:]))
    table.add_section()
    table.add_row(*(Text(cell) for cell in totals), style="bold")
    console.print(table)
    for line in after:
        console.print(Text(line), soft_wrap=True)


def _plain(console: Any, plain: str, after: Sequence[str], note: str) -> None:
    """The plain table on the colour terminal, its notes, and why it is plain. The table
    is written as it is: rich would lay out each of its lines (a second, per 10,000)."""
    from rich.text import Text

    console.file.write(plain)
    for line in [*after, note]:
        console.print(Text(line), soft_wrap=True)
