"""The lab calendar: when people work, who does which runs, what is already booked.

:class:`CalendarFile` is the YAML file's pydantic model (an example in docs/scheduling.md,
the JSON Schema from ``elab schema --calendar``); :class:`LabCalendar` is the value planners
read.  Without a file the lab is one person, the operator, working Monday to Friday,
09:00-17:00, in the machine's time zone (the services read it).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from elab.errors import InputError

__all__ = ["DAYTIME", "WEEKDAYS", "Booking", "BookingSpec", "CalendarFile", "EquipmentSpec",
           "LabCalendar", "Person", "PersonSpec", "RecurringBooking", "RecurringSpec",
           "calendar_from_file", "calendar_json_schema", "default_calendar", "load_calendar",
           "people_from"]

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

    def on(self, day: date, zone: ZoneInfo) -> Booking:
        """The booking it makes on ``day`` (a date of its weekday)."""
        return Booking(self.equipment, datetime.combine(day, self.start, zone),
                       datetime.combine(day, self.end, zone), self.units,
                       self.note or "weekly booking")


_DEFAULT_DAY: tuple[Span, ...] = ((time(9), time(17)),)
DAYTIME: Span = (time(8), time(20))  # when work the biology times may fall out of hours


@dataclass(frozen=True)
class LabCalendar:
    """Working hours per weekday (Monday first), holidays, time zone, people, bookings."""

    timezone: str = "UTC"
    hours: tuple[tuple[Span, ...], ...] = (_DEFAULT_DAY,) * 5 + ((), ())
    holidays: frozenset[date] = frozenset()
    people: tuple[Person, ...] = (Person("operator"),)
    capacities: tuple[tuple[str, int], ...] = ()
    bookings: tuple[Booking, ...] = ()
    recurring: tuple[RecurringBooking, ...] = ()
    source: str = ""

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

    def daytime_on(self, day: date) -> tuple[datetime, datetime]:
        """08:00-20:00, or the day's working hours where they reach further (holidays too).

        Out-of-hours work that the biology times (a caliper shot) falls here when it can:
        tumours are measured on a Saturday morning if they must be, never at midnight.
        """
        spans = [DAYTIME, *self.hours[day.weekday()]]
        return (datetime.combine(day, min(a for a, _ in spans), self.zone),
                datetime.combine(day, max(b for _, b in spans), self.zone))

    def longest_span_min(self) -> int:
        """The longest single working interval of the week, in minutes."""
        return max(
            (_minutes(b) - _minutes(a) for spans in self.hours for a, b in spans), default=0
        )

    def describe_hours(self) -> str:
        """Working hours in a few words, e.g. ``Mon-Fri 09:00-17:00``."""
        parts = []
        for spans, same in itertools.groupby(zip(WEEKDAYS, self.hours, strict=True),
                                             key=lambda day: day[1]):
            names = [name.title() for name, _ in same]
            days = names[0] if len(names) == 1 else f"{names[0]}-{names[-1]}"
            if spans:
                parts.append(f"{days} " + ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans))
        return "; ".join(parts)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def default_calendar(timezone: str = "UTC") -> LabCalendar:
    """One operator, Monday to Friday 09:00-17:00, in the given time zone."""
    return LabCalendar(timezone=timezone)


def _span(text: object) -> Span:
    match = _SPAN_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a span like 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    try:
        a, b = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a time of day") from exc
    if b <= a:
        raise ValueError(f"{text!r} ends before it starts")
    return (a, b)


def _weekday(text: object) -> int:
    key = str(text).strip().lower()[:3]
    if key not in WEEKDAYS:
        raise ValueError(f"{text!r} is not a weekday (mon..sun)")
    return WEEKDAYS.index(key)


def _spans(value: object) -> tuple[Span, ...]:
    if value is None or value is False or str(value).strip().lower() == "closed":
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(sorted(_span(item) for item in items))


SpanText = Annotated[str, AfterValidator(lambda v: (_span(v), v)[1])]
WeekdayText = Annotated[str, AfterValidator(lambda v: (_weekday(v), v)[1])]
DaySpans = Annotated[str | list[str] | None, AfterValidator(lambda v: (_spans(v), v)[1])]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonSpec(_Spec):
    """Who does which runs (their hands-on steps never overlap)."""

    runs: list[str] = Field(default_factory=list)


class EquipmentSpec(_Spec):
    capacity: int = Field(1, ge=1, description="units (shelves, slots) held at once")


class BookingSpec(_Spec):
    equipment: str
    start: datetime
    end: datetime
    units: int | None = Field(None, ge=1)
    note: str = ""


class RecurringSpec(_Spec):
    equipment: str
    weekday: WeekdayText
    time: SpanText
    units: int | None = Field(None, ge=1)
    note: str = ""


class CalendarFile(_Spec):
    """A lab calendar file, as written (``elab schema --calendar`` prints its JSON Schema)."""

    timezone: ZoneInfo | None = Field(None, description="IANA name; default the machine's")
    hours: dict[WeekdayText, DaySpans] | None = Field(
        None, description="weekday -> spans such as 09:00-17:00, or closed; "
        "days not listed are closed; no key: Mon-Fri 09:00-17:00")
    holidays: list[date] = Field(default_factory=list)
    people: int | list[str] | dict[str, PersonSpec | None] | None = Field(
        None, description="how many people, their names, or names with their runs; "
        "default one person, the operator")
    equipment: dict[str, EquipmentSpec | None] = Field(default_factory=dict)
    bookings: list[BookingSpec] = Field(default_factory=list)
    recurring: list[RecurringSpec] = Field(default_factory=list)

    @field_validator("people")
    @classmethod
    def _some_people(cls, value: object) -> object:
        if isinstance(value, int) and value < 1:
            raise ValueError("a lab needs at least one person")
        return value


def people_from(value: int | list[str] | dict[str, PersonSpec | None] | None
                ) -> tuple[Person, ...]:
    """People from a count, a list of names or names with runs; none given: the operator."""
    if value is None or value == 1:
        return (Person("operator"),)
    if isinstance(value, int):
        return tuple(Person(f"person-{k + 1}") for k in range(value))
    if isinstance(value, list):
        return tuple(Person(str(name)) for name in value)
    return tuple(Person(name, tuple((spec or PersonSpec()).runs))
                 for name, spec in value.items())


def calendar_from_file(spec: CalendarFile, source: str = "calendar",
                       default_zone: str = "UTC") -> LabCalendar:
    """The calendar a validated file describes (in ``default_zone`` if it names none)."""
    zone = spec.timezone or ZoneInfo(default_zone)
    hours = LabCalendar.hours
    if spec.hours is not None:
        days: list[tuple[Span, ...]] = [()] * 7
        for key, value in spec.hours.items():
            days[_weekday(key)] = _spans(value)
        hours = tuple(days)

    def aware(value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=zone)

    return LabCalendar(
        timezone=zone.key,
        hours=hours,
        holidays=frozenset(spec.holidays),
        people=people_from(spec.people),
        capacities=tuple((name, (eq or EquipmentSpec()).capacity)
                         for name, eq in spec.equipment.items()),
        bookings=tuple(Booking(b.equipment, aware(b.start), aware(b.end), b.units, b.note)
                       for b in spec.bookings),
        recurring=tuple(RecurringBooking(r.equipment, _weekday(r.weekday), *_span(r.time),
                                         units=r.units, note=r.note) for r in spec.recurring),
        source=source,
    )


def calendar_json_schema() -> dict[str, Any]:
    """The JSON Schema of calendar files (for editors' YAML language server)."""
    schema = CalendarFile.model_json_schema()
    schema["$id"] = "https://elab.invalid/calendar.schema.json"
    return schema


def load_calendar(path: str | Path, default_zone: str = "UTC") -> LabCalendar:
    """Read a calendar YAML file; errors name FILE:LINE:COL and what was expected."""
    from pydantic import ValidationError

    from elab.domain.protocol.yamlsource import load_yaml, locate
    from elab.errors import Location, ProtocolErrors

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the calendar ({exc})") from exc
    try:
        tree = load_yaml(text, str(path)) if text.strip() else {}
    except ProtocolErrors as exc:
        raise InputError(str(exc.errors[0] if exc.errors else exc)) from exc
    try:
        spec = CalendarFile.model_validate(tree)
    except ValidationError as exc:
        item = exc.errors(include_url=False)[0]
        where = [p for p in item["loc"] if isinstance(p, str | int)]
        at = locate(tree, where, key=item["type"] == "extra_forbidden") or Location(str(path))
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            known = ", ".join(CalendarFile.model_fields)
            message = f"unknown key {where[-1]!r} (known: {known})"
        raise InputError(f"{at}: {message}") from exc
    return calendar_from_file(spec, str(path), default_zone)
