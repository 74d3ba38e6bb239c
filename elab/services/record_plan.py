"""A record's planned times: the lab calendar's plan of the run alone, from its start.

A record's "Planned" column must say what the lab would have planned, not what a clock that
never sleeps would: the same calendar (:func:`~elab.services.agenda.lab_calendar`, the one the
TUI home's agenda and ``elab schedule plan`` use) and the same expansion and planner model,
so one run has one set of numbers.  The plan is the scheduler's deterministic first plan
(:func:`~elab.domain.schedule.greedy_schedule`, the CP-SAT model's hint), not a time-limited
search, so a record renders the same twice.

A plan that cannot be made (a calendar file that does not load, a protocol the planner
refuses, such as a hands-on step longer than any working day) does not stop the record: the
steps are laid along the step graph without working hours, as before, and the record says so
once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from elab.domain.records.protocol_rows import planned_offsets
from elab.domain.runs import RunState
from elab.domain.schedule import check_schedule, greedy_schedule
from elab.domain.schedule.calendar import LabCalendar
from elab.domain.schedule.expand import Expansion, Progress, expand_protocol
from elab.domain.schedule.model import Schedule
from elab.domain.schedule.problem import problem_from_expansions
from elab.errors import ElabError, InputError
from elab.services.agenda import lab_calendar

__all__ = ["WITHOUT_HOURS", "PlannedTimes", "planned_times", "step_plan"]

WITHOUT_HOURS = "planned times without working hours"


@dataclass(frozen=True)
class PlannedTimes:
    """Each step's planned (start, end), and one sentence on how they were planned.

    ``steps`` is empty when no plan could be made; the record then lays the steps along the
    step graph from the run's start and ``note`` says why.
    """

    steps: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    note: str = ""


def planned_times(state: RunState, calendar_path: str | Path | None = None) -> PlannedTimes:
    """The run's planned step times on the lab calendar, or the reason there are none."""
    try:
        calendar = lab_calendar(calendar_path)
        steps, broken = step_plan(state, calendar)
    except (ElabError, ValueError, LookupError) as exc:
        return PlannedTimes({}, f"{WITHOUT_HOURS}: {exc}")
    note = (f"Planned times: the lab calendar's first plan of this run alone, from its start "
            f"(working hours {calendar.describe_hours()}, {calendar.timezone}).")
    if broken:
        note += f" It cannot keep every rule: {broken}."
    return PlannedTimes(steps, note)


def step_plan(
    state: RunState, calendar: LabCalendar
) -> tuple[dict[str, tuple[datetime, datetime]], str]:
    """Each active step's planned (start, end) in UTC, and the first rule the plan breaks
    ("" when none).

    A step's start is the start of its first activity and its end the end of its last (a
    seeding step's hands-on part, then its incubation).
    """
    zone = calendar.zone
    # A plan is made in whole minutes: from the minute the run started (09:00, not 09:00:10).
    start = state.started_at.astimezone(zone).replace(second=0, microsecond=0)
    # Nothing done yet, as of the start: a regimen's first day then follows from when the
    # steps before it can really be done, as when ``schedule plan`` plans a fresh run.
    expansion = expand_protocol(state.protocol, state.run_id, start.date(), zone,
                                state.variant, Progress({}, start), calendar)
    problem = problem_from_expansions([expansion], calendar, start,
                                      _horizon_days(state, expansion))
    schedule = greedy_schedule(problem)
    report = check_schedule(problem, schedule)
    broken = str(report.violations[0]) if report.violations else ""
    return _by_step(state, expansion, schedule), broken


def _horizon_days(state: RunState, expansion: Expansion) -> int:
    """Days the plan may reach: the agenda's two weeks, or more for a long protocol.

    Twice the run's length without working hours, and a week more, leaves room for every
    night and weekend its hands-on work must wait over.
    """
    offsets = planned_offsets(state.protocol, state.variant)
    longest = max((end for _, end, _ in offsets.values()), default=0.0)
    total = sum(a.min_min for a in expansion.activities) * 60
    days = math.ceil(max(longest, total) / 86400)
    return max(14, 2 * days + 7)


def _by_step(state: RunState, expansion: Expansion,
             schedule: Schedule) -> dict[str, tuple[datetime, datetime]]:
    at = schedule.by_key()
    out: dict[str, tuple[datetime, datetime]] = {}
    for step in state.protocol.active_steps(state.variant):
        names = expansion.steps.get(step.id, ())
        parts = [at[(expansion.run, name)] for name in names if (expansion.run, name) in at]
        if not parts:
            raise InputError(f"step {step.id!r} has no activity in the plan")
        out[step.id] = (min(p.start for p in parts).astimezone(UTC),
                        max(p.end for p in parts).astimezone(UTC))
    return out
