"""Regimens as dated events: the xenograft study and the clinical 28-day cycle."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_cases import BERLIN, MONDAY

from elab.domain.protocol import load_protocol
from elab.domain.schedule import Activity, LabCalendar, Problem, check_schedule
from elab.domain.schedule.expand import expand_protocol
from elab.domain.schedule.regimen import (
    activities_from_events,
    events_from_cycles,
    events_from_frequency,
)
from elab.errors import InputError, ProtocolErrors
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


CYCLE_PROTOCOL = """\
id: cycle-start
title: A regimen on days of 28-day cycles
version: "1"
steps:
  - id: screen
    title: Screen
    hands_on: 1 h
  - id: infuse
    title: Infuse
    after: [screen]
    regimen: {REGIMEN}
"""
SCREEN = CYCLE_PROTOCOL[CYCLE_PROTOCOL.index("  - id: screen"):CYCLE_PROTOCOL.index("  - id: infuse")]


def _cycle_plan(tmp_path: Path, regimen: str, after: bool = True) -> list[Activity]:
    path = tmp_path / "cycle-start.yaml"
    text = CYCLE_PROTOCOL.replace("{REGIMEN}", regimen)
    path.write_text(text if after else text.replace(SCREEN, "").replace("    after: [screen]\n",
                                                                          ""))
    expansion = expand_protocol(load_protocol(path), "c", MONDAY.date(), BERLIN,
                                calendar=LabCalendar(timezone="Europe/Berlin"))
    return [a for a in expansion.activities if a.step.startswith("infuse@")]


def _days_after_monday(acts: list[Activity]) -> list[int]:
    return [(a.release.date() - MONDAY.date()).days for a in acts if a.release is not None]


def test_a_days_regimen_with_start_moves_its_first_event_by_whole_cycles(
        tmp_path: Path) -> None:
    # "gemcitabine from cycle 2": start: 4 wk skips cycle 1; the labels keep the study's
    # cycle numbers, and two cycles are still planned
    without = _cycle_plan(tmp_path, "{days: [1, 8], cycle: 28 d, cycles: 2, hands_on: 1 h}")
    assert _days_after_monday(without) == [0, 7, 28, 35]
    acts = _cycle_plan(tmp_path, "{days: [1, 8], cycle: 28 d, cycles: 2, start: 4 wk, "
                                 "hands_on: 1 h}")
    assert _days_after_monday(acts) == [28, 35, 56, 63]
    assert [a.step for a in acts] == ["infuse@C2D1", "infuse@C2D8", "infuse@C3D1", "infuse@C3D8"]


@pytest.mark.parametrize("after", [True, False])
def test_an_on_days_regimen_with_start_moves_by_whole_cycles(tmp_path: Path,
                                                             after: bool) -> None:
    # the first event moves, whether or not a step before the regimen sets its day 0 (the
    # regimen the first step)
    acts = _cycle_plan(tmp_path, "{frequency: QD, on: 3 d, off: 25 d, cycle: 28 d, "
                                 "cycles: 1, start: 28 d, hands_on: 10 min}", after)
    assert _days_after_monday(acts) == [28, 29, 30]


def test_a_start_inside_a_cycle_is_refused_where_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "cycle-start.yaml"
    path.write_text(CYCLE_PROTOCOL.replace(
        "{REGIMEN}", "{days: [1, 8, 15], cycle: 28 d, start: 10 d, hands_on: 1 h}"))
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(path)
    error = caught.value.errors[0]
    assert "whole number of 28 d cycles" in error.message
    assert error.location is not None
    line = path.read_text().splitlines()[error.location.line - 1]
    assert line[error.location.col - 1:].startswith("10 d")


@settings(max_examples=40, deadline=None)
@given(cycle=st.integers(7, 35), skip=st.integers(0, 3), cycles=st.integers(1, 3),
       days=st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True))
def test_cycle_events_after_skipped_cycles_keep_the_study_cycle_days(
        cycle: int, skip: int, cycles: int, days: list[int]) -> None:
    events = events_from_cycles(days, cycle, cycles, first=skip)
    assert len(events) == len(days) * cycles
    assert events[0].day == skip * cycle + min(days) - 1
    assert all(e.day == (e.cycle - 1) * cycle + e.cycle_day - 1  # type: ignore[operator]
               for e in events)
    assert {e.cycle for e in events} == set(range(skip + 1, skip + cycles + 1))


PAIRED_PROTOCOL = """\
id: paired
title: Two infusions on the same cycle days
version: "1"
steps:
  - id: first-drug
    title: First infusion
    regimen: {days: [1, 8], cycle: 28 d, cycles: 2, hands_on: 1 h}
  - id: second-drug
    title: Second infusion, right after the first
    after: [{step: first-drug, within: 30 min}]
    regimen: {REGIMEN}
"""


def _paired(tmp_path: Path, regimen: str) -> dict[str, Activity]:
    path = tmp_path / "paired.yaml"
    path.write_text(PAIRED_PROTOCOL.replace("{REGIMEN}", regimen))
    expansion = expand_protocol(load_protocol(path), "p", MONDAY.date(), BERLIN,
                                calendar=LabCalendar(timezone="Europe/Berlin"))
    return {a.step: a for a in expansion.activities}


def test_a_regimen_after_one_on_the_same_days_follows_it_event_by_event(
        tmp_path: Path) -> None:
    # MPACT: nab-paclitaxel, then gemcitabine at once, on each infusion day; not every
    # gemcitabine dose after the last nab-paclitaxel dose of the study
    acts = _paired(tmp_path, "{days: [1, 8], cycle: 28 d, cycles: 2, hands_on: 1 h}")
    for label in ("C1D1", "C1D8", "C2D1", "C2D8"):
        (lag,) = acts[f"second-drug@{label}"].after
        assert (lag.step, lag.min_min, lag.max_min) == (f"first-drug@{label}", 0, 30)
    assert acts["second-drug@C1D1"].release == acts["first-drug@C1D1"].release
    problem = Problem(tuple(acts.values()), (), LabCalendar(timezone="Europe/Berlin"), MONDAY)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=5)).by_key()
    for label in ("C1D1", "C1D8", "C2D1", "C2D8"):
        first, second = plan[("p", f"first-drug@{label}")], plan[("p", f"second-drug@{label}")]
        assert first.end <= second.start <= first.end + timedelta(minutes=30)


def test_a_regimen_after_one_on_other_days_follows_its_last_event(tmp_path: Path) -> None:
    acts = _paired(tmp_path, "{days: [15], cycle: 28 d, cycles: 1, hands_on: 1 h}")
    (lag,) = acts["second-drug@C1D15"].after
    assert lag.step == "first-drug@C2D8"
