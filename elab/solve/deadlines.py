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
where a looser one did not), and only a probe proven infeasible raises the bound.  A pass
that leaves the plan undecided is followed by one with twice the time per probe, which
first asks whether any plan ends half an hour sooner: that "no" settles the most.  The
probes order twin runs (``twins.py``): a question of feasibility may, and the search no
longer wanders through their permutations.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

__all__ = ["EndPlan", "descend"]

PROBE_S = 1.5  # at most, per deadline in the first pass
FIXED_S = 0.3  # at most, of a probe, for the earliest-start search
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
            deadline: float, seed: int = 0, order: Sequence[tuple[int, int]] = (),
            can_end: Sequence[tuple[int, int]] = ()) -> EndPlan:
    """The plan ending earliest found by deadlines until ``deadline`` (wall clock).

    ``model`` is the plan-end model, cloned for every probe; ``day_ends`` the minutes at
    which the calendar's days end, ascending; ``order`` pairs of activities ``(i, j)``
    whose starts every probe may order, ``i`` first (``twin_order``); ``can_end`` the
    minutes at which the plan can end, as closed intervals (none: any minute), so that no
    probe asks by Sunday midnight what it asked by Friday's.
    """
    model = _ordered(model, starts, order)
    probe_s = PROBE_S
    day_ends = _snapped(day_ends, can_end)
    while True:
        best = _pass(model, starts, ends, plan, day_ends, deadline, seed, probe_s, can_end)
        if best.bound >= best.end or deadline - time.perf_counter() < 0.1:
            return best
        plan, probe_s = best, 2 * probe_s  # what found nothing gets twice the time
        plan = _last_question(model, starts, ends, plan, deadline, seed, probe_s, can_end)


def _last_question(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
                   ends: Sequence[cp_model.IntVar], plan: EndPlan, deadline: float,
                   seed: int, probe_s: float,
                   can_end: Sequence[tuple[int, int]]) -> EndPlan:
    """The plan after asking whether any plan ends ``CLOSE_MIN`` before it.

    A pass that decided nothing asks the question whose "no" settles the most first: on a
    library 25-run week whose plan ends Monday 10:00, every deadline from Thursday on took
    CP-SAT 1.6-2 s to refute, and the pass spent its time refuting Thursday's in vain.
    """
    by = _last_end(plan.end - CLOSE_MIN, can_end)
    if by < plan.bound:
        return plan
    found, proven = _probe(model, starts, ends, by, deadline, seed, probe_s)
    if found is not None:
        return EndPlan(*found, max(found[1]), plan.bound)
    return EndPlan(plan.starts, plan.ends, plan.end, by + 1) if proven else plan


def _pass(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
          ends: Sequence[cp_model.IntVar], plan: EndPlan, day_ends: Sequence[int],
          deadline: float, seed: int, probe_s: float,
          can_end: Sequence[tuple[int, int]]) -> EndPlan:
    """One pass of deadlines, each probe at most ``probe_s``: day ends, then halving."""
    best, bound = plan, plan.bound
    for day_end in day_ends:
        if day_end < bound:
            continue
        if day_end > best.end - CLOSE_MIN or deadline - time.perf_counter() < 0.1:
            break
        found, proven = _probe(model, starts, ends, day_end, deadline, seed, probe_s)
        if found is not None:
            best = EndPlan(*found, max(found[1]), bound)
            break
        if proven:
            bound = day_end + 1
    tried = bound  # deadlines below this found nothing (or cannot be met)
    while best.end > tried and deadline - time.perf_counter() > 0.1:
        if best.end - tried <= 2 * CLOSE_MIN and bound < tried:
            break  # the last question of the next pass asks about the last hour
        middle = (tried + best.end - 1) // 2
        if _last_end(middle, can_end) < tried:  # no plan ends from ``tried`` to ``middle``
            bound = middle + 1 if bound == tried else bound
            tried = middle + 1
            continue
        found, proven = _probe(model, starts, ends, middle, deadline, seed, probe_s)
        if found is not None:
            best = EndPlan(*found, max(found[1]), bound)
        else:
            tried = middle + 1
            bound = middle + 1 if proven else bound
    return EndPlan(best.starts, best.ends, best.end, bound)


def _last_end(by: int, can_end: Sequence[tuple[int, int]]) -> int:
    """The last minute no later than ``by`` at which the plan can end (-1: none)."""
    if not can_end:
        return by
    return max((min(hi, by) for lo, hi in can_end if lo <= by), default=-1)


def _snapped(day_ends: Sequence[int], can_end: Sequence[tuple[int, int]]) -> list[int]:
    """The day ends, each moved back to the last minute the plan can end by it, once."""
    out: list[int] = []
    for day_end in day_ends:
        last = _last_end(day_end, can_end)
        if last >= 0 and (not out or last > out[-1]):
            out.append(last)
    return out


def _ordered(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
             order: Sequence[tuple[int, int]]) -> cp_model.CpModel:
    """The model with ``order``'s starts ordered: a copy, the caller's model is kept."""
    if not order:
        return model
    out = model.clone()
    for i, j in order:
        out.add(out.get_int_var_from_proto_index(starts[i].index)
                <= out.get_int_var_from_proto_index(starts[j].index))
    return out


def _probe(model: cp_model.CpModel, starts: Sequence[cp_model.IntVar],
           ends: Sequence[cp_model.IntVar], by: int, deadline: float,
           seed: int, probe_s: float) -> tuple[tuple[list[int], list[int]] | None, bool]:
    """Starts and ends of a plan with every step ended by ``by``, or None and whether
    none can exist.

    Two searches in turn: the earliest start first (a list scheduler that backtracks; its
    plans finish runs early), then CP-SAT's own, which finds plans the first misses and
    refutes deadlines.  The first gets at most ``FIXED_S``: on the benchmark's weeks it found
    its plans within 0.15 s or not in the whole probe, and never refuted a deadline its
    propagation at the root did not.
    """
    bounded = model.clone()
    bounded.clear_objective()  # type: ignore[no-untyped-call]
    for end in ends:
        bounded.add(bounded.get_int_var_from_proto_index(end.index) <= by)
    t0 = time.perf_counter()
    for earliest_first in (True, False):
        left = deadline - time.perf_counter()
        if left < 0.05:
            break
        probe = bounded.clone() if earliest_first else bounded
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = 0
        spend = min(FIXED_S, probe_s / 2) if earliest_first \
            else probe_s - (time.perf_counter() - t0)
        solver.parameters.max_time_in_seconds = max(min(spend, left), 0.05)
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
