"""The first plan: earliest-start list scheduling that keeps tight steps together.

It is the CP-SAT model's hint. Ready groups that can start within an hour of the earliest
go by priority, then most work left (the longest runs start soonest). Steps linked by a lag
maximum form a *tight group*, placed as a unit: a passive step is held longer within its
range to reach a free instrument or working window, and a step that still comes too late
starts the one before it later. Nothing placed is moved; a group that fits nowhere is placed
step by step, rules broken, so that a plan always exists (the checker says what it breaks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.model import Activity, Assignment, Lag, Problem, Schedule

__all__ = ["greedy_minutes", "greedy_schedule", "schedule_from_minutes"]

Use = tuple[int, int, int]  # start, end, units
Held = tuple[str, str]  # ("equipment", name) or ("person", name): what a step holds
Windows = Sequence[tuple[int, int]]
_STEP = 5  # minutes between tries of a group's start
_TRIES = 3000  # placements of one group before it is given up (and placed step by step)
_SLACK = 60  # minutes: groups that can start this soon after the earliest are all "ready now"


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


def _window_fit(windows: Windows, t: int, d: int) -> int | None:
    """The earliest start at or after ``t`` where ``d`` minutes fit in a window, if any."""
    return next((max(s, t) for s, e in windows if e - max(s, t) >= d), None)


def _holds(a: Activity, capacity: dict[str, int]) -> list[tuple[Held, int, int]]:
    """What an activity holds while it runs: its equipment and person, units, capacity."""
    held = [(("equipment", d.equipment), d.units, capacity[d.equipment]) for d in a.demands]
    if a.hands_on and a.person is not None:
        held.append((("person", a.person), 1, 1))
    return held


@dataclass
class _Trial:
    """A group's members placed from one start, not yet committed."""

    span: dict[int, tuple[int, int]] = field(default_factory=dict)
    uses: dict[Held, list[Use]] = field(default_factory=lambda: defaultdict(list))


