"""The protocol library as the home screen lists it, indexed across launches.

Parsing and validating a protocol costs tens of milliseconds, and a lab library has
hundreds; the index keeps each file's summary (id, title, assay, source, tags, minimum
time) keyed by its modification time and size, so a launch re-reads only what changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from elab.domain.protocol import StepGraph
from elab.errors import ElabError
from elab.services.protocol_library import ProtocolLibrary
from elab.settings import Settings

__all__ = ["LibraryEntry", "index_path", "load_library"]


@dataclass(frozen=True)
class LibraryEntry:
    path: str
    id: str
    title: str
    assay: str
    source: str
    tags: tuple[str, ...]
    min_s: float

    def matches(self, query: str) -> bool:
        haystack = " ".join([self.id, self.title, self.assay, self.source, *self.tags]).lower()
        return all(word in haystack for word in query.lower().split())


def index_path(settings: Settings) -> Path:
    """The index file in the cache directory of ``settings``."""
    return settings.user_cache_dir() / "library-index.json"


def _summary(path: Path, library: ProtocolLibrary) -> LibraryEntry | None:
    try:
        p = library.load_file(path)
    except ElabError:
        return None  # invalid files are for `elab validate` to explain
    return LibraryEntry(
        str(path),
        p.id,
        p.title,
        p.assay or "",
        p.source or "",
        tuple(p.tags),
        StepGraph(p).timing().min_s,
    )


def load_library(library: ProtocolLibrary, cache_file: Path) -> list[LibraryEntry]:
    """Every valid protocol in ``library``, from the index in ``cache_file`` where unchanged."""
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    fresh: dict[str, dict[str, object]] = {}
    entries: list[LibraryEntry] = []
    for path in library.files():
        stat = path.stat()
        stamp = [stat.st_mtime_ns, stat.st_size]
        hit = cached.get(str(path))
        if isinstance(hit, dict) and hit.get("stamp") == stamp:
            summary = hit.get("entry")
            entry = LibraryEntry(**{**summary, "tags": tuple(summary["tags"])}) if summary else None
        else:
            entry = _summary(path, library)
        fresh[str(path)] = {"stamp": stamp, "entry": asdict(entry) if entry else None}
        if entry is not None:
            entries.append(entry)
    if fresh != cached:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(fresh), encoding="utf-8")
            os.replace(tmp, cache_file)
        except OSError:
            pass  # an unwritable cache only costs time
    return entries
