"""A lower bound on the runs' summed ends: which day each run can end on, and what that costs.

On a busy generated week many runs could each end on Tuesday if they had the lab to
themselves, and not all of them can: ending by Tuesday night pins each run's Tuesday work
(after its overnight incubation) into Tuesday, and the centrifuge or the reader cannot hold
it all between their hand-offs.  CP-SAT's relaxation sees one run's end through its own
steps' windows, never the choice "this run ends on Tuesday, so its work is pinned there".

So each run gets a class per day: ending on the day it would end alone, on each of the ten
days after, or later.  Per class, the run alone gives its least end (a small solve for the
first two; after that the class's first minute, or the first the run's hands-on last step
can end at) and, with its end capped at the class's last minute, the window each step must
start in (the start windows of ``slots.py``, pushed along the lags).  A run that ends with
one step also ends after the class's first minute, which pins the steps handed on to it
late as well: a run that ends on Friday after two days in the incubator holds a shelf from
Wednesday, so sixteen shelves make waves of runs a library week can see.  A step with a
window inside an interval must spend part of it there (its mandatory overlap), and an
instrument holds no more than its capacity times the interval (only its working minutes
when it is used by hands-on work alone).  A small CP-SAT model then picks one class per run
at least cost; intervals where the picked classes overflow an instrument are added as
constraints and the model solved again, a few rounds, each from the last one's picks.
Every plan of the week picks a class per run and obeys those constraints, so the model's
bound is a lower bound on the runs' weighted ends.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from elab.domain.schedule.compiled import Compiled
from elab.domain.schedule.timegrid import DAY
from elab.solve.slots import start_windows

__all__ = ["least_plan_end", "summed_end_bound"]

CLASSES = 12  # the alone day, each of the ten days after, and later
SOLVED_CLASSES = 2  # the alone day and the next get a least end solved; later ones the floor
ROUNDS = 12
ROUND_S = 1.0  # at most, per round of the picking model
CUTS_PER_ROUND = 5  # per instrument

LeastEnd = Callable[[str, int], int | None]  # a run alone: its least end at or above a floor


@dataclass(frozen=True)
class _Use:
    """A step's use of an instrument in one class: its start window, length and units."""

    earliest: int
    latest: int
    length: int
    units: int

    def overlap(self, low: int, high: int) -> int:
        """The least part of the use inside [low, high], wherever it starts in its window."""
        return max(0, min(self.length, high - low, self.earliest + self.length - low,
                          high - self.latest))


@dataclass(frozen=True)
class _Class:
    least_end: int
    uses: dict[str, list[_Use]]


def summed_end_bound(c: Compiled, alone: dict[str, Compiled], least_end: LeastEnd,
                     weights: dict[str, int], deadline: float) -> int | None:
    """A least value of the runs' weighted ends summed; None when time ran out first.

    ``alone`` holds each run on its own (compiled), ``least_end`` gives one's least end at
    or above a floor.
    """
    classes: dict[str, list[_Class]] = {}
    for run, sub in alone.items():
        got = _classes(run, sub, c, least_end)
        if got is None or time.perf_counter() > deadline:
            return None
        classes[run] = got
    model = cp_model.CpModel()
    pick = {(run, k): model.new_bool_var(f"{run}:{k}")
            for run, options in classes.items() for k in range(len(options))}
    for run, options in classes.items():
        model.add_exactly_one(pick[run, k] for k in range(len(options)))
    model.minimize(sum(weights[run] * option.least_end * pick[run, k]
                       for run, options in classes.items()
                       for k, option in enumerate(options)))
    capacity = _capacities(c)
    bound: int | None = None
    seen: set[tuple[str, int, int]] = set()
    for _ in range(ROUNDS):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = min(left, ROUND_S)
        # the picks' LP with the capacity cuts is what proves the bound
        solver.parameters.linearization_level = 2
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        # a round cut short may prove less than an earlier one did: keep the best
        bound = max(bound or 0, math.ceil(solver.best_objective_bound - 1e-6))
        chosen = {run: next(k for k in range(len(options)) if solver.value(pick[run, k]))
                  for run, options in classes.items()}
        cuts = 0
        for name, holds in capacity.items():
            uses = [u for run, k in chosen.items() for u in classes[run][k].uses.get(name, [])]
            for low, high in _overflows(uses, holds):
                if (name, low, high) in seen:
                    continue
                seen.add((name, low, high))
                model.add(sum(u.units * u.overlap(low, high) * pick[run, k]
                              for run, options in classes.items()
                              for k, option in enumerate(options)
                              for u in option.uses.get(name, []))
                          <= holds.between(low, high))
                cuts += 1
        if cuts == 0:
            break
        model.clear_hints()  # type: ignore[no-untyped-call]
        for key, var in pick.items():
            model.add_hint(var, chosen[key[0]] == key[1])
    return bound


