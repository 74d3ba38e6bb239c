"""Minutes from the plan start <-> wall-clock datetimes, and the working windows in minutes.

Planners work in integer minutes from the plan start; people read local datetimes.  Adding
minutes goes through UTC so that a plan across a daylight-saving change keeps real durations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from elab.domain.schedule.model import Problem

__all__ = ["TimeGrid", "grid_from_problem", "in_one_window"]

DAY = 1440


@dataclass(frozen=True)
class TimeGrid:
    """The plan's clock: minute 0 is ``start``; ``horizon`` minutes are plannable."""

    start: datetime
    horizon: int
    windows: tuple[tuple[int, int], ...]

    def minute_from(self, instant: datetime) -> int:
        """Whole minutes from the plan start (rounded down)."""
        seconds = (instant.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds()
        return math.floor(seconds / 60)

    def minute_ceil(self, instant: datetime) -> int:
        seconds = (instant.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds()
        return math.ceil(seconds / 60)

    def datetime_from(self, minute: int) -> datetime:
        """The local datetime ``minute`` minutes after the plan start."""
        zone = self.start.tzinfo
        return (self.start.astimezone(UTC) + timedelta(minutes=minute)).astimezone(zone)

    def day_ends(self) -> list[int]:
        """The minutes at which the plan's local days end (midnight), within the horizon."""
        zone = self.start.tzinfo
        out: list[int] = []
        day = self.start.date()
        while True:
            day += timedelta(days=1)
            minute = self.minute_from(datetime.combine(day, time(0), zone))
            if minute > self.horizon:
                return out
            out.append(minute)

    def windows_within(self, low: int, high: int) -> list[tuple[int, int]]:
        """Working windows clipped to ``[low, high]`` (non-empty ones only)."""
        out = []
        for a, b in self.windows:
            a2, b2 = max(a, low), min(b, high)
            if b2 > a2:
                out.append((a2, b2))
        return out


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
    for offset in range(-1, days + 2):
        day = start.date() + timedelta(days=offset)
        for a, b in calendar.intervals_on(day):
            lo, hi = max(probe.minute_ceil(a), 0), min(probe.minute_from(b), horizon)
            if hi > lo:
                windows.append((lo, hi))
    return TimeGrid(start, horizon, tuple(sorted(windows)))
