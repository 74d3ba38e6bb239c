"""A schedule as an iCalendar file that phones and calendar programs import.

One event per hands-on step (who does what, when: the summary starts with the person) and
one per equipment booking or timed passive step (the incubator shelf, the overnight
antibody), each with the calendar's TZID and a VTIMEZONE; passive steps carry an alarm at
their end, where the bench timer would ring.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from elab.domain.schedule.model import Activity, Assignment, Problem, Schedule

if TYPE_CHECKING:
    from icalendar import Event

__all__ = ["ics_from_schedule"]


def _uid(a: Assignment, kind: str) -> str:
    digest = hashlib.sha256(f"{a.run}|{a.step}|{kind}|{a.start.isoformat()}".encode())
    return f"{digest.hexdigest()[:24]}@elab"


def _event(
    a: Assignment, activity: Activity, kind: str, zone_name: str, stamp: datetime
) -> Event:
    from zoneinfo import ZoneInfo

    from icalendar import Alarm, Event

    zone = ZoneInfo(zone_name)
    event = Event()
    title = activity.title or activity.step
    equipment = ", ".join(d.equipment for d in activity.demands)
    who = activity.who
    if kind == "hands-on":
        summary = f"{who}: {a.run}: {title}" if who else f"{a.run}: {title}"
    elif equipment:
        summary = f"{equipment} booked: {a.run} {title}"
    else:
        summary = f"timer: {a.run} {title}"
    event.add("uid", _uid(a, kind))
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", a.start.astimezone(zone))
    event.add("dtend", a.end.astimezone(zone))
    event.add("categories", [kind])
    description = f"run {a.run}, step {a.step}" + (f"; done by {who}" if who else "")
    if equipment:
        description += f"; equipment: {equipment}"
        event.add("location", equipment)
    event.add("description", description)
    if kind != "hands-on" and activity.timer:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{a.run}: {title} is done")
        alarm.add("trigger", timedelta(0), parameters={"RELATED": "END"})
        event.add_component(alarm)
    return event


def ics_from_schedule(problem: Problem, schedule: Schedule, now: datetime | None = None) -> bytes:
    """The schedule as iCalendar bytes (RFC 5545) in the lab calendar's time zone."""
    from icalendar import Calendar

    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//elab//schedule//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", problem.calendar.timezone)
    activities = problem.activity_map()
    for a in sorted(schedule.assignments, key=lambda x: (x.start, x.run, x.step)):
        activity = activities.get(a.key)
        if activity is None:
            continue
        if activity.hands_on:
            cal.add_component(_event(a, activity, "hands-on", problem.calendar.timezone, stamp))
        elif activity.demands or activity.timer:
            kind = "booking" if activity.demands else "timer"
            cal.add_component(_event(a, activity, kind, problem.calendar.timezone, stamp))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
