"""The baseline planner: greedy earliest-start list scheduling.

Repeatedly take the ready activity that can start earliest (ties: higher priority run) and
put it at the first minute where its predecessors, its working-hours window, its equipment and
its person allow, at its shortest duration.  When a successor must follow within a window
(the plate comes out of the incubator and is read), the passive predecessor is stretched up to
its maximum.  It looks no further ahead than that: this is what the solver is measured against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.model import Assignment, Problem, Schedule

__all__ = ["greedy_schedule", "schedule_from_minutes"]

Use = tuple[int, int, int]  # start, end, units


def _conflict_end(uses: list[Use], start: int, end: int, units: int, cap: int) -> int | None:
    """None when ``units`` fit in ``[start, end)``, else the next minute worth trying."""
    overlapping = [u for u in uses if u[0] < end and start < u[1]]
    if not overlapping:
        return None
    points = sorted({start, *(u[0] for u in overlapping if u[0] > start)})
    for p in points:
        level = sum(u[2] for u in overlapping if u[0] <= p < u[1])
        if level + units > cap:
            return min(u[1] for u in overlapping if u[0] <= p < u[1])
    return None


def _window_fit(windows: Sequence[tuple[int, int]], t: int, d: int) -> int | None:
    """The earliest start at or after ``t`` where ``d`` minutes fit in a window, if any."""
    return next((max(s, t) for s, e in windows if e - max(s, t) >= d), None)


class _Greedy:
    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.uses: dict[str, list[Use]] = defaultdict(list)
        for f in c.fixed_uses:
            self.uses[f.equipment].append((f.start, f.end, f.units))
        self.person_busy: dict[str, list[Use]] = defaultdict(list)
        n = len(c.activities)
        self.start = [0] * n
        self.end = [0] * n
        self.placed = [False] * n

    def _free_from(self, i: int, t: int, d: int) -> int | None:
        a = self.c.activities[i]
        for dem in a.demands:
            nxt = _conflict_end(self.uses[dem.equipment], t, t + d, dem.units,
                                self.c.capacity[dem.equipment])
            if nxt is not None:
                return nxt
        person = self.c.problem.calendar.person_of(a.run)
        if a.hands_on and person is not None:
            return _conflict_end(self.person_busy[person], t, t + d, 1, 1)
        return None

    def _earliest(self, i: int) -> int:
        a = self.c.activities[i]
        est = self.c.release[i]
        for lag in a.after:
            j = self.c.index[(a.run, lag.step)]
            est = max(est, self.end[j] + lag.min_min)
        return est

    def _place(self, i: int, est: int) -> int:
        a = self.c.activities[i]
        d = a.min_min
        windows = self.c.windows[i]
        t = est
        for _ in range(10000):
            if windows is not None:
                fit = _window_fit(windows, t, d)
                if fit is None:
                    windows = None  # no working window left: place it out of hours
                    t = est
                    continue
                t = fit
            nxt = self._free_from(i, t, d)
            if nxt is None:
                return t
            t = max(nxt, t + 1)
        return t

    def _stretch(self, i: int) -> None:
        a = self.c.activities[i]
        for lag in a.after:
            if lag.max_min is None:
                continue
            j = self.c.index[(a.run, lag.step)]
            need = self.start[i] - lag.max_min
            p = self.c.activities[j]
            if need <= self.end[j] or j in self.c.fixed:
                continue
            new_end = min(need, self.start[j] + p.max_min)
            if p.hands_on or self._free_from_extension(j, self.end[j], new_end):
                continue
            for dem in p.demands:
                self.uses[dem.equipment].append((self.end[j], new_end, dem.units))
            self.end[j] = new_end

    def _free_from_extension(self, j: int, lo: int, hi: int) -> bool:
        """True when extending activity ``j`` over ``[lo, hi)`` would clash."""
        if hi <= lo:
            return True
        a = self.c.activities[j]
        return any(
            _conflict_end(self.uses[dem.equipment], lo, hi, dem.units,
                          self.c.capacity[dem.equipment]) is not None
            for dem in a.demands
        )

    def run(self) -> None:
        c = self.c
        preds: dict[int, list[int]] = {
            i: [c.index[(a.run, lag.step)] for lag in a.after] for i, a in enumerate(c.activities)
        }
        remaining = set(range(len(c.activities)))
        while remaining:
            ready = [i for i in remaining if all(self.placed[j] for j in preds[i])]
            i = min(ready, key=lambda k: (self._earliest(k),
                                          -c.problem.priority(c.activities[k].run), k))
            a = c.activities[i]
            if i in c.fixed:
                self.start[i], self.end[i] = c.fixed[i]
            else:
                self.start[i] = self._place(i, self._earliest(i))
                self.end[i] = self.start[i] + a.min_min
            for dem in a.demands:
                self.uses[dem.equipment].append((self.start[i], self.end[i], dem.units))
            person = c.problem.calendar.person_of(a.run)
            if a.hands_on and person is not None:
                self.person_busy[person].append((self.start[i], self.end[i], 1))
            self.placed[i] = True
            remaining.discard(i)
            self._stretch(i)


def schedule_from_minutes(c: Compiled, starts: list[int], ends: list[int], planner: str,
                          **info: object) -> Schedule:
    """Assignments in local datetimes from per-activity start and end minutes."""
    assignments = tuple(
        Assignment(a.run, a.step, c.grid.datetime_from(s), c.grid.datetime_from(e))
        for a, s, e in zip(c.activities, starts, ends, strict=True)
    )
    return Schedule(assignments, planner=planner, **info)  # type: ignore[arg-type]


def greedy_schedule(problem: Problem) -> Schedule:
    """The earliest-start list schedule of the problem (always returns a schedule)."""
    c = compile_problem(problem)
    g = _Greedy(c)
    g.run()
    return schedule_from_minutes(c, g.start, g.end, "greedy", status="HEURISTIC")
