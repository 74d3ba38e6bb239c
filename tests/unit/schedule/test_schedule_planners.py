"""The greedy and CP-SAT planners on small lab weeks, checked by the independent checker."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest
from schedule_cases import MONDAY, RESOURCES, transwell

from elab.domain.schedule import (
    Activity,
    Assignment,
    Booking,
    Demand,
    LabCalendar,
    Lag,
    Person,
    Problem,
    RecurringBooking,
    Resource,
    Schedule,
    check_schedule,
    greedy_schedule,
    out_of_hours_min,
)
from elab.errors import InfeasibleError, InputError
from elab.solve.schedule import SolveOptions, solve_schedule

FAST = SolveOptions(time_limit_s=5)


def why_not(problem: Problem) -> str:
    """The planner's explanation of why no plan exists."""
    with pytest.raises(InfeasibleError) as info:
        solve_schedule(problem, FAST)
    return str(info.value)


def test_solver_schedule_passes_the_checker(week: Problem) -> None:
    schedule = solve_schedule(week, FAST)
    report = check_schedule(week, schedule)
    assert report.ok, report.violations
    assert out_of_hours_min(week, schedule) == 0
    by = schedule.by_key()
    # the incubation ends exactly when fixing starts, inside Tuesday's working hours
    assert by[("tw1", "fix")].start == by[("tw1", "incubate")].end
    assert by[("tw1", "fix")].start.hour >= 9


def test_greedy_schedule_is_complete(week: Problem) -> None:
    schedule = greedy_schedule(week)
    assert len(schedule.assignments) == len(week.activities)
    assert check_schedule(week, schedule).ok


def test_chain_greedy_keeps_tight_chains_valid(calendar: LabCalendar) -> None:
    # Seeding late on Monday would make the plate leave the incubator before 9:00 on Tuesday.
    acts = [Activity("busy", "hood-work", 6 * 60, 6 * 60, True, (Demand("hood"),))]
    acts += transwell("tw", incubate=(16 * 60, 17 * 60))
    problem = Problem(tuple(acts), RESOURCES, calendar, MONDAY)
    assert check_schedule(problem, greedy_schedule(problem)).ok


def test_checker_finds_every_kind_of_violation(week: Problem) -> None:
    good = solve_schedule(week, FAST).by_key()
    seed = good[("tw1", "seed")]
    night = seed.start.replace(hour=5)
    bad = dict(good)
    bad[("tw1", "seed")] = Assignment("tw1", "seed", night, night + timedelta(minutes=30))
    fix = good[("tw2", "fix")]
    bad[("tw2", "fix")] = Assignment("tw2", "fix", fix.start, fix.start + timedelta(minutes=90))
    read1, read2 = good[("tw1", "read")], good[("tw2", "read")]
    bad[("tw2", "read")] = Assignment("tw2", "read", read1.start, read1.end)
    del bad[("tw3", "read")]
    report = check_schedule(week, replace(solve_schedule(week, FAST),
                                          assignments=tuple(bad.values())))
    kinds = {v.kind for v in report.violations}
    assert {"hours", "duration", "capacity", "missing", "window"} <= kinds
    assert read2 is not None


def test_fixed_booking_and_recurring_are_respected(calendar: LabCalendar) -> None:
    booked = Booking("plate_reader", MONDAY + timedelta(days=1, hours=8),
                     MONDAY + timedelta(days=1, hours=12), note="core facility")
    cleaning = RecurringBooking("hood", 0, time(9), time(11), note="cleaning")
    problem = Problem(tuple(transwell("tw")), RESOURCES, calendar, MONDAY, bookings=(booked,),
                      recurring=(cleaning,))
    schedule = solve_schedule(problem, FAST)
    assert check_schedule(problem, schedule).ok
    by = schedule.by_key()
    assert by[("tw", "read")].start >= booked.end
    assert by[("tw", "seed")].start >= MONDAY + timedelta(hours=11)
    clash = replace(schedule, assignments=tuple(
        replace(a, start=MONDAY + timedelta(hours=9), end=MONDAY + timedelta(hours=9, minutes=30))
        if a.key == ("tw", "seed") else a for a in schedule.assignments))
    assert "capacity" in {v.kind for v in check_schedule(problem, clash).violations}


