"""Checking a run's hash chain: the first event that does not fit is named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.runs.events import GENESIS, Event, event_hash

__all__ = ["ChainProblem", "verify_chain"]


@dataclass(frozen=True)
class ChainProblem:
    run_id: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"run {self.run_id} event {self.seq}: {self.reason}"


def verify_chain(events: Sequence[Event]) -> ChainProblem | None:
    """None when the chain is intact, else the first bad event and why."""
    prev = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.seq != expected:
            return ChainProblem(event.run_id, event.seq, f"sequence gap: expected event {expected}")
        if event.prev_hash != prev:
            return ChainProblem(event.run_id, event.seq, "does not link to the previous event")
        if event_hash(event) != event.hash:
            return ChainProblem(event.run_id, event.seq, "content does not match its hash")
        prev = event.hash
    return None
