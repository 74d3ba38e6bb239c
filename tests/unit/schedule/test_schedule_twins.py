"""Twin runs: runs no plan can tell apart may be ordered by every feasibility question."""

from __future__ import annotations

import time
from datetime import timedelta

from schedule_cases import MONDAY, RESOURCES, transwell

from elab.domain.schedule import Assignment, LabCalendar, Problem, check_schedule
from elab.domain.schedule.compiled import compile_problem
from elab.domain.schedule.greedy import schedule_from_minutes
from elab.domain.schedule.greedy_chains import chain_greedy_schedule
from elab.domain.schedule.twins import twin_order
from elab.solve.deadlines import EndPlan, _snapped, descend
from elab.solve.schedule import SolveOptions, _Builder


def _week(runs: list[str]) -> Problem:
    acts = [a for run in runs for a in transwell(run)]
    return Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                   horizon_days=7)


def test_runs_alike_in_everything_are_ordered_by_their_first_step() -> None:
    acts = [a for run in ("t0", "t1", "t2") for a in transwell(run)]
    acts += transwell("short", incubate=(6 * 60, 8 * 60))  # alike but for its incubation
    c = compile_problem(Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"),
                                MONDAY, horizon_days=7))
    first = {run: c.index[(run, "seed")] for run in ("t0", "t1", "t2")}
    assert twin_order(c) == [(first["t0"], first["t1"]), (first["t1"], first["t2"])]


def test_a_different_run_priority_or_a_fixed_step_is_no_twin() -> None:
    acts = [a for run in ("t0", "t1", "t2") for a in transwell(run)]
    acts += transwell("other", incubate=(18 * 60, 24 * 60))
    seed_t2 = Assignment("t2", "seed", MONDAY + timedelta(hours=9),
                         MONDAY + timedelta(hours=9, minutes=30))
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=7, priorities=(("t1", 3),), fixed=(seed_t2,))
    assert twin_order(compile_problem(problem)) == []


def test_ordered_probes_still_find_the_earliest_end_and_prove_it() -> None:
    # Six transwell runs, four incubator shelves: two waves; all six are twins.
    problem = _week([f"t{k}" for k in range(6)])
    c = compile_problem(problem)
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="plan_end").build()
    first = chain_greedy_schedule(problem)  # a valid first plan
    starts, ends = [0] * len(c.activities), [0] * len(c.activities)
    for a in first.assignments:
        i = c.index[a.key]
        starts[i], ends[i] = c.grid.minute_from(a.start), c.grid.minute_from(a.end)
    order = twin_order(c)
    assert len(order) == 5
    got = descend(built.model, built.starts, built.ends, EndPlan(starts, ends, max(ends), 0),
                  c.grid.day_ends(), deadline=time.perf_counter() + 10, order=order,
                  can_end=built.can_end)
    assert got.bound == got.end > 2 * 1440  # proven: the second wave ends on Wednesday
    plan = schedule_from_minutes(c, got.starts, got.ends, "deadlines")
    assert check_schedule(problem, plan).ok


def test_day_ends_move_back_to_when_the_plan_can_end() -> None:
    # the plan can end on Monday and Wednesday in working hours only
    can_end = [(540, 1020), (3420, 3900)]
    assert _snapped([1440, 2880, 4320, 5760], can_end) == [1020, 3900]
    assert _snapped([1440, 2880], []) == [1440, 2880]


def test_a_plan_that_ends_at_the_first_minute_it_can_is_proven_without_a_probe() -> None:
    # A plan ending at Tuesday 09:30, the first minute any plan can end at: the minutes
    # before hold no end, so the plan is proven without asking CP-SAT anything.
    c = compile_problem(_week(["t0"]))
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="plan_end").build()
    plan = EndPlan([0] * len(c.activities), [0] * len(c.activities), 1440 + 570, 0)
    got = descend(built.model, built.starts, built.ends, plan, c.grid.day_ends(),
                  deadline=time.perf_counter() + 5, can_end=[(1440 + 570, 1440 + 1020)])
    assert (got.end, got.bound) == (1440 + 570, 1440 + 570)
