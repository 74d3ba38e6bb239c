"""A run in one line: what the home screen and ``runs list`` show, kept beside the log.

Listing a lab's history by folding every run's log grows with the history (2 s at 2,800
runs); a summary written in the same transaction as each append makes listing cost what is
shown.  The summary is derived, never evidence: the log stays the only truth, and a summary
that does not match its run's head is made again from the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elab.domain.runs.clock import iso, parse_iso
from elab.domain.runs.state import RunState

__all__ = ["ACTIVE_STATES", "RunSummary", "TimerSummary", "summarize"]

ACTIVE_STATES = ("running", "paused")


@dataclass(frozen=True)
class TimerSummary:
    """A running timer: enough to show its time left at any later moment."""

    step: str
    started_at: datetime
    min_s: float

    def remaining_s(self, now: datetime) -> float:
        return self.min_s - (now - self.started_at).total_seconds()


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    protocol_id: str
    title: str
    state: str  # running | paused | completed | aborted | damaged
    started_at: datetime | None
    ended_at: datetime | None
    operators: tuple[str, ...]
    current_step: str
    timers: tuple[TimerSummary, ...]
    last_seq: int
    problem: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    def to_row(self) -> dict[str, Any]:
        """The summary as a table row (lists as JSON text)."""
        return {
            "run_id": self.run_id,
            "protocol_id": self.protocol_id,
            "title": self.title,
            "state": self.state,
            "started_at": iso(self.started_at) if self.started_at else "",
            "ended_at": iso(self.ended_at) if self.ended_at else "",
            "operators": json.dumps(list(self.operators)),
            "current_step": self.current_step,
            "timers": json.dumps([[t.step, iso(t.started_at), t.min_s] for t in self.timers]),
            "last_seq": self.last_seq,
            "problem": self.problem,
        }

    @classmethod
    def from_row(cls, row: Any) -> RunSummary:
        return cls(
            run_id=str(row["run_id"]),
            protocol_id=str(row["protocol_id"]),
            title=str(row["title"]),
            state=str(row["state"]),
            started_at=parse_iso(row["started_at"]) if row["started_at"] else None,
            ended_at=parse_iso(row["ended_at"]) if row["ended_at"] else None,
            operators=tuple(json.loads(row["operators"] or "[]")),
            current_step=str(row["current_step"] or ""),
            timers=tuple(TimerSummary(s, parse_iso(at), float(m))
                         for s, at, m in json.loads(row["timers"] or "[]")),
            last_seq=int(row["last_seq"]),
            problem=str(row["problem"] or ""),
        )


def summarize(state: RunState) -> RunSummary:
    """The one-line view of a run's state."""
    current = next((sid for sid in state.graph.order if state.steps[sid].state == "current"),
                   "")
    timers = tuple(TimerSummary(t.step, t.started_at, t.min_s)
                   for t in state.timers.values() if t.running)
    return RunSummary(
        run_id=state.run_id,
        protocol_id=state.protocol.id,
        title=state.protocol.title,
        state=state.state,
        started_at=state.started_at,
        ended_at=state.ended_at,
        operators=tuple(state.operators),
        current_step=current,
        timers=timers,
        last_seq=state.last_seq,
    )