def test_people_do_one_thing_at_a_time() -> None:
    cal = LabCalendar(timezone="Europe/Berlin", people=(Person("alice", ("a", "b")),))
    acts = [
        Activity("a", "pipette", 60, 60, True, person="alice"),
        Activity("b", "pipette", 60, 60, True, person="alice"),
    ]
    problem = Problem(tuple(acts), (), cal, MONDAY)
    schedule = solve_schedule(problem, FAST)
    first, second = sorted(schedule.assignments, key=lambda a: a.start)
    assert second.start >= first.end
    assert check_schedule(problem, schedule).ok


def test_priority_lets_a_run_finish_first(calendar: LabCalendar) -> None:
    acts = [Activity(r, "read", 7 * 60, 7 * 60, True, (Demand("plate_reader"),))
            for r in ("low", "high")]
    problem = Problem(tuple(acts), RESOURCES, calendar, MONDAY, priorities=(("high", 5),))
    by = solve_schedule(problem, FAST).by_key()
    assert by[("high", "read")].end < by[("low", "read")].end


def _long_tail_and_short_run(priority_short: int) -> Problem:
    """Run ``long`` reads 60 min then cures for 10 h; run ``short`` reads 30 min; one reader."""
    acts = [
        Activity("long", "read", 60, 60, True, (Demand("plate_reader"),)),
        Activity("long", "cure", 600, 600, False, (), (Lag("read", 0, 0),)),
        Activity("short", "read", 30, 30, True, (Demand("plate_reader"),)),
    ]
    return Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                   horizon_days=2, priorities=(("short", priority_short),))


def test_plan_end_comes_first_then_the_runs_ends() -> None:
    # Reading `short` first ends it at 09:30 but the plan at 20:30; the plan's end wins:
    # `long` reads first (plan ends 20:00), then `short` as early as that allows (10:30).
    schedule = solve_schedule(_long_tail_and_short_run(1), FAST)
    by = schedule.by_key()
    assert by[("long", "read")].start.time() == time(9, 0)
    assert by[("short", "read")].end.time() == time(10, 30)
    assert schedule.makespan_h(MONDAY) == pytest.approx(20.0)


def test_a_high_priority_still_buys_an_earlier_end() -> None:
    # priority 10 on `short`: its hour saved outweighs the plan ending 30 min later
    by = solve_schedule(_long_tail_and_short_run(10), FAST).by_key()
    assert by[("short", "read")].start.time() == time(9, 0)
    assert by[("long", "cure")].end.time() == time(20, 30)


def _time_lapse(run: str) -> list[Activity]:
    """A scratch, then five 10-min shots 2-6 h apart: more than a working day from 09:00."""
    acts = [Activity(run, "scratch", 15, 15, True),
            Activity(run, "shot1", 10, 10, True, (), (Lag("scratch", 0, 15),), anytime=True)]
    acts += [Activity(run, f"shot{k}", 10, 10, True, (), (Lag(f"shot{k - 1}", 110, 350),),
                      anytime=True) for k in range(2, 6)]
    return acts


def test_only_the_shots_that_must_fall_out_of_hours_do() -> None:
    # five shots 2-6 h apart span more than a working day: one shot per run is taken in the
    # evening whatever else the week holds, and no more
    acts = [a for run in ("a", "b") for a in _time_lapse(run)]
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=3)
    schedule = solve_schedule(problem, FAST)
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule) == 20


def test_many_runs_in_one_conflict_are_named_together(calendar: LabCalendar) -> None:
    # one incubator shelf cannot hold four overnight incubations in a 3-day plan; the four
    # runs' seeding hours are one phrase, not four, so the shelf stays visible
    acts = [a for run in ("tw1", "tw2", "tw3", "tw10") for a in transwell(run)]
    one_shelf = (Resource("hood"), Resource("co2_incubator", capacity=1),
                 Resource("plate_reader"))
    problem = Problem(tuple(acts), one_shelf, calendar, MONDAY, horizon_days=3)
    text = why_not(problem)
    assert "co2_incubator holds one step at a time" in text
    assert "say so in the lab calendar: equipment: {co2_incubator: {capacity: N}}" in text
    assert "of tw1, tw2, tw3 and tw10 must fall inside working hours" in text
    assert text.count("working hours") == 1


