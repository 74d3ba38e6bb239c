"""Lower bounds from how many uses of an instrument fit into each working day.

CP-SAT's relaxation sees an instrument's uses through their earliest starts and latest ends,
not through the holes working hours leave in their start times.  On real protocols those
holes decide the week: a qRT-PCR run's cDNA synthesis (2 h 36 min on the thermal cycler) is
followed at once by the qPCR and the export, all hands-on work in one working day, so the
synthesis can only start between 09:00 and 12:59 — two runs a day on one cycler, however the
week is arranged.

Steps linked by "at once" hand-offs (lag 0–0) behind steps of fixed length form rigid blocks;
every hands-on member must start inside working hours, so the block's start is confined to
the intersection of those windows, shifted by each member's offset.  The windows are then
pushed along every lag, forwards and backwards, across incubations of variable length too
(an overnight antibody must end when someone can wash).  Inside one day's window, uses held
``per_unit`` at a time, each at least the shortest use long, start no earlier than a known
series of times (the slots), so the k-th use of the week starts no earlier than the k-th
slot.  Hence two bounds: the plan cannot end before the last slot plus the shortest
remainder of a run after a use, and the runs' ends add up to at least their first uses'
slots plus their remainders.  A remainder is walked step by step from the slot, each step
starting where its own windows allow (the wash after an overnight antibody waits for the
morning).  Every step of the argument only relaxes, so the bounds hold for any plan; they
are added to the model as redundant constraints.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linear_sum_assignment

from elab.domain.schedule.compiled import Compiled
from elab.domain.schedule.timegrid import DAY

__all__ = ["SlotBounds", "slot_bounds", "start_windows"]


@dataclass(frozen=True)
class SlotBounds:
    """What the slots say: a least plan end, and per instrument its runs' least summed ends."""

    makespan: int = 0
    run_ends: tuple[tuple[tuple[str, ...], int], ...] = ()


def slot_bounds(c: Compiled) -> SlotBounds:
    """Both bounds, per instrument whose uses fill slots.

    The plan cannot end before the last use's slot plus the least remainder of a run after
    such a use.  And a run cannot end before its first use on an instrument plus what must
    follow it; the runs' first uses take distinct slots, so their sum is at least that of
    the smallest slots, one per run: a bound on the runs' summed ends, which is what the
    weighted objective adds up and what CP-SAT's relaxation sees least of.
    """
    starts, root, offset = _start_domains(c)
    if any(not intervals for intervals in starts.values()):
        return SlotBounds()  # no plan at all; the solver will say why
    rest = _rests(c)
    follow = _Follow(c, starts)
    users: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, a in enumerate(c.activities):
        for d in a.demands:
            users[d.equipment].append((i, d.units))
    makespan, run_ends = 0, []
    for name, uses in sorted(users.items()):
        if any(i in c.fixed for i, _ in uses):
            continue
        merged = _merged(c, [i for i, _ in uses], root, offset)
        shortest = min(length for _, length in merged)
        per_unit = c.capacity[name] // min(units for _, units in uses)
        if shortest <= 0 or per_unit <= 0:
            continue
        slots = _slots(_days(starts, [i for i, _ in merged]), per_unit, shortest, len(merged))
        if len(slots) < len(merged):
            continue  # more uses than slots in the horizon: the solver will say why
        last = min(follow.end_from(i, slots[len(merged) - 1]) for i, _ in merged)
        makespan = max(makespan, min(last, c.horizon))
        first: dict[str, int] = {}  # per run, its use with the longest remainder
        for i, _ in merged:
            run = c.activities[i].run
            if run not in first or rest[i] > rest[first[run]]:
                first[run] = i
        run_ends.append((tuple(sorted(first)), _least_summed(follow, list(first.values()),
                                                             slots[: len(first)])))
    return SlotBounds(makespan, tuple(run_ends))


