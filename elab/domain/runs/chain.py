"""Checking a run's hash chain: the first event that does not fit is named.

The chain alone proves each event follows the one before; it cannot see events cut from
the end.  :func:`head_problem` compares the log with the head recorded at its last append.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.runs.events import GENESIS, Event, StoredEvent, event_hash

__all__ = ["ChainProblem", "head_problem", "verify_chain"]


@dataclass(frozen=True)
class ChainProblem:
    run_id: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"run {self.run_id} event {self.seq}: {self.reason}"


def verify_chain(events: Sequence[Event | StoredEvent]) -> ChainProblem | None:
    """None when the chain is intact, else the first bad event and why."""
    prev = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.seq != expected:
            return ChainProblem(event.run_id, event.seq, f"sequence gap: expected event {expected}")
        if event.prev_hash != prev:
            return ChainProblem(event.run_id, event.seq, "does not link to the previous event")
        digest = event.computed_hash() if isinstance(event, StoredEvent) else event_hash(event)
        if digest != event.hash:
            return ChainProblem(event.run_id, event.seq, "content does not match its hash")
        prev = event.hash
    return None


def head_problem(
    events: Sequence[Event | StoredEvent], recorded: tuple[int, str] | None
) -> ChainProblem | None:
    """None when the log ends where its recorded head (last seq, hash) says it ends."""
    run_id = events[0].run_id if events else "?"
    last = events[-1] if events else None
    if recorded is None:
        return ChainProblem(run_id, last.seq if last else 0, "the run has no recorded head")
    seq, digest = recorded
    if last is None or last.seq < seq:
        ends = f"ends at event {last.seq}" if last else "is empty"
        return ChainProblem(
            run_id, seq, f"truncated: the log {ends}, but its recorded head is event {seq}"
        )
    if last.seq > seq:
        return ChainProblem(
            run_id, seq + 1, f"events after the recorded head (event {seq}) were not appended "
            "by elab"
        )
    if last.hash != digest:
        return ChainProblem(run_id, seq, "is not the head recorded when it was appended")
    return None
