"""The specs that ship with cnncalc, found by name (`cnncalc table lenet5`).

An installed wheel carries them in `cnncalc/specs/`; a source checkout or an
editable install reads the repository's `specs/` directly.
"""

from __future__ import annotations

import os

from cnncalc.errors import SpecError, Where, closest, suggestion

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (os.path.join(_HERE, "specs"), os.path.join(os.path.dirname(_HERE), "specs"))
EXTENSIONS = (".yaml", ".yml")


def directory() -> str | None:
    """Where the bundled specs are, or None if this installation has none."""
    for candidate in _CANDIDATES:
        if os.path.isdir(candidate):
            return candidate
    return None


def names() -> list[str]:
    """The bundled spec names, sorted."""
    folder = directory()
    if folder is None:
        return []
    return sorted(
        os.path.splitext(entry)[0] for entry in os.listdir(folder) if entry.endswith(EXTENSIONS)
    )


def path(name: str) -> str | None:
    """The file of the bundled spec `name` (with or without its extension), if any."""
    folder = directory()
    if folder is None or os.sep in name or "/" in name:
        return None
    stem = name[: -len(ext)] if (ext := os.path.splitext(name)[1]) in EXTENSIONS else name
    for extension in EXTENSIONS:
        candidate = os.path.join(folder, stem + extension)
        if os.path.isfile(candidate):
            return candidate
    return None


def resolve(name: str) -> tuple[str, str]:
    """The file to read for SPEC, a path or a bundled name, and the name to show for it.

    An existing file wins over a bundled spec of the same name; "-" is standard input.
    """
    if name == "-":
        return name, "<stdin>"
    if os.path.exists(name):
        return name, name
    found = path(name)
    if found is not None:
        return found, display(found)
    known = names()
    hint = _neighbour(name) or suggestion(
        name, known, f"; the bundled specs are {', '.join(known)}"
    )
    raise SpecError("no such file, and no bundled spec of that name" + hint, Where(name))


def shadowed(name: str) -> str | None:
    """What to say when SPEC `name` is both a file here and a bundled spec's name: the file
    is read, and the user is told so, with how to get the bundled one. None otherwise."""
    if name == "-" or not os.path.exists(name) or os.path.splitext(name)[1] in EXTENSIONS:
        return None  # a name with its extension is a file name, meant as one
    found = path(name)
    if found is None or os.path.realpath(found) == os.path.realpath(name):
        return None
    return (
        f"{name!r} is a file here and also a bundled spec; the file is read: write "
        f"{os.path.join('.', name)!r} to say so, or rename the file to read the bundled spec"
    )


def _neighbour(name: str) -> str:
    """'; did you mean …?' for a spec file beside where `name` points, if one is close:
    a misspelt file is more likely meant than a bundled spec."""
    folder, base = os.path.split(name)
    try:
        files = [entry for entry in os.listdir(folder or ".") if entry.endswith(EXTENSIONS)]
    except OSError:
        return ""
    close = closest(base, files)
    return f"; did you mean {os.path.join(folder, close)!r}?" if close else ""


def display(file: str) -> str:
    """A bundled spec's path as messages show it: relative when that is shorter."""
    relative = os.path.relpath(file)
    return file if relative.startswith("..") else relative
