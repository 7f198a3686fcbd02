"""`cnncalc explain`: each section's heading and its arithmetic, as text or Markdown.

`FORMATS` is the registry: the command's `--format` choices and the function
that writes each. The sections themselves come from `cnncalc.explain`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cnncalc.render.output import escape_markdown

if TYPE_CHECKING:
    from cnncalc.explain import Section


def text(sections: Sequence[Section], title: str | None) -> str:
    """Each heading indented by its depth, its lines below it, a blank line after."""
    lines = [title, ""] if title else []
    for section in sections:
        indent = "  " * (section.depth - 1)
        lines.append(indent + section.heading)
        lines += [f"{indent}  {line}" for line in section.lines]
        lines.append("")
    return "\n".join(lines)


def markdown(sections: Sequence[Section], title: str | None) -> str:
    """A nested list: each heading in bold, its lines as items below it."""
    lines = [f"### {title}", ""] if title else []
    for section in sections:
        indent = "  " * (section.depth - 1)
        lines += [f"{indent}- **{section.heading}**"]
        lines += [f"{indent}  - {escape_markdown(line)}" for line in section.lines]
    lines.append("")
    return "\n".join(lines)


def json(sections: Sequence[Section], title: str | None) -> str:
    """{"name", "sections": [{"heading", "depth", "lines"}]}, for programs."""
    from cnncalc.render import jsonout

    document = {
        "name": title,
        "sections": [
            {"heading": section.heading, "depth": section.depth, "lines": list(section.lines)}
            for section in sections
        ],
    }
    return jsonout.dumps(document, jsonout.EVERYTHING)


Format = Callable[[Sequence["Section"], "str | None"], str]
FORMATS: dict[str, Format] = {"text": text, "markdown": markdown, "json": json}
