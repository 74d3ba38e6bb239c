"""When a run departs from its protocol: the automatic deviations.

Each rule returns the deviations an action would cause, naming what was expected and what
happened, so the service can append them with the action in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from elab.domain.protocol.model import RecordSpec
from elab.domain.runs.state import RunState
from elab.units import QRange, format_duration, format_quantity, format_range

__all__ = [
    "AutoDeviation",
    "incubation_deviation",
    "missing_values",
    "order_deviation",
    "value_deviation",
    "window_deviations",
]


@dataclass(frozen=True)
class AutoDeviation:
    step: str | None
    note: str
    expected: str
    actual: str

    def payload(self) -> dict[str, str | None]:
        return {
            "step": self.step,
            "kind": "auto",
            "note": self.note,
            "expected": self.expected,
            "actual": self.actual,
        }


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


def incubation_deviation(
    step: str, elapsed_s: float, min_s: float, max_s: float | None
) -> AutoDeviation | None:
    """An incubation stopped more than :data:`STOP_GRACE_S` before its minimum or after its
    maximum."""
    expected = (
        format_duration(min_s)
        if max_s == min_s
        else (
            f"{format_duration(min_s)}–{format_duration(max_s)}"
            if max_s is not None
            else f"≥ {format_duration(min_s)}"
        )
    )
    actual = format_duration(elapsed_s)
    if elapsed_s < min_s - STOP_GRACE_S:
        return AutoDeviation(step, f"incubation stopped early after {actual}", expected, actual)
    if max_s is not None and elapsed_s > max_s + STOP_GRACE_S:
        return AutoDeviation(step, f"incubation ran over: {actual}", expected, actual)
    return None


def order_deviation(state: RunState, step: str) -> AutoDeviation | None:
    """A step done before the steps it follows."""
    pending = [
        e.pred
        for e in state.graph.preds.get(step, [])
        if state.steps[e.pred].state not in ("done", "skipped")
    ]
    if not pending:
        return None
    return AutoDeviation(
        step,
        f"done out of order: {', '.join(pending)} not yet done",
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
    ``count`` (six lysates measured, one written down), found when the run finishes."""
    found = []
    for step in state.protocol.active_steps(state.variant):
        if state.steps[step.id].state == "skipped":
            continue
        recorded = [v.name for v in state.current_values() if v.step == step.id]
        for name, spec in step.record.items():
            n = recorded.count(name)
            if not spec.required or n >= spec.count:
                continue
            if n == 0:
                note, expected, actual = f"required value {name} was not recorded", name, "missing"
            else:
                note = f"required value {name}: {n} of {spec.count} recorded"
                expected, actual = f"{spec.count} × {name}", str(n)
            found.append(AutoDeviation(step.id, note, expected, actual))
    return found
