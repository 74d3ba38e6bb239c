"""A run's state: what the fold of its events (:mod:`elab.domain.runs.fold`) gives.

The state is what the TUI, the CLI status, the record and the rules all read; nothing in it
is stored as truth.  Timers keep their wall-clock start and planned range, so the time left
is computed against the clock whenever it is asked for, and a crash or a closed terminal
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from elab.domain.protocol import Protocol, StepGraph
from elab.domain.runs.events import GENESIS, Event
from elab.domain.runs.kinds import AnalysisDone, Attached, LotRecorded, NoteAdded, Signed

__all__ = [
    "Deviation",
    "Logged",
    "Retraction",
    "RunPhase",
    "RunState",
    "StepPhase",
    "StepState",
    "TimerState",
    "ValueRecord",
]

T = TypeVar("T")


class StepPhase(StrEnum):
    """Where a step stands; ``current`` is the one the bench is on (at most one is derived)."""

    WAITING = "waiting"
    READY = "ready"
    CURRENT = "current"
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self in (StepPhase.DONE, StepPhase.SKIPPED)


class RunPhase(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABORTED = "aborted"


@dataclass
class TimerState:
    step: str
    started_at: datetime
    min_s: float
    max_s: float | None
    stopped_at: datetime | None = None
    label: str = ""

    def elapsed_s(self, now: datetime) -> float:
        end = self.stopped_at or now
        return (end - self.started_at).total_seconds()

    def remaining_s(self, now: datetime) -> float:
        """Time until the earliest planned end; negative when it is past (overdue)."""
        return self.min_s - self.elapsed_s(now)

    def remaining_max_s(self, now: datetime) -> float | None:
        return None if self.max_s is None else self.max_s - self.elapsed_s(now)

    @property
    def running(self) -> bool:
        return self.stopped_at is None


@dataclass
class ValueRecord:
    seq: int
    step: str
    name: str
    value: float | str
    unit: str
    text: str
    in_range: bool | None
    corrected_by: int | None = None
    reason: str | None = None
    at: datetime | None = None
    operator: str = ""
    corrects: int | None = None
    sample: str = ""  # the design's sample it was read for ("" before samples were named)


@dataclass
class Deviation:
    seq: int
    step: str | None
    kind: str
    note: str
    expected: str | None = None
    actual: str | None = None
    at: datetime | None = None
    operator: str = ""


class Logged(NamedTuple, Generic[T]):
    """A typed event as the run keeps it: what happened, when, by whom, at which seq (a named
    tuple: a long run keeps tens of thousands of notes)."""

    seq: int
    at: datetime
    operator: str
    data: T


@dataclass(frozen=True)
class Retraction:
    """An undo: the ``retracted`` event ``seq`` took back the events ``retracts``."""

    seq: int
    at: datetime
    operator: str
    retracts: tuple[int, ...]
    what: str


@dataclass
class StepState:
    id: str
    title: str
    state: StepPhase = StepPhase.WAITING
    started_at: datetime | None = None
    done_at: datetime | None = None
    # Who took the step on: the first to start it or, if nobody started it, to do it.
    operator: str | None = None
    notes: list[str] = field(default_factory=list)
    skip_note: str = ""
    # Every timer run on the step, in order (a timer restarted after a stop is a second one).
    timings: list[TimerState] = field(default_factory=list)


@dataclass
class RunState:
    run_id: str
    protocol: Protocol
    protocol_sha256: str
    content: dict[str, Any]
    params: dict[str, str]
    variant: str | None
    started_at: datetime
    operators: list[str] = field(default_factory=list)
    state: RunPhase = RunPhase.RUNNING
    ended_at: datetime | None = None
    ended_seq: int | None = None
    steps: dict[str, StepState] = field(default_factory=dict)
    timers: dict[str, TimerState] = field(default_factory=dict)
    values: list[ValueRecord] = field(default_factory=list)
    lots: list[Logged[LotRecorded]] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    notes: list[Logged[NoteAdded]] = field(default_factory=list)
    attachments: list[Logged[Attached]] = field(default_factory=list)
    analyses: list[Logged[AnalysisDone]] = field(default_factory=list)
    signatures: list[Logged[Signed]] = field(default_factory=list)
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    retractions: list[Retraction] = field(default_factory=list)
    # Events whose payload is not what their type says (seq, why): passed over by the fold,
    # shown by `runs status` and the record, and a `payload` finding of `runs verify`.
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    # Every event read, in order: an undo folds the run again without the events it took
    # back, the undo rules look at who did what last, and the record lists the timeline.
    events: list[Event] = field(default_factory=list, repr=False)
    last_seq: int = 0
    head_hash: str = GENESIS

    @property
    def graph(self) -> StepGraph:
        return _graph(self.protocol, self.variant)

    @property
    def paused(self) -> bool:
        return self.state == RunPhase.PAUSED

    @property
    def finished(self) -> bool:
        return self.state in (RunPhase.COMPLETED, RunPhase.ABORTED)

    def current_values(self) -> list[ValueRecord]:
        """Values as they stand after corrections (the corrected originals left out)."""
        return [v for v in self.values if v.corrected_by is None]

    @property
    def retracted(self) -> set[int]:
        """Sequence numbers of the events taken back by an undo."""
        return {seq for r in self.retractions for seq in r.retracts}

    def value_names(self, step: str) -> set[str]:
        return {v.name for v in self.current_values() if v.step == step}

    def attachment(self, name: str) -> Attached | None:
        """The newest file attached under ``name`` (a later one of a name replaces it)."""
        found = [a.data for a in self.attachments if a.data.name == name]
        return found[-1] if found else None


_GRAPHS: dict[tuple[int, str | None], tuple[Protocol, StepGraph]] = {}


def _graph(protocol: Protocol, variant: str | None) -> StepGraph:
    # Protocols hold lists, so they are not hashable; the cached protocol object is shared
    # by every fold of the same content, so its identity is a sound key.
    key = (id(protocol), variant)
    cached = _GRAPHS.get(key)
    if cached is None or cached[0] is not protocol:
        cached = (protocol, StepGraph(protocol, variant))
        _GRAPHS[key] = cached
    return cached[1]
