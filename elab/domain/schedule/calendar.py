"""The lab calendar: when people work, where, who does which runs, what is already booked.

A calendar file is YAML (read with ruamel.yaml)::

    timezone: Europe/Berlin
    hours:                       # days not listed are closed; no `hours` key = Mon-Fri 09-17
      mon: 09:00-17:00
      tue: [08:00-12:00, 13:00-17:00]
      sat: closed
    holidays: [2026-12-24, 2026-12-25]
    people:
      alice: {runs: [western-blot-1, transwell-1]}
    equipment:
      co2_incubator: {capacity: 4}
    bookings:
      - {equipment: plate_reader, start: 2026-11-27 09:00, end: 2026-11-27 12:00, note: core}
    recurring:
      - {equipment: hood, weekday: mon, time: 08:00-09:00, note: cleaning}

Without a file the lab works Monday to Friday, 09:00-17:00, in the machine's time zone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from elab.errors import InputError

__all__ = [
    "WEEKDAYS",
    "Booking",
    "LabCalendar",
    "Person",
    "RecurringBooking",
    "calendar_from_mapping",
    "default_calendar",
    "load_calendar",
    "local_zone_name",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*(?:-|–|to)\s*(\d{1,2}):(\d{2})\s*$")

Span = tuple[time, time]


@dataclass(frozen=True)
class Person:
    """Someone who does hands-on work; their runs' hands-on steps never overlap."""

    name: str
    runs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Booking:
    """A fixed booking of equipment someone else holds; ``units=None`` takes all of it."""

    equipment: str
    start: datetime
    end: datetime
    units: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InputError(f"the booking of {self.equipment!r} needs a time zone")
        if self.end <= self.start:
            raise InputError(f"the booking of {self.equipment!r} ends before it starts")


