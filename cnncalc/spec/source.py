"""Reading a spec file: its bytes, checked, and its YAML as values that remember where
they were (`cnncalc.spec.marked`).

The only module that imports PyYAML. Only the safe subset of YAML is
accepted: no tag builds a Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

from cnncalc import files
from cnncalc.errors import SpecError, Where
from cnncalc.spec.marked import MarkedDict, MarkedList, where_in
from cnncalc.spec.values import misread, show

# libyaml's parser is several times faster than the pure-Python one; both give
# the same nodes and marks.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 8 * 1024 * 1024  # far beyond any spec; refuses runaway inputs
MAX_VALUES = 1_000_000  # with aliases expanded; a spec of 20,000 layers holds ~200,000
# Lists and mappings inside each other: blocks nest at most 50 deep, two levels each.
# Deeper data would only exhaust Python's stack in whatever walks it later.
MAX_DEPTH = 120


_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALARS = yaml.SafeLoader.yaml_constructors  # int, float, bool, null, timestamp…
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class _Builder:
    """Turns composed YAML nodes into marked values.

    Faster than PyYAML's constructor machinery, which matters for specs of
    thousands of layers, and safe with aliases: an alias reuses the value
    already built, and the size the document would have with every alias
    expanded is tracked, so a "billion laughs" bomb is refused early, in
    time and memory proportional to its text.
    """

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.built: dict[int, Any] = {}  # id(node) -> value, for aliases
        self.sizes: dict[int, int] = {}  # id(node) -> values inside, aliases expanded
        self.scalars = yaml.constructor.SafeConstructor()  # for its scalar constructors
        self.depth = 0  # of the collection being built

    def value(self, node: yaml.Node) -> tuple[Any, int]:
        """The value of `node` and how many values it holds, counting itself."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return node.value, 1
        key = id(node)
        if key in self.built:
            if key not in self.sizes:
                raise SpecError(
                    "a YAML alias refers to a collection that contains it; "
                    "a spec is plain data and needs no cycles",
                    where_in(node, self.source),
                )
            return self.built[key], self.sizes[key]
        value: Any
        if isinstance(node, yaml.CollectionNode):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise SpecError(
                    f"lists and mappings nest more than {MAX_DEPTH} deep here; "
                    "a spec needs far fewer levels",
                    where_in(node, self.source),
                )
        try:
            if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
                value, size = self._mapping(node)
            elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
                value, size = self._sequence(node)
            else:
                value, size = self._scalar(node), 1
        finally:
            if isinstance(node, yaml.CollectionNode):
                self.depth -= 1
        if size > MAX_VALUES:
            raise SpecError(
                f"the document holds more than {MAX_VALUES:,} values once its YAML aliases "
                "are expanded (a 'billion laughs' bomb?); a spec is far smaller",
                where_in(node, self.source),
            )
        self.built[key] = value
        self.sizes[key] = size
        return value, size

    def _scalar(self, node: yaml.Node) -> Any:
        construct = _SCALARS.get(node.tag) if isinstance(node, yaml.ScalarNode) else None
        if construct is None:
            raise SpecError(
                f"unsupported YAML tag {node.tag!r}; specs are plain data and take no tags",
                where_in(node, self.source),
            )
        if node.tag in _NUMBERS:
            problem = misread(node.value, prefixes=True)
            if problem is not None:
                raise SpecError(
                    f"{problem}, or quote it if it is text", where_in(node, self.source)
                )
        try:
            return construct(self.scalars, node)
        except (yaml.YAMLError, ValueError) as error:
            raise SpecError(
                f"cannot read {show(node.value)} as {node.tag.rsplit(':', 1)[-1]}: "
                f"{show(str(error), 60)}",
                where_in(node, self.source),
            ) from None

    def _sequence(self, node: yaml.SequenceNode) -> tuple[MarkedList, int]:
        result = MarkedList()
        result.mark = node
        result.flow = bool(node.flow_style)
        self.built[id(node)] = result  # for a self-reference, found while building
        size = 1
        for child in node.value:
            value, child_size = self.value(child)
            result.append(value)
            result.item_marks.append(child)
            size += child_size
        return result, size

    def _mapping(self, node: yaml.MappingNode) -> tuple[MarkedDict, int]:
        result = MarkedDict()
        result.mark = node
        self.built[id(node)] = result
        size = 1
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key, key_size = self.value(key_node)
            if isinstance(key, (list, dict)):
                raise SpecError(
                    "a mapping key must be a plain value, not a list or mapping",
                    where_in(key_node, self.source),
                )
            if key in result:
                raise SpecError(
                    f"key {show(key)} appears twice in the same mapping; remove one of them",
                    where_in(key_node, self.source),
                )
            result[key], value_size = self.value(value_node)
            result.key_marks[key] = key_node
            result.value_marks[key] = value_node
            size += key_size + value_size
        # `<<: *base` adds base's keys. YAML lets a key written here (or an earlier merge)
        # silently win over a merged one; a value given twice is refused instead.
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                merged, merged_size = self.value(source)
                if not isinstance(merged, MarkedDict):
                    raise SpecError("'<<' merges only mappings", where_in(source, self.source))
                size += merged_size
                for key, value in merged.items():
                    if key in result:
                        raise SpecError(
                            f"key {show(key)} is given here and again by the '<<' merge at "
                            f"{where_in(source, self.source)}; give each key once",
                            where_in(result.key_marks[key], self.source),
                        )
                    result[key] = value
                    result.key_marks[key] = merged.key_marks[key]
                    result.value_marks[key] = merged.value_marks[key]
        return result, size


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, remembering the tag of each plain scalar it has resolved.

    libyaml composes the nodes in C but asks Python for every scalar's implicit
    tag (int, bool, str…) with a run of regular expressions; a spec repeats the
    same few scalars thousands of times, and the answer depends on the text only.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.plain_tags: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self.plain_tags.get(value)
            if tag is None:
                tag = self.plain_tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


def parse_yaml(text: str, source: str | None = None) -> Any:
    """The single YAML document in `text`, with marks on its containers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Builder(source).value(node)[0]
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
    return SpecError(f"YAML syntax error: {problem}", where)


STDIN = "-"  # a spec's path that means standard input


def read_text(path: str, display: str | None = None) -> str:
    """The contents of a spec file (or of standard input, for "-") as text, or a
    `SpecError` saying why not."""
    display = display or ("<stdin>" if path == STDIN else path)
    try:
        if path == STDIN:
            import sys

            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            data = files.read_bytes(path, MAX_BYTES)
    except FileNotFoundError:
        raise SpecError("no such file", Where(display)) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", Where(display)) from None
    except files.NotReadable as error:
        raise SpecError(str(error), Where(display)) from None
    except OSError as error:
        raise SpecError(f"cannot read the file: {error.strerror}", Where(display)) from None
    if len(data) > MAX_BYTES:
        raise SpecError(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the limit for a spec",
            Where(display),
        )
    if not data.strip():
        raise SpecError("the file is empty; a spec needs 'input' and 'layers'", Where(display))
    if b"\0" in data:
        raise SpecError("this is a binary file, not a YAML spec", Where(display))
    return files.utf8(data, Where(display), "the file")