def least_plan_end(c: Compiled, low: int, high: int, deadline: float) -> int:
    """A least end of the whole plan: the first minute by which the week might all be done.

    For a candidate end, every step of the week must end by it: the start windows shrink
    (pushed back along the lags, through working hours) and the steps' mandatory parts in
    those windows may then overflow an instrument, as the incubator's do when a library
    week's last runs, which cannot start before the shelves free up on Monday, are asked to
    end by Tuesday.  Any plan ending by the candidate passes this test, and a later
    candidate only widens the windows, so a binary search between ``low`` (a bound already
    proven) and ``high`` (the end of a known plan) finds the first one that passes.  Every
    candidate below the one returned failed: when time runs out the search stops with a
    bound that still holds.
    """
    capacity = _capacities(c)
    if _may_end_by(c, low, capacity):  # often the bound already proven is as good
        return low
    low += 1
    while low < high and time.perf_counter() < deadline:
        middle = (low + high) // 2
        if _may_end_by(c, middle, capacity):
            high = middle
        else:
            low = middle + 1
    return min(low, high)


def _may_end_by(c: Compiled, end: int, capacity: dict[str, _Holds]) -> bool:
    """Whether no instrument overflows when every step of the week ends by ``end``."""
    windows = start_windows(_capped(c, end))
    if windows is None:
        return False
    uses: dict[str, list[_Use]] = defaultdict(list)
    for a, (earliest, latest) in zip(c.activities, windows, strict=True):
        for d in a.demands:
            uses[d.equipment].append(_Use(earliest, latest, a.min_min, d.units))
    return not any(_overflows(items, capacity[name]) for name, items in uses.items())


