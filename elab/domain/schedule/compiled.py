"""A problem checked for bad input and translated into minutes for the planners.

Planners work in integer minutes from the plan start; people read local datetimes.  Adding
minutes goes through UTC so that a plan across a daylight-saving change keeps real durations.
The greedy planner and the CP-SAT model both start from this; the independent checker does
not (it reads the problem's datetimes itself).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from graphlib import CycleError, TopologicalSorter

from elab.domain.schedule.model import Activity, Problem
from elab.errors import InputError, did_you_mean

__all__ = ["Compiled", "FixedUse", "TimeGrid", "compile_problem", "grid_from_problem",
           "in_one_window", "topological"]


DAY = 1440


@dataclass(frozen=True)
class TimeGrid:
    """The plan's clock: minute 0 is ``start``; ``horizon`` minutes are plannable.

    ``windows`` are the working hours; ``daytime`` the hours out-of-hours work the biology
    times may take when it can (:meth:`.LabCalendar.daytime_on`).
    """

    start: datetime
    horizon: int
    windows: tuple[tuple[int, int], ...]
    daytime: tuple[tuple[int, int], ...] = ()

    def minute_from(self, instant: datetime, up: bool = False) -> int:
        """Whole minutes from the plan start, rounded down (or ``up``)."""
        seconds = (instant.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds()
        return math.ceil(seconds / 60) if up else math.floor(seconds / 60)

    def datetime_from(self, minute: int) -> datetime:
        """The local datetime ``minute`` minutes after the plan start."""
        zone = self.start.tzinfo
        return (self.start.astimezone(UTC) + timedelta(minutes=minute)).astimezone(zone)


def in_one_window(windows: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end]`` lies inside one of the windows (a step done in hours)."""
    return any(low <= start and end <= high for low, high in windows)


def grid_from_problem(problem: Problem, horizon_days: int | None = None) -> TimeGrid:
    """The grid of a problem: its start in the calendar's zone and its working windows."""
    calendar = problem.calendar
    start = problem.start.astimezone(calendar.zone)
    days = horizon_days if horizon_days is not None else problem.horizon_days
    horizon = days * DAY
    probe = TimeGrid(start, horizon, ())
    windows: list[tuple[int, int]] = []
    daytime: list[tuple[int, int]] = []
    for offset in range(-1, days + 2):
        day = start.date() + timedelta(days=offset)
        for into, (a, b) in [*((windows, ab) for ab in calendar.intervals_on(day)),
                             (daytime, calendar.daytime_on(day))]:
            lo, hi = max(probe.minute_from(a, up=True), 0), min(probe.minute_from(b), horizon)
            if hi > lo:
                into.append((lo, hi))
    return TimeGrid(start, horizon, tuple(sorted(windows)), tuple(daytime))


@dataclass(frozen=True)
class FixedUse:
    """Equipment held by someone else from ``start`` to ``end`` (minutes)."""

    equipment: str
    start: int
    end: int
    units: int
    note: str


@dataclass(frozen=True)
class Compiled:
    """The problem in minutes: per activity its release, deadline and working windows."""

    problem: Problem
    grid: TimeGrid
    activities: tuple[Activity, ...]
    index: dict[tuple[str, str], int]
    release: tuple[int, ...]
    deadline: tuple[int, ...]
    windows: tuple[tuple[tuple[int, int], ...] | None, ...]  # None: no hours constraint
    fixed: dict[int, tuple[int, int]]
    capacity: dict[str, int]
    fixed_uses: tuple[FixedUse, ...]
    order: tuple[int, ...]

    @property
    def horizon(self) -> int:
        return self.grid.horizon


def topological(activities: tuple[Activity, ...]) -> tuple[int, ...]:
    """Indices in an order where every predecessor comes first; cycles are input errors."""
    index = {a.key: i for i, a in enumerate(activities)}
    sorter = TopologicalSorter(dict.fromkeys(range(len(activities)), ()))  # in index order
    for i, a in enumerate(activities):
        sorter.add(i, *(index[(a.run, lag.step)] for lag in a.after))
    try:
        return tuple(sorter.static_order())
    except CycleError as exc:
        run = activities[exc.args[1][0]].run
        raise InputError(f"the steps of run {run!r} depend on each other in a circle") from exc


