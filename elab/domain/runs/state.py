"""A run's state as a fold over its events: nothing else is stored as truth.

The fold is what the TUI, the CLI status, the record and the rules all read.  Timers keep
their wall-clock start and planned range, so the time left is computed against the clock
whenever it is asked for, and a crash or a closed terminal changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from elab.domain.protocol import Protocol, StepGraph, protocol_from_content
from elab.domain.runs.clock import parse_iso
from elab.domain.runs.events import GENESIS, Event, canonical_json

__all__ = [
    "Deviation",
    "Retraction",
    "RunState",
    "StepState",
    "TimerState",
    "ValueRecord",
    "advance",
    "fold",
]


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


@dataclass
class Deviation:
    seq: int
    step: str | None
    kind: str
    note: str
    expected: str | None = None
    actual: str | None = None


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
    state: str = "waiting"
    started_at: datetime | None = None
    done_at: datetime | None = None
    operator: str | None = None
    notes: list[str] = field(default_factory=list)


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
    state: str = "running"
    ended_at: datetime | None = None
    steps: dict[str, StepState] = field(default_factory=dict)
    timers: dict[str, TimerState] = field(default_factory=dict)
    values: list[ValueRecord] = field(default_factory=list)
    lots: list[dict[str, Any]] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    analyses: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    retractions: list[Retraction] = field(default_factory=list)
    # Every event read, in order: an undo folds the run again without the events it took
    # back, and the undo rules look at who did what last.
    events: list[Event] = field(default_factory=list, repr=False)
    last_seq: int = 0
    head_hash: str = GENESIS

    @property
    def graph(self) -> StepGraph:
        return _graph(self.protocol, self.variant)

    @property
    def paused(self) -> bool:
        return self.state == "paused"

    @property
    def finished(self) -> bool:
        return self.state in ("completed", "aborted")

    def current_values(self) -> list[ValueRecord]:
        """Values as they stand after corrections (the corrected originals left out)."""
        return [v for v in self.values if v.corrected_by is None]

    @property
    def retracted(self) -> set[int]:
        """Sequence numbers of the events taken back by an undo."""
        return {seq for r in self.retractions for seq in r.retracts}

    def value_names(self, step: str) -> set[str]:
        return {v.name for v in self.current_values() if v.step == step}


@lru_cache(maxsize=32)
def _protocol(content_json: str, params_json: str) -> Protocol:
    import json

    return protocol_from_content(json.loads(content_json), json.loads(params_json))


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


def protocol_of(started: Event) -> Protocol:
    """The protocol exactly as the run stored it when it started."""
    payload = started.payload
    return _protocol(canonical_json(payload["content"]), canonical_json(payload.get("params", {})))


def fold(events: Iterable[Event]) -> RunState:
    """The state after ``events`` (the first must be ``run_started``)."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None or first.type != "run_started":
        raise ValueError("a run's first event must be run_started")
    return advance(_start(first), iterator)


def advance(state: RunState, events: Iterable[Event]) -> RunState:
    """``state`` moved on by further events (in place), so a reader need not fold again."""
    for event in events:
        if event.seq != state.last_seq + 1:
            raise ValueError(f"event {event.seq} does not follow event {state.last_seq}")
        state.events.append(event)
        if event.type == "retracted":
            _refold_without_retracted(state)
        else:
            _apply(state, event)
        state.last_seq = event.seq
        state.head_hash = event.hash
    _derive_step_states(state)
    return state


def _start(event: Event) -> RunState:
    p = event.payload
    protocol = protocol_of(event)
    state = RunState(
        run_id=event.run_id,
        protocol=protocol,
        protocol_sha256=p["sha256"],
        content=p["content"],
        params=dict(p.get("params", {})),
        variant=p.get("variant"),
        started_at=parse_iso(event.at),
        operators=[event.operator],
        last_seq=event.seq,
        head_hash=event.hash,
        events=[event],
    )
    for step in protocol.active_steps(state.variant):
        state.steps[step.id] = StepState(step.id, step.title)
    return state


