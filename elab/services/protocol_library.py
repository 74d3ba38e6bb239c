"""The protocol library: which directories hold protocols, and a name made into a protocol.

The library is searched in order: the directories of ``ELAB_PROTOCOLS``, the protocols
bundled inside the package (found with :mod:`importlib.resources`, so an installed wheel
finds them wherever it lives), then ``protocols/`` in the user's data directory.  The domain
(``elab.domain.protocol``) searches whatever directories it is handed; deciding which they
are is a setting, so it lives here.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from elab.domain.protocol import Protocol, find_protocol, list_protocol_files, load_protocol
from elab.settings import Settings

__all__ = ["ProtocolLibrary", "bundled_dir", "find_protocol_file", "library_dirs"]


# Folders extracted from a zipped install, removed when the process ends.
_EXTRACTED = ExitStack()
atexit.register(_EXTRACTED.close)


def bundled_dir() -> Path:
    """The protocols shipped inside the ``elab`` package."""
    resource = files("elab").joinpath("protocols")
    if isinstance(resource, Path):
        return resource
    # A zipped install: the folder is extracted once and kept while the process lives.
    return Path(_EXTRACTED.enter_context(as_file(resource)))


def _user_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("elab")) / "protocols"


@dataclass(frozen=True)
class ProtocolLibrary:
    """An ordered list of protocol directories; the first one holding an id wins."""

    dirs: tuple[Path, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> ProtocolLibrary:
        """``ELAB_PROTOCOLS``, the bundled protocols, the user's protocols; existing ones only."""
        candidates = (*settings.protocol_dirs, bundled_dir(), _user_dir())
        return cls(tuple(d for d in candidates if d.is_dir()))

    def files(self) -> list[Path]:
        """Every protocol file of the library."""
        return list_protocol_files(self.dirs)

    def find(self, name: str) -> Path:
        """A protocol file from a path or an id; an unknown id suggests the closest."""
        return find_protocol(name, self.dirs)

    def search_path(self, path: Path) -> list[Path]:
        """Where the ``extends:``/``include:`` of ``path`` are found: its folder, the library."""
        return [path.parent, *self.dirs]

    def load(self, name: str, params: Mapping[str, str] | None = None) -> Protocol:
        """The protocol named by a path or an id, resolved and checked."""
        path = self.find(name)
        return load_protocol(path, params=params, library=self.search_path(path))

    def load_file(self, path: Path, params: Mapping[str, str] | None = None) -> Protocol:
        """A protocol file, its ``extends:``/``include:`` found beside it or in the library."""
        return load_protocol(path, params=params, library=self.search_path(path))


def library_dirs(settings: Settings | None = None) -> list[Path]:
    """The library's directories (the process's settings unless given)."""
    return list(ProtocolLibrary.from_settings(settings or Settings.from_env()).dirs)


def find_protocol_file(name: str, dirs: Sequence[Path] | None = None) -> Path:
    """A protocol file by path or id, in ``dirs`` or the process's library."""
    return find_protocol(name, library_dirs() if dirs is None else dirs)
