"""Where protocols live and how a name becomes a file.

The library is a list of directories searched in order: ``ELAB_PROTOCOLS`` (paths joined
by the OS path separator), the bundled ``elab/protocols/`` inside the package, then the user's
data directory.  A protocol is named by its file path or its id (the file stem).
"""

from __future__ import annotations

import os
from pathlib import Path

from elab.errors import NotFoundError

__all__ = ["bundled_dir", "find_protocol", "library_dirs", "list_protocol_files"]


def bundled_dir() -> Path:
    """The ``protocols/`` directory shipped inside the elab package."""
    return Path(__file__).resolve().parents[2] / "protocols"


def library_dirs() -> list[Path]:
    dirs: list[Path] = []
    extra = os.environ.get("ELAB_PROTOCOLS")
    if extra:
        dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    dirs.append(bundled_dir())
    from platformdirs import user_data_dir

    dirs.append(Path(user_data_dir("elab")) / "protocols")
    return [d for d in dirs if d.is_dir()]


def list_protocol_files(dirs: list[Path] | None = None) -> list[Path]:
    """Every protocol file in the library, first directory winning for a repeated id."""
    seen: dict[str, Path] = {}
    for directory in dirs if dirs is not None else library_dirs():
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            seen.setdefault(path.stem, path)
    return list(seen.values())


def find_protocol(name: str, dirs: list[Path] | None = None) -> Path:
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
