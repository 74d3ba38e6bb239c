"""A first schedule built run by run, to start the full CP-SAT search from.

With one worker and tight lags (a plate read the minute it leaves the incubator), CP-SAT's
own first solution for a busy week can be poor and slow to improve.  Planning the runs one
at a time — each an exact small CP-SAT solve around the equipment the earlier runs already
hold — gives a complete, feasible schedule in a fraction of a second per run; the full model
then receives it as a hint and improves on it.  Longer runs and higher priorities go first.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from elab.domain.schedule.calendar import Booking
from elab.domain.schedule.model import Activity, Demand, Problem, Resource, Schedule
from elab.errors import InfeasibleError

__all__ = ["serial_schedule", "with_people_as_resources"]


def with_people_as_resources(problem: Problem) -> Problem:
    """People become unary pseudo-equipment ``person:NAME`` booked by their hands-on steps."""
    people = {p.name for p in problem.calendar.people}
    if not people:
        return problem
    activities = []
    for a in problem.activities:
        person = problem.calendar.person_of(a.run)
        if a.hands_on and person is not None:
            a = replace(a, demands=(*a.demands, Demand(f"person:{person}")))
        activities.append(a)
    resources = (*problem.resources, *(Resource(f"person:{n}") for n in sorted(people)))
    return replace(problem, activities=tuple(activities), resources=resources,
                   calendar=replace(problem.calendar, people=()))


def _order(problem: Problem) -> list[str]:
    length: dict[str, int] = {}
    for a in problem.activities:
        length[a.run] = length.get(a.run, 0) + a.min_min
    return sorted(problem.runs, key=lambda r: (-problem.priority(r), -length[r], r))


def serial_schedule(problem: Problem, budget_s: float, workers: int = 1) -> Schedule | None:
    """Runs planned one after another around each other's bookings; None if that fails."""
    from elab.solve.schedule import SolveOptions, solve_schedule

    deadline = time.perf_counter() + budget_s
    flat = with_people_as_resources(problem)
    held: list[Booking] = list(flat.bookings)
    by_run: dict[str, list[Activity]] = {}
    for a in flat.activities:
        by_run.setdefault(a.run, []).append(a)
    assignments = []
    for run in _order(flat):
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        sub = replace(
            flat,
            activities=tuple(by_run[run]),
            bookings=tuple(held),
            fixed=tuple(f for f in flat.fixed if f.run == run),
            priorities=(),
        )
        options = SolveOptions(time_limit_s=min(left, 2.0), workers=workers, explain=False,
                               objective="makespan", warm_start=False)
        try:
            part = solve_schedule(sub, options)
        except InfeasibleError:
            return None
        demands = {a.key: a.demands for a in by_run[run]}
        for got in part.assignments:
            assignments.append(got)
            for d in demands[got.key]:
                held.append(_booking(d, got.start, got.end, run))
    return Schedule(tuple(assignments), planner="serial", status="FEASIBLE")


def _booking(d: Demand, start: datetime, end: datetime, run: str) -> Booking:
    return Booking(d.equipment, start, end, units=d.units, note=f"held by {run}")
