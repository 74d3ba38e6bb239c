"""Writing a command's output file: whole or not at all.

The file is written beside its target under a temporary name and renamed over it, so an
interrupted command never leaves half a file where a whole one is expected.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from elab.errors import StorageError

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise StorageError(f"{path}: is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise StorageError(f"{path}: {exc.strerror or 'cannot be written'}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StorageError(f"{path}: {exc.strerror or 'cannot be written'}") from None
