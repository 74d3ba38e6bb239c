"""An independent checker of schedules.

It shares nothing with the planners but the input: it reads datetimes and the calendar
directly (no minute grid, no solver model), so a bug in how a planner encodes working hours,
lags or capacities shows up here as a violation instead of agreeing with itself.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from elab.domain.schedule.calendar import LabCalendar
from elab.domain.schedule.model import Activity, Assignment, Problem, Schedule

__all__ = ["CheckReport", "Violation", "check_schedule", "out_of_hours_min"]

_EPS = timedelta(seconds=1)


@dataclass(frozen=True)
class Violation:
    """One broken rule, said in words."""

    kind: str  # missing|duration|hours|lag|window|release|deadline|capacity|person|fixed
    run: str
    step: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CheckReport:
    """Violations, plus hands-on work that is out of hours because its day has no hours.

    A dose due on a Saturday must be given on Saturday: that is weekend work the lab has to
    staff, reported in ``required_off_hours`` rather than as a planner's mistake.
    """

    violations: tuple[Violation, ...]
    required_off_hours: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def _fmt(instant: datetime, calendar: LabCalendar) -> str:
    """On the lab's wall clock (the checker itself works in UTC)."""
    return f"{instant.astimezone(calendar.zone):%a %Y-%m-%d %H:%M}"


def _utc(instant: datetime) -> datetime:
    """Arithmetic on aware datetimes sharing a zone is wall-clock; in UTC it is real time."""
    return instant.astimezone(UTC)


def _intervals_utc(calendar: LabCalendar, day: date, daytime: bool = False
                   ) -> list[tuple[datetime, datetime]]:
    spans = [calendar.daytime_on(day)] if daytime else calendar.intervals_on(day)
    return [(_utc(a), _utc(b)) for a, b in spans]


def _normalised(problem: Problem, schedule: Schedule) -> tuple[Problem, Schedule]:
    """Problem and schedule with every instant in UTC, so that differences are real time."""
    acts = tuple(
        replace(a, release=_utc(a.release) if a.release else None,
                deadline=_utc(a.deadline) if a.deadline else None)
        for a in problem.activities
    )
    problem = replace(
        problem,
        activities=acts,
        start=_utc(problem.start),
        fixed=tuple(replace(f, start=_utc(f.start), end=_utc(f.end)) for f in problem.fixed),
    )
    schedule = replace(schedule, assignments=tuple(
        replace(a, start=_utc(a.start), end=_utc(a.end)) for a in schedule.assignments))
    return problem, schedule


def _working(calendar: LabCalendar, start: datetime, end: datetime) -> bool:
    local_start = start.astimezone(calendar.zone)
    return any(a <= start and end <= b
               for a, b in _intervals_utc(calendar, local_start.date()))


def _overlap_working(calendar: LabCalendar, start: datetime, end: datetime,
                     daytime: bool = False) -> timedelta:
    zone = calendar.zone
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = timedelta()
    day = first
    while day <= last:
        for a, b in _intervals_utc(calendar, day, daytime):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def out_of_hours_min(problem: Problem, schedule: Schedule, night: bool = False) -> int:
    """Minutes of hands-on work outside the calendar's working hours (``night``: outside
    its daytime too, 08:00-20:00 any day: :meth:`.LabCalendar.daytime_on`)."""
    problem, schedule = _normalised(problem, schedule)
    activities = problem.activity_map()
    total = timedelta()
    for a in schedule.assignments:
        activity = activities.get(a.key)
        if activity is None or not activity.in_lab_hours:
            continue
        total += (a.end - a.start) - _overlap_working(problem.calendar, a.start, a.end, night)
    return round(total.total_seconds() / 60)


def _window_has_hours(calendar: LabCalendar, activity: Activity) -> bool:
    if activity.release is None or activity.deadline is None:
        return True
    return _overlap_working(calendar, activity.release, activity.deadline) >= timedelta(
        minutes=activity.min_min
    )


def _check_one(problem: Problem, activity: Activity, got: Assignment, out: list[Violation],
               off: list[tuple[str, str]]) -> None:
    run, step, cal = activity.run, activity.step, problem.calendar
    minutes = (got.end - got.start).total_seconds() / 60
    if not activity.min_min - 1e-6 <= minutes <= activity.max_min + 1e-6:
        out.append(Violation("duration", run, step,
                             f"{activity.label} lasts {minutes:g} min, allowed "
                             f"{activity.min_min}-{activity.max_min} min"))
    if got.start < problem.start - _EPS and got.key not in {f.key for f in problem.fixed}:
        out.append(Violation("release", run, step,
                             f"{activity.label} starts before the plan starts"))
    if activity.release is not None and got.start < activity.release - _EPS:
        out.append(Violation("release", run, step,
                             f"{activity.label} starts {_fmt(got.start, cal)}, before its window "
                             f"opens {_fmt(activity.release, cal)}"))
    if activity.deadline is not None and got.end > activity.deadline + _EPS:
        out.append(Violation("deadline", run, step,
                             f"{activity.label} ends {_fmt(got.end, cal)}, after its window closes "
                             f"{_fmt(activity.deadline, cal)}"))
    if activity.in_lab_hours and not _working(cal, got.start, got.end):
        if _window_has_hours(cal, activity) and not activity.anytime:
            out.append(Violation("hours", run, step, f"hands-on {activity.label} at "
                                 f"{_fmt(got.start, cal)} is outside working hours"))
        else:
            off.append(activity.key)