def _classes(run: str, sub: Compiled, c: Compiled,
             least_end: LeastEnd) -> list[_Class] | None:
    """The run's classes: ending on the night of its alone day, of each day after, or later.

    They must cover every end the run can have, so a class is left out only when it is
    impossible; a least end not solved for in time is the floor of the class.  A run that
    ends in one step ends after the class's floor there, which pins the steps handed on to
    it late in the week too.
    """
    alone_end = least_end(run, 0)
    if alone_end is None:
        return None
    out: list[_Class] = []
    floor = 0
    sink = _sink(sub)
    for k in range(CLASSES):
        cap = (alone_end // DAY + k + 1) * DAY if k < CLASSES - 1 else None
        if cap is None or floor > c.horizon:  # later: no solve, its least end the floor
            if floor <= c.horizon:
                out.append(_Class(max(alone_end, floor), {}))
            break
        solved = alone_end if k == 0 else least_end(run, floor) if k < SOLVED_CLASSES else None
        end = max(alone_end, _end_after(sub, sink, floor)) if solved is None else solved
        if end <= cap:
            bounded = _capped(sub, cap)
            if sink is not None and floor > 0:
                bounded = _floored(bounded, sink, floor)
            windows = start_windows(bounded)
            if windows is not None:
                out.append(_Class(end, _uses(run, sub, c, windows)))
        floor = cap + 1
    return out


def _sink(sub: Compiled) -> int | None:
    """The run's one step that nothing follows, if it has only one: the run ends with it.

    (As long as no step may start before the one it follows ends.)
    """
    if any(lag.min_min < 0 for a in sub.activities for lag in a.after):
        return None
    followed = {sub.index[(a.run, lag.step)] for a in sub.activities for lag in a.after}
    last = [i for i in range(len(sub.activities)) if i not in followed]
    return last[0] if len(last) == 1 else None


def _end_after(sub: Compiled, sink: int | None, floor: int) -> int:
    """The least end at or after ``floor`` of a run ending with ``sink``, without a solve.

    A hands-on last step ends in working hours: a floor at night means the next morning.
    """
    if sink is None:
        return floor
    a, windows = sub.activities[sink], sub.windows[sink]
    if not a.hands_on or a.anytime or sink in sub.fixed or windows is None:
        return floor
    need = a.min_min
    return next((max(floor, s + need) for s, e in windows if e >= max(floor, s + need)),
                floor)


def _floored(sub: Compiled, sink: int, floor: int) -> Compiled:
    """The run with its last step ending at ``floor`` or later."""
    low = max(sub.release[sink], floor - sub.activities[sink].max_min)
    release = tuple(low if i == sink else r for i, r in enumerate(sub.release))
    windows = tuple(
        w if i != sink or w is None else
        tuple((max(s, low), e) for s, e in w if e - max(s, low) >= sub.activities[i].min_min)
        for i, w in enumerate(sub.windows))
    return replace(sub, release=release, windows=windows)


def _capped(sub: Compiled, cap: int) -> Compiled:
    """The run alone with every step ending by ``cap``."""
    windows = tuple(
        None if w is None else
        tuple((s, min(e, cap)) for s, e in w if min(e, cap) - s >= a.min_min)
        for w, a in zip(sub.windows, sub.activities, strict=True))
    return replace(sub, deadline=tuple(min(d, cap) for d in sub.deadline), windows=windows)


def _uses(run: str, sub: Compiled, c: Compiled,
          windows: Sequence[tuple[int, int]]) -> dict[str, list[_Use]]:
    out: dict[str, list[_Use]] = defaultdict(list)
    person = c.problem.calendar.person_of(run)
    for a, (earliest, latest) in zip(sub.activities, windows, strict=True):
        for d in a.demands:
            out[d.equipment].append(_Use(earliest, latest, a.min_min, d.units))
        if person is not None and a.hands_on:
            out[f"person:{person}"].append(_Use(earliest, latest, a.min_min, 1))
    return out


def _capacities(c: Compiled) -> dict[str, _Holds]:
    """Per instrument (and person), how much it holds over an interval.

    Used by hands-on work alone (none of it done already, perhaps at night), it holds only
    its working minutes.
    """
    users: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(c.activities):
        for d in a.demands:
            users[d.equipment].append(i)
    out: dict[str, _Holds] = {}
    for name, items in users.items():
        daytime = all(c.activities[i].hands_on and not c.activities[i].anytime
                      and c.windows[i] is not None and i not in c.fixed for i in items)
        out[name] = _Holds(c.capacity[name], c.grid.windows if daytime else None)
    for person in c.problem.calendar.people:
        out[f"person:{person.name}"] = _Holds(1, None)
    return out


class _Holds:
    """What an instrument holds over intervals: its units times their (working) minutes.

    Working minutes up to a time are piecewise linear in it, so a whole grid of intervals
    is two interpolations (the cut search asks for thousands at once).
    """

    def __init__(self, capacity: int, windows: Sequence[tuple[int, int]] | None) -> None:
        self.capacity = capacity
        self.edges = np.array([t for s, e in windows or () for t in (s, e)], dtype=float)
        self.worked = np.array([0.0, *itertools.accumulate(
            w for s, e in windows or () for w in (0, e - s))][1:])
        self.always = windows is None

    def grid(self, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
        """What it holds over [low, high] for every pair of the broadcast arrays."""
        if self.always:
            spans: np.ndarray = highs - lows
        elif not self.edges.size:  # no working minutes at all
            spans = np.zeros(np.broadcast(lows, highs).shape, dtype=np.int64)
        else:
            spans = np.rint(np.interp(highs, self.edges, self.worked)
                            - np.interp(lows, self.edges, self.worked)).astype(np.int64)
        out: np.ndarray = self.capacity * spans
        return out

    def between(self, low: int, high: int) -> int:
        return int(self.grid(np.array(low), np.array(high)))


def _overflows(uses: list[_Use], holds: _Holds) -> list[tuple[int, int]]:
    """The intervals where the uses' mandatory parts exceed what the instrument holds.

    Intervals run from an earliest start to a latest end; all of them at once, as arrays.
    """
    if not uses:
        return []
    earliest, latest, length, units = (np.array(column) for column in zip(
        *((u.earliest, u.latest, u.length, u.units) for u in uses), strict=True))
    lows = np.unique(earliest)[:, None, None]
    highs = np.unique(latest + length)[None, :, None]
    part = np.minimum(np.minimum(length, highs - lows),
                      np.minimum(earliest + length - lows, highs - latest))
    need = (np.maximum(part, 0) * units).sum(axis=2)
    over = need - holds.grid(lows[:, :, 0], highs[:, :, 0])
    over[(need <= 0) | (highs[:, :, 0] <= lows[:, :, 0])] = 0
    worst = np.argsort(over, axis=None, kind="stable")[::-1][:CUTS_PER_ROUND]
    return [(int(lows[a, 0, 0]), int(highs[0, b, 0]))
            for a, b in zip(*np.unravel_index(worst, over.shape), strict=True) if over[a, b] > 0]