def _apply(state: RunState, event: Event) -> None:
    p: Mapping[str, Any] = event.payload
    at = parse_iso(event.at)
    if event.operator not in state.operators:
        state.operators.append(event.operator)
    kind = event.type
    step = state.steps.get(str(p.get("step", "")))
    if kind == "step_started" and step is not None:
        step.started_at = step.started_at or at
    elif kind == "step_done" and step is not None:
        step.done_at = at
        step.started_at = step.started_at or at
        step.operator = event.operator
        step.state = "done"
    elif kind == "step_skipped" and step is not None:
        step.state = "skipped"
        step.done_at = at
    elif kind == "timer_started":
        state.timers[p["step"]] = TimerState(
            p["step"], at, float(p.get("min_s", 0.0)), p.get("max_s"), label=p.get("label", "")
        )
    elif kind == "timer_stopped" and p["step"] in state.timers:
        state.timers[p["step"]].stopped_at = at
    elif kind == "value_recorded":
        state.values.append(
            ValueRecord(
                event.seq,
                p["step"],
                p["name"],
                p["value"],
                p.get("unit", ""),
                p.get("text", ""),
                p.get("in_range"),
            )
        )
    elif kind == "correction":
        _correct(state, event)
    elif kind == "lot_recorded":
        state.lots.append({**p, "seq": event.seq, "at": event.at})
    elif kind == "deviation":
        state.deviations.append(
            Deviation(
                event.seq, p.get("step"), p["kind"], p["note"], p.get("expected"), p.get("actual")
            )
        )
    elif kind == "note":
        state.notes.append({**p, "seq": event.seq, "at": event.at, "operator": event.operator})
        if step is not None:
            step.notes.append(str(p.get("text", "")))
    elif kind == "attachment":
        state.attachments.append({**p, "seq": event.seq, "at": event.at})
    elif kind == "paused":
        state.state = "paused"
        state.pauses.append((at, None))
    elif kind == "resumed":
        state.state = "running"
        if state.pauses:
            state.pauses[-1] = (state.pauses[-1][0], at)
    elif kind in ("completed", "aborted"):
        state.state = kind
        state.ended_at = at
    elif kind == "analysis_done":
        state.analyses.append({**p, "seq": event.seq})
    elif kind == "signed":
        state.signatures.append({**p, "seq": event.seq, "at": event.at, "operator": event.operator})


def _refold_without_retracted(state: RunState) -> None:
    """Fold the run again from its first event, leaving out every retracted one.

    An undo is rare and can take back anything (a done step, a value, a timer), so the
    state is rebuilt rather than each kind of event reversed by hand; the log keeps both.
    """
    events = state.events
    taken_back = {int(s) for e in events if e.type == "retracted" for s in e.payload["retracts"]}
    fresh = _start(events[0])
    for event in events[1:]:
        if event.seq in taken_back:
            continue
        if event.type == "retracted":
            _retract(fresh, event)
        else:
            _apply(fresh, event)
    fresh.events = events
    fresh.last_seq, fresh.head_hash = state.last_seq, state.head_hash
    state.__dict__.update(fresh.__dict__)


def _retract(state: RunState, event: Event) -> None:
    p = event.payload
    if event.operator not in state.operators:
        state.operators.append(event.operator)
    state.retractions.append(
        Retraction(
            event.seq,
            parse_iso(event.at),
            event.operator,
            tuple(int(s) for s in p["retracts"]),
            str(p.get("what", "")),
        )
    )


def _correct(state: RunState, event: Event) -> None:
    p = event.payload
    target = int(p["corrects"])
    for record in state.values:
        if record.seq == target and record.name == p["name"]:
            record.corrected_by = event.seq
            state.values.append(
                ValueRecord(
                    event.seq,
                    record.step,
                    record.name,
                    p["value"],
                    p.get("unit", record.unit),
                    p.get("text", ""),
                    p.get("in_range"),
                    reason=p.get("reason"),
                )
            )
            return


def _derive_step_states(state: RunState) -> None:
    graph = state.graph
    finished = {s for s, st in state.steps.items() if st.state in ("done", "skipped")}
    current_found = False
    for sid in graph.order:
        step = state.steps[sid]
        if step.state in ("done", "skipped"):
            continue
        if step.started_at is not None:
            step.state = "current"
            current_found = True
        elif all(e.pred in finished for e in graph.preds[sid]):
            step.state = "ready"
        else:
            step.state = "waiting"
    if not current_found and not state.finished:
        for sid in graph.order:
            if state.steps[sid].state == "ready":
                state.steps[sid].state = "current"
                break
