"""The plan's end found by deadlines: "can everything be done by the end of Friday?"

Minimising the plan's end directly, one CP-SAT worker on a saturated 50-run week found a
plan ending the next Monday and stayed there (12 s; 120 s reached Saturday 01:00): each
improvement must move the last run's whole chain at once, and the objective does not say
where.  Asked instead whether every step can end by a deadline, CP-SAT propagates that
deadline into every step's window and, without the LP relaxation (``linearization_level``
0: it costs time and tells nothing about feasibility), often answers within a second.  So
the day ends are tried in turn from the proven bound's day, then the deadline is halved
towards the bound.  Such a search is heavy-tailed: a probe that finds nothing within its
time is passed over (a later deadline often goes at once, and sometimes an earlier one
where a looser one did not), and only a probe proven infeasible raises the bound.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

__all__ = ["EndPlan", "descend"]

PROBE_S = 1.5  # at most, per deadline (half to each search)
CLOSE_MIN = 30  # minutes: closer than that to a deadline that found nothing, stop


@dataclass(frozen=True)
class EndPlan:
    """A plan's start and end minutes, its end, and the least end proven for any plan."""

    starts: list[int]
    ends: list[int]
    end: int
    bound: int


def descend(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
            ends: Sequence[cp_model.IntVar], plan: EndPlan, day_ends: Sequence[int],
            deadline: float, seed: int = 0) -> EndPlan:
    """The plan ending earliest found by deadlines until ``deadline`` (wall clock).

    ``model`` is the plan-end model, cloned for every probe; ``day_ends`` the minutes at
    which the calendar's days end, ascending.
    """
    best, bound = plan, plan.bound
    for day_end in day_ends:
        if day_end < bound:
            continue
        if day_end >= best.end or deadline - time.perf_counter() < 0.1:
            break
        found, proven = _probe(model, starts, ends, day_end, deadline, seed)
        if found is not None:
            best = EndPlan(*found, max(found[1]), bound)
            break
        if proven:
            bound = day_end + 1
    tried = bound  # deadlines below this found nothing (or cannot be met)
    while best.end > tried and deadline - time.perf_counter() > 0.1:
        if best.end - tried <= CLOSE_MIN and bound < tried:
            break  # minutes are left only where the search already found nothing
        middle = (tried + best.end - 1) // 2
        found, proven = _probe(model, starts, ends, middle, deadline, seed)
        if found is not None:
            best = EndPlan(*found, max(found[1]), bound)
        else:
            tried = middle + 1
            bound = middle + 1 if proven else bound
    return EndPlan(best.starts, best.ends, best.end, bound)


def _probe(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
           ends: Sequence[cp_model.IntVar], by: int, deadline: float,
           seed: int) -> tuple[tuple[list[int], list[int]] | None, bool]:
    """Starts and ends of a plan with every step ended by ``by``, or None and whether
    none can exist.

    Two searches in turn: the earliest start first (a list scheduler that backtracks; its
    plans finish runs early), then CP-SAT's own, which finds plans the first misses.
    """
    bounded = model.clone()
    bounded.clear_objective()  # type: ignore[no-untyped-call]
    for end in ends:
        bounded.add(bounded.get_int_var_from_proto_index(end.index) <= by)
    for earliest_first in (True, False):
        left = deadline - time.perf_counter()
        if left < 0.05:
            break
        probe = bounded.clone() if earliest_first else bounded
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = 0
        solver.parameters.max_time_in_seconds = min(PROBE_S / 2, left)
        if earliest_first:
            probe.add_decision_strategy(
                [probe.get_int_var_from_proto_index(v.index) for v in starts],
                cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
            solver.parameters.search_branching = cp_model.FIXED_SEARCH
        status = solver.solve(probe)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ([solver.value(v) for v in starts], [solver.value(v) for v in ends]), False
        if status == cp_model.INFEASIBLE:
            return None, True
    return None, False
