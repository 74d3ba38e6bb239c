"""What each bench action appends to a run, decided from the run's state and the time.

Every action is a function of the folded :class:`RunState` and the moment it happens that
returns the typed events to append, or raises when the action is not allowed (a step done
twice, a timer stopped that never ran).  Nothing here stores anything: the run service
appends what is decided, and decides again on fresh state when another writer got there
first, which is safe because deciding has no side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime

from elab.domain.protocol.graph import step_time
from elab.domain.protocol.model import Step
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
    RunEvent,
    StepDone,
    StepSkipped,
    StepStarted,
    TimerStarted,
    TimerStopped,
    ValueRecorded,
)
from elab.domain.runs.reading_rules import refuse_extra_readings
from elab.domain.runs.rules import (
    AutoDeviation,
    expired_lot_deviation,
    incubation_deviation,
    order_deviation,
    timed_span,
    unfinished,
    unfinished_summary,
    untimed_deviation,
    window_deviations,
)
from elab.domain.runs.samples import SampleReading, with_samples
from elab.domain.runs.state import RunPhase, RunState
from elab.domain.runs.step_readings import done_refusal, shortfalls
from elab.domain.runs.undo import UNDO_WINDOW_S, UNDOABLE, last_action
from elab.domain.runs.undo_checks import undo_refusal
from elab.domain.runs.values import check_value
from elab.errors import InputError, NotFoundError, RunStateError
from elab.files import check_text

__all__ = [
    "MAX_NAME",
    "abort",
    "attach",
    "closed",
    "correct",
    "deviate",
    "done",
    "finish",
    "lot",
    "note",
    "pause",
    "planned_seconds",
    "record_values",
    "resume",
    "skip",
    "start_step",
    "timer",
    "undo",
]

MAX_NAME = 200  # operators, lots: the width of their columns

Events = list[RunEvent]


def start_step(state: RunState, now: datetime, step_id: str) -> Events:
    _step(state, step_id)
    st = state.steps[step_id]
    if st.state.finished:
        raise RunStateError(f"step {step_id} is already {st.state}")
    if st.started_at is not None:
        return []
    return [*_start_checks(state, step_id, now, "started"), StepStarted(step_id)]


def done(
    state: RunState, now: datetime, step_id: str, values: Sequence[tuple[str, str]] = (),
    note: str | None = None, incomplete: str | None = None, *, another: bool = True,
) -> Events:
    """The step done with its measured values; out-of-range values become deviations.

    A required value short of its readings refuses it, naming what is missing
    (:mod:`~elab.domain.runs.step_readings`), unless ``incomplete`` gives the reason it
    is marked done without them: then each shortfall is a deviation carrying that reason.
    A value typed wrong is said first, then (without ``another``) one that has its
    readings already (:func:`refuse_extra_readings`), then what is still missing.
    """
    step = _step(state, step_id)
    st = state.steps[step_id]
    if st.state.finished:
        raise RunStateError(f"step {step_id} is already {st.state}")
    readings = with_samples(state, step, values)
    recorded = [event for reading in readings for event in _value_events(step, reading)]
    if not another:
        refuse_extra_readings(state, step_id, values)
    found = _shortfall_events(state, step, readings, incomplete)
    found += _start_checks(state, step_id, now, "done")
    timer = state.timers.get(step_id)
    if timer is not None and timer.running:
        found += _timer_stop(state, step, now)
    if (untimed := untimed_deviation(step, timer)) is not None:
        found.append(untimed.event())
    found += recorded
    if note:
        found.append(NoteAdded(step_id, note))
    found.append(StepDone(step_id))
    return found


def _shortfall_events(
    state: RunState, step: Step, readings: Sequence[SampleReading], incomplete: str | None
) -> Events:
    """The deviations of a step marked done short of its required readings; refused
    without the reason why."""
    short = shortfalls(state, step, readings)
    reason = (incomplete or "").strip()
    if short and not reason:
        raise RunStateError(done_refusal(state.run_id, step.id, short))
    if incomplete is not None and not short:
        raise InputError(f"{step.id} has all its required readings: mark it done without "
                         "--incomplete")
    check_text(reason, "the reason")
    return [DeviationNoted(step.id, "auto", f"{s.note}; marked done without them: {reason}",
                           s.expected, s.actual) for s in short]


def record_values(state: RunState, step_id: str, values: Sequence[tuple[str, str]]) -> Events:
    """Values for a step without marking it done."""
    step = _step(state, step_id)
    found: Events = []
    for reading in with_samples(state, step, values):
        found += _value_events(step, reading)
    return found


def skip(state: RunState, step_id: str, note: str) -> Events:
    step = _step(state, step_id)
    if not step.optional:
        raise RunStateError(f"step {step_id} is not optional and cannot be skipped")
    if state.steps[step_id].state.finished:
        raise RunStateError(f"step {step_id} is already {state.steps[step_id].state}")
    return [StepSkipped(step_id, note)]


def timer(state: RunState, now: datetime, step_id: str, action: str) -> Events:
    """Start or stop the step's timer (its incubation, or a stopwatch for ``until``)."""
    if action not in ("start", "stop"):
        raise InputError(f"timer action must be start or stop, not {action!r}")
    step = _step(state, step_id)
    running = state.timers.get(step_id)
    if action == "stop":
        if running is None or not running.running:
            raise RunStateError(f"step {step_id} has no running timer")
        return _timer_stop(state, step, now)
    if running is not None and running.running:
        raise RunStateError(f"the timer of step {step_id} is already running")
    if state.steps[step_id].state.finished:
        raise RunStateError(f"step {step_id} is already {state.steps[step_id].state}")
    min_s, max_s = planned_seconds(step)
    found = _start_checks(state, step_id, now, "started")
    if state.steps[step_id].started_at is None:
        found.append(StepStarted(step_id))
    found.append(TimerStarted(step_id, min_s, max_s))
    return found


