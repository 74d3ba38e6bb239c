from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from elab.domain.schedule import LabCalendar, default_calendar, load_calendar
from elab.errors import InputError


def test_default_is_monday_to_friday_nine_to_five() -> None:
    cal = default_calendar("Europe/Berlin")
    assert cal.spans_on(date(2026, 11, 23)) == ((time(9), time(17)),)
    assert cal.spans_on(date(2026, 11, 28)) == ()
    assert cal.describe_hours() == "Mon-Fri 09:00-17:00"


def test_load_calendar_file(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(
        "timezone: America/New_York\n"
        "hours:\n  mon: 08:00-12:00\n  tue: [08:00-12:00, 13:00-18:00]\n  sat: closed\n"
        "holidays: [2026-11-26]\n"
        "people:\n  alice: {runs: [wb1, tw1]}\n"
        "equipment:\n  co2_incubator: {capacity: 6}\n"
        "bookings:\n  - {equipment: plate_reader, start: 2026-11-24 09:00, "
        "end: 2026-11-24 12:00, note: core}\n"
        "recurring:\n  - {equipment: hood, weekday: wed, time: 08:00-09:00}\n"
    )
    cal = load_calendar(path)
    assert cal.timezone == "America/New_York"
    assert cal.spans_on(date(2026, 11, 24)) == ((time(8), time(12)), (time(13), time(18)))
    assert cal.spans_on(date(2026, 11, 25)) == ()
    assert cal.spans_on(date(2026, 11, 26)) == ()
    assert [(p.name, p.runs) for p in cal.people] == [("alice", ("wb1", "tw1"))]
    assert cal.capacities == (("co2_incubator", 6),)
    assert cal.bookings[0].start.utcoffset() is not None
    assert cal.recurring[0].weekday == 2


def test_calendar_without_working_hours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "closed.yaml"
    path.write_text("hours:\n  sat: closed\n")
    with pytest.raises(InputError, match="no working hours"):
        load_calendar(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timezone: Mars/Olympus\n", "bad.yaml:1:11: invalid timezone: Mars/Olympus"),
        ("hours: {mon: 17:00-09:00}\n", "ends before it starts"),
        ("hours: {funday: 09:00-17:00}\n", "not a weekday"),
        ("colour: blue\n", "unknown key 'colour'"),
    ],
)
def test_bad_calendar_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_calendar(path)


def test_unknown_zone_in_code() -> None:
    with pytest.raises(InputError):
        LabCalendar(timezone="Nowhere/Land")


def test_a_bad_value_is_located_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("timezone: Europe/Berlin\nhours:\n  mon: 09:00-17:00\n  tue: 9 to 5\n")
    with pytest.raises(InputError, match=r"lab\.yaml:4:8: .*'9 to 5' is not a span"):
        load_calendar(path)
    path.write_text("equipment:\n  hood: {capacity: 0}\n")
    with pytest.raises(InputError, match=r"lab\.yaml:2:20: .*greater than or equal to 1"):
        load_calendar(path)
    path.write_text("timezone: UTC\npeeple: 2\n")
    with pytest.raises(InputError, match=r"lab\.yaml:2:1: unknown key 'peeple'"):
        load_calendar(path)


@pytest.mark.parametrize(
    ("people", "names"),
    [
        ("", ["operator"]),
        ("people: 1\n", ["operator"]),
        ("people: 3\n", ["person-1", "person-2", "person-3"]),
        ("people: [ana, ben]\n", ["ana", "ben"]),
        ("people: {ana: {runs: [tw1]}, ben: }\n", ["ana", "ben"]),
    ],
)
def test_people_are_a_count_names_or_names_with_runs(tmp_path: Path, people: str,
                                                     names: list[str]) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("timezone: UTC\n" + people)
    assert [p.name for p in load_calendar(path).people] == names


def test_the_default_lab_is_one_operator() -> None:
    assert [p.name for p in default_calendar("UTC").people] == ["operator"]


def test_the_calendar_schema_describes_the_file() -> None:
    from elab.domain.schedule.calendar import calendar_json_schema

    schema = calendar_json_schema()
    assert set(schema["properties"]) == {"timezone", "hours", "holidays", "people",
                                         "equipment", "bookings", "recurring"}
    assert schema["additionalProperties"] is False
