"""When a run departs from its protocol: the automatic deviations.

Each rule returns the deviations an action would cause, naming what was expected and what
happened, so the service can append them with the action in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from elab.domain.protocol.graph import program_seconds
from elab.domain.protocol.model import RecordSpec, Step
from elab.domain.runs.kinds import DeviationNoted
from elab.domain.runs.state import RunState, TimerState
from elab.units import QRange, format_duration, format_quantity, format_range

__all__ = [
    "AutoDeviation",
    "done_warning",
    "expired_lot_deviation",
    "incubation_deviation",
    "missing_lots",
    "missing_steps",
    "missing_values",
    "order_deviation",
    "stop_warning",
    "timed_span",
    "unfinished",
    "unfinished_summary",
    "untimed_deviation",
    "value_deviation",
    "window_deviations",
]


@dataclass(frozen=True)
class AutoDeviation:
    step: str | None
    note: str
    expected: str
    actual: str

    def event(self) -> DeviationNoted:
        return DeviationNoted(self.step, "auto", self.note, self.expected, self.actual)


def value_deviation(
    step: str, name: str, spec: RecordSpec, value: float, unit: str
) -> AutoDeviation | None:
    """A recorded value outside its declared range."""
    if spec.range is None or spec.range.contains(value, unit):
        return None
    shown = format_quantity(value, unit)
    return AutoDeviation(
        step,
        f"{name} {shown} is outside {format_range(spec.range)}",
        format_range(spec.range),
        shown,
    )


# A timer is stopped by a gloved hand, not by the clock: a minute either side of the
# planned time is on time, so "20 min, stopped at 20 min 05 s" is not a deviation.
STOP_GRACE_S = 60.0


def _span_text(min_s: float, max_s: float | None) -> str:
    if max_s == min_s:
        return format_duration(min_s)
    if max_s is None:
        return f"≥ {format_duration(min_s)}"
    return f"{format_duration(min_s)}–{format_duration(max_s)}"


def incubation_deviation(
    step: str, elapsed_s: float, min_s: float, max_s: float | None
) -> AutoDeviation | None:
    """An incubation stopped more than :data:`STOP_GRACE_S` before its minimum or after its
    maximum."""
    expected = _span_text(min_s, max_s)
    actual = format_duration(elapsed_s)
    if elapsed_s < min_s - STOP_GRACE_S:
        return AutoDeviation(step, f"incubation stopped early after {actual}", expected, actual)
    if max_s is not None and elapsed_s > max_s + STOP_GRACE_S:
        return AutoDeviation(step, f"incubation ran over: {actual}", expected, actual)
    return None


def order_deviation(state: RunState, step: str, verb: str = "done") -> AutoDeviation | None:
    """A step started (or ``done``) before the steps it follows are done.

    The log says which: a timer started early is not a step done early.
    """
    pending = [
        e.pred
        for e in state.graph.preds.get(step, [])
        if state.steps[e.pred].state not in ("done", "skipped")
    ]
    if not pending:
        return None
    return AutoDeviation(
        step,
        f"{verb} out of order: {', '.join(pending)} not yet done",
        f"after {', '.join(pending)}",
        "before them",
    )


def window_deviations(state: RunState, step: str, now: datetime) -> list[AutoDeviation]:
    """A step started outside its time window after the step it follows."""
    found = []
    for edge in state.graph.preds.get(step, []):
        gap: QRange | None = edge.gap
        pred = state.steps.get(edge.pred)
        if gap is None or pred is None or pred.done_at is None:
            continue
        waited = (now - pred.done_at).total_seconds()
        low, high = gap.seconds()
        if waited < low or (high is not None and waited > high):
            found.append(
                AutoDeviation(
                    step,
                    f"started {format_duration(waited)} after {edge.pred}, outside its window",
                    f"{format_range(gap)} after {edge.pred}",
                    format_duration(waited),
                )
            )
    return found


def missing_values(state: RunState) -> list[AutoDeviation]:
    """Required values never recorded, or recorded fewer times than the protocol's
    ``count`` (six lysates measured, one written down), found when the run finishes;
    a shortfall already logged when its step was marked done is not asked about again."""
    # step_readings reads samples, whose value parsing needs this module's deviations.
    from elab.domain.runs.step_readings import logged, shortfalls

    found = []
    for step in state.protocol.active_steps(state.variant):
        if state.steps[step.id].state == "skipped":
            continue
        found += [AutoDeviation(step.id, short.note, short.expected, short.actual)
                  for short in shortfalls(state, step) if not logged(state, short)]
    return found


def timed_span(step: Step) -> tuple[float, float | None] | None:
    """The time a step's timer must count, or None when the step has no planned passive
    time (hands-on work, a stopwatch ``until``).

    Its incubation (or wait, or spin) and its instrument program run one after the other,
    as :func:`~elab.domain.protocol.graph.step_time` counts them: a cDNA step's 1 min spin
    does not hide its 2 h 15 min thermocycler program.
    """
    if step.until is not None or (step.passive is None and not step.program):
        return None
    low, high = step.passive.duration.seconds() if step.passive is not None else (0.0, 0.0)
    if step.program:
        p_low, p_high = program_seconds(step.program)
        low, high = low + p_low, (None if high is None or p_high is None else high + p_high)
    return (low, high) if low > 0 or step.passive is not None else None


def untimed_deviation(step: Step, timer: TimerState | None) -> AutoDeviation | None:
    """A timed step marked done without its timer ever having run: the record would
    otherwise show an incubation that no clock saw.  (A timer stopped early is judged when
    it stops, by :func:`incubation_deviation`.)"""
    span = timed_span(step)
    if span is None or timer is not None or span[0] <= STOP_GRACE_S:
        return None
    expected = _span_text(*span)
    return AutoDeviation(
        step.id, f"done without its timer: {expected} not timed", expected, "not timed"
    )


def done_warning(step: Step, timer: TimerState | None, now: datetime) -> str | None:
    """What marking ``step`` done now would log, in words for a confirmation, or None when
    it is on time."""
    if (dev := untimed_deviation(step, timer)) is not None:
        return (
            f"{step.title} takes {dev.expected} and its timer has not run. Marking it done "
            f"now logs a deviation (expected {dev.expected}, actual not timed)."
        )
    if timer is not None and timer.running:
        return stop_warning(step, timer, now)
    return None


def stop_warning(step: Step, timer: TimerState, now: datetime) -> str | None:
    """What stopping a running timer now would log, or None when it is not early."""
    if step.until is not None:
        return None
    elapsed = timer.elapsed_s(now)
    dev = incubation_deviation(step.id, elapsed, timer.min_s, timer.max_s)
    if dev is None or not dev.note.startswith("incubation stopped early"):
        return None
    left = format_duration(timer.min_s - elapsed)
    return (
        f"The timer of {step.title} still has {left} to go (expected {dev.expected}). "
        f"Stopping it now logs a deviation (actual {dev.actual})."
    )


def missing_steps(state: RunState) -> list[AutoDeviation]:
    """Steps neither done nor skipped (optional steps may be left out)."""
    found = []
    for sid in state.graph.order:
        st = state.steps[sid]
        if st.state in ("done", "skipped") or state.protocol.step(sid).optional:
            continue
        found.append(AutoDeviation(sid, f"step {sid} was not done", "done", st.state))
    return found


def missing_lots(state: RunState) -> list[AutoDeviation]:
    """Materials whose lot the protocol requires, with no lot recorded."""
    recorded = {lot.data.material for lot in state.lots}
    return [
        AutoDeviation(None, f"lot of {mid} was not recorded", f"lot of {mid}", "missing")
        for mid, material in state.protocol.materials.items()
        if material.lot == "required" and mid not in recorded
    ]


def unfinished(state: RunState) -> list[AutoDeviation]:
    """Everything that keeps a run from finishing complete: steps, values, lots."""
    return [*missing_steps(state), *missing_values(state), *missing_lots(state)]


def expired_lot_deviation(
    material: str, lot: str, expiry: date | None, today: date
) -> AutoDeviation | None:
    """A lot used after its expiry date."""
    if expiry is None or expiry >= today:
        return None
    return AutoDeviation(
        None,
        f"lot {lot} of {material} expired on {expiry.isoformat()}",
        f"in date on {today.isoformat()}",
        f"expired {expiry.isoformat()}",
    )


def unfinished_summary(state: RunState) -> str:
    """``steps not done: seed, treat; required values missing: measure conc`` (empty when
    the run is complete), the line a refused finish prints."""
    parts = []
    if steps := [d.step or "" for d in missing_steps(state)]:
        parts.append(f"steps not done: {', '.join(steps)}")
    if values := [f"{d.step} {d.expected}" for d in missing_values(state)]:
        parts.append(f"required values missing: {', '.join(values)}")
    if lots := [d.expected.removeprefix("lot of ") for d in missing_lots(state)]:
        parts.append(f"lots missing: {', '.join(lots)}")
    return "; ".join(parts)