def deviate(state: RunState, step_id: str | None, note: str) -> Events:
    check_text(note, "the deviation note")
    if step_id is not None:
        _step(state, step_id)
    return [DeviationNoted(step_id, "manual", note)]


def note(state: RunState, step_id: str | None, text: str) -> Events:
    """A note; it may follow completion (the record lists it as a change after it)."""
    check_text(text, "the note")
    _amendable(state)
    if step_id is not None:
        _step(state, step_id)
    return [NoteAdded(step_id, text)]


def lot(state: RunState, now: datetime, material: str, lot: str, expiry: str | None) -> Events:
    """A material's lot; a lot past its expiry date is a deviation at once."""
    check_text(lot, "the lot number", MAX_NAME)
    if material not in state.protocol.materials:
        raise NotFoundError("material", material, state.protocol.materials)
    expires = _date(expiry) if expiry is not None else None
    found: Events = [LotRecorded(material, lot, expiry)]
    today = now.astimezone().date()
    if (dev := expired_lot_deviation(material, lot, expires, today)) is not None:
        found.append(dev.event())
    return found


def attach(state: RunState, name: str, filename: str, sha256: str, size: int) -> Events:
    _amendable(state)
    return [Attached(name, filename, sha256, size)]


def correct(state: RunState, seq: int, values: Sequence[tuple[str, str]], reason: str) -> Events:
    """A correction naming the value event it corrects; the original stays in the log."""
    _amendable(state)
    originals = [v for v in state.values if v.seq == seq]
    if not originals:
        raise NotFoundError("value event", str(seq), sorted({str(v.seq) for v in state.values}))
    found: Events = []
    for name, text in values:
        original = next((v for v in originals if v.name == name), None)
        if original is None:
            raise NotFoundError(f"value in event {seq}", name, [v.name for v in originals])
        step = state.protocol.step(original.step)
        for sample_reading in with_samples(state, step, [(name, text)], replacing=seq):
            reading, deviations = _reading(step, sample_reading)
            found.append(Corrected(**vars(reading), corrects=seq, reason=reason))
            found += deviations
    return found


def pause(state: RunState) -> Events:
    if state.paused:
        raise RunStateError(f"run {state.run_id} is already paused")
    return [Paused()]


def resume(state: RunState) -> Events:
    if not state.paused:
        raise RunStateError(f"run {state.run_id} is not paused")
    return [Resumed()]


def abort(state: RunState, note: str | None) -> Events:
    return [Aborted(note)]


def finish(
    state: RunState, incomplete: str | None,
    analyses: Callable[[RunState], Sequence[AnalysisDone]],
) -> Events:
    """Completion with its analyses; a run with anything missing needs ``incomplete``.

    Steps not done, required values or required lots missing refuse the finish, naming
    them, unless ``incomplete`` gives the reason: then each becomes an automatic deviation
    and the reason a run note.  ``analyses`` runs the protocol's hooks, only once the finish
    is allowed.
    """
    missing = unfinished(state)
    if missing and not (incomplete and incomplete.strip()):
        raise RunStateError(
            f"run {state.run_id} is not complete: {unfinished_summary(state)} "
            "(do them, or finish with --incomplete --reason TEXT)"
        )
    found: Events = [d.event() for d in missing]
    if missing:
        found.append(NoteAdded(None, f"finished incomplete: {(incomplete or '').strip()}"))
    return [*found, *analyses(state), Completed()]