class _Follow:
    """How early a run can end once one of its steps starts: its later steps pushed forward.

    Each later step starts where its own start intervals allow (working hours, the mornings
    an overnight incubation can end in), not only after the minutes before it: the plain sum
    of the remainder's minutes ends an overnight antibody at 06:05 and the wash after it
    then; a person washes at 09:00.
    """

    def __init__(self, c: Compiled, starts: dict[int, list[tuple[int, int]]]) -> None:
        self.c, self.starts = c, starts
        self.after = _successors(c)
        self.rank = {i: k for k, i in enumerate(c.order)}

    def end_from(self, i: int, t: int) -> int:
        """The run's least end when activity ``i`` starts at ``t`` or later."""
        c = self.c
        start = {i: t}
        ready = [(self.rank[i], i)]  # in topological order: a step after all it waits for
        while ready:
            _, j = heapq.heappop(ready)
            start[j] = self._first(j, start[j])
            done = start[j] + c.activities[j].min_min
            for k, gap in self.after[j]:
                if k not in start:
                    heapq.heappush(ready, (self.rank[k], k))
                start[k] = max(start.get(k, 0), done + gap)
        return max(s + c.activities[j].min_min for j, s in start.items())

    def _first(self, i: int, t: int) -> int:
        """The first start of activity ``i`` at ``t`` or later (the horizon if none)."""
        return next((max(s, t) for s, e in self.starts[i] if e >= t), self.c.horizon)


def _least_summed(follow: _Follow, uses: list[int], slots: list[int]) -> int:
    """The least summed end of runs whose ``uses`` (one per run) take distinct ``slots``.

    Which run takes which slot is open, and with working hours a run's end is no longer its
    slot plus a constant: the cheapest assignment decides (an exact one, from SciPy).
    """
    cost = np.array([[follow.end_from(i, slot) for slot in slots] for i in uses])
    rows, cols = linear_sum_assignment(cost)
    return int(cost[rows, cols].sum())


def start_windows(c: Compiled) -> list[tuple[int, int]] | None:
    """Per activity, its earliest and latest start (pushed along the lags); None: no plan."""
    starts, _, _ = _start_domains(c)
    if any(not intervals for intervals in starts.values()):
        return None
    return [(starts[i][0][0], starts[i][-1][1]) for i in range(len(c.activities))]