def _validate(problem: Problem) -> None:
    resources = problem.resource_map()
    keys = {a.key for a in problem.activities}
    if len(keys) != len(problem.activities):
        raise InputError("two activities share a run and step name")
    longest = problem.calendar.longest_span_min()
    for a in problem.activities:
        for d in a.demands:
            if d.equipment not in resources:
                hint = did_you_mean(d.equipment, resources)
                raise InputError(
                    f"step {a.step!r} of run {a.run!r} books unknown equipment "
                    f"{d.equipment!r}" + (f" (did you mean {hint}?)" if hint else "")
                )
            if d.units > resources[d.equipment].capacity:
                raise InputError(
                    f"step {a.step!r} of run {a.run!r} needs {d.units} units of "
                    f"{d.equipment!r}, which has {resources[d.equipment].capacity}"
                )
        for lag in a.after:
            if (a.run, lag.step) not in keys:
                raise InputError(
                    f"step {a.step!r} of run {a.run!r} follows unknown step {lag.step!r}"
                )
        if a.in_lab_hours and a.min_min > longest and not (a.release and a.deadline) \
                and not a.anytime:
            raise InputError(
                f"hands-on step {a.step!r} of run {a.run!r} takes at least {a.min_min} min, "
                f"longer than any working day ({longest} min)"
            )
    first = problem.start.date()  # any seven days hold each weekly booking
    for name in [b.equipment for b in problem.bookings_over(first, first + timedelta(days=6))]:
        if name not in resources:
            hint = did_you_mean(name, resources)
            raise InputError(
                f"a booking names unknown equipment {name!r}"
                + (f" (did you mean {hint}?)" if hint else "")
            )


def _fixed_uses(problem: Problem, grid: TimeGrid, capacity: dict[str, int]) -> list[FixedUse]:
    first = grid.start.date()
    last = first + timedelta(days=grid.horizon // DAY + 1)
    uses: list[FixedUse] = []
    for b in problem.bookings_over(first - timedelta(days=1), last):
        lo = max(grid.minute_from(b.start), 0)
        hi = min(grid.minute_from(b.end, up=True), grid.horizon)
        if hi > lo:
            uses.append(FixedUse(b.equipment, lo, hi, b.units or capacity[b.equipment],
                                 b.note or "booked"))
    return uses


AFTER_DATED_DAYS = 7  # the plan reaches this far past its last dated event


def compile_problem(problem: Problem) -> Compiled:
    """Validate the problem and express it in minutes from its start."""
    _validate(problem)
    activities = problem.activities
    days = problem.horizon_days
    for a in activities:
        if a.deadline is not None:
            # room after the last dated event for what follows it (an endpoint after a
            # Friday's last dose waits for Monday)
            span = (a.deadline - problem.start).total_seconds() / 86400
            days = max(days, math.ceil(span) + AFTER_DATED_DAYS)
    grid = grid_from_problem(problem, days)
    index = {a.key: i for i, a in enumerate(activities)}
    release: list[int] = []
    deadline: list[int] = []
    windows: list[tuple[tuple[int, int], ...] | None] = []
    for a in activities:
        lo = max(grid.minute_from(a.release, up=True), 0) if a.release else 0
        hi = min(grid.minute_from(a.deadline), grid.horizon) if a.deadline else grid.horizon
        release.append(lo)
        deadline.append(hi)
        if not a.in_lab_hours:
            windows.append(None)
            continue
        clipped = ((max(s, lo), min(e, hi)) for s, e in grid.windows)
        usable = tuple((s, e) for s, e in clipped if e - s >= max(a.min_min, 1))
        # A dated event whose window holds no working hours (a Saturday dose) is done anyway.
        windows.append(usable if usable or not (a.release and a.deadline) else None)
    fixed = {}
    for f in problem.fixed:
        if f.key not in index:
            raise InputError(f"the finished step {f.step!r} of run {f.run!r} is not in the plan")
        fixed[index[f.key]] = (grid.minute_from(f.start), grid.minute_from(f.end))
    capacity = {r.name: r.capacity for r in problem.resources}
    return Compiled(problem, grid, activities, index, tuple(release), tuple(deadline),
                    tuple(windows), fixed, capacity,
                    tuple(_fixed_uses(problem, grid, capacity)), topological(activities))
