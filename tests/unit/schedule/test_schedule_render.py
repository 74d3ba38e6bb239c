"""Rendering schedules: the .ics read back by icalendar, and the Gantt chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from schedule_cases import BERLIN, RESOURCES, transwell

from elab.domain.schedule import LabCalendar, Problem, check_schedule
from elab.render.gantt import gantt_html
from elab.render.ics import ics_from_schedule
from elab.solve.schedule import SolveOptions, solve_schedule

# Friday before the change to summer time in Europe/Berlin (Sun 28 Mar 2027, 02:00 -> 03:00).
FRIDAY = datetime(2027, 3, 26, tzinfo=BERLIN)


def planned() -> tuple[Problem, object]:
    acts = transwell("tw", incubate=(16 * 60, 80 * 60))
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), FRIDAY,
                      horizon_days=7)
    return problem, solve_schedule(problem, SolveOptions(time_limit_s=5))


def test_ics_round_trip_keeps_times_and_zone_across_dst() -> None:
    problem, schedule = planned()
    data = ics_from_schedule(problem, schedule, now=FRIDAY)  # type: ignore[arg-type]
    parsed = Calendar.from_ical(data)
    events = {str(e["DESCRIPTION"]).split("step ")[1].split(";")[0]: e
              for e in parsed.walk("VEVENT")}
    by = schedule.by_key()  # type: ignore[attr-defined]
    for step in ("seed", "fix", "read", "incubate"):
        event = events[step]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART") == by[("tw", step)].start
        assert event.decoded("DTEND") == by[("tw", step)].end
    # the incubation spans the weekend and the clock change: real elapsed time is kept
    incubate = by[("tw", "incubate")]
    elapsed = incubate.end.astimezone(UTC) - incubate.start.astimezone(UTC)
    wall = incubate.end.replace(tzinfo=None) - incubate.start.replace(tzinfo=None)
    assert wall - elapsed == timedelta(hours=1)
    assert elapsed <= timedelta(hours=80)
    assert check_schedule(problem, schedule).ok  # type: ignore[arg-type]
    assert incubate.end.utcoffset() == timedelta(hours=2)
    assert [str(t["TZID"]) for t in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    alarm = next(iter(events["incubate"].walk("VALARM")))
    assert alarm.decoded("TRIGGER") == timedelta(0)
    assert "hands-on" in str(events["seed"]["CATEGORIES"].to_ical())


def test_gantt_html_is_self_contained_svg() -> None:
    problem, schedule = planned()
    page = gantt_html(problem, schedule)  # type: ignore[arg-type]
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<script" not in page and "http://" not in page.split("<svg")[0]
    assert "Fri 26 Mar" in page and "tw: seed" in page
    # the legend's columns are aligned with spaces, which HTML collapses unless told not to
    assert "svg text{white-space:pre}" in page
