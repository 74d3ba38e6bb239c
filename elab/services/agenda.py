"""Plans for runs already under way: what is left of each, laid over the calendar from now.

The TUI home shows today's agenda from this, and ``elab schedule plan RUN`` replans a run
that slipped.  What has happened is not planned again: done and skipped steps drop out, a
step in progress ends where its timer says, and the steps after them are released no earlier
than their window after that end allows, and must be done by the window's close.  A window
that has already closed is left to the run screen's deviation rules: the plan goes on
without it rather than refusing to exist.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from elab.domain.runs import RunState
from elab.domain.schedule.calendar import LabCalendar, default_calendar, load_calendar
from elab.domain.schedule.expand import (
    Expansion,
    Progress,
    expand_protocol,
)
from elab.domain.schedule.model import Activity, Lag, Problem, Schedule
from elab.domain.schedule.problem import problem_from_expansions
from elab.errors import ElabError

__all__ = [
    "Agenda",
    "AgendaLine",
    "lab_calendar",
    "local_zone_name",
    "plan_remaining",
    "remaining_expansion",
    "today_agenda",
]

_STEP_OF = re.compile(r"^[^:#@]+")


def local_zone_name() -> str:
    """The machine's IANA time zone name (TZ, then /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(os.readlink("/etc/localtime").split("zoneinfo/", 1)[-1])
    for name in candidates:
        try:
            if name:
                ZoneInfo(name)
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def lab_calendar(path: str | Path | None) -> LabCalendar:
    """The lab's calendar file, or one operator Mon-Fri 09-17; in the machine's zone unless
    the file names one."""
    zone = local_zone_name()
    return load_calendar(path, zone) if path else default_calendar(zone)


def _protocol_step(activity_step: str) -> str:
    """``incubate:incubate`` and ``image#3`` belong to protocol steps ``incubate``, ``image``."""
    match = _STEP_OF.match(activity_step)
    return match.group(0) if match else activity_step


def _ended_at(state: RunState, step: str, activities: Sequence[Activity],
              now: datetime) -> datetime | None:
    """When a step that has happened (or is happening) ends; None when it has not begun."""
    st = state.steps.get(step)
    if st is None:
        return None
    if st.done_at is not None:
        return st.done_at
    if st.state == "skipped":
        return now
    if st.started_at is None:
        return None
    timer = state.timers.get(step)
    if timer is not None and timer.running:
        return max(now, timer.started_at + timedelta(seconds=timer.min_s))
    planned = sum(a.min_min for a in activities if _protocol_step(a.step) == step)
    return max(now, st.started_at + timedelta(minutes=planned))


def remaining_expansion(
    state: RunState, begin: datetime, calendar: LabCalendar
) -> Expansion | None:
    """The activities of ``state`` still to do, released no earlier than ``begin``."""
    first_day = state.started_at.astimezone(calendar.zone).date()
    full = expand_protocol(state.protocol, state.run_id, first_day, calendar.zone,
                           state.variant, calendar=calendar)
    ends: dict[str, datetime | None] = {}
    for activity in full.activities:
        sid = _protocol_step(activity.step)
        if sid not in ends:
            ends[sid] = _ended_at(state, sid, full.activities, begin)
    # again with what has happened: a regimen still to come starts when the rest allows
    # (tumours that grew for longer than planned move the dosing, not the other way round)
    progress = Progress({sid: end for sid, end in ends.items() if end is not None}, begin)
    full = expand_protocol(state.protocol, state.run_id, first_day, calendar.zone,
                           state.variant, progress, calendar)
    kept: list[Activity] = []
    names = {a.step for a in full.activities if ends[_protocol_step(a.step)] is None}
    for activity in full.activities:
        if activity.step not in names:
            continue
        if activity.deadline is not None and activity.deadline < begin:
            continue  # a dated event whose day has passed: the run screen reports it
        release = max(activity.release or begin, begin)
        deadline = activity.deadline
        lags: list[Lag] = []
        for lag in activity.after:
            if lag.step in names:
                lags.append(lag)
                continue
            ended = ends.get(_protocol_step(lag.step))
            if ended is None:
                continue
            release = max(release, ended + timedelta(minutes=lag.min_min))
            if lag.max_min is not None and ended + timedelta(minutes=lag.max_min) >= begin:
                # The window still open: start by its close, so end by close + duration.
                latest = ended + timedelta(minutes=lag.max_min + activity.max_min)
                deadline = latest if deadline is None else min(deadline, latest)
        kept.append(replace(activity, after=tuple(lags), release=release, deadline=deadline))
    if not kept:
        return None
    return replace(full, activities=tuple(kept))


@dataclass(frozen=True)
class AgendaLine:
    start: datetime
    end: datetime
    run: str
    step: str
    title: str
    hands_on: bool


@dataclass(frozen=True)
class Agenda:
    """The planned steps of one day: today's, or the next day with work when today has none.

    Opened on a Sunday, the bench wants to know what Monday brings, not "nothing due".
    """

    lines: tuple[AgendaLine, ...]
    problem: str = ""  # why there is no plan, in a sentence
    day: date | None = None  # the local date of the lines; None when there are none
    ahead: bool = False  # the lines are of a later day: nothing is planned today


def plan_remaining(
    states: Sequence[RunState], now: datetime, calendar_path: str | Path | None = None,
    time_limit_s: float = 2.0, horizon_days: int = 14,
) -> tuple[Problem, Schedule] | None:
    """A checked plan of what is left of the active runs, from ``now``; None if nothing is."""
    from elab.services.schedule import plan_runs
    from elab.solve.schedule import SolveOptions

    calendar = lab_calendar(calendar_path)
    begin = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    begin = begin.astimezone(calendar.zone)
    expansions = [
        e for s in states if not s.finished
        if (e := remaining_expansion(s, begin, calendar)) is not None
    ]
    if not expansions:
        return None
    problem = problem_from_expansions(expansions, calendar, begin, horizon_days)
    options = SolveOptions(time_limit_s=time_limit_s, allow_out_of_hours=True, explain=False)
    return problem, plan_runs(problem, options)


def today_agenda(states: Sequence[RunState], now: datetime,
                 calendar_path: str | Path | None = None, time_limit_s: float = 2.0) -> Agenda:
    """Today's planned steps of the active runs, in time order; never raises for bad plans."""
    try:
        planned = plan_remaining(states, now, calendar_path, time_limit_s)
    except ElabError as exc:
        return Agenda((), str(exc))
    if planned is None:
        return Agenda(())
    problem, schedule = planned
    zone = problem.calendar.zone
    today = now.astimezone(zone).date()
    titles = problem.activity_map()
    on_day: dict[date, list[AgendaLine]] = {}
    for a in schedule.assignments:
        activity = titles[a.key]
        on_day.setdefault(a.start.astimezone(zone).date(), []).append(AgendaLine(
            a.start, a.end, a.run, a.step, activity.title or a.step, activity.hands_on))
    days = sorted(d for d, lines in on_day.items()
                  if d == today or (d > today and any(x.hands_on for x in lines)))
    if not days:
        return Agenda(())
    return Agenda(tuple(sorted(on_day[days[0]], key=lambda x: (x.start, x.run))), day=days[0],
                  ahead=days[0] != today)
