"""The scheduling vocabulary: activities, equipment, bookings, problems and schedules.

Everything here is a frozen value.  Durations and lags are whole minutes, because that is the
finest grain a bench person plans in and the solver works in integers; instants are
timezone-aware datetimes, because a plan is read on a wall clock.  The conversion between the
two lives in :mod:`elab.domain.schedule.compiled`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from elab.domain.schedule.calendar import Booking, LabCalendar, RecurringBooking
from elab.errors import InputError

__all__ = ["Activity", "Assignment", "Demand", "Lag", "Problem", "Resource", "Schedule"]


@dataclass(frozen=True)
class Demand:
    """A piece of equipment an activity books, and how many of its units (shelves, slots)."""

    equipment: str
    units: int = 1

    def __post_init__(self) -> None:
        if self.units < 1:
            raise InputError(f"a booking of {self.equipment!r} needs at least 1 unit")


@dataclass(frozen=True)
class Lag:
    """A predecessor in the same run and the allowed gap from its end to this start.

    ``max_min=None`` means any time later; ``max_min=5`` is "start within 5 min after".
    """

    step: str
    min_min: int = 0
    max_min: int | None = None

    def __post_init__(self) -> None:
        if self.max_min is not None and self.max_min < self.min_min:
            raise InputError(
                f"the window after {self.step!r} ends ({self.max_min} min) before it "
                f"starts ({self.min_min} min)"
            )


@dataclass(frozen=True)
class Activity:
    """One schedulable piece of a run: a hands-on step or a passive one (an incubation).

    Hands-on activities need a person and must lie inside one working-hours interval; passive
    ones may span the night.  ``release``/``deadline`` pin dated events (a dose on day 8)
    to a window of wall-clock time.  ``timer`` marks a passive activity whose end someone must
    be told about (an alarm in the .ics).  ``anytime`` marks hands-on work whose time the
    biology sets (a time-lapse shot, a dose): planned in working hours when it can be, out of
    hours when it must, and then reported as required off-hours work rather than an error.
    ``person`` is who does the hands-on work (one step at a time); ``by`` is ``patient`` or
    ``facility`` for work done outside the lab (a dose taken at home), which follows its own
    clock and takes nobody's working hours.
    """

    run: str
    step: str
    min_min: int
    max_min: int
    hands_on: bool
    demands: tuple[Demand, ...] = ()
    after: tuple[Lag, ...] = ()
    title: str = ""
    release: datetime | None = None
    deadline: datetime | None = None
    timer: bool = False
    anytime: bool = False
    person: str | None = None
    by: str = "lab"

    def __post_init__(self) -> None:
        where = f"run {self.run!r} step {self.step!r}"
        if self.min_min < 0 or self.max_min < self.min_min:
            raise InputError(
                f"{where}: duration {self.min_min}-{self.max_min} min is not a range"
            )
        if self.hands_on and self.min_min == 0 and self.max_min == 0:
            raise InputError(f"{where}: a hands-on step needs a duration")
        for instant in (self.release, self.deadline):
            if instant is not None and instant.tzinfo is None:
                raise InputError(f"{where}: release and deadline need a time zone")

    @property
    def key(self) -> tuple[str, str]:
        return (self.run, self.step)

    @property
    def label(self) -> str:
        return f"{self.run}/{self.step}"

    @property
    def who(self) -> str | None:
        """Who does the work: its person, ``patient`` or ``facility``; None when passive."""
        if not self.hands_on:
            return None
        return self.person if self.by == "lab" else self.by

    @property
    def in_lab_hours(self) -> bool:
        """Hands-on work of the lab's people, held to (or priced outside) working hours."""
        return self.hands_on and self.by == "lab"


@dataclass(frozen=True)
class Resource:
    """A piece of shared equipment; ``capacity == 1`` makes it unary (one step at a time)."""

    name: str
    capacity: int = 1
    title: str = ""

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise InputError(f"equipment {self.name!r} needs a capacity of at least 1")


@dataclass(frozen=True)
class Assignment:
    """When one activity happens."""

    run: str
    step: str
    start: datetime
    end: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.run, self.step)


@dataclass(frozen=True)
class Problem:
    """Everything a planner needs: the activities and the world they must fit into.

    ``fixed`` holds assignments that may not move (steps already done when replanning).
    ``priorities`` weighs a run's finish time in the objective (default 1).
    """

    activities: tuple[Activity, ...]
    resources: tuple[Resource, ...]
    calendar: LabCalendar
    start: datetime
    horizon_days: int = 14
    bookings: tuple[Booking, ...] = ()
    recurring: tuple[RecurringBooking, ...] = ()
    fixed: tuple[Assignment, ...] = ()
    priorities: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise InputError("the plan start needs a time zone")

    @property
    def runs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for activity in self.activities:
            seen.setdefault(activity.run, None)
        return tuple(seen)

    def bookings_over(self, first: date, last: date) -> list[Booking]:
        """The one-off bookings, and the weekly ones made on the days ``first`` to ``last``."""
        held = list(self.calendar.bookings + self.bookings)
        weekly = self.calendar.recurring + self.recurring
        day = first
        while day <= last:
            held += [r.on(day, self.calendar.zone) for r in weekly if r.weekday == day.weekday()]
            day += timedelta(days=1)
        return held

    def priority(self, run: str) -> int:
        return dict(self.priorities).get(run, 1)

    def resource_map(self) -> dict[str, Resource]:
        return {r.name: r for r in self.resources}

    def activity_map(self) -> dict[tuple[str, str], Activity]:
        return {a.key: a for a in self.activities}


@dataclass(frozen=True)
class Schedule:
    """Assignments for every activity, plus what the planner knows about their quality."""

    assignments: tuple[Assignment, ...]
    planner: str = ""
    status: str = ""
    objective: float | None = None
    bound: float | None = None
    stats: Mapping[str, float] = field(default_factory=dict)

    def by_key(self) -> dict[tuple[str, str], Assignment]:
        return {a.key: a for a in self.assignments}

    def makespan_h(self, start: datetime) -> float:
        """Hours from the plan start to the end of the last activity."""
        if not self.assignments:
            return 0.0
        last = max(a.end.astimezone(UTC) for a in self.assignments)
        return (last - start.astimezone(UTC)).total_seconds() / 3600
