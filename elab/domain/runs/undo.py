"""Undo for slips: which action an operator may take back, and until when.

A stray key at the bench (``d`` on the wrong step, a timer stopped by an elbow) is put right
by a ``retracted`` event naming the events of that action; nothing is deleted, the log keeps
both.  Only the operator's own last action can be taken back, and only for
:data:`UNDO_WINDOW_S` seconds: after that, a value is put right with a correction and
anything else is explained with a deviation or a note, so a record never silently changes
long after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from elab.domain.runs.clock import parse_iso
from elab.domain.runs.events import Event
from elab.domain.runs.kinds import (
    Corrected,
    DeviationNoted,
    LotRecorded,
    NoteAdded,
    ValueRecorded,
)
from elab.domain.runs.state import RunState

__all__ = ["UNDOABLE", "UNDO_WINDOW_S", "Undoable", "describe_event", "last_action"]

UNDO_WINDOW_S = 120.0

# What a slip can be.  Starting or completing a run, attaching a file, analyses and
# signatures are deliberate acts with their own way back (abort, a new attachment, ...).
UNDOABLE = frozenset(
    {
        "step_started",
        "step_done",
        "step_skipped",
        "timer_started",
        "timer_stopped",
        "value_recorded",
        "lot_recorded",
        "deviation",
        "note",
        "paused",
        "resumed",
        "correction",
    }
)


@dataclass(frozen=True)
class Undoable:
    """The events of one action (appended together), and how long ago it was."""

    events: tuple[Event, ...]
    age_s: float

    @property
    def seqs(self) -> tuple[int, ...]:
        return tuple(e.seq for e in self.events)

    @property
    def what(self) -> str:
        """The action in words: its main event (the last one appended), and its seq."""
        main = self.events[-1]
        first, last = self.events[0].seq, main.seq
        span = f"#{first}" if first == last else f"#{first}-{last}"
        return f"{describe_event(main)} ({span})"


def describe_event(event: Event) -> str:
    """``step_done seed``, ``value_recorded conc=1.2 mg/mL``, ``lot_recorded medium LOT-7``."""
    words = [event.type]
    data = event.data
    step = getattr(data, "step", None)
    if step:
        words.append(str(step))
    match data:
        case ValueRecorded() | Corrected():
            words.append(f"{data.name}={data.text or data.value}")
        case LotRecorded():
            words.append(f"{data.material} {data.lot}")
        case NoteAdded(text=text) | DeviationNoted(note=text):
            words.append(repr(text)[:40])
    return " ".join(words)


def last_action(state: RunState, operator: str, now: datetime) -> Undoable | None:
    """The operator's last action not yet taken back, or None when they have none.

    An action is the events one command appended: consecutive, same operator, same time
    stamp (a ``done`` with its values, its automatic deviations and its note).
    """
    gone = state.retracted
    mine = [
        e
        for e in state.events
        if e.operator == operator and e.type != "retracted" and e.seq not in gone
    ]
    if not mine or mine[-1].type == "run_started":
        return None
    last = mine[-1]
    group = [last]
    by_seq = {e.seq: e for e in state.events}
    seq = last.seq - 1
    while seq in by_seq:
        event = by_seq[seq]
        if event.operator != operator or event.at != last.at or event.seq in gone:
            break
        if event.type in ("run_started", "retracted"):
            break
        group.insert(0, event)
        seq -= 1
    age = (now - parse_iso(last.at)).total_seconds()
    return Undoable(tuple(group), age)
