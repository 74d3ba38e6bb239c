"""Step definitions for features/schedule.feature, through ``elab schedule`` as in a shell."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run as _elab
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("schedule.feature")

ZONE = "Europe/Berlin"


def _day(text: str) -> str:
    """``Monday 30 November 2026`` -> ``2026-11-30``."""
    return datetime.strptime(text.split(" ", 1)[1], "%d %B %Y").date().isoformat()


@given(parsers.parse("a lab open Monday to Friday 09:00-17:00 in {zone}"), target_fixture="lab")
def lab(zone: str, tmp_path: Path) -> dict[str, Any]:
    return {"calendar": [f"timezone: {zone}"], "dir": tmp_path}


@given(parsers.parse("the {equipment} is booked on {day} from {start} to {end} for {why}"))
def booked(lab: dict[str, Any], equipment: str, day: str, start: str, end: str,
           why: str) -> None:
    date = _day(day)
    lab["calendar"] += ["bookings:", f"  - {{equipment: {equipment}, start: {date} {start},"
                                     f" end: {date} {end}, note: {why}}}"]
    lab["booking"] = (equipment, datetime.fromisoformat(f"{date}T{start}"), datetime.fromisoformat(f"{date}T{end}"))


def _calendar(lab: dict[str, Any]) -> str:
    path = lab["dir"] / "lab.yaml"
    path.write_text("\n".join(lab["calendar"]) + "\n")
    return str(path)


@when(parsers.re(r"I plan (?P<runs>.+) from (?P<day>\w+day \d+ \w+ \d{4})"))
def plan(lab: dict[str, Any], runs: str, day: str, capsys: pytest.CaptureFixture[str]) -> None:
    specs = re.findall(r'"([^"]+)"', runs)
    lab["result"] = _elab(["schedule", "plan", *specs, "--start", _day(day), "--calendar",
                           _calendar(lab), "--json"], capsys)


@when(parsers.parse('I export the plan of "{run}" from {day} to a calendar file'))
def export(lab: dict[str, Any], run: str, day: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = lab["dir"] / "week.ics"
    lab["result"] = _elab(["schedule", "plan", run, "--start", _day(day), "--calendar",
                           _calendar(lab), "--json"], capsys)
    code, _, err = _elab(["schedule", "ics", run, "--start", _day(day), "--calendar",
                          _calendar(lab), "-o", str(target)], capsys)
    assert code == 0, err
    lab["ics"] = target


def _activities(lab: dict[str, Any]) -> list[dict[str, Any]]:
    code, out, err = lab["result"]
    assert code == 0, err
    activities: list[dict[str, Any]] = json.loads(out)["activities"]
    assert activities
    return activities


@then("every hands-on step falls between 09:00 and 17:00 on a weekday")
def in_hours(lab: dict[str, Any]) -> None:
    for a in _activities(lab):
        if a["hands_on"]:
            start, end = datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"])
            assert start.weekday() < 5 and start.date() == end.date(), a
            assert start.strftime("%H:%M") >= "09:00" and end.strftime("%H:%M") <= "17:00", a


@then("no piece of equipment holds more than it can at any moment")
def no_double_booking(lab: dict[str, Any]) -> None:
    # the protocols give the incubator 8 shelves; every other instrument here holds one use
    capacity = defaultdict(lambda: 1, {"incubator": 8, "co2_incubator": 8})
    uses: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for a in _activities(lab):
        for name in a["equipment"]:
            uses[name] += [(datetime.fromisoformat(a["start"]), 1), (datetime.fromisoformat(a["end"]), -1)]
    for name, events in uses.items():
        held = 0
        for _, change in sorted(events, key=lambda e: (e[0], e[1])):  # ends before starts
            held += change
            assert held <= capacity[name], name


@then("nothing uses the hood while it is booked for cleaning")
def booking_kept(lab: dict[str, Any]) -> None:
    name, low, high = lab["booking"]
    users = [a for a in _activities(lab) if name in a["equipment"]]
    assert users
    for a in users:
        start = datetime.fromisoformat(a["start"]).replace(tzinfo=None)
        end = datetime.fromisoformat(a["end"]).replace(tzinfo=None)
        assert end <= low or start >= high, a


def _lasted(lab: dict[str, Any], run_prefix: str, step: str) -> list[timedelta]:
    found = [datetime.fromisoformat(a["end"]) - datetime.fromisoformat(a["start"]) for a in _activities(lab)
             if a["run"].startswith(run_prefix) and a["step"] == step]
    assert found
    return found


@then(parsers.parse("each primary antibody of a western blot incubates overnight, "
                    "{low:d} to {high:d} hours"))
def overnight(lab: dict[str, Any], low: int, high: int) -> None:
    spans = _lasted(lab, "western-blot", "primary:incubate")
    assert len(spans) == 2
    assert all(timedelta(hours=low) <= span <= timedelta(hours=high) for span in spans)


@then(parsers.parse("the transwell cells migrate for {low:d} to {high:d} hours"))
def migrate(lab: dict[str, Any], low: int, high: int) -> None:
    (span,) = _lasted(lab, "transwell", "migrate")
    assert timedelta(hours=low) <= span <= timedelta(hours=high)


@then("the plan has no out-of-hours hands-on work")
def no_out_of_hours(lab: dict[str, Any]) -> None:
    code, out, err = lab["result"]
    assert code == 0, err
    data = json.loads(out)
    assert data["out_of_hours_hands_on_min"] == 0 and data["violations"] == []


@then(parsers.parse("the calendar file has an event for every hands-on step, in {zone} time"))
def ics_events(lab: dict[str, Any], zone: str) -> None:
    from icalendar import Calendar

    events = list(Calendar.from_ical(lab["ics"].read_bytes()).walk("VEVENT"))
    starts = {e.decoded("DTSTART") for e in events}
    assert all(e["DTSTART"].params["TZID"] == zone for e in events)
    for a in _activities(lab):
        if a["hands_on"]:
            assert datetime.fromisoformat(a["start"]) in starts, a


@then("the incubator booking rings an alarm when the incubation ends")
def ics_alarm(lab: dict[str, Any]) -> None:
    from icalendar import Calendar

    events = list(Calendar.from_ical(lab["ics"].read_bytes()).walk("VEVENT"))
    booking = [e for e in events if "incubator booked" in str(e["SUMMARY"])]
    assert booking
    for event in booking:
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].params.get("RELATED") == "END"


@then(parsers.parse('the planner refuses in one sentence saying "{words}"'))
def refused(lab: dict[str, Any], words: str) -> None:
    code, out, err = lab["result"]
    assert code == 1 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@then(parsers.parse("every hands-on step is done by the {person}"))
def done_by(lab: dict[str, Any], person: str) -> None:
    assert {a["person"] for a in _activities(lab) if a["hands_on"]} == {person}


@then(parsers.parse("the {person} never does two hands-on steps at once"))
def one_at_a_time(lab: dict[str, Any], person: str) -> None:
    work = sorted((datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"]))
                  for a in _activities(lab) if a.get("person") == person)
    assert len(work) > 20
    for (_, end), (start, _) in itertools.pairwise(work):
        assert start >= end
