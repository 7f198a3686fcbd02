"""Reading a spec file into plain Python values that remember where they were.

PyYAML's safe constructors give plain dicts and lists and forget the line and
column of every value; error messages need them. `MarkedDict` and `MarkedList`
are a dict and a list that also hold the position of each child. Only the
safe subset of YAML is accepted: no tag builds a Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

from cnncalc.errors import SpecError, Where

# libyaml's parser is several times faster than the pure-Python one; both give
# the same nodes and marks.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 8 * 1024 * 1024  # far beyond any spec; refuses runaway inputs
MAX_NODES = 1_000_000  # counts nodes as built, so an alias bomb stops early


class Mark:
    """Where a YAML node starts, and whether a column offset into it is exact."""

    __slots__ = ("line", "column", "plain")

    def __init__(self, line: int, column: int, plain: bool) -> None:
        self.line = line  # 1-based
        self.column = column  # 1-based
        self.plain = plain  # an unquoted one-line scalar: text offsets map to columns

    def where(self, source: str | None, offset: int = 0) -> Where:
        return Where(source, self.line, self.column + (offset if self.plain else 0))


class MarkedDict(dict[Any, Any]):
    """A mapping with the marks of itself, of each key and of each value."""

    mark: Mark | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}


class MarkedList(list[Any]):
    """A sequence with the marks of itself and of each item."""

    mark: Mark | None = None

    def __init__(self) -> None:
        super().__init__()
        self.item_marks: list[Mark] = []


def _mark(node: yaml.Node) -> Mark:
    start, end = node.start_mark, node.end_mark
    # libyaml marks a plain scalar with style '', the pure-Python parser with None.
    plain = isinstance(node, yaml.ScalarNode) and not node.style and start.line == end.line
    return Mark(start.line + 1, start.column + 1, plain)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, building marked containers and refusing duplicate keys."""

    def __init__(self, stream: str, source: str | None) -> None:
        super().__init__(stream)
        self.source = source
        self.nodes_built = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node not in self.constructed_objects:
            self.nodes_built += 1
            if self.nodes_built > MAX_NODES:
                raise SpecError(
                    f"the document has more than {MAX_NODES:,} values; "
                    "a spec is far smaller (is it a YAML alias bomb?)",
                    _mark(node).where(self.source),
                )
        return super().construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)  # resolves `<<` merge keys
    result = MarkedDict()
    result.mark = _mark(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        where = _mark(key_node).where(loader.source)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise SpecError("a mapping key must be a plain value, not a list or mapping", where)
        if key in result:
            raise SpecError(
                f"key {key!r} appears twice in the same mapping; remove one of them",
                where,
            )
        result[key] = loader.construct_object(value_node)
        result.key_marks[key] = _mark(key_node)
        result.value_marks[key] = _mark(value_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    result = MarkedList()
    result.mark = _mark(node)
    for child in node.value:
        result.append(loader.construct_object(child))
        result.item_marks.append(_mark(child))
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def parse_yaml(text: str, source: str | None = None) -> Any:
    """The single YAML document in `text`, with marks on its containers."""
    loader = _Loader(text, source)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, source) from None
    except yaml.YAMLError as error:
        raise SpecError(f"YAML error: {error}", Where(source)) from None
    except RecursionError:
        raise SpecError("the document nests too deeply to be a spec", Where(source)) from None
    finally:
        loader.dispose()


def _yaml_error(error: yaml.MarkedYAMLError, source: str | None) -> SpecError:
    mark = error.problem_mark or error.context_mark
    where = Where(source, mark.line + 1, mark.column + 1) if mark else Where(source)
    problem = error.problem or "invalid YAML"
    if error.context:
        problem = f"{problem} ({error.context})"
    if "could not determine a constructor" in problem:
        problem = problem.replace("could not determine a constructor for the tag", "unsupported tag")
        problem += "; specs are plain data and take no YAML tags"
    return SpecError(f"YAML syntax error: {problem}", where)


def read_text(path: str, display: str | None = None) -> str:
    """The contents of a spec file as text, or a `SpecError` saying why not."""
    display = display or path
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError("no such file", Where(display)) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", Where(display)) from None
    except OSError as error:
        raise SpecError(f"cannot read the file: {error.strerror}", Where(display)) from None
    if len(data) > MAX_BYTES:
        raise SpecError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the limit for a spec",
            Where(display),
        )
    if not data.strip():
        raise SpecError(
            "the file is empty; a spec needs 'input' and 'layers'", Where(display)
        )
    if b"\0" in data:
        raise SpecError("this is a binary file, not a YAML spec", Where(display))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8",
            Where(display, line, column),
        ) from None