class _Greedy:
    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.uses: dict[Held, list[Use]] = defaultdict(list)
        for f in c.fixed_uses:
            self.uses[("equipment", f.equipment)].append((f.start, f.end, f.units))
        n = len(c.activities)
        self.start, self.end, self.placed = [0] * n, [0] * n, [False] * n
        acts = c.activities
        self.preds: dict[int, list[tuple[int, Lag]]] = {
            i: [(c.index[(a.run, lag.step)], lag) for lag in a.after] for i, a in enumerate(acts)
        }
        self.succs: dict[int, list[tuple[int, Lag]]] = defaultdict(list)
        root = list(range(len(acts)))

        def find(i: int) -> int:
            while root[i] != i:
                root[i] = root[root[i]]
                i = root[i]
            return i

        for i, items in self.preds.items():
            for j, lag in items:
                self.succs[j].append((i, lag))
                if lag.max_min is not None and i not in c.fixed and j not in c.fixed:
                    root[find(i)] = find(j)
        members: dict[int, list[int]] = defaultdict(list)
        for i in c.order:  # topological: a group's members in step order
            members[find(i)].append(i)
        self.groups = list(members.values())
        self.group_of = {i: g for g, items in enumerate(self.groups) for i in items}
        self.roots = [{i for i in items if all(self.group_of[j] != g for j, _ in self.preds[i])}
                      for g, items in enumerate(self.groups)]
        self.tries = 0  # placements left for the group at hand
        self.holds = [_holds(a, c.capacity) for a in acts]

    def _outside_preds(self, g: int) -> list[int]:
        return [j for i in self.groups[g] for j, _ in self.preds[i] if self.group_of[j] != g]

    def _earliest(self, i: int) -> int:
        a = self.c.activities[i]
        est = self.c.release[i]
        for lag in a.after:
            est = max(est, self.end[self.c.index[(a.run, lag.step)]] + lag.min_min)
        return est

    def _earliest_group(self, g: int) -> int:
        return min(self._earliest(i) for i in self.roots[g])

    def _free(self, i: int, t: int, d: int, trial: _Trial) -> int | None:
        """None when activity ``i`` may hold its equipment and person over [t, t + d)."""
        for key, units, cap in self.holds[i]:
            nxt = _conflict_end(self.uses[key] + trial.uses[key], t, t + d, units, cap)
            if nxt is not None:
                return nxt
        return None

    def _find(self, i: int, t: int, trial: _Trial, windows: Windows | None) -> int | None:
        """The earliest start >= t in one of the windows (if any) with all it needs."""
        d = self.c.activities[i].min_min
        for _ in range(10000):
            if windows is not None:
                fit = _window_fit(windows, t, d)
                if fit is None:
                    return None
                t = fit
            clash = self._free(i, t, d, trial)
            if clash is None:
                return t
            t = max(clash, t + 1)
        return None

    def _span(self, j: int, trial: _Trial) -> tuple[int, int]:
        return trial.span.get(j) or (self.start[j], self.end[j])

    def _late(self, i: int, start: int, trial: _Trial) -> list[tuple[int, int]]:
        """(predecessor, minutes too late) for each lag maximum a start at ``start`` breaks."""
        out = []
        for j, lag in self.preds[i]:
            if lag.max_min is not None and start - self._span(j, trial)[1] > lag.max_min:
                out.append((j, start - self._span(j, trial)[1] - lag.max_min))
        return out

    def _hold_longer(self, j: int, need: int, trial: _Trial) -> bool:
        """Hold passive step ``j`` of the trial ``need`` minutes longer, if it may be."""
        a = self.c.activities[j]
        if j not in trial.span:
            return False
        s, e = trial.span[j]
        if a.hands_on or e + need - s > a.max_min or self._free(j, e, need, trial) is not None:
            return False
        for k, lag in self.succs[j]:  # successors already placed keep their least lag
            if k in trial.span and trial.span[k][0] < e + need + lag.min_min:
                return False
        trial.span[j] = (s, e + need)
        for key, units, _ in self.holds[j]:
            trial.uses[key].append((e, e + need, units))
        return True

    def _simulate(self, g: int, t: int) -> tuple[_Trial | None, int]:
        """The group placed with its first steps from ``t``, or None and the next t to try.

        When a step comes too late after one that cannot be held longer (the microscope is
        busy when the drying slides are ready to count), that earlier step is started later
        and the group placed again, so the delay walks back to a step that can absorb it
        (the 16-24 h migration ends later); if it walks back to the first step, the next
        start is tried.
        """
        later: dict[int, int] = {}
        while self.tries > 0:
            self.tries -= 1
            trial, blame = self._attempt(g, t, later)
            if trial is not None:
                return trial, t
            if blame is None:
                break
            j, at = blame
            if self.roots[g] == {j}:  # back at the only first step: the group starts later
                return None, max(t + _STEP, at)
            if self.group_of.get(j) != g or at <= later.get(j, -1):
                return None, t + _STEP
            later[j] = at
        return None, self.c.horizon + 1

    def _attempt(self, g: int, t: int, later: dict[int, int]
                 ) -> tuple[_Trial | None, tuple[int, int] | None]:
        """One placement of the group; when it fails, the step to start later and when."""
        c = self.c
        trial = _Trial()
        for i in self.groups[g]:
            a = c.activities[i]
            est = max(c.release[i], later.get(i, 0))
            inside = False
            for j, lag in self.preds[i]:
                est = max(est, self._span(j, trial)[1] + lag.min_min)
                inside = inside or self.group_of[j] == g
            if not inside:
                est = max(est, t)
            start = self._find(i, est, trial, c.windows[i])
            for windows in (c.grid.daytime, None) if a.anytime else ():
                if start is None or self._late(i, start, trial):
                    # a shot is taken out of hours rather than late: in the daytime when
                    # the biology allows, at night only when it must
                    start = self._find(i, est, trial, windows)
            if start is None:
                return None, None
            for j, need in self._late(i, start, trial):
                if not self._hold_longer(j, need, trial):
                    return None, (j, self._span(j, trial)[0] + self._shift(j, need, trial))
            self._add(trial, i, start, start + a.min_min)
        return trial, None

    def _shift(self, j: int, need: int, trial: _Trial) -> int:
        """How much later step ``j`` must start when it ends ``need`` minutes too early.

        A passive step absorbs what its range allows, so only the rest moves its start (an
        overnight antibody started a little later, not a day later); when its instrument is
        what stops it being held, it moves a step.
        """
        a = self.c.activities[j]
        s, e = self._span(j, trial)
        slack = 0 if a.hands_on else a.max_min - (e - s)
        return need - slack if need > slack else _STEP

    def _add(self, trial: _Trial, i: int, start: int, end: int) -> None:
        trial.span[i] = (start, end)
        for key, units, _ in self.holds[i]:
            trial.uses[key].append((start, end, units))

    def _commit(self, trial: _Trial) -> None:
        for i, (s, e) in trial.span.items():
            self.start[i], self.end[i] = s, e
            self.placed[i] = True
        for key, uses in trial.uses.items():
            self.uses[key] += uses

    def run(self) -> None:
        c = self.c
        pending = set(range(len(self.groups)))
        left: dict[str, int] = defaultdict(int)  # each run's work still to place
        for a in c.activities:
            left[a.run] += a.min_min
        while pending:
            ready = [g for g in pending if all(self.placed[j] for j in self._outside_preds(g))]
            ready_at = {g: self._earliest_group(g) for g in ready}
            soon = min(ready_at.values()) + _SLACK
            g = min(ready, key=lambda g: (
                ready_at[g] > soon, -c.problem.priority(c.activities[self.groups[g][0]].run),
                -left[c.activities[self.groups[g][0]].run], ready_at[g], g))
            for i in self.groups[g]:
                left[c.activities[i].run] -= c.activities[i].min_min
            pending.remove(g)
            first = self.groups[g][0]
            if first in c.fixed:  # a fixed step is a group of its own
                trial = _Trial()
                self._add(trial, first, *c.fixed[first])
                self._commit(trial)
                continue
            t = self._earliest_group(g)
            placed = None
            self.tries = _TRIES
            while t <= c.horizon:
                placed, t = self._simulate(g, t)
                if placed is not None:
                    break
            if placed is None:  # nothing fits: one at a time, rules broken
                for i in self.groups[g]:
                    est = self._earliest(i)
                    start = self._find(i, est, _Trial(), c.windows[i])
                    if start is None:
                        start = self._find(i, est, _Trial(), None)
                    start = est if start is None else start
                    single = _Trial()
                    self._add(single, i, start, start + c.activities[i].min_min)
                    self._commit(single)
            else:
                self._commit(placed)


def schedule_from_minutes(c: Compiled, starts: list[int], ends: list[int], planner: str,
                          **info: object) -> Schedule:
    """Assignments in local datetimes from per-activity start and end minutes."""
    assignments = tuple(
        Assignment(a.run, a.step, c.grid.datetime_from(s), c.grid.datetime_from(e))
        for a, s, e in zip(c.activities, starts, ends, strict=True)
    )
    return Schedule(assignments, planner=planner, **info)  # type: ignore[arg-type]


def greedy_minutes(c: Compiled) -> tuple[list[int], list[int]]:
    """The first plan's start and end minutes of each activity of a compiled problem."""
    g = _Greedy(c)
    g.run()
    return g.start, g.end


def greedy_schedule(problem: Problem) -> Schedule:
    """The first plan of the problem (always a plan; the checker says whether it is valid)."""
    c = compile_problem(problem)
    starts, ends = greedy_minutes(c)
    return schedule_from_minutes(c, starts, ends, "greedy", status="HEURISTIC")