def test_infeasible_plan_is_explained_in_words(calendar: LabCalendar) -> None:
    thursday = MONDAY + timedelta(days=3)
    booked = Booking("plate_reader", thursday + timedelta(days=1, hours=8),
                     thursday + timedelta(days=1, hours=18), note="core facility")
    problem = Problem(tuple(transwell("tw")), RESOURCES, calendar, thursday, horizon_days=2,
                      bookings=(booked,))
    text = why_not(problem)
    assert "plate_reader" in text and "core facility" in text
    assert "working hours" in text and "'read'" in text
    assert "2-day plan" in text


def test_incubation_that_cannot_end_in_hours_is_named(calendar: LabCalendar) -> None:
    # 16-18 h after a Friday 09:00-17:00 seed ends on Saturday: no one is there to fix.
    friday = MONDAY + timedelta(days=4)
    acts = transwell("tw", incubate=(16 * 60, 18 * 60))
    acts[0] = replace(acts[0], release=friday + timedelta(hours=9),
                      deadline=friday + timedelta(hours=17))
    problem = Problem(tuple(acts), RESOURCES, calendar, friday, horizon_days=7)
    text = why_not(problem)
    assert "the 16–18 h incubation 'incubate' must be followed by 'fix' within 0 min" in text
    assert "step 'seed' is due between Fri 27 Nov 09:00 and Fri 27 Nov 17:00" in text


def test_soft_hours_mode_counts_out_of_hours_work(calendar: LabCalendar) -> None:
    friday = MONDAY + timedelta(days=4)
    acts = transwell("tw", incubate=(16 * 60, 18 * 60))
    acts[0] = replace(acts[0], release=friday + timedelta(hours=9),
                      deadline=friday + timedelta(hours=17))
    problem = Problem(tuple(acts), RESOURCES, calendar, friday, horizon_days=7)
    schedule = solve_schedule(problem, replace(FAST, allow_out_of_hours=True))
    assert out_of_hours_min(problem, schedule) > 0
    kinds = {v.kind for v in check_schedule(problem, schedule).violations}
    assert kinds == {"hours"}


def test_replanning_keeps_finished_steps(week: Problem) -> None:
    first = solve_schedule(week, FAST)
    seed = first.by_key()[("tw1", "seed")]
    late = Assignment("tw1", "seed", seed.start + timedelta(hours=3),
                      seed.end + timedelta(hours=3))
    slipped = replace(week, fixed=(late,))
    again = solve_schedule(slipped, FAST)
    assert again.by_key()[("tw1", "seed")] == late
    assert check_schedule(slipped, again).ok


@pytest.mark.parametrize(
    ("activities", "resources", "message"),
    [
        ([Activity("r", "s", 10, 10, True, (Demand("plate_raeder"),))], RESOURCES,
         "unknown equipment 'plate_raeder' \\(did you mean 'plate_reader'"),
        ([Activity("r", "s", 9 * 60, 9 * 60, True)], RESOURCES, "longer than any working day"),
        ([Activity("r", "s", 10, 10, True, (Demand("hood", 2),))], RESOURCES, "which has 1"),
        ([Activity("ok", "s", 10, 10, True),
          Activity("r", "a", 10, 10, True, after=(Lag("b"),)),
          Activity("r", "b", 10, 10, True, after=(Lag("a"),))], RESOURCES,
         "the steps of run 'r' depend on each other in a circle"),
    ],
)
def test_bad_input(calendar: LabCalendar, activities: list[Activity],
                   resources: tuple[Resource, ...], message: str) -> None:
    problem = Problem(tuple(activities), resources, calendar, MONDAY)
    with pytest.raises(InputError, match=message):
        solve_schedule(problem, FAST)
    with pytest.raises(InputError, match=message):
        greedy_schedule(problem)


def test_checker_states_times_on_the_lab_clock(calendar: LabCalendar) -> None:
    dose = Activity("r", "dose", 30, 30, True, release=MONDAY + timedelta(hours=10),
                    deadline=MONDAY + timedelta(hours=12))
    problem = Problem((dose,), RESOURCES, calendar, MONDAY)
    early = Assignment("r", "dose", MONDAY + timedelta(hours=9),
                       MONDAY + timedelta(hours=9, minutes=30))
    (violation,) = check_schedule(problem, Schedule((early,))).violations
    assert str(violation) == ("r/dose starts Mon 2026-11-23 09:00, before its window opens "
                              "Mon 2026-11-23 10:00")
