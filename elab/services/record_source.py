"""The runs service seen as a :class:`~elab.services.records.RunSource`.

Kept apart from :mod:`elab.services.records` so that the record logic does not depend on how
runs are stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from elab.errors import StorageError

if TYPE_CHECKING:
    from elab.services.records import RunSource

__all__ = ["runs_source"]


def runs_source() -> RunSource:
    """The stored runs; until the runs store is wired in, a clear error."""
    raise StorageError("run storage is not available in this build of elab")
