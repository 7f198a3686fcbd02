"""Reading a model's file with its cost bounded: a JSON config, or the config.json inside
a .keras archive (a zip, read with the standard library; Keras is not needed).

Only regular files are opened (a device or a FIFO is refused without being read, as
`cnncalc.files` does for specs). A JSON file is read up to `MAX_CONFIG` bytes; an
archive may be as large as its weights are, since only its directory and its config are
read, and the config's size is checked in the directory before it is inflated, and again
as it is, so that a zip bomb costs nothing.

Part of the core: it imports nothing of cnncalc but `errors` and `files`.
"""

from __future__ import annotations

import os
import stat
from typing import IO, Any, NamedTuple

from cnncalc import files
from cnncalc.errors import SpecError, Where

MAX_CONFIG = 32 * 1024 * 1024  # bytes of JSON: ten times the config of any Keras application
MAX_METADATA = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"


class Loaded(NamedTuple):
    """A model's config as JSON values, and the Keras version that saved it, if known."""

    document: Any
    version: str | None


def _refuse(message: str, display: str) -> SpecError:
    return SpecError(message, Where(display))


def open_regular(path: str, display: str) -> IO[bytes]:
    """The regular file at `path`, opened for reading, or a `SpecError` saying why not."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise _refuse("no such file", display) from None
    except OSError as error:
        raise _refuse(f"cannot read the file: {error.strerror or error}", display) from None
    mode = os.fstat(descriptor).st_mode
    kind = "a directory" if stat.S_ISDIR(mode) else files.kind_of(mode)
    if kind is not None:
        os.close(descriptor)
        raise _refuse(f"is {kind}, not a model file", display)
    return os.fdopen(descriptor, "rb")


def head(path: str, display: str) -> bytes:
    """The first bytes of the file, to tell a zip archive from JSON."""
    with open_regular(path, display) as stream:
        try:
            return stream.read(len(ZIP_MAGIC))
        except OSError as error:
            raise _refuse(f"cannot read the file: {error.strerror or error}", display) from None


def parse(data: bytes, display: str, what: str = "the file") -> Any:
    """JSON values of `data`, or a `SpecError` at the line and column where it is not JSON."""
    import json

    text = files.utf8(data, Where(display), what)

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"{what} is not JSON: {error.msg}", Where(display, error.lineno, error.colno)
        ) from None
    except (ValueError, RecursionError) as error:
        reason = "it nests too deep" if isinstance(error, RecursionError) else str(error)
        raise _refuse(f"{what} is not JSON that cnncalc reads: {reason}", display) from None


def read_json(path: str, display: str) -> Loaded:
    """A model's JSON, as `model.to_json()` writes it."""
    with open_regular(path, display) as stream:
        try:
            data = stream.read(MAX_CONFIG + 1)
        except OSError as error:
            raise _refuse(f"cannot read the file: {error.strerror or error}", display) from None
    if len(data) > MAX_CONFIG:
        limit = MAX_CONFIG // (1024 * 1024)
        raise _refuse(f"the file is larger than {limit} MiB, the limit for a model's JSON", display)
    if not data.strip():
        raise _refuse("the file is empty, not a model's JSON", display)
    document = parse(data, display)
    version = document.get("keras_version") if isinstance(document, dict) else None
    return Loaded(document, version if isinstance(version, str) else None)


def read_archive(path: str, display: str) -> Loaded:
    """The config.json (and the Keras version in metadata.json) of a .keras archive."""
    import zipfile
    import zlib

    with open_regular(path, display) as stream:
        try:
            with zipfile.ZipFile(stream) as archive:
                config = _member(archive, "config.json", MAX_CONFIG, display)
                if config is None:
                    raise _refuse(
                        "the archive has no config.json, so it is not a Keras model archive",
                        display,
                    )
                metadata = _member(archive, "metadata.json", MAX_METADATA, display)
        except zipfile.BadZipFile:
            raise _refuse("is not a zip archive, as a .keras model file is", display) from None
        except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                zlib.error, OSError) as error:  # fmt: skip
            raise _refuse(f"cannot read the archive: {error}", display) from None
    document = parse(config, display, "its config.json")
    version = None
    if metadata is not None:
        try:
            info = parse(metadata, display, "its metadata.json")
        except SpecError:
            info = None
        if isinstance(info, dict) and isinstance(info.get("keras_version"), str):
            version = info["keras_version"]
    return Loaded(document, version)


def _member(archive: Any, name: str, limit: int, display: str) -> bytes | None:
    """A member of the archive, its size checked in the directory and as it is read."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise _refuse(
            f"its {name} would be {info.file_size:,} bytes, more than the limit of {limit:,}",
            display,
        )
    with archive.open(info) as member:
        data: bytes = member.read(limit + 1)
    if len(data) > limit:
        raise _refuse(f"its {name} is larger than the limit of {limit:,} bytes", display)
    return data
