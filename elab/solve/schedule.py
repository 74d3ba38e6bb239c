"""Planning a lab week: the first plan as a hint, then CP-SAT on one model.

The greedy first plan (:mod:`elab.domain.schedule.greedy`) is handed to CP-SAT as its hint;
CP-SAT then searches the model of :mod:`elab.solve.schedule_model` with its own portfolio of
workers (large-neighbourhood search included) until it proves the plan best or the time
limit ends the search.  Quality comes from more time or more workers, nothing else.  When
no plan exists, :mod:`elab.solve.schedule_explain` says why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from ortools.sat.python import cp_model

from elab.domain.schedule.check import check_schedule
from elab.domain.schedule.compiled import Compiled, compile_problem, in_one_window
from elab.domain.schedule.greedy import greedy_minutes, schedule_from_minutes
from elab.domain.schedule.model import Problem, Schedule
from elab.errors import InfeasibleError
from elab.solve.schedule_explain import explain_infeasibility
from elab.solve.schedule_model import Built, build_model

__all__ = ["SolveOptions", "explain_infeasibility", "solve_schedule"]


@dataclass(frozen=True)
class SolveOptions:
    """How hard to try.  ``workers=1`` is the benchmark setting (one core, reproducible)."""

    time_limit_s: float = 10.0
    workers: int = 1
    objective: str = "weighted"  # weighted: priority-weighted run ends + makespan; or makespan
    allow_out_of_hours: bool = False
    explain: bool = True
    seed: int = 0
    makespan_share: float = 0.5  # of the time, spent first on the plan's end alone


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Notes when CP-SAT's first plan came (when the greedy one was not valid)."""

    def __init__(self, t0: float) -> None:
        super().__init__()
        self.t0 = t0
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0


Plan = tuple[list[int], list[int]]  # start and end minute of each activity


def _search(c: Compiled, opts: SolveOptions, objective: str, hint: Plan | None,
            time_limit: float, callback: _FirstSolution) -> tuple[Any, Built, Any]:
    """One CP-SAT search of the model (from a plan, if given) for ``time_limit`` seconds."""
    built = build_model(c, soft_hours=opts.allow_out_of_hours, objective=objective)
    if hint is not None:
        starts, ends = hint
        for var, value in zip(built.starts + built.ends, starts + ends, strict=True):
            built.model.add_hint(var, value)
        for i, flag in built.in_hours:
            # left to itself the search tries a step out of hours first and pays for it
            built.model.add_hint(flag, in_one_window(c.windows[i] or (), starts[i], ends[i]))
        for i, flag in built.daytime:
            built.model.add_hint(flag, in_one_window(c.grid.daytime, starts[i], ends[i]))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.5)
    solver.parameters.num_workers = max(1, opts.workers)
    solver.parameters.random_seed = opts.seed
    # one worker takes CP-SAT's portfolio in turns (LNS included) rather than one search
    solver.parameters.interleave_search = opts.workers == 1
    return solver, built, solver.solve(built.model, callback)


def _plan(solver: Any, built: Built) -> Plan:
    return [solver.value(v) for v in built.starts], [solver.value(v) for v in built.ends]


def solve_schedule(problem: Problem, options: SolveOptions | None = None) -> Schedule:
    """The best schedule CP-SAT finds within the time limit; InfeasibleError says why not.

    With several runs the plan's end alone is searched first, from scratch (the weighted
    search, trading one run's end against another's, leaves a busy week later than it need
    end; docs/scheduling.md has the figures).  ``stats`` holds ``first_s`` (seconds to the
    first valid plan, greedy or CP-SAT's) and ``wall_s``.
    """
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    c = compile_problem(problem)
    hint: Plan = greedy_minutes(c)
    first = schedule_from_minutes(c, *hint, "greedy", status="HEURISTIC")
    greedy_ok = check_schedule(problem, first).ok
    greedy_s = time.perf_counter() - t0
    callback = _FirstSolution(t0)
    left = opts.time_limit_s - greedy_s
    if opts.objective == "weighted" and len(problem.runs) > 1 and opts.makespan_share > 0:
        solver, built, status = _search(c, opts, "makespan", None,
                                        left * opts.makespan_share, callback)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
                solver.objective_value <= max(hint[1], default=0) or not greedy_ok):
            hint = _plan(solver, built)
        left = opts.time_limit_s - (time.perf_counter() - t0)
    solver, built, status = _search(c, opts, opts.objective, hint, left, callback)
    wall = time.perf_counter() - t0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        first_s = greedy_s if greedy_ok else (callback.first or wall)
        return schedule_from_minutes(
            c, *_plan(solver, built), "cp-sat", status=solver.status_name(status),
            objective=solver.objective_value, bound=solver.best_objective_bound,
            stats={"first_s": first_s, "wall_s": wall})
    if greedy_ok and status != cp_model.INFEASIBLE:
        return replace(first, stats={"first_s": greedy_s, "wall_s": wall})
    if status == cp_model.INFEASIBLE:
        if opts.explain:
            raise InfeasibleError(explain_infeasibility(problem, c))
        raise InfeasibleError("no schedule satisfies every constraint")
    raise InfeasibleError(
        f"no schedule found within {opts.time_limit_s:g} s; allow more time (--time-limit)"
    )

