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

from elab.domain.protocol import StepGraph, library_dirs, list_protocol_files, load_protocol
from elab.errors import ElabError

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


def index_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ELAB_CACHE_DIR") or user_cache_dir("elab")) / "library-index.json"


def _summary(path: Path, dirs: list[Path]) -> LibraryEntry | None:
    try:
        p = load_protocol(path, library=[path.parent, *dirs])
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


def load_library(dirs: list[Path] | None = None) -> list[LibraryEntry]:
    """Every valid protocol in the library, from the index where the file is unchanged."""
    dirs = library_dirs() if dirs is None else dirs
    cache_file = index_path()
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    fresh: dict[str, dict[str, object]] = {}
    entries: list[LibraryEntry] = []
    for path in list_protocol_files(dirs):
        stat = path.stat()
        stamp = [stat.st_mtime_ns, stat.st_size]
        hit = cached.get(str(path))
        if isinstance(hit, dict) and hit.get("stamp") == stamp:
            summary = hit.get("entry")
            entry = LibraryEntry(**{**summary, "tags": tuple(summary["tags"])}) if summary else None
        else:
            entry = _summary(path, dirs)
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
