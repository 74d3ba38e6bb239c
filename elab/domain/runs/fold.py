"""A run's state as a fold over its typed events.

Each kind of event (:mod:`elab.domain.runs.kinds`) is applied by one small function
registered for its class (a dictionary lookup, not ``singledispatch``: a long run folds
100,000 events); an undo folds the run again without the events it took back.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from elab.domain.protocol import Protocol, protocol_from_content
from elab.domain.runs.clock import parse_iso
from elab.domain.runs.events import Event, canonical_json
from elab.domain.runs.kinds import (
    Aborted,
    AnalysisDone,
    Attached,
    Completed,
    Corrected,
    DeviationNoted,
    LotRecorded,
    NoteAdded,
    Paused,
    Resumed,
    Retracted,
    RunStarted,
    Signed,
    StepDone,
    StepSkipped,
    StepStarted,
    TimerStarted,
    TimerStopped,
    Unreadable,
    ValueRecorded,
)
from elab.domain.runs.state import (
    Deviation,
    Logged,
    Retraction,
    RunPhase,
    RunState,
    StepPhase,
    StepState,
    TimerState,
    ValueRecord,
)

__all__ = ["Stamp", "advance", "fold", "protocol_of", "without"]


@lru_cache(maxsize=32)
def _protocol(content_json: str, params_json: str) -> Protocol:
    import json

    return protocol_from_content(json.loads(content_json), json.loads(params_json))


def protocol_of(started: Event) -> Protocol:
    """The protocol exactly as the run stored it when it started."""
    payload = started.payload
    return _protocol(canonical_json(payload["content"]), canonical_json(payload.get("params", {})))


def fold(events: Iterable[Event]) -> RunState:
    """The state after ``events`` (the first must be ``run_started``)."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None or first.type != RunStarted.TYPE:
        raise ValueError("a run's first event must be run_started")
    return advance(_start(first), iterator)


def advance(state: RunState, events: Iterable[Event]) -> RunState:
    """``state`` moved on by further events (in place), so a reader need not fold again."""
    events = list(events)  # read (from a database, say) before the collector is paused
    with _no_cycle_collection():
        _advance(state, events)
    _derive_step_states(state)
    return state


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a log is folded.

    A fold makes a few small objects per event and no reference cycles, yet the collector,
    triggered by the allocations, would walk the whole growing state again and again: on a
    100,000-event run that is more than half the fold's time.  Reference counting still
    frees everything; the collector runs again, as before, when the fold is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _advance(state: RunState, events: Iterable[Event]) -> None:
    for event in events:
        if event.seq != state.last_seq + 1:
            raise ValueError(f"event {event.seq} does not follow event {state.last_seq}")
        state.events.append(event)
        if event.type == Retracted.TYPE:
            _refold_without_retracted(state)
        else:
            _apply_event(state, event)
        state.last_seq = event.seq
        state.head_hash = event.hash


def without(state: RunState, seqs: Collection[int]) -> RunState:
    """A new state: ``state``'s events folded again with ``seqs`` taken back too.

    What an undo would leave, looked at before it is appended: an undo that would leave the
    run inconsistent is refused, not written and explained afterwards.
    """
    gone = state.retracted | set(seqs)
    fresh = _start(state.events[0])
    with _no_cycle_collection():
        for event in state.events[1:]:
            if event.seq not in gone and event.type != Retracted.TYPE:
                _apply_event(fresh, event)
    fresh.last_seq, fresh.head_hash = state.last_seq, state.head_hash
    _derive_step_states(fresh)
    return fresh


def _start(event: Event) -> RunState:
    started = event.data
    if not isinstance(started, RunStarted):
        raise ValueError("a run's first event must be run_started")
    protocol = protocol_of(event)
    state = RunState(
        run_id=event.run_id,
        protocol=protocol,
        protocol_sha256=started.sha256,
        content=dict(started.content),
        params=dict(started.params),
        variant=started.variant,
        started_at=parse_iso(event.at),
        operators=[event.operator],
        last_seq=event.seq,
        head_hash=event.hash,
        events=[event],
    )
    for step in protocol.active_steps(state.variant):
        state.steps[step.id] = StepState(step.id, step.title)
    return state


class Stamp(NamedTuple):
    """Where, when and by whom an event was appended (a named tuple: one per event read)."""

    seq: int
    at: datetime
    operator: str


K = TypeVar("K")
Apply = Callable[[K, RunState, Stamp], None]
_HANDLERS: dict[type, Apply[Any]] = {}


def _applies(kind: type[K]) -> Callable[[Apply[K]], Apply[K]]:
    """Register the function that applies events of ``kind`` to the state."""

    def register(apply: Apply[K]) -> Apply[K]:
        _HANDLERS[kind] = apply
        return apply

    return register


def _apply_event(state: RunState, event: Event) -> None:
    if event.operator and event.operator not in state.operators:
        state.operators.append(event.operator)
    data = event.data
    if isinstance(data, Unreadable):
        state.unreadable.append((event.seq, f"{data.type}: {data.reason}"))
        return
    # Kinds with no handler change nothing (run_started again).
    if (apply := _HANDLERS.get(type(data))) is not None:
        apply(data, state, Stamp(event.seq, parse_iso(event.at), event.operator))


@_applies(StepStarted)
def _(data: StepStarted, state: RunState, at: Stamp) -> None:
    if (step := state.steps.get(data.step)) is not None:
        step.started_at = step.started_at or at.at
        step.operator = step.operator or at.operator


@_applies(StepDone)
def _(data: StepDone, state: RunState, at: Stamp) -> None:
    if (step := state.steps.get(data.step)) is not None:
        step.done_at = at.at  # never taken as its start: that would be a made-up time
        step.operator = step.operator or at.operator
        step.state = StepPhase.DONE


