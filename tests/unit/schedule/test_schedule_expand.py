"""Expansion of protocols into activities, including regimens, and planning them."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from schedule_cases import BERLIN, MONDAY

from elab.domain.protocol import load_protocol
from elab.domain.schedule import LabCalendar, check_schedule, greedy_schedule, out_of_hours_min
from elab.domain.schedule.expand import (
    Expansion,
    Progress,
    expand_protocol,
)
from elab.domain.schedule.problem import problem_from_expansions
from elab.services.protocol_library import bundled_dir
from elab.solve.schedule import SolveOptions, solve_schedule

PROTOCOLS = Path(__file__).parent / "data" / "protocols"


def expand(name: str, run: str | None = None) -> Expansion:
    protocol = load_protocol(PROTOCOLS / f"{name}.yaml")
    return expand_protocol(protocol, run or name, date(2026, 11, 23), BERLIN)


def test_transwell_steps_become_hands_on_and_passive_activities() -> None:
    acts = {a.step: a for a in expand("transwell-migration").activities}
    assert list(acts) == ["seed", "incubate", "fix", "fix:wait", "stain", "stain:wait", "wash",
                          "count"]
    incubate = acts["incubate"]
    assert (incubate.min_min, incubate.max_min, incubate.hands_on) == (960, 1440, False)
    assert [d.equipment for d in incubate.demands] == ["co2_incubator"]
    assert incubate.timer
    # the plate goes in right after seeding and is fixed the moment it comes out
    assert [(lag.step, lag.min_min, lag.max_min) for lag in incubate.after] == [("seed", 0, 0)]
    assert [(lag.step, lag.max_min) for lag in acts["fix"].after] == [("incubate", 0)]
    assert acts["wash"].min_min == 6 and acts["wash"].hands_on
    assert [d.equipment for d in acts["seed"].demands] == ["hood"]


def test_western_blot_overnight_and_within_window() -> None:
    acts = {a.step: a for a in expand("western-blot").activities}
    assert (acts["primary"].min_min, acts["primary"].max_min) == (12 * 60, 18 * 60)
    assert [(lag.step, lag.min_min, lag.max_min) for lag in acts["develop"].after] == [
        ("secondary:wait", 0, 30)
    ]
    assert [d.equipment for d in acts["spin"].demands] == ["centrifuge"]
    assert not acts["spin"].hands_on


def test_mtt_exposure_is_exactly_96_h() -> None:
    acts = {a.step: a for a in expand("mtt-viability").activities}
    assert (acts["expose"].min_min, acts["expose"].max_min) == (5760, 5760)


def test_xenograft_regimens_become_dated_events() -> None:
    acts = expand("xenograft").activities
    per_step = Counter(a.step.split("@")[0] for a in acts)
    assert per_step == {"dose": 42, "paclitaxel": 3, "calipers": 9, "weigh": 6}
    doses = [a for a in acts if a.step.startswith("dose@")]
    assert all(a.anytime and a.hands_on and a.min_min == 20 for a in doses)
    first = doses[0]
    assert first.release == datetime(2026, 11, 23, 7, tzinfo=BERLIN)
    assert doses[-1].deadline is not None and doses[-1].deadline.date() == date(2026, 12, 13)


def test_clinical_cycles_expand_to_days_1_8_15_and_imaging_every_8_weeks() -> None:
    acts = expand("clinical-cycle").activities
    infusions = [a for a in acts if a.step.startswith("infuse@")]
    assert len(infusions) == 18
    assert [a.release.date() for a in infusions[:4] if a.release] == [
        date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 21)]
    imaging = [a for a in acts if a.step.startswith("imaging@")]
    assert [a.release.date() for a in imaging if a.release] == [
        date(2026, 11, 23), date(2027, 1, 18), date(2027, 3, 15)]


def test_a_week_of_protocols_plans_without_violations() -> None:
    names = ["transwell-migration", "western-blot", "mtt-viability", "xenograft",
             "transwell-migration", "western-blot"]
    expansions = [expand(n, f"{n}-{i}") for i, n in enumerate(names)]
    problem = problem_from_expansions(expansions, LabCalendar(timezone="Europe/Berlin"), MONDAY)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=10))
    report = check_schedule(problem, schedule)
    assert report.ok, report.violations
    # only the weekend doses, weights and calipers of the xenograft are out of hours
    assert {run for run, _ in report.required_off_hours} == {"xenograft-3"}
    weekend = sum(a.min_min for a in problem.activities
                  if a.key in set(report.required_off_hours))
    assert out_of_hours_min(problem, schedule) == weekend


@pytest.mark.parametrize("name", ["clinical-cycle"])
def test_long_regimens_plan_over_months(name: str) -> None:
    problem = problem_from_expansions([expand(name)], LabCalendar(timezone="Europe/Berlin"),
                                      MONDAY)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert check_schedule(problem, schedule).ok
    assert schedule.makespan_h(MONDAY) > 24 * 7 * 20


def bundled(name: str, variant: str | None = None, first_day: date = date(2026, 11, 23),
            progress: Progress | None = None) -> Expansion:
    """A run of a protocol of the library (``protocols/``), under the default calendar."""
    path = bundled_dir() / f"{name}.yaml"
    protocol = load_protocol(path, library=[path.parent])
    return expand_protocol(protocol, name, first_day, BERLIN, variant, progress,
                           LabCalendar(timezone="Europe/Berlin"))


def test_a_regimen_after_tumour_growth_starts_when_the_tumours_can_have_grown() -> None:
    # implantation on Monday 23 Nov, at least 7 days of growth, randomisation (1 h): the
    # morning dose window (08:00-09:00) of Monday 30 Nov is missed, so day 1 of
    # every regimen is Tuesday 1 Dec, and the study can be planned
    expansion = bundled("xenograft-combination")
    first: dict[str, datetime] = {}
    for a in expansion.activities:
        if "@" in a.step and a.release is not None:
            regimen = a.step.split("@")[0]
            first[regimen] = min(first.get(regimen, a.release), a.release)
    # calipers, every 2.3-3.5 days (2-3 times a week), are time-lapse shots, not dated doses
    assert set(first) == {"dose-defactinib", "dose-oral-vehicle", "dose-paclitaxel",
                          "dose-ip-vehicle"}
    assert {day.date() for day in first.values()} == {date(2026, 12, 1)}
    problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"),
                                      MONDAY)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert check_schedule(problem, schedule).ok


def test_a_variant_step_listed_beside_its_predecessor_does_not_follow_it_at_once() -> None:
    # export is after [expose, ctg, mtt-read]; in the MTT variant it follows the read, and
    # the 72-96 h exposure no longer has to end the moment export starts
    acts = {a.step: a for a in bundled("combination-synergy", "mtt").activities}
    assert [(lag.step, lag.min_min, lag.max_min) for lag in acts["export"].after] == [
        ("mtt-read", 0, None)]


def test_a_regimen_still_to_come_starts_when_the_run_under_way_allows() -> None:
    # the tumours took 11 days, not 7: growth ended Friday 4 Dec at 10:00, randomisation
    # takes an hour, and the facility's morning dose (08:00-09:00) has passed by then, so
    # dosing starts Saturday morning
    grown = datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN)
    progress = Progress({"prepare-cells": datetime(2026, 11, 23, 9, 45, tzinfo=BERLIN),
                         "implant": datetime(2026, 11, 23, 10, 49, tzinfo=BERLIN),
                         "tumour-growth": grown}, now=grown)
    expansion = bundled("xenograft-combination", progress=progress)
    doses = [a.release for a in expansion.activities
             if a.step.startswith("dose-defactinib@") and a.release is not None]
    assert min(doses) == datetime(2026, 12, 5, 8, 0, tzinfo=BERLIN)


def test_a_study_started_on_a_saturday_implants_on_monday_and_doses_a_week_later() -> None:
    # nobody implants at the weekend: Monday 30 Nov, then 7 days of growth and randomisation,
    # so dosing starts Tuesday 8 Dec; and the plan reaches a week past the last dose, so the
    # endpoint after a Friday's last dose still fits
    expansion = bundled("xenograft-combination", first_day=date(2026, 11, 28))
    doses = [a.release for a in expansion.activities
             if a.step.startswith("dose-defactinib@") and a.release is not None]
    assert min(doses).date() == date(2026, 12, 8)
    start = datetime(2026, 11, 28, tzinfo=BERLIN)
    problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"), start)
    assert check_schedule(problem, solve_schedule(problem, SolveOptions(time_limit_s=10))).ok


def test_a_time_lapse_covers_its_span_and_starts_an_interval_after_time_0() -> None:
    # Wound healing: imaged every 2-6 h for 24-48 h after the time-0 image.  Five shots, the
    # last 24-48 h after the first, the first 2-6 h after time 0.
    protocol = load_protocol(bundled_dir() / "wound-healing.yaml")
    expansion = expand_protocol(protocol, "wh", date(2026, 11, 23), BERLIN)
    shots = {a.step: a for a in expansion.activities if a.step.startswith("time-lapse#")}
    assert len(shots) == 5 and all(a.anytime for a in shots.values())
    lags = {(a.step, lag.step): (lag.min_min, lag.max_min)
            for a in shots.values() for lag in a.after}
    assert lags[("time-lapse#1", "image-t0")] == (120, 360)
    assert lags[("time-lapse#5", "time-lapse#1")] == (24 * 60 - 10, 48 * 60 - 10)
    problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"),
                                      MONDAY)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=5))
    assert check_schedule(problem, plan).ok
    by = plan.by_key()
    span = by[("wh", "time-lapse#5")].start - by[("wh", "time-lapse#1")].start
    assert 24 * 60 <= span.total_seconds() / 60 <= 48 * 60
    # six hours at most between shots means some at night, but no more than the span needs
    assert 0 < out_of_hours_min(problem, plan) <= 30


def test_bid_doses_at_their_clock_times_are_twelve_hours_apart() -> None:
    # at: ["08:00", "20:00"] puts each day's two doses at those times, up to an hour later
    acts = [a for a in bundled("xenograft-combination").activities
            if a.step.startswith("dose-defactinib@") and a.release is not None]
    first_day = min(a.release for a in acts if a.release is not None).date()
    day = sorted((a for a in acts if a.release is not None and a.release.date() == first_day),
                 key=lambda a: a.release or datetime.min)
    assert [(a.release.hour, a.deadline.hour) for a in day  # type: ignore[union-attr]
            ] == [(8, 9), (20, 21)]


def test_oral_days_on_and_cycles_shape_the_clinical_plan() -> None:
    # 21 days on, 7 off, of each 28-day cycle: no defactinib on days 22-28; two cycles give
    # 2 × 21 × 2 doses
    path = bundled_dir() / "clinical-combination-regimen.yaml"
    protocol = load_protocol(path, params={"cycles": "2"}, library=[path.parent])
    expansion = expand_protocol(protocol, "clinical", date(2026, 11, 23), BERLIN, None, None,
                                LabCalendar(timezone="Europe/Berlin"))
    doses = [a for a in expansion.activities if a.step.startswith("defactinib@")]
    assert len(doses) == 2 * 21 * 2
    days = sorted({a.release.date() for a in doses if a.release is not None})
    assert (days[21] - days[20]).days == 8  # the 7-day pause, then cycle 2's day 1


def test_an_open_ended_step_is_watched_work_of_its_expected_range() -> None:
    # "ECL and image p-FAK ... until bands are clear": 10 min of hands-on work at the
    # imager, up to three times that; no passive part, and no equipment it does not name
    acts = bundled("western-blot-pfak").activities
    detect = [a for a in acts if a.step.startswith("detect-pfak")]
    assert [(a.step, a.min_min, a.max_min, a.hands_on) for a in detect] == [
        ("detect-pfak", 10, 30, True)]
    assert [d.equipment for d in detect[0].demands] == ["imager"]
    assert not [a for a in acts if a.step.endswith(":centrifuge")
                and not a.title.lower().startswith(("pellet", "spin", "centrifuge"))]


def test_patient_doses_follow_the_clock_and_take_no_lab_hours() -> None:
    # defactinib by mouth twice daily at home: at 08:00 and 20:00, up to an hour later
    expansion = bundled("clinical-combination-regimen")
    doses = [a for a in expansion.activities if a.step.startswith("defactinib@")]
    assert doses and all(a.by == "patient" and a.who == "patient" for a in doses)
    assert {(a.release.hour, a.deadline.hour) for a in doses  # type: ignore[union-attr]
            } == {(8, 9), (20, 21)}
    problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"),
                                      MONDAY)
    assert all(a.person is None for a in problem.activities if a.by == "patient")
    assert {a.person for a in problem.activities if a.in_lab_hours} == {"operator"}


def test_work_outside_the_lab_is_planned_at_night_without_out_of_hours_minutes() -> None:
    from elab.domain.schedule import Activity, Problem

    evening = MONDAY.replace(hour=19)
    acts = (Activity("p", "dose", 10, 10, True, release=evening,
                     deadline=evening.replace(hour=21), by="patient"),
            Activity("p", "bloods", 30, 30, True, person="operator"))
    problem = Problem(acts, (), LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=2)
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=5))
    by = schedule.by_key()
    assert by[("p", "dose")].start.hour >= 19
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule) == 0


def test_twice_daily_doses_are_planned_at_the_times_the_protocol_gives() -> None:
    # at: ["08:00", "20:00"] was a window an hour either way, and every plan put the doses
    # at 07:00 and 19:00; the window now opens at the time given
    expansion = bundled("xenograft-combination")
    problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"),
                                      MONDAY)
    schedule = greedy_schedule(problem)
    clocks = {a.start.astimezone(BERLIN).strftime("%H:%M") for a in schedule.assignments
              if a.step.startswith("dose-defactinib@")}
    assert clocks == {"08:00", "20:00"}
