"""The bound on the runs' summed ends from the day each can end on: a known case, and never
above a real plan."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from schedule_cases import MONDAY, rigid_weeks, run_ends, valid_greedy_plan

from elab.domain.schedule import (
    Activity,
    Demand,
    LabCalendar,
    Lag,
    Problem,
    Resource,
)
from elab.domain.schedule.compiled import compile_problem
from elab.solve.end_days import _Holds, least_plan_end, summed_end_bound
from elab.solve.schedule import SolveOptions, _RunsAlone, solve_schedule

FAST = SolveOptions(time_limit_s=5, explain=False)


def bound_of(problem: Problem) -> int | None:
    c = compile_problem(problem)
    runs = _RunsAlone(c, FAST, deadline=time.perf_counter() + 20)
    return summed_end_bound(c, runs.compiled, lambda run, floor: runs.least(run, floor=floor),
                            {run: 1 for run in runs.compiled}, deadline=runs.deadline)


def reading_run(run: str) -> list[Activity]:
    """Half an hour of preparation, then a three-hour read on the reader at once."""
    return [Activity(run, "prep", 30, 30, True),
            Activity(run, "read", 180, 180, True, (Demand("reader"),), (Lag("prep", 0, 0),))]


def test_a_days_reads_fit_two_runs() -> None:
    # Alone, each run ends Monday 12:30.  Ending on Monday pins its read between 09:30 and
    # 17:00, and the reader holds 450 of those minutes: two runs end on Monday, two on
    # Tuesday at 12:30 at the earliest.  The plan does worse (the second read of a day ends
    # at 15:30), so the bound is below it but far above the runs' own ends (4 x 750).
    acts = [a for run in ("a", "b", "c", "d") for a in reading_run(run)]
    problem = Problem(tuple(acts), (Resource("reader"),), LabCalendar(timezone="Europe/Berlin"),
                      MONDAY, horizon_days=5)
    tuesday_1230 = 1440 + 750
    assert bound_of(problem) == 2 * 750 + 2 * tuesday_1230
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert sum(run_ends(plan).values()) == 750 + 930 + tuesday_1230 + tuesday_1230 + 180


def test_a_least_end_not_solved_in_time_falls_back_to_the_class_floor() -> None:
    # the same four runs, but no solve for a later end: ending after Monday costs at least
    # Tuesday 00:01, and as the read is hands-on, 12:00 (three hours from 09:00); no class
    # is left out (that would make the bound wrong)
    acts = [a for run in ("a", "b", "c", "d") for a in reading_run(run)]
    problem = Problem(tuple(acts), (Resource("reader"),), LabCalendar(timezone="Europe/Berlin"),
                      MONDAY, horizon_days=5)
    c = compile_problem(problem)
    runs = _RunsAlone(c, FAST, deadline=time.perf_counter() + 20)

    def alone_only(run: str, floor: int) -> int | None:
        return runs.least(run) if floor == 0 else None

    bound = summed_end_bound(c, runs.compiled, alone_only, {run: 1 for run in runs.compiled},
                             deadline=time.perf_counter() + 20)
    assert bound == 2 * 750 + 2 * (1440 + 12 * 60)


def growing(run: str) -> list[Activity]:
    """Ten minutes' preparation, exactly two days in the incubator, then a read at once."""
    return [Activity(run, "prep", 10, 10, True),
            Activity(run, "grow", 2880, 2880, False, (Demand("incubator"),),
                     (Lag("prep", 0, 0),)),
            Activity(run, "read", 30, 30, True, (), (Lag("grow", 0, 0),))]


def incubator_waves() -> Problem:
    """Four growing runs on two shelves, from Monday."""
    acts = [a for run in ("a", "b", "c", "d") for a in growing(run)]
    return Problem(tuple(acts), (Resource("incubator", 2),),
                   LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=10)


def test_runs_that_wait_days_for_the_incubator() -> None:
    # Alone each run ends Wednesday 09:40; two must wait until Wednesday to start, so they
    # end on Friday, and a run that ends on Friday holds a shelf from Wednesday: a class per
    # day is what shows it.  Without a solve for that class its least end is Friday 09:30
    # (the read, hands-on, from 09:00), ten minutes under the plan's.
    problem = incubator_waves()
    wednesday_0940, friday = 2 * 1440 + 580, 4 * 1440
    assert bound_of(problem) == 2 * wednesday_0940 + 2 * (friday + 570)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert sorted(run_ends(plan).values()) == [wednesday_0940] * 2 + [friday + 580] * 2


def test_an_instrument_used_in_working_hours_holds_their_minutes() -> None:
    monday, tuesday = (540, 1020), (1980, 2460)
    reader = _Holds(2, [monday, tuesday])
    assert reader.between(0, 600) == 2 * 60
    assert reader.between(1000, 2000) == 2 * (20 + 20)
    assert reader.between(0, 3000) == 2 * 960
    assert _Holds(16, None).between(100, 160) == 16 * 60
    assert _Holds(1, []).between(0, 3000) == 0


def test_the_plan_cannot_end_before_the_second_wave_is_read() -> None:
    # ending by Friday 09:39 means every read by Thursday evening (a read from 09:09 on
    # Friday would need a preparation before 09:00 on Wednesday), so every run grows inside
    # Monday 09:10 to Thursday: more than two shelves hold.  Friday 09:40 passes, and the
    # optimal plan ends then.
    friday_0940 = 4 * 1440 + 580
    c = compile_problem(incubator_waves())
    assert least_plan_end(c, 0, c.horizon, deadline=time.perf_counter() + 20) == friday_0940
    plan = solve_schedule(incubator_waves(), SolveOptions(time_limit_s=10))
    assert max(run_ends(plan).values()) == friday_0940


def test_the_least_plan_end_keeps_what_it_proved_when_time_is_up() -> None:
    c = compile_problem(incubator_waves())
    assert least_plan_end(c, 700, c.horizon, deadline=time.perf_counter() - 1) == 701


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rigid_weeks())
def test_the_least_plan_end_never_exceeds_a_valid_plan(problem: Problem) -> None:
    plan = valid_greedy_plan(problem)
    if plan is None:
        return
    c = compile_problem(problem)
    end = max(run_ends(plan).values())
    assert least_plan_end(c, 0, c.horizon, deadline=time.perf_counter() + 20) <= end


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rigid_weeks())
def test_bound_never_exceeds_a_valid_plan(problem: Problem) -> None:
    plan = valid_greedy_plan(problem)
    if plan is None:
        return
    bound = bound_of(problem)
    assert bound is not None
    assert bound <= sum(run_ends(plan).values())
