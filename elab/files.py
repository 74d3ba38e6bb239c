"""Reading a user's file without trusting it: regular files only, and never past a limit.

A protocol that is a link to /dev/zero reports a size of 0 and never ends; a FIFO blocks
the first read forever; standard input can be any length.  Every file elab reads from a
user goes through :func:`read_bytes`, which resolves links, refuses anything but a regular
file (standard input excepted, where a command takes ``-``), and counts bytes while reading,
so the limit holds whatever ``stat`` said.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from elab.errors import InputError

__all__ = ["MAX_TEXT_BYTES", "STDIN", "check_text", "read_bytes", "read_text"]

STDIN = "-"
MAX_TEXT_BYTES = 64 * 1024  # a note or a text value: far more than a bench note needs
_CHUNK = 1 << 16


def read_bytes(path: Path | str, limit: int, *, what: str = "file") -> bytes:
    """The file's bytes; InputError (one line) for a non-regular file or one over ``limit``."""
    name = str(path)
    if name in (STDIN, "/dev/stdin"):
        return _bounded(sys.stdin.buffer, limit, name, what)
    real = Path(path).resolve()
    try:
        info = real.stat()
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or 'cannot be read'}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputError(f"{name}: {kind}; only a regular file can be read as the {what}")
    if real.parts[:2] in (("/", "proc"), ("/", "sys"), ("/", "dev")):
        raise InputError(f"{name}: a system file ({real}); elab reads only files people keep")
    if info.st_size > limit:
        raise InputError(f"{name}: {info.st_size} bytes is over the {limit} byte {what} limit")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or 'cannot be read'}") from None
    with os.fdopen(fd, "rb") as handle:
        return _bounded(handle, limit, name, what)


def _bounded(handle: BinaryIO, limit: int, name: str, what: str) -> bytes:
    read = handle.read
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = read(min(_CHUNK, limit + 1 - total))
        except OSError as exc:
            raise InputError(f"{name}: {exc.strerror or 'cannot be read'}") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputError(f"{name}: more than the {limit} byte {what} limit; nothing was saved")


def read_text(path: Path | str, limit: int, *, what: str = "file") -> str:
    """The file as UTF-8 text (a BOM is dropped), bounded like :func:`read_bytes`."""
    data = read_bytes(path, limit, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def check_text(text: str, what: str, limit: int = MAX_TEXT_BYTES) -> str:
    """``text`` when it is within ``limit`` bytes of UTF-8; InputError otherwise."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InputError(f"{what} is {size} bytes; the limit is {limit} bytes")
    return text