def undo(state: RunState, now: datetime, operator: str) -> Events:
    """Retract ``operator``'s last action, within :data:`UNDO_WINDOW_S` of it, unless that
    would take back another operator's work or give a value two readings where it has room
    for one (:func:`undo_refusal`)."""
    action = last_action(state, operator, now)
    if action is None:
        raise RunStateError(f"{operator} has nothing to undo in run {state.run_id}")
    if not {e.type for e in action.events} <= UNDOABLE:
        raise RunStateError(f"the last action of {operator} ({action.what}) cannot be undone")
    if action.age_s > UNDO_WINDOW_S:
        raise RunStateError(
            f"the last action of {operator} ({action.what}) is older than "
            f"{UNDO_WINDOW_S / 60:.0f} min and can no longer be undone; put a value "
            "right with `elab runs correct`, explain anything else with "
            "`elab runs deviate` or `elab runs note`"
        )
    if (why := undo_refusal(state, action)) is not None:
        raise RunStateError(why)
    return [Retracted(action.seqs, action.what)]


def planned_seconds(step: Step) -> tuple[float, float | None]:
    """What a step's timer counts: its passive time, or its whole time, or open."""
    if step.until is not None:
        return 0.0, None
    if (span := timed_span(step)) is not None:
        return span
    if step.repeat is not None and step.repeat.each is not None:
        return step.repeat.each.seconds()
    timing = step_time(step)
    return timing.min_s, timing.max_s


def _step(state: RunState, step_id: str) -> Step:
    if step_id not in state.steps:
        raise NotFoundError("step", step_id, list(state.steps))
    return state.protocol.step(step_id)


def _start_checks(state: RunState, step_id: str, now: datetime, verb: str) -> Events:
    """Deviations due when a step is first started (or ``done`` without a start): order
    and time windows."""
    if state.steps[step_id].started_at is not None:
        return []
    found: list[AutoDeviation] = []
    if (dev := order_deviation(state, step_id, verb)) is not None:
        found.append(dev)
    found += window_deviations(state, step_id, now)
    return [d.event() for d in found]


def _timer_stop(state: RunState, step: Step, now: datetime) -> Events:
    elapsed = state.timers[step.id].elapsed_s(now)
    found: Events = [TimerStopped(step.id, elapsed)]
    if step.until is None:
        running = state.timers[step.id]
        dev = incubation_deviation(step.id, elapsed, running.min_s, running.max_s)
        if dev is not None:
            found.append(dev.event())
    return found


def _value_events(step: Step, typed: SampleReading) -> Events:
    reading, deviations = _reading(step, typed)
    return [reading, *deviations]


def _reading(step: Step, typed: SampleReading) -> tuple[ValueRecorded, list[DeviationNoted]]:
    """A typed reading as understood, with the deviation it is when out of range."""
    name, text = typed.name, typed.text
    check_text(text, f"the value {name}")
    value, unit, deviation = check_value(step, name, text)
    in_range: bool | None = None
    found: list[DeviationNoted] = []
    if isinstance(value, float) and step.record[name].range is not None:
        in_range = deviation is None
        if deviation is not None:
            event = deviation.event()
            if typed.sample:  # the deviation names the lysate, not only the value
                event = replace(event, note=f"{event.note} ({typed.sample})")
            found.append(event)
    return ValueRecorded(step.id, name, value, unit, text, in_range, typed.sample), found


def closed(state: RunState) -> str:
    """Why a finished run refuses an action, and what it still takes.

    After completion the bench record is closed (steps, values, timers, lots, deviations):
    what was measured stays as it was measured.  What may follow it are addenda, each shown
    in the record as a change after completion with its time, operator and the signatures
    it postdates: notes, files, corrections with their reason, analyses run again on the
    inputs now there, and signatures.  An aborted run takes only signatures.
    """
    if state.state == RunPhase.ABORTED:
        return (f"run {state.run_id} is aborted: nothing more can be added to it, "
                "except signatures (elab runs sign)")
    return (f"run {state.run_id} is completed: its steps, values, timers, lots and "
            "deviations are closed. Still allowed, as addenda after completion: a note "
            "(elab runs note), a file (elab runs attach), a correction with its reason "
            "(elab runs correct), analyses run again (elab runs analyze) and signatures "
            "(elab runs sign)")


def _amendable(state: RunState) -> None:
    """Notes, corrections and attachments may follow completion, never an abort."""
    if state.state == RunPhase.ABORTED:
        raise RunStateError(closed(state))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expiry {text!r} is not a date like 2027-03-31") from None
