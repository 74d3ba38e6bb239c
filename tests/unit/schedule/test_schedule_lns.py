"""Re-planning a few runs at a time: a poor plan of a week becomes the best one, still valid."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model
from schedule_cases import MONDAY, RESOURCES, transwell

from elab.domain.schedule import Activity, LabCalendar, Problem, check_schedule
from elab.domain.schedule.compiled import compile_problem
from elab.domain.schedule.greedy import schedule_from_minutes
from elab.solve.schedule import SolveOptions, _Builder, _weighted_start
from elab.solve.schedule_lns import Plan, improve_by_runs


def test_a_late_plan_is_brought_forward_run_by_run() -> None:
    # Four transwell runs share one hood and one reader.  A plan that starts every run a day
    # late is valid but poor; re-planning two or three runs at a time reaches the optimum.
    acts = [a for k in range(4) for a in transwell(f"t{k}")]
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=5)
    c = compile_problem(problem)
    opts = SolveOptions(time_limit_s=5, explain=False)
    built = _Builder(c, opts, explain=False, objective="weighted").build()

    def solve(extra: list[cp_model.IntVar]) -> Plan:
        model = built.model.clone()
        for start in extra:
            model.add(model.get_int_var_from_proto_index(start.index) >= 1440)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10
        assert solver.solve(model) == cp_model.OPTIMAL
        return Plan([solver.value(v) for v in built.starts],
                    [solver.value(v) for v in built.ends], solver.objective_value)

    late = solve(list(built.starts))
    best = solve([])
    assert best.objective < late.objective
    runs = [[i for i, a in enumerate(c.activities) if a.run == f"t{k}"] for k in range(4)]
    got = improve_by_runs(built.model, built.starts, built.ends, runs, [0] * 4, late,
                          deadline=time.perf_counter() + 3)
    assert got.objective == best.objective
    plan = schedule_from_minutes(c, got.starts, got.ends, "lns")
    assert check_schedule(problem, plan).ok


def test_a_single_run_is_left_as_it_is() -> None:
    acts = transwell("t0")
    problem = Problem(tuple(acts), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY)
    c = compile_problem(problem)
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="weighted").build()
    plan = Plan([0] * len(acts), [0] * len(acts), 1.0)
    assert improve_by_runs(built.model, built.starts, built.ends, [list(range(len(acts)))],
                           [0], plan, deadline=time.perf_counter() + 1) is plan


def test_a_run_paying_for_work_out_of_hours_it_need_not_is_planned_again() -> None:
    # A time-lapse shot the plan takes at 20:00 on Monday could be taken at 09:00: the run
    # alone pays nothing out of hours, so it is planned again first (even a week of one run).
    shot = Activity("wh", "shot", 10, 10, True, anytime=True)
    problem = Problem((shot,), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=2)
    c = compile_problem(problem)
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="weighted").build()
    ((i, flag),) = built.out_of_hours
    in_hours = [(i, flag, c.windows[i] or (), 10_000)]
    evening = Plan([20 * 60], [20 * 60 + 10], 2 * (20 * 60 + 10) + 10_000)
    got = improve_by_runs(built.model, built.starts, built.ends, [[0]], [0], evening,
                          deadline=time.perf_counter() + 2, in_hours=in_hours,
                          alone_prices=[0])
    assert (got.starts, got.objective) == ([9 * 60], 2 * (9 * 60 + 10))
    # without the runs' least prices nothing says the shot could move
    for unknown in ((), [None]):
        assert improve_by_runs(built.model, built.starts, built.ends, [[0]], [0], evening,
                               deadline=time.perf_counter() + 2, in_hours=in_hours,
                               alone_prices=unknown) is evening


def test_the_weighted_step_starts_from_the_earlier_end_whose_night_shots_can_move() -> None:
    # A plan taking the shot at 20:00 on Monday ends 13 h sooner than one taking it at 09:00
    # on Tuesday.  With out-of-hours work forbidden the run-by-run search moves such a shot
    # back into hours, but nothing moves a plan's end back: the earlier end is the start.
    shot = Activity("wh", "shot", 10, 10, True, anytime=True)
    problem = Problem((shot,), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                      horizon_days=2)
    c = compile_problem(problem)
    evening = ([20 * 60], [20 * 60 + 10])
    morning = ([33 * 60], [33 * 60 + 10])
    assert _weighted_start(c, [morning, evening], priced=False) == evening
    # when out-of-hours work is allowed and priced, the price decides
    assert _weighted_start(c, [morning, evening], priced=True) == morning