def _check_lags(problem: Problem, done: dict[tuple[str, str], Assignment],
                out: list[Violation]) -> None:
    for activity in problem.activities:
        mine = done.get(activity.key)
        if mine is None:
            continue
        for lag in activity.after:
            before = done.get((activity.run, lag.step))
            if before is None:
                continue
            gap = (mine.start - before.end).total_seconds() / 60
            if gap < lag.min_min - 1e-6:
                out.append(Violation("lag", activity.run, activity.step,
                                     f"{activity.label} starts {gap:g} min after {lag.step} "
                                     f"ends; needs at least {lag.min_min} min"))
            if lag.max_min is not None and gap > lag.max_min + 1e-6:
                out.append(Violation("window", activity.run, activity.step,
                                     f"{activity.label} starts {gap:g} min after {lag.step} "
                                     f"ends; allowed at most {lag.max_min} min"))


def _check_capacity(problem: Problem, schedule: Schedule, out: list[Violation]) -> None:
    activities = problem.activity_map()
    capacity = {r.name: r.capacity for r in problem.resources}
    uses: dict[str, list[tuple[datetime, datetime, int, str]]] = defaultdict(list)
    zone = problem.calendar.zone
    starts = [a.start for a in schedule.assignments] or [problem.start]
    ends = [a.end for a in schedule.assignments] or [problem.start]
    first = min(starts).astimezone(zone).date() - timedelta(days=1)
    for b in problem.bookings_over(first, max(ends).astimezone(zone).date()):
        units = b.units or capacity.get(b.equipment, 1)
        uses[b.equipment].append((_utc(b.start), _utc(b.end), units, b.note or "booked"))
    for a in schedule.assignments:
        activity = activities.get(a.key)
        if activity is None:
            continue
        for demand in activity.demands:
            uses[demand.equipment].append((a.start, a.end, demand.units, activity.label))
    cal = problem.calendar
    for name, items in uses.items():
        cap = capacity.get(name, 1)
        events = sorted([(s, 1, u, who) for s, e, u, who in items if e > s]
                        + [(e, 0, u, who) for s, e, u, who in items if e > s])
        level = 0
        present: list[str] = []
        for when, kind, units, who in events:
            if kind == 0:
                level -= units
                if who in present:
                    present.remove(who)
                continue
            level += units
            present.append(who)
            if level > cap:
                run, _, step = who.partition("/")
                out.append(Violation("capacity", run, step, f"{name} holds {level} of {cap} "
                                     f"at {_fmt(when, cal)} ({', '.join(present)})"))


def _check_people(problem: Problem, schedule: Schedule, out: list[Violation]) -> None:
    activities = problem.activity_map()
    work: dict[str, list[Assignment]] = defaultdict(list)
    for a in schedule.assignments:
        activity = activities.get(a.key)
        if activity is not None and activity.hands_on and activity.person is not None:
            work[activity.person].append(a)
    for person, items in work.items():
        items.sort(key=lambda a: a.start)
        for first, second in itertools.pairwise(items):
            if second.start < first.end - _EPS:
                out.append(Violation("person", second.run, second.step,
                                     f"{person} would do {first.run}/{first.step} and "
                                     f"{second.run}/{second.step} at once"))


def check_schedule(problem: Problem, schedule: Schedule) -> CheckReport:
    """Every rule the problem states, checked against the schedule's datetimes."""
    problem, schedule = _normalised(problem, schedule)
    out: list[Violation] = []
    off: list[tuple[str, str]] = []
    done = schedule.by_key()
    for activity in problem.activities:
        got = done.get(activity.key)
        if got is None:
            out.append(Violation("missing", activity.run, activity.step,
                                 f"{activity.label} is not scheduled"))
            continue
        _check_one(problem, activity, got, out, off)
    for fixed in problem.fixed:
        got = done.get(fixed.key)
        if got is None or max(abs(got.start - fixed.start), abs(got.end - fixed.end)) > _EPS:
            out.append(Violation("fixed", fixed.run, fixed.step,
                                 f"{fixed.run}/{fixed.step} is done and may not move"))
    _check_lags(problem, done, out)
    _check_capacity(problem, schedule, out)
    _check_people(problem, schedule, out)
    return CheckReport(tuple(out), tuple(off))
