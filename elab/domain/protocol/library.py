"""How a name becomes a protocol file, in the directories the caller gives.

Which directories make up the library (the bundled protocols, ``ELAB_PROTOCOLS``, the user's
data directory) is a setting, decided in ``elab.services.protocol_library``; the domain only
searches the list it is handed, in order.  A protocol is named by its file path or its id
(the file stem).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from elab.errors import NotFoundError

__all__ = ["find_protocol", "list_protocol_files"]


def list_protocol_files(dirs: Sequence[Path]) -> list[Path]:
    """Every protocol file in ``dirs``, the first directory winning for a repeated id."""
    seen: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            seen.setdefault(path.stem, path)
    return list(seen.values())


def find_protocol(name: str, dirs: Sequence[Path]) -> Path:
    """A protocol file from a path or an id; NotFoundError suggests the closest ids."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name:
        if candidate.is_file():
            return candidate
        raise NotFoundError("protocol file", name, [])
    files = list_protocol_files(dirs)
    for path in files:
        if path.stem == name:
            return path
    raise NotFoundError("protocol", name, [p.stem for p in files])
