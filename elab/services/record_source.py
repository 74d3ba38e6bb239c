"""The runs service seen as a :class:`~elab.services.records.RunSource`.

Kept apart from :mod:`elab.services.records` so that the record logic does not depend on how
runs are stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from elab.domain.records.build import EventView
from elab.domain.records.model import ChainStatus
from elab.domain.runs import fold, verify_chain
from elab.domain.runs.clock import parse_iso

if TYPE_CHECKING:
    from elab.services.records import RunSource, RunSubject
    from elab.services.runs import RunService

__all__ = ["ServiceRunSource", "runs_source"]


@dataclass
class ServiceRunSource:
    """Reads runs through :class:`~elab.services.runs.RunService`."""

    service: RunService

    def subject(self, run_id: str) -> RunSubject:
        from elab.services.records import RunSubject

        events = self.service.events(run_id)
        state = fold(events)
        problem = verify_chain(events)
        chain = ChainStatus(
            ok=problem is None,
            head_seq=events[-1].seq,
            head_hash=events[-1].hash,
            events=len(events),
            problem=str(problem) if problem else "",
        )
        return RunSubject(
            run_id=run_id,
            protocol=state.protocol,
            protocol_sha256=state.protocol_sha256,
            parameters=state.params,
            variant=state.variant,
            chain=chain,
        )

    def events(self, run_id: str) -> Sequence[EventView]:
        return [
            EventView(e.seq, e.type, parse_iso(e.at), e.operator, e.payload, e.hash)
            for e in self.service.events(run_id)
        ]

    def append_signature(self, run_id: str, payload: Mapping[str, Any], operator: str) -> int:
        self.service.operator = operator
        return self.service.append_signature(run_id, payload)


def runs_source(service: RunService | None = None) -> RunSource:
    """The stored runs (ELAB_DATABASE_URL or the default SQLite database)."""
    from elab.services.runs import RunService

    return ServiceRunSource(service or RunService.open())
