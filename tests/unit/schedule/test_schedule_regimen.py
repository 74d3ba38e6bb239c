"""Regimens as dated events: the xenograft study and the clinical 28-day cycle."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from schedule_cases import BERLIN, MONDAY

from elab.domain.schedule import LabCalendar, Problem, check_schedule
from elab.domain.schedule.regimen import (
    activities_from_events,
    events_from_cycles,
    events_from_frequency,
)
from elab.errors import InputError
from elab.solve.schedule import SolveOptions, solve_schedule


def test_xenograft_study_events() -> None:
    dosing = events_from_frequency("BID", 21)
    assert len(dosing) == 42
    assert Counter(e.day for e in dosing) == {d: 2 for d in range(21)}
    am, pm = dosing[0], dosing[1]
    assert am.latest <= pm.earliest  # the two doses of a day are hours apart
    paclitaxel = events_from_frequency("QW", 21)
    assert [e.day for e in paclitaxel] == [0, 7, 14]
    calipers = events_from_frequency("TIW", 21)
    assert [e.day for e in calipers][:3] == [0, 2, 4]
    assert len(calipers) == 9
    weights = events_from_frequency("BIW", 21)
    assert [e.day for e in weights][:4] == [0, 3, 7, 10]


def test_clinical_cycles_and_imaging() -> None:
    doses = events_from_cycles([1, 8, 15], 28, 6)
    assert len(doses) == 18
    assert [e.day for e in doses[:4]] == [0, 7, 14, 28]
    assert doses[3].label == "C2D1"


def test_regimen_activities_are_dated_in_local_time() -> None:
    acts = activities_from_events("xeno", "dose", events_from_frequency("BID", 3),
                                  date(2026, 11, 23), BERLIN, 15)
    assert len(acts) == 6
    assert acts[1].release is not None and acts[1].release.hour == 14
    assert acts[2].release is not None and acts[2].release.date() == date(2026, 11, 24)
    assert all(a.hands_on and a.min_min == 15 for a in acts)


def test_weekend_doses_are_planned_and_reported_as_required_off_hours() -> None:
    start = MONDAY + timedelta(days=4)  # Friday
    acts = activities_from_events("xeno", "dose", events_from_frequency("QD", 3),
                                  start.date(), BERLIN, 15)
    problem = Problem(tuple(acts), (), LabCalendar(timezone="Europe/Berlin"), start)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=5))
    report = check_schedule(problem, schedule)
    assert report.ok
    assert len(report.required_off_hours) == 2  # Saturday and Sunday
    friday = schedule.by_key()[("xeno", "dose@d1#1")]
    assert 9 <= friday.start.hour < 17


@pytest.mark.parametrize("bad", ["BD", "weekly"])
def test_unknown_frequency(bad: str) -> None:
    with pytest.raises(InputError, match="unknown dosing frequency"):
        events_from_frequency(bad, 7)


def test_day_outside_cycle() -> None:
    with pytest.raises(InputError, match="outside a 28-day cycle"):
        events_from_cycles([1, 29], 28, 1)
