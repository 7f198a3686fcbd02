"""Reading a named input with its cost bounded: regular files only, never more than a limit.

A device (`/dev/zero`) would be read until memory runs out and a FIFO would be
waited on forever, so both are refused without reading: the file is opened
without blocking and its kind is checked on what was opened, not on the name,
so nothing can swap it in between.
"""

from __future__ import annotations

import errno
import os
import stat

from cnncalc.errors import SpecError, Where


class NotReadable(Exception):
    """The path names something that is not a regular file, or cannot be read; the
    message says which, in words a user can act on."""


_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


_REFUSED = "is {kind}, not a regular file; cnncalc reads only files and standard input"


def kind_of(mode: int) -> str | None:
    """What a file of `mode` is when it is not a regular file or a directory, else None."""
    return next((name for test, name in _KINDS if test(mode)), None)


def not_regular(path: str) -> str | None:
    """Why `path` is not read as a file (a device, a FIFO, a socket), or None: for a
    directory walk that skips such entries without opening them."""
    try:
        return kind_of(os.stat(path).st_mode)
    except OSError:
        return None


def read_bytes(path: str, limit: int) -> bytes:
    """At most `limit + 1` bytes of the regular file at `path`: one byte more than the
    limit tells the caller it was passed, whatever the file's reported size.

    Raises FileNotFoundError, IsADirectoryError, `NotReadable`, or OSError.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # what opening a socket gives
            raise NotReadable(_REFUSED.format(kind="a socket")) from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        kind = kind_of(mode)
        if kind is not None:
            raise NotReadable(_REFUSED.format(kind=kind))
        return stream.read(limit + 1)


def utf8(data: bytes, where: Where, what: str) -> str:
    """`data` as UTF-8 text (a byte-order mark dropped), or a `SpecError` at the line and
    column of the first byte that is not, saying `what` is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(
            f"{what} is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8",
            Where(where.source, line, column),
        ) from None