@_applies(StepSkipped)
def _(data: StepSkipped, state: RunState, at: Stamp) -> None:
    if (step := state.steps.get(data.step)) is not None:
        step.state = StepPhase.SKIPPED
        step.done_at = at.at
        step.skip_note = data.note


@_applies(TimerStarted)
def _(data: TimerStarted, state: RunState, at: Stamp) -> None:
    timer = TimerState(data.step, at.at, float(data.min_s or 0.0), data.max_s, label=data.label)
    state.timers[data.step] = timer
    if (step := state.steps.get(data.step)) is not None:
        step.timings.append(timer)
        step.started_at = step.started_at or at.at  # a timer is a start someone recorded
        step.operator = step.operator or at.operator


@_applies(TimerStopped)
def _(data: TimerStopped, state: RunState, at: Stamp) -> None:
    if (timer := state.timers.get(data.step)) is not None and timer.running:
        timer.stopped_at = at.at


@_applies(ValueRecorded)
def _(data: ValueRecorded, state: RunState, at: Stamp) -> None:
    state.values.append(ValueRecord(at.seq, data.step, data.name, _value(data.value), data.unit,
                                    data.text, data.in_range, at=at.at, operator=at.operator,
                                    sample=data.sample))


@_applies(Corrected)
def _(data: Corrected, state: RunState, at: Stamp) -> None:
    for record in state.values:
        if record.seq == data.corrects and record.name == data.name:
            record.corrected_by = at.seq
            state.values.append(ValueRecord(
                at.seq, record.step, record.name, _value(data.value), data.unit or record.unit,
                data.text, data.in_range, reason=data.reason, at=at.at, operator=at.operator,
                corrects=data.corrects, sample=data.sample or record.sample,
            ))
            return


@_applies(DeviationNoted)
def _(data: DeviationNoted, state: RunState, at: Stamp) -> None:
    state.deviations.append(Deviation(at.seq, data.step, data.kind, data.note, data.expected,
                                      data.actual, at.at, at.operator))


@_applies(NoteAdded)
def _(data: NoteAdded, state: RunState, at: Stamp) -> None:
    state.notes.append(Logged(at.seq, at.at, at.operator, data))
    if data.step is not None and (step := state.steps.get(data.step)) is not None:
        step.notes.append(data.text)


@_applies(LotRecorded)
def _(data: LotRecorded, state: RunState, at: Stamp) -> None:
    state.lots.append(Logged(at.seq, at.at, at.operator, data))


@_applies(Attached)
def _(data: Attached, state: RunState, at: Stamp) -> None:
    state.attachments.append(Logged(at.seq, at.at, at.operator, data))


@_applies(AnalysisDone)
def _(data: AnalysisDone, state: RunState, at: Stamp) -> None:
    state.analyses.append(Logged(at.seq, at.at, at.operator, data))


@_applies(Signed)
def _(data: Signed, state: RunState, at: Stamp) -> None:
    state.signatures.append(Logged(at.seq, at.at, at.operator, data))


@_applies(Paused)
def _(data: Paused, state: RunState, at: Stamp) -> None:
    state.state = RunPhase.PAUSED
    state.pauses.append((at.at, None))


@_applies(Resumed)
def _(data: Resumed, state: RunState, at: Stamp) -> None:
    state.state = RunPhase.RUNNING
    if state.pauses:
        state.pauses[-1] = (state.pauses[-1][0], at.at)


@_applies(Completed)
def _(data: Completed, state: RunState, at: Stamp) -> None:
    state.state, state.ended_at, state.ended_seq = RunPhase.COMPLETED, at.at, at.seq


@_applies(Aborted)
def _(data: Aborted, state: RunState, at: Stamp) -> None:
    state.state, state.ended_at, state.ended_seq = RunPhase.ABORTED, at.at, at.seq


def _value(value: float | str | None) -> float | str:
    return "" if value is None else value


def _refold_without_retracted(state: RunState) -> None:
    """Fold the run again from its first event, leaving out every retracted one.

    An undo is rare and can take back anything (a done step, a value, a timer), so the
    state is rebuilt rather than each kind of event reversed by hand; the log keeps both.
    """
    events = state.events
    undos = [(e, d) for e in events if isinstance(d := e.data, Retracted)]
    taken_back = {int(s) for _, d in undos for s in d.retracts}
    fresh = _start(events[0])
    for event in events[1:]:
        if event.seq in taken_back:
            continue
        data = event.data
        if isinstance(data, Retracted):
            if event.operator not in fresh.operators:
                fresh.operators.append(event.operator)
            fresh.retractions.append(Retraction(event.seq, parse_iso(event.at), event.operator,
                                                tuple(int(s) for s in data.retracts), data.what))
        else:
            _apply_event(fresh, event)
    fresh.events = events
    fresh.last_seq, fresh.head_hash = state.last_seq, state.head_hash
    state.__dict__.update(fresh.__dict__)


def _derive_step_states(state: RunState) -> None:
    graph = state.graph
    finished = {s for s, st in state.steps.items() if st.state.finished}
    current_found = False
    for sid in graph.order:
        step = state.steps[sid]
        if step.state.finished:
            continue
        if step.started_at is not None:
            step.state = StepPhase.CURRENT
            current_found = True
        elif all(e.pred in finished for e in graph.preds[sid]):
            step.state = StepPhase.READY
        else:
            step.state = StepPhase.WAITING
    if not current_found and not state.finished:
        for sid in graph.order:
            if state.steps[sid].state == StepPhase.READY:
                state.steps[sid].state = StepPhase.CURRENT
                break
