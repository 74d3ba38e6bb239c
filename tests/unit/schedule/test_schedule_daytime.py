"""Work the biology times falls in the daytime out of hours: calipers never at midnight."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schedule_cases import BERLIN, MONDAY

from elab.domain.protocol import load_protocol
from elab.domain.schedule import (
    Activity,
    Assignment,
    LabCalendar,
    Lag,
    Problem,
    Schedule,
    check_schedule,
    greedy_schedule,
    out_of_hours_min,
)
from elab.domain.schedule.expand import expand_protocol
from elab.domain.schedule.problem import problem_from_expansions
from elab.services.protocol_library import bundled_dir
from elab.services.schedule import (
    RunSpec,
    agenda_text,
    build_problem,
    plan_runs,
    schedule_json,
)
from elab.solve.schedule import SolveOptions, solve_schedule

FRIDAY = MONDAY + timedelta(days=4)


def _night(hour: int) -> bool:
    return hour >= 21 or hour < 7


def _calipers(schedule: Schedule) -> list[Assignment]:
    return sorted((a for a in schedule.assignments if a.step.startswith("calipers#")),
                  key=lambda a: a.start)


def test_the_xenograft_plan_measures_no_tumour_at_night() -> None:
    # N5: "Thu 17 Dec 23:45-00:30 calipers (shot 2 of 7)"; seven shots 3.5 d apart over
    # 21 days alternate between noon and midnight, eight can all fall in the daytime
    problem = build_problem([RunSpec("xenograft-combination")], "2026-12-07")
    schedule = plan_runs(problem)
    shots = _calipers(schedule)
    assert len(shots) == 8
    zone = problem.calendar.zone
    assert not [a for a in shots if _night(a.start.astimezone(zone).hour)
                or _night((a.end - timedelta(minutes=1)).astimezone(zone).hour)]
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule, night=True) == 0
    text = agenda_text(problem, schedule)
    assert "(shot 8 of 8)" in text and "at night" not in text
    assert schedule_json(problem, schedule)["night_hands_on_min"] == 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.integers(14, 42), weekday=st.integers(0, 6))
def test_calipers_of_any_treatment_period_stay_out_of_the_night(days: int,
                                                                weekday: int) -> None:
    path = bundled_dir() / "xenograft-combination.yaml"
    protocol = load_protocol(path, params={"treatment_period": f"{days} d"},
                             library=[path.parent])
    first = MONDAY + timedelta(days=weekday)
    calendar = LabCalendar(timezone="Europe/Berlin")
    expansion = expand_protocol(protocol, "x", first.date(), BERLIN, calendar=calendar)
    problem = problem_from_expansions([expansion], calendar, first)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule, night=True) == 0


def _saturday_shot() -> Problem:
    """A Friday 16:45 step, then a shot 7-24 h later: Friday night at the earliest."""
    acts = (Activity("r", "prep", 15, 15, True, release=FRIDAY.replace(hour=16, minute=45)),
            Activity("r", "shot", 20, 20, True, after=(Lag("prep", 7 * 60, 24 * 60),),
                     anytime=True))
    return Problem(acts, (), LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=7)


@pytest.mark.parametrize("plan", [greedy_schedule,
                                  lambda p: solve_schedule(p, SolveOptions(time_limit_s=5))])
def test_a_shot_that_must_fall_out_of_hours_waits_for_the_morning(plan: object) -> None:
    problem = _saturday_shot()
    schedule = plan(problem)  # type: ignore[operator]
    shot = schedule.by_key()[("r", "shot")]
    assert shot.start.astimezone(BERLIN).strftime("%a %H:%M") == "Sat 08:00"
    assert out_of_hours_min(problem, schedule) == 20
    assert out_of_hours_min(problem, schedule, night=True) == 0
    assert check_schedule(problem, schedule).ok


def test_night_minutes_are_those_outside_the_daytime_of_any_day() -> None:
    problem = _saturday_shot()
    prep = Assignment("r", "prep", FRIDAY.replace(hour=16, minute=45),
                      FRIDAY.replace(hour=17))
    saturday = FRIDAY + timedelta(days=1)
    for start, night in ((saturday.replace(hour=19, minute=50), 10),
                         (saturday.replace(hour=7, minute=50), 10),
                         (saturday.replace(hour=12), 0), (FRIDAY.replace(hour=23), 20)):
        shot = Assignment("r", "shot", start, start + timedelta(minutes=20))
        schedule = Schedule((prep, shot))
        assert out_of_hours_min(problem, schedule) == 20
        assert out_of_hours_min(problem, schedule, night=True) == night


def test_working_hours_that_reach_into_the_evening_are_daytime() -> None:
    late = ((time(12), time(22)),)
    calendar = LabCalendar(timezone="Europe/Berlin", hours=(late,) * 5 + ((), ()))
    start, end = calendar.daytime_on(FRIDAY.date())
    assert (start.hour, end.hour) == (8, 22)
    start, end = calendar.daytime_on(FRIDAY.date() + timedelta(days=1))
    assert (start.hour, end.hour) == (8, 20)
