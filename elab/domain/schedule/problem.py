"""The week's planning problem: several runs sharing the lab's people, equipment and calendar.

Each run is one person's experiment: a run named for someone (on the command line or in the
calendar's ``people:``) is theirs, the rest are shared out by hands-on work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from elab.domain.schedule.calendar import LabCalendar
from elab.domain.schedule.expand import Expansion
from elab.domain.schedule.model import Problem, Resource

__all__ = ["merge_resources", "people_of_runs", "problem_from_expansions"]


def merge_resources(expansions: list[Expansion],
                    capacities: tuple[tuple[str, int], ...] = ()) -> tuple[Resource, ...]:
    """One resource per equipment name across runs; the calendar's capacity wins."""
    merged: dict[str, Resource] = {}
    for expansion in expansions:
        for resource in expansion.resources:
            known = merged.get(resource.name)
            if known is None or resource.capacity > known.capacity:
                merged[resource.name] = resource
    for name, capacity in capacities:
        title = merged[name].title if name in merged else ""
        merged[name] = Resource(name, capacity, title)
    return tuple(merged[n] for n in sorted(merged))


def people_of_runs(expansions: list[Expansion], calendar: LabCalendar,
                   named: Mapping[str, str] | None = None) -> dict[str, str]:
    """Who does each run: as named (``named``, then the calendar), the rest shared out.

    A run is one person's experiment; runs nobody was named for go, longest hands-on work
    first, to whoever has the least hands-on work so far.
    """
    people = [p.name for p in calendar.people]
    chosen = {run: p.name for p in calendar.people for run in p.runs}
    chosen.update(named or {})
    work = {e.run: sum(a.min_min for a in e.activities if a.in_lab_hours) for e in expansions}
    load = dict.fromkeys([*people, *chosen.values()], 0)
    for run, person in chosen.items():
        load[person] += work.get(run, 0)
    for run in sorted((r for r in work if r not in chosen), key=lambda r: -work[r]):
        person = min(people, key=lambda p: (load[p], people.index(p)))
        chosen[run] = person
        load[person] += work[run]
    return chosen


def problem_from_expansions(expansions: list[Expansion], calendar: LabCalendar,
                            start: datetime, horizon_days: int = 14,
                            priorities: tuple[tuple[str, int], ...] = (),
                            named: Mapping[str, str] | None = None) -> Problem:
    """The planning problem of several runs sharing the lab's people, equipment and calendar.

    Each run's lab hands-on work goes to its person (:func:`people_of_runs`).
    """
    person = people_of_runs(expansions, calendar, named)
    activities = tuple(replace(a, person=person[a.run]) if a.in_lab_hours else a
                       for e in expansions for a in e.activities)
    return Problem(activities, merge_resources(expansions, calendar.capacities), calendar,
                   start, horizon_days=horizon_days, priorities=priorities)
