"""The plan's end by deadlines: a late plan of a week is brought to its earliest end."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from ortools.sat.python import cp_model
from schedule_cases import BERLIN, MONDAY, RESOURCES, transwell

from elab.domain.schedule import LabCalendar, Problem, check_schedule
from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.greedy import schedule_from_minutes
from elab.domain.schedule.timegrid import TimeGrid
from elab.solve import deadlines, schedule
from elab.solve.deadlines import EndPlan, descend
from elab.solve.schedule import SolveOptions, _Builder, _Built


def _incubator_waves() -> tuple[Problem, Compiled, _Built]:
    # Six transwell runs, four incubator shelves: the runs go in two waves of a day.
    acts = [a for k in range(6) for a in transwell(f"t{k}")]
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=7)
    c = compile_problem(problem)
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="plan_end").build()
    return problem, c, built


def _solve(built: _Built, earliest_start: int = 0) -> EndPlan:
    model = built.model.clone()
    for start in built.starts:
        model.add(model.get_int_var_from_proto_index(start.index) >= earliest_start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) == cp_model.OPTIMAL
    ends = [solver.value(v) for v in built.ends]
    return EndPlan([solver.value(v) for v in built.starts], ends, max(ends), 0)


def test_a_late_plan_ends_as_early_as_the_optimal_one() -> None:
    problem, c, built = _incubator_waves()
    late = _solve(built, earliest_start=2 * 1440)  # every run from Wednesday
    best = _solve(built)
    assert best.end < late.end
    got = descend(built.model, built.starts, built.ends, late, c.grid.day_ends(),
                  deadline=time.perf_counter() + 10)
    assert got.end == best.end
    # proven: no plan ends by Tuesday midnight (the second wave cannot come out before)
    assert 2 * 1440 < got.bound <= best.end
    plan = schedule_from_minutes(c, got.starts, got.ends, "deadlines")
    assert check_schedule(problem, plan).ok


def test_no_time_keeps_the_plan_and_its_bound() -> None:
    _, c, built = _incubator_waves()
    late = _solve(built, earliest_start=2 * 1440)
    got = descend(built.model, built.starts, built.ends, EndPlan(late.starts, late.ends, late.end, 17),
                  c.grid.day_ends(), deadline=time.perf_counter())
    assert (got.end, got.bound, got.ends) == (late.end, 17, late.ends)


def test_days_end_at_local_midnight_across_a_clock_change() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026: that day has 25 hours.
    grid = TimeGrid(datetime(2026, 10, 24, tzinfo=BERLIN), 3 * 1440 + 60, ())
    assert grid.day_ends() == [1440, 2 * 1440 + 60, 3 * 1440 + 60]
    assert grid.datetime_from(grid.day_ends()[1]) == datetime(2026, 10, 26, tzinfo=BERLIN)
    assert TimeGrid(MONDAY + timedelta(hours=9), 1440, ()).day_ends() == [15 * 60]


def test_a_plan_end_search_that_finds_nothing_goes_on_from_the_first_plan(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A busy library week's plan-end search from scratch can find nothing in its time; the
    # first plan then starts the deadlines, and the bounds and the weighted step still run.
    problem, _, _ = _incubator_waves()
    real = schedule._solve_phase

    def nothing_for_the_plan_end(c: Compiled, opts: SolveOptions, objective: str,
                                 *args: Any, **kwargs: Any) -> Any:
        out = real(c, opts, objective, *args, **kwargs)
        if objective != "plan_end":
            return out
        return replace(out, starts=None, ends=None, objective=None, first_s=None,
                       status=cp_model.UNKNOWN, status_name="UNKNOWN")

    monkeypatch.setattr(schedule, "_solve_phase", nothing_for_the_plan_end)
    got = schedule.solve_schedule(problem, SolveOptions(time_limit_s=6, workers=1))
    assert check_schedule(problem, got).ok
    assert got.stats["solver_first_s"] == 0.0  # the plan-end search really found nothing
    # the deadlines brought the first plan to the week's least end, and proved it
    assert got.stats["makespan_step_objective"] == got.stats["makespan_step_bound"]
    assert got.stats["makespan_step_bound"] > 2 * 1440
    assert "least_plan_end" in got.stats and "summed_by_days" in got.stats


def test_a_pass_that_decides_nothing_then_asks_about_the_last_half_hour(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # On a library 25-run week every deadline took CP-SAT 1.6-2 s to refute, more than a
    # first-pass probe has: the second pass asks first whether any plan ends 30 min sooner,
    # and its "no" proves the plan within half an hour.
    _, c, built = _incubator_waves()
    late = _solve(built, earliest_start=2 * 1440)
    asked: list[tuple[int, float]] = []

    def probe(model: Any, starts: Any, ends: Any, by: int, deadline: float, seed: int,
              probe_s: float) -> tuple[None, bool]:
        asked.append((by, probe_s))
        time.sleep(0.001)
        return None, probe_s > deadlines.PROBE_S and by == late.end - deadlines.CLOSE_MIN

    monkeypatch.setattr(deadlines, "_probe", probe)
    got = descend(built.model, built.starts, built.ends, late, c.grid.day_ends(),
                  deadline=time.perf_counter() + 0.5, can_end=built.can_end)
    first_pass = [by for by, probe_s in asked if probe_s == deadlines.PROBE_S]
    assert first_pass and max(first_pass) < late.end - deadlines.CLOSE_MIN
    assert asked[len(first_pass)] == (late.end - deadlines.CLOSE_MIN, 2 * deadlines.PROBE_S)
    assert (got.end, got.bound) == (late.end, late.end - deadlines.CLOSE_MIN + 1)
