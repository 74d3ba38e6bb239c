"""Runs that no plan can tell apart, and an order among them that every question may assume.

A week often holds the same protocol several times from the same day: seven
immunofluorescence runs, fourteen wound-healing ones.  Any plan stays a plan when two such
runs swap their times, so a search that asks only "is there a plan ending by D?" may assume
that each one starts no earlier than its twin before it.  Without that order CP-SAT explored
every permutation of the twins: on a library 25-run week it did not decide in 300 s whether
the runs could end by Friday 17:00, and with it proved in 5 s that they cannot.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from elab.domain.schedule.compiled import Compiled

__all__ = ["twin_order"]


def twin_order(c: Compiled) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of activity indices: a plan may be assumed to start ``i`` no later
    than ``j``.

    ``i`` and ``j`` are the first activities of consecutive twins: runs alike in every step,
    window and booking, done by the same person, with the same priority and nothing fixed.
    """
    by_run: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(c.activities):
        by_run[a.run].append(i)
    fixed_runs = {c.activities[i].run for i in c.fixed}
    twins: dict[Any, list[int]] = defaultdict(list)
    for run, items in by_run.items():
        if run not in fixed_runs:
            twins[_signature(c, run, items)].append(items[0])
    return [(i, j) for firsts in twins.values() for i, j in itertools.pairwise(firsts)]


def _signature(c: Compiled, run: str, items: list[int]) -> tuple[Any, ...]:
    """What a plan sees of a run: everything but its name."""
    def step(i: int) -> tuple[Any, ...]:
        a = c.activities[i]
        return (a.step, a.min_min, a.max_min, a.hands_on, a.demands, a.after, a.anytime,
                c.release[i], c.deadline[i], c.windows[i])

    steps = tuple(step(i) for i in items)
    return steps, c.problem.calendar.person_of(run), c.problem.priority(run)