@dataclass(frozen=True)
class RecurringBooking:
    """A weekly booking (``weekday`` 0 = Monday) in the calendar's local time."""

    equipment: str
    weekday: int
    start: time
    end: time
    units: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InputError(f"weekday {self.weekday} is not 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise InputError(f"the weekly booking of {self.equipment!r} ends before it starts")


def local_zone_name() -> str:
    """The machine's IANA time zone name (TZ, then /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


_DEFAULT_DAY: tuple[Span, ...] = ((time(9), time(17)),)


@dataclass(frozen=True)
class LabCalendar:
    """Working hours per weekday (Monday first), holidays, time zone, people, bookings."""

    timezone: str = "UTC"
    hours: tuple[tuple[Span, ...], ...] = (_DEFAULT_DAY,) * 5 + ((), ())
    holidays: frozenset[date] = frozenset()
    people: tuple[Person, ...] = ()
    capacities: tuple[tuple[str, int], ...] = ()
    bookings: tuple[Booking, ...] = ()
    recurring: tuple[RecurringBooking, ...] = ()
    source: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"unknown time zone {self.timezone!r}") from exc
        if len(self.hours) != 7:
            raise InputError("working hours need one entry per weekday")
        if not any(self.hours):
            where = f"{self.source}: " if self.source else ""
            raise InputError(f"{where}the calendar has no working hours on any weekday")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The working spans of a date (empty on holidays and closed weekdays)."""
        if day in self.holidays:
            return ()
        return self.hours[day.weekday()]

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a date as aware local datetimes."""
        zone = self.zone
        return [
            (datetime.combine(day, a, zone), datetime.combine(day, b, zone))
            for a, b in self.spans_on(day)
        ]

    def longest_span_min(self) -> int:
        """The longest single working interval of the week, in minutes."""
        return max(
            (_minutes(b) - _minutes(a) for spans in self.hours for a, b in spans), default=0
        )

    def describe_hours(self) -> str:
        """Working hours in a few words, e.g. ``Mon-Fri 09:00-17:00``."""
        groups: list[tuple[list[str], tuple[Span, ...]]] = []
        for name, spans in zip(WEEKDAYS, self.hours, strict=True):
            if groups and groups[-1][1] == spans:
                groups[-1][0].append(name)
            else:
                groups.append(([name], spans))
        parts = []
        for names, spans in groups:
            if not spans:
                continue
            days = names[0].title()
            if len(names) > 1:
                days = f"{days}-{names[-1].title()}"
            parts.append(f"{days} " + ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans))
        return "; ".join(parts)

    def capacity_of(self, equipment: str) -> int | None:
        return dict(self.capacities).get(equipment)

    def person_of(self, run: str) -> str | None:
        for person in self.people:
            if run in person.runs:
                return person.name
        return None


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def default_calendar(timezone: str | None = None) -> LabCalendar:
    """Monday to Friday 09:00-17:00 in the given (default: the machine's) time zone."""
    return LabCalendar(timezone=timezone or local_zone_name())


def _span(text: object, where: str) -> Span:
    match = _SPAN_RE.match(str(text))
    if not match:
        raise InputError(f"{where}: {text!r} is not a span like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    try:
        a, b = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise InputError(f"{where}: {text!r} is not a time of day") from exc
    if b <= a:
        raise InputError(f"{where}: {text!r} ends before it starts")
    return (a, b)


def _weekday(text: object, where: str) -> int:
    key = str(text).strip().lower()[:3]
    if key not in WEEKDAYS:
        raise InputError(f"{where}: {text!r} is not a weekday (mon..sun)")
    return WEEKDAYS.index(key)


def _hours(raw: object, where: str) -> tuple[tuple[Span, ...], ...]:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: hours must map weekdays to spans such as 09:00-17:00")
    days: list[tuple[Span, ...]] = [()] * 7
    for key, value in raw.items():
        index = _weekday(key, where)
        if value is None or value is False or str(value).strip().lower() == "closed":
            continue
        items = value if isinstance(value, list) else [value]
        spans = tuple(sorted(_span(item, f"{where} {key}") for item in items))
        days[index] = spans
    return tuple(days)


def _datetime(raw: object, zone: ZoneInfo, where: str) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise InputError(f"{where}: {raw!r} is not a date and time (2026-11-27 09:00)") from exc
    return value if value.tzinfo else value.replace(tzinfo=zone)


def calendar_from_mapping(data: Mapping[str, Any], source: str = "calendar") -> LabCalendar:
    """A calendar from already-parsed YAML; errors name the file and the key."""
    known = {"timezone", "hours", "holidays", "people", "equipment", "bookings", "recurring"}
    unknown = sorted(set(data) - known)
    if unknown:
        names = ", ".join(sorted(known))
        raise InputError(f"{source}: unknown key {unknown[0]!r} (known: {names})")
    zone_name = str(data.get("timezone") or local_zone_name())
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"{source}: unknown time zone {zone_name!r}") from exc
    hours = _hours(data["hours"], f"{source}: hours") if "hours" in data else LabCalendar.hours
    holidays = set()
    for item in data.get("holidays") or []:
        try:
            holidays.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError as exc:
            raise InputError(f"{source}: holiday {item!r} is not a date (2026-12-25)") from exc
    people = tuple(
        Person(str(name), tuple(str(r) for r in (spec or {}).get("runs", [])))
        for name, spec in (data.get("people") or {}).items()
    )
    capacities = tuple(
        (str(name), int((spec or {}).get("capacity", 1)))
        for name, spec in (data.get("equipment") or {}).items()
    )
    bookings = tuple(
        Booking(
            equipment=str(item["equipment"]),
            start=_datetime(item["start"], zone, f"{source}: bookings"),
            end=_datetime(item["end"], zone, f"{source}: bookings"),
            units=int(item["units"]) if item.get("units") is not None else None,
            note=str(item.get("note", "")),
        )
        for item in data.get("bookings") or []
    )
    recurring = []
    for item in data.get("recurring") or []:
        a, b = _span(item["time"], f"{source}: recurring")
        recurring.append(
            RecurringBooking(
                equipment=str(item["equipment"]),
                weekday=_weekday(item["weekday"], f"{source}: recurring"),
                start=a,
                end=b,
                units=int(item["units"]) if item.get("units") is not None else None,
                note=str(item.get("note", "")),
            )
        )
    return LabCalendar(
        timezone=zone_name,
        hours=hours,
        holidays=frozenset(holidays),
        people=people,
        capacities=capacities,
        bookings=bookings,
        recurring=tuple(recurring),
        source=source,
    )


def load_calendar(path: str | Path) -> LabCalendar:
    """Read a calendar YAML file (see the module docstring for the format)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = Path(path)
    yaml = YAML(typ="safe")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc.__class__.__name__})") from exc
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: a calendar file is a mapping of keys (timezone, hours, ...)")
    try:
        return calendar_from_mapping(data, str(path))
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: an entry lacks the key {exc}") from exc


def dates_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
