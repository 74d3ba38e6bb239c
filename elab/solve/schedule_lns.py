"""Improving a week's plan a few runs at a time: large neighbourhood search by run.

CP-SAT's own neighbourhoods free random variables, constraints or time windows; they do not
know that a lab week is made of runs, and on a busy week of 50 runs they improve the runs'
ends slowly.  Here every other run is held where it is and a handful of runs are planned
again around them: the sub-problem is small, CP-SAT often solves it to optimality within a
fraction of a second, and any better plan of those runs is a better plan of the week.  In
turn, a handful is a run that ends later than it would alone in the lab (where the plan
loses time) with the runs ending nearest to it (those it waits for, or that wait for it),
or half such late runs and half drawn at random; the handful grows while its solves finish
and shrinks when they do not.  The model is the week's own, so every accepted plan satisfies
every constraint of it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from elab.domain.schedule.timegrid import in_one_window

__all__ = ["InHours", "Plan", "improve_by_runs"]

InHours = tuple[int, cp_model.IntVar, Sequence[tuple[int, int]], int]

# Shorter sub-solves on smaller handfuls (0.5 s, 8 runs) did better on the library 50-run
# week (5.2-5.7 % of gap against 6.4-6.8 % at 30 s) and worse on the generated 25-run one
# (4.0-4.5 % against 3.8 %), where a handful of six needs more than 0.5 s to be solved.
SUB_SOLVE_S = 2.0  # at most, per handful of runs
FIRST_HANDFUL = 12  # runs; then it grows and shrinks with the solves
ALONE_SOLVE_S = 0.5  # at most, per run paying more out of hours than alone


@dataclass(frozen=True)
class Plan:
    """Start and end minutes of every activity, and the objective they score."""

    starts: list[int]
    ends: list[int]
    objective: float


def improve_by_runs(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
                    ends: Sequence[cp_model.IntVar], runs: Sequence[Sequence[int]],
                    alone_ends: Sequence[int], plan: Plan, deadline: float,
                    seed: int = 0, in_hours: Sequence[InHours] = (),
                    alone_prices: Sequence[int | None] = ()) -> Plan:
    """The best plan found by re-planning a few runs at a time until ``deadline``.

    ``runs`` lists each run's activity indices, ``alone_ends`` each run's least end, and
    ``in_hours`` the steps whose out-of-hours work is priced: each one's index, the flag
    saying it is in hours, its working windows and its price, hinted from the plan too
    (left to itself a sub-solve first tries such a step out of hours, and its time goes to
    undoing that); ``alone_prices`` is each run's least out-of-hours price (None: not
    known, when the time for the runs alone ran out).  First each run that pays more than
    that is planned again alone around the others.
    """
    rng = random.Random(seed)
    base = model.clone()
    base.clear_hints()  # type: ignore[no-untyped-call]
    for k in _over_priced(plan, runs, in_hours, alone_prices):
        if deadline - time.perf_counter() < 0.1:
            break
        plan, _ = _replan(base, starts, ends, runs, {k}, plan, in_hours,
                          min(ALONE_SOLVE_S, deadline - time.perf_counter()), seed)
    size = max(2, min(FIRST_HANDFUL, len(runs) // 4))
    turn = 0
    while len(runs) > 1 and deadline - time.perf_counter() > 0.1:
        ends_now = [max(plan.ends[i] for i in items) for items in runs]
        free = _handful(rng, ends_now, alone_ends, size, nearest=turn % 2 == 0)
        turn += 1
        plan, status = _replan(base, starts, ends, runs, free, plan, in_hours,
                               min(SUB_SOLVE_S, deadline - time.perf_counter()), seed)
        size = min(size + 1, len(runs)) if status == cp_model.OPTIMAL else max(2, size - 1)
    return plan


def _over_priced(plan: Plan, runs: Sequence[Sequence[int]], in_hours: Sequence[InHours],
                 alone_prices: Sequence[int | None]) -> list[int]:
    """The runs paying more for out-of-hours work in the plan than they would alone."""
    if not alone_prices:
        return []
    run_of = {i: k for k, items in enumerate(runs) for i in items}
    paid = [0] * len(runs)
    for i, _, windows, price in in_hours:
        if not in_one_window(windows, plan.starts[i], plan.ends[i]):
            paid[run_of[i]] += price
    return [k for k, least in enumerate(alone_prices) if least is not None and paid[k] > least]


def _replan(base: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
            ends: Sequence[cp_model.IntVar], runs: Sequence[Sequence[int]], free: set[int],
            plan: Plan, in_hours: Sequence[InHours], time_s: float,
            seed: int) -> tuple[Plan, cp_model.CpSolverStatus]:
    """The plan with the runs in ``free`` planned again around the others, if better."""
    sub = base.clone()
    for k, items in enumerate(runs):
        for i in items:
            start = sub.get_int_var_from_proto_index(starts[i].index)
            end = sub.get_int_var_from_proto_index(ends[i].index)
            if k not in free:
                sub.add(start == plan.starts[i])
                sub.add(end == plan.ends[i])
            sub.add_hint(start, plan.starts[i])
            sub.add_hint(end, plan.ends[i])
    for i, flag, windows, _ in in_hours:
        sub.add_hint(sub.get_bool_var_from_proto_index(flag.index),
                     in_one_window(windows, plan.starts[i], plan.ends[i]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_s
    status = solver.solve(sub)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
            solver.objective_value < plan.objective:
        # a clone keeps the variables' indices: the week's variables read the sub-solve
        plan = Plan([solver.value(v) for v in starts], [solver.value(v) for v in ends],
                    solver.objective_value)
    return plan, status


def _handful(rng: random.Random, ends: Sequence[int], alone_ends: Sequence[int], size: int,
             nearest: bool) -> set[int]:
    """Runs to plan again: a late run and its nearest, or late runs and random ones."""
    late = [k for k, end in enumerate(ends) if end > alone_ends[k]]
    if nearest and late:
        pivot = rng.choice(late)
        order = sorted(range(len(ends)), key=lambda k: (k != pivot, abs(ends[k] - ends[pivot])))
        return set(order[:size])
    free = set(rng.sample(late, min(len(late), size // 2)))
    rest = [k for k in range(len(ends)) if k not in free]
    free.update(rng.sample(rest, min(len(rest), size - len(free))))
    return free
