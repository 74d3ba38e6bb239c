"""Long regimens as dated events: dosing, measuring and imaging on fixed days.

A xenograft study doses twice a day (BID) for weeks, gives paclitaxel weekly (QW), measures
tumours with calipers two or three times a week (BIW/TIW) and weighs the mice with them; a
clinical schedule repeats 28-day cycles with doses on days 1, 8 and 15 and images every 8
weeks.  Each event is due on a calendar day (weekends included: animals do not wait for
Monday) within a time-of-day window, so twice-daily doses stay hours apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from elab.domain.protocol.model import Regimen, Step
from elab.domain.schedule.model import Activity, Demand
from elab.errors import InputError
from elab.units import QRange

__all__ = ["FREQUENCIES", "DatedEvent", "activities_from_events", "at_clock_times",
           "events_from_cycles", "events_from_frequency", "regimen_events", "start_day"]

# Per frequency: days of each period that carry events, the period in days, and the
# time-of-day windows of the events on such a day.
_DAY = ((time(8), time(18)),)
_BID = ((time(7), time(12)), (time(14), time(19)))
_TID = ((time(7), time(10)), (time(11, 30), time(14, 30)), (time(16), time(19)))
# Work outside the lab (a patient's own doses, the animal facility's) keeps the clock: at
# 08:00, 14:00 and 20:00, up to an hour later.  A window that starts before the time would
# put every planned dose at its early edge (07:00 for "08:00").
_CLOCK = {1: ((time(8), time(9)),), 2: ((time(8), time(9)), (time(20), time(21))),
          3: ((time(8), time(9)), (time(14), time(15)), (time(20), time(21)))}
FREQUENCIES: dict[str, tuple[tuple[int, ...], int, tuple[tuple[time, time], ...]]] = {
    "QD": ((0,), 1, _DAY),
    "BID": ((0,), 1, _BID),
    "TID": ((0,), 1, _TID),
    "QOD": ((0,), 2, _DAY),
    "QW": ((0,), 7, _DAY),
    "BIW": ((0, 3), 7, _DAY),
    "TIW": ((0, 2, 4), 7, _DAY),
    "Q2W": ((0,), 14, _DAY),
    "Q3W": ((0,), 21, _DAY),
    "Q4W": ((0,), 28, _DAY),
    "Q8W": ((0,), 56, _DAY),
}


@dataclass(frozen=True)
class DatedEvent:
    """One occurrence: ``day`` counts from 0 (the regimen's first day), with a daily window."""

    day: int
    earliest: time
    latest: time
    number: int
    cycle: int | None = None
    cycle_day: int | None = None

    @property
    def label(self) -> str:
        if self.cycle is not None:
            return f"C{self.cycle}D{self.cycle_day}"
        return f"d{self.day + 1}#{self.number}"


def events_from_frequency(frequency: str, days: int, first_day: int = 0,
                          clock: bool = False) -> list[DatedEvent]:
    """Events of a frequency code (QD, BID, TID, QW, BIW, TIW, Q2W, Q8W...) over ``days`` days.

    ``clock``: the events keep the clock times outside the lab (BID at 08:00 and 20:00).
    """
    code = frequency.strip().upper().replace(" ", "")
    if code not in FREQUENCIES:
        known = ", ".join(FREQUENCIES)
        raise InputError(f"unknown dosing frequency {frequency!r} (known: {known})")
    offsets, period, windows = FREQUENCIES[code]
    if clock:
        windows = _CLOCK[len(windows)]
    if days < 1:
        raise InputError(f"a {code} regimen needs at least one day, not {days}")
    out: list[DatedEvent] = []
    for day in range(first_day, first_day + days):
        if (day - first_day) % period not in offsets:
            continue
        for a, b in windows:
            out.append(DatedEvent(day, a, b, len(out) + 1))
    return out


def events_from_cycles(days: Sequence[int], cycle_days: int, cycles: int,
                       clock: bool = False, first: int = 0) -> list[DatedEvent]:
    """Events on 1-based ``days`` of each ``cycle_days``-day cycle (days 1, 8, 15 of 28).

    ``first``: the cycles before the first event's (C3D1 and on, from day 56 of 28-day ones).
    """
    (earliest, latest), = _CLOCK[1] if clock else _DAY
    if cycle_days < 1 or cycles < 1:
        raise InputError("a cycle needs at least one day and one repetition")
    bad = [d for d in days if not 1 <= d <= cycle_days]
    if bad:
        raise InputError(f"day {bad[0]} lies outside a {cycle_days}-day cycle")
    out: list[DatedEvent] = []
    for cycle in range(first, first + cycles):
        for d in sorted(days):
            day = cycle * cycle_days + d - 1
            out.append(DatedEvent(day, earliest, latest, len(out) + 1, cycle + 1, d))
    return out


def activities_from_events(run: str, step: str, events: Sequence[DatedEvent], first_date: date,
                           zone: ZoneInfo, hands_on_min: int, demands: tuple[Demand, ...] = (),
                           title: str = "") -> list[Activity]:
    """One hands-on activity per event, pinned to its day's window in local time."""
    days = [first_date + timedelta(days=event.day) for event in events]
    return [Activity(run, f"{step}@{event.label}", hands_on_min, hands_on_min, True, demands,
                     title=f"{title or step} ({event.label}, {day:%a %d %b})",
                     release=datetime.combine(day, event.earliest, zone),
                     deadline=datetime.combine(day, event.latest, zone))
            for event, day in zip(events, days, strict=True)]


def at_clock_times(events: list[DatedEvent], at: list[str]) -> list[DatedEvent]:
    """The k-th dose of a day at the regimen's k-th ``at:`` time, up to an hour later.

    "BID" alone is any two windows of a day; ``at: ["08:00", "20:00"]`` keeps the doses
    about 12 h apart, as twice-daily dosing means.  The window opens at the time given, so
    a plan says 08:00 where the protocol says 08:00 (a planner takes a window's first
    minute it can).
    """
    if not at:
        return events
    clocks = sorted(int(t.split(":")[0]) * 60 + int(t.split(":")[1]) for t in at)
    seen: dict[int, int] = {}
    out = []
    for event in events:
        k = seen.get(event.day, 0)
        seen[event.day] = k + 1
        if k < len(clocks):
            lo, hi = clocks[k], min(clocks[k] + 60, 23 * 60 + 59)
            event = replace(event, earliest=time(lo // 60, lo % 60), latest=time(hi // 60, hi % 60))
        out.append(event)
    return out


def _days(value: QRange | None, what: str) -> int:
    lo = 0 if value is None else round(value.seconds()[0] / 60)
    if lo <= 0:
        raise InputError(f"{what} needs a length in days")
    return max(1, math.ceil(lo / 1440))


def start_day(regimen: Regimen, what: str) -> int:
    """Days from the regimen's day 0 to its first event (``start: 8 wk`` is 56)."""
    return 0 if regimen.start is None else _days(regimen.start, what)


def regimen_events(step: Step, regimen: Regimen) -> list[DatedEvent]:
    """The dated events of a protocol step's regimen, at its ``at:`` clock times."""
    return at_clock_times(_frequency_events(step, regimen), regimen.at or [])


def _frequency_events(step: Step, regimen: Regimen) -> list[DatedEvent]:
    # A patient's or a facility's doses follow the clock (BID about 08:00 and 20:00), not
    # the lab's working hours.
    clock, what = step.by != "lab", f"step {step.id!r} regimen"
    if regimen.days or (regimen.frequency and regimen.on is not None and regimen.cycle):
        return _cycle_events(regimen, what, clock)
    if regimen.frequency:  # "twice daily through 6 cycles of 28 days": no for:, the cycles
        length = (_days(regimen.cycle, what) * (regimen.cycles or 1)
                  if regimen.for_ is None and regimen.cycle is not None
                  else _days(regimen.for_, what))
        return events_from_frequency(regimen.frequency, length, start_day(regimen, what), clock)
    raise InputError(f"step {step.id!r}: a regimen needs a frequency or days of a cycle")


def _cycle_events(regimen: Regimen, what: str, clock: bool) -> list[DatedEvent]:
    """Events on days of the study's cycles, from cycle 1 day 1 (day 0); ``start:`` skips
    whole cycles (an infusion from cycle 3) and the labels keep the study's cycle numbers:
    part of a cycle would put "day 1" on another cycle day (refused; the checks locate it)."""
    if regimen.cycle is None:
        raise InputError(f"{what}: a regimen with days needs a cycle length")
    cycle = _days(regimen.cycle, what)
    first, part = divmod(start_day(regimen, what), cycle)
    if part:
        raise InputError(f"{what}: start skips whole {cycle}-day cycles, not {part} d of one")
    if regimen.days:  # days 1, 8 and 15 of each 28-day cycle
        return events_from_cycles(regimen.days, cycle, regimen.cycles or 1, clock, first)
    # "twice daily on days 1-21 of each 28-day cycle": doses only on the on-days
    on = min(_days(regimen.on, what), cycle)
    return [event for c in range(first, first + (regimen.cycles or 1))
            for event in events_from_frequency(regimen.frequency or "", on, c * cycle, clock)]
