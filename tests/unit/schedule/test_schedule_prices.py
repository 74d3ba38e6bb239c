"""The bound on the runs' summed ends from prices on instrument time: a known case, the
sweep's pieces, and never above a real plan."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schedule_cases import MONDAY, rigid_weeks, run_ends, valid_greedy_plan
from test_schedule_end_days import bound_of, reading_run

from elab.domain.schedule import Activity, Demand, LabCalendar, Lag, Problem, Resource
from elab.domain.schedule.compiled import compile_problem
from elab.solve import lagrange
from elab.solve.lagrange import (
    _longest_path,
    _Prices,
    _window_min,
    least_end_by_prices,
    summed_end_by_prices,
)
from elab.solve.schedule import SolveOptions, solve_schedule


def prices_bound(problem: Problem, seconds: float = 2.0, beat: int = 0) -> int | None:
    c = compile_problem(problem)
    horizon = c.horizon
    return summed_end_by_prices(c, {}, dict.fromkeys(problem.runs, horizon), beat,
                                deadline=time.perf_counter() + seconds)


def four_reads() -> Problem:
    acts = [a for run in ("a", "b", "c", "d") for a in reading_run(run)]
    return Problem(tuple(acts), (Resource("reader"),), LabCalendar(timezone="Europe/Berlin"),
                   MONDAY, horizon_days=5)


def test_four_reads_on_one_reader_are_proven_at_the_best_plan() -> None:
    # Alone each run ends Monday 12:30 (4 x 750 min).  The reader holds three hours at a
    # time, so the best plan ends the runs at 12:30 and 15:30 on Monday and 12:30 and 15:30
    # on Tuesday (6240 min summed).  The day classes prove 5880; the prices see that the
    # reads queue within the day too.
    assert bound_of(four_reads()) == 5880
    assert prices_bound(four_reads()) == 6240


def test_nothing_is_searched_when_the_plan_cannot_be_beaten() -> None:
    # the relaxation's answer is never above the plan's, so a known bound of the plan's
    # value (or more) leaves nothing to find
    c = compile_problem(four_reads())
    plan = {"a": 750, "b": 930, "c": 2190, "d": 2370}
    assert summed_end_by_prices(c, {}, plan, 6240, time.perf_counter() + 2) is None
    assert summed_end_by_prices(c, {}, plan, 6239, time.perf_counter() + 2) is not None


def test_a_run_that_forks_is_swept_along_its_longest_path() -> None:
    # x prepares, then reads for an hour and (at the same time) incubates for two: the
    # sweep follows prep -> incubate, the longer branch, and leaves the read out
    fork = [Activity("x", "prep", 30, 30, True),
            Activity("x", "read", 60, 60, True, (Demand("reader"),), (Lag("prep"),)),
            Activity("x", "incubate", 120, 120, False, (), (Lag("prep", 0, 0),))]
    problem = Problem((*reading_run("a"), *fork), (Resource("reader"),),
                      LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=5)
    c = compile_problem(problem)
    path = _longest_path(c, "x", [c.index[("x", s)] for s in ("prep", "read", "incubate")])
    assert [c.activities[i].step for i, _ in path] == ["prep", "incubate"]
    assert [lag.step if lag else None for _, lag in path] == [None, "prep"]
    # alone, a ends at 12:30 and x at 11:30 (prep from 09:00, two hours' incubation)
    bound = summed_end_by_prices(c, {}, {"a": 750, "x": 690}, 0, time.perf_counter() + 1)
    assert bound == 750 + 690


def test_a_run_whose_lag_goes_back_counts_with_its_floor() -> None:
    # 'read' may start 10 min before 'prep' ends: no sweep forward in time for x
    back = [Activity("x", "prep", 30, 30, True),
            Activity("x", "read", 60, 60, True, (Demand("reader"),), (Lag("prep", -10),))]
    problem = Problem((*reading_run("a"), *back), (Resource("reader"),),
                      LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=5)
    c = compile_problem(problem)
    prices = _Prices(c, c.horizon)
    assert [chain.run for chain in prices.chains] == ["a"] and prices.others == ["x"]
    bound = summed_end_by_prices(c, {"x": 700}, {"a": 750, "x": 800}, 0,
                                 time.perf_counter() + 1)
    assert bound == 750 + 700


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=40), st.integers(0, 12),
       st.integers(0, 12) | st.none())
def test_window_min_is_the_minimum_over_its_window(values: list[float], lo: int,
                                                   width: int | None) -> None:
    x = np.array(values)
    hi = None if width is None else lo + width
    got = _window_min(np.stack([x, x[::-1]]), lo, hi)[0]
    for t in range(len(x)):
        first = 0 if hi is None else max(t - hi, 0)
        window = x[first:t - lo + 1] if t - lo >= 0 else x[:0]
        want = window.min() if len(window) else lagrange.INF
        assert got[t] == pytest.approx(want)


def test_the_grid_gives_the_same_answer_as_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    # every time in the week is a multiple of 15 min, so the sweep runs on a 15-minute grid;
    # with the same prices it must find what a sweep over every minute finds
    c = compile_problem(four_reads())
    coarse = _Prices(c, c.horizon)
    monkeypatch.setattr(lagrange, "_grid_unit", lambda _: 1)
    fine = _Prices(c, c.horizon)
    assert (coarse.grid, fine.grid) == (15, 1)
    prices = np.random.default_rng(7).uniform(0, 3, coarse.lam.shape)
    coarse.lam, fine.lam = prices, prices.copy()
    value, excess = coarse.evaluate({})
    assert fine.evaluate({})[0] == pytest.approx(value)
    assert fine.evaluate({})[1] == pytest.approx(excess)


@st.composite
def branching_weeks(draw: st.DrawFn) -> Problem:
    """Runs like a generated week's: fixed hands-on work (some off the 5-minute grid),
    incubations with ranges handed on at once, and hands-on steps that follow at once,
    within 30 min or any time later, some also after an earlier step (a join)."""
    activities: list[Activity] = []
    for r in range(draw(st.integers(1, 5))):
        previous: Activity | None = None
        for s in range(draw(st.integers(1, 5))):
            hands_on = previous is None or previous.hands_on is False or draw(st.booleans())
            equipment = draw(st.sampled_from(["reader", "shaker", None]))
            demand = (Demand(equipment),) if equipment else ()
            if hands_on:
                minutes = draw(st.sampled_from([5, 10, 20, 45, 90]) | st.integers(3, 100))
                window = draw(st.sampled_from([0, 30, None]))
                after = (Lag(previous.step, 0, window),) if previous is not None else ()
                if s >= 2 and draw(st.booleans()):  # a join: also after an earlier step
                    after = (*after, Lag(f"s{draw(st.integers(0, s - 2))}", 0, None))
                act = Activity(f"r{r}", f"s{s}", minutes, minutes, True, demand, after)
            else:
                assert previous is not None
                lo = draw(st.sampled_from([30, 120, 12 * 60]))
                hi = lo + draw(st.sampled_from([0, 60, 6 * 60]))
                act = Activity(f"r{r}", f"s{s}", lo, hi, False, demand,
                               (Lag(previous.step, 0, 0),))
            activities.append(act)
            previous = act
    resources = (Resource("reader"), Resource("shaker", capacity=2))
    return Problem(tuple(activities), resources, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                   horizon_days=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rigid_weeks() | branching_weeks())
def test_bound_never_exceeds_a_valid_plan(problem: Problem) -> None:
    plan = valid_greedy_plan(problem)
    if plan is None:
        return
    bound = prices_bound(problem, seconds=0.5)
    if bound is None:  # only when no instrument is shared: then there is nothing to price
        assert not any(a.demands for a in problem.activities)
        return
    assert bound <= sum(run_ends(plan).values())


def test_four_reads_cannot_all_end_before_tuesday_afternoon() -> None:
    # twelve hours of reads, a working day holds two of them: the best plan ends Tuesday
    # 15:30 (2370 min); the prices refute every end up to Tuesday 15:00 or so
    c = compile_problem(four_reads())
    assert 2330 <= least_end_by_prices(c, 0, c.horizon, time.perf_counter() + 10) <= 2370


def test_the_least_end_keeps_what_it_proved_when_time_is_up() -> None:
    c = compile_problem(four_reads())
    assert least_end_by_prices(c, 700, c.horizon, time.perf_counter() - 1) == 700


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rigid_weeks() | branching_weeks())
def test_the_least_end_never_exceeds_a_valid_plan(problem: Problem) -> None:
    plan = valid_greedy_plan(problem)
    if plan is None:
        return
    c = compile_problem(problem)
    least = least_end_by_prices(c, 0, c.horizon, time.perf_counter() + 5)
    assert least <= max(run_ends(plan).values())


def test_the_solve_reports_both_bounds_and_the_prices_meet_the_optimum() -> None:
    # CP-SAT proves this small week by itself; the prices, whose steps aim above the best
    # bound so far (aiming at the optimal plan's 6240 they stalled at 6068), agree with it
    plan = solve_schedule(four_reads(), SolveOptions(time_limit_s=10, explain=False))
    assert plan.stats["summed_by_days"] == 5880
    assert plan.stats["summed_by_prices"] == 6240
    assert sum(run_ends(plan).values()) == 6240
    assert plan.status == "OPTIMAL"
    assert plan.objective == plan.bound == 4 * 2370 + 6240