def _slots(days: dict[int, tuple[int, int]], per_unit: int, shortest: int,
           wanted: int) -> list[int]:
    """The earliest ``wanted`` start times that distinct uses can have, in order.

    Within a day's window, uses held ``per_unit`` at a time and at least ``shortest`` long
    start no earlier than ``low``, ``low``, ..., ``low + shortest``, ...: the k-th at
    ``low + (k // per_unit) * shortest``, as long as that is inside the window.
    """
    out: list[int] = []
    for low, high in days.values():
        count = min(per_unit * ((high - low) // shortest + 1), wanted)
        out += [low + (k // per_unit) * shortest for k in range(count)]
    out.sort()
    return out[:wanted]


def _merged(c: Compiled, uses: list[int], root: list[int],
            offset: list[int]) -> list[tuple[int, int]]:
    """Uses of one instrument, those that follow each other at once in a block made one.

    (cDNA set-up and its program on the thermal cycler are one 156 min use, not 20 + 136.)
    Returns (first activity, minimum length) per use.
    """
    by_block: dict[int, list[int]] = defaultdict(list)
    for i in uses:
        by_block[root[i]].append(i)
    out: list[tuple[int, int]] = []
    for items in by_block.values():
        items.sort(key=offset.__getitem__)
        first, length = items[0], c.activities[items[0]].min_min
        for prev, i in itertools.pairwise(items):
            if (c.activities[prev].min_min == c.activities[prev].max_min
                    and offset[i] == offset[prev] + c.activities[prev].min_min):
                length += c.activities[i].min_min
            else:
                out.append((first, length))
                first, length = i, c.activities[i].min_min
        out.append((first, length))
    return out


def _days(starts: dict[int, list[tuple[int, int]]],
          uses: list[int]) -> dict[int, tuple[int, int]]:
    """Per day, the earliest and latest start of any use whose start interval begins then.

    The start windows already carry each use's earliest start (pushed along its lags).
    """
    days: dict[int, tuple[int, int]] = {}
    for i in uses:
        for s, e in starts[i]:
            low, high = days.get(s // DAY, (s, e))
            days[s // DAY] = (min(low, s), max(high, e))
    return days


def _start_domains(
    c: Compiled,
) -> tuple[dict[int, list[tuple[int, int]]], list[int], list[int]]:
    """Start intervals of every activity, and each one's rigid block and offset in it.

    A block's start lies where all its hands-on members can start in working hours; then the
    windows are pushed along every lag both ways, across incubations of variable length too
    (an overnight antibody of 12-18 h must end when someone is there to wash), a few rounds.
    """
    root = list(range(len(c.activities)))
    offset = [0] * len(c.activities)
    for i in c.order:
        a = c.activities[i]
        for lag in a.after:
            j = c.index[(a.run, lag.step)]
            before = c.activities[j]
            if (lag.min_min == 0 and lag.max_min == 0 and before.min_min == before.max_min
                    and j not in c.fixed and i not in c.fixed and root[i] == i):
                root[i], offset[i] = root[j], offset[j] + before.min_min
    members: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(root):
        members[r].append(i)
    domain = [_own(c, i) for i in range(len(c.activities))]
    for group in members.values():
        block = cp_model.Domain(0, c.horizon)
        for k in group:
            block = block.intersection_with(
                domain[k].addition_with(cp_model.Domain(-offset[k], -offset[k])))
        for k in group:
            domain[k] = block.addition_with(cp_model.Domain(offset[k], offset[k]))
    for _ in range(3):
        _push(c, domain)
    out: dict[int, list[tuple[int, int]]] = {}
    for i, d in enumerate(domain):
        flat = d.flattened_intervals()
        out[i] = [(flat[n], flat[n + 1]) for n in range(0, len(flat), 2)]
    return out, root, offset


def _own(c: Compiled, i: int) -> cp_model.Domain:
    """Where activity i may start by itself: its working hours, dates, or where it happened."""
    a = c.activities[i]
    if i in c.fixed:
        return cp_model.Domain(c.fixed[i][0], c.fixed[i][0])
    windows = c.windows[i]
    if a.hands_on and not a.anytime and windows is not None:
        return cp_model.Domain.from_intervals(
            [[s, e - a.min_min] for s, e in windows if e - a.min_min >= s])
    return cp_model.Domain(c.release[i], max(c.release[i], c.deadline[i] - a.min_min))


def _push(c: Compiled, domain: list[cp_model.Domain]) -> None:
    """One round of pushing start windows along the lags, forwards then backwards."""
    links = [(c.index[(a.run, lag.step)], i, lag) for i in c.order
             for a in (c.activities[i],) for lag in a.after]
    for j, i, lag in links:
        if domain[j].is_empty():
            continue
        before = c.activities[j]
        low = before.min_min + lag.min_min
        if lag.max_min is None:
            reach = cp_model.Domain(domain[j].min() + low, c.horizon)
        else:
            high = before.max_min + lag.max_min
            reach = domain[j].addition_with(cp_model.Domain(low, high))
        domain[i] = domain[i].intersection_with(reach)
    for j, i, lag in reversed(links):
        if domain[i].is_empty():
            continue
        before = c.activities[j]
        low = before.min_min + lag.min_min
        if lag.max_min is None:
            back = cp_model.Domain(0, domain[i].max() - low)
        else:
            high = before.max_min + lag.max_min
            back = domain[i].addition_with(cp_model.Domain(-high, -low))
        domain[j] = domain[j].intersection_with(back)


def _rests(c: Compiled) -> list[int]:
    """Per activity, the least time from its start to its run's end."""
    after = _successors(c)
    tail = [0] * len(c.activities)
    for i in reversed(c.order):
        tail[i] = max((gap + c.activities[k].min_min + tail[k] for k, gap in after[i]),
                      default=0)
    return [c.activities[i].min_min + tail[i] for i in range(len(c.activities))]


def _successors(c: Compiled) -> list[list[tuple[int, int]]]:
    """Per activity, the activities that follow it and each one's least lag."""
    after: list[list[tuple[int, int]]] = [[] for _ in c.activities]
    for i, a in enumerate(c.activities):
        for lag in a.after:
            after[c.index[(a.run, lag.step)]].append((i, lag.min_min))
    return after
