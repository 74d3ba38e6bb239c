"""A greedy baseline that keeps tight chains together: earliest start, one chain at a time.

The plain list scheduler (:mod:`.greedy`) places one activity at a time and so breaks
"read the plate the minute it leaves the incubator" whenever that minute is at night.  This
one places each *chain* — activities linked by lags with a maximum — as a unit: it tries the
earliest start of the chain's first activity, walks the chain (stretching a passive step
within its range to reach the next working window or a free instrument), and moves the
start later until the whole chain fits.  Still greedy: nothing once placed is moved.
"""

from __future__ import annotations

from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.greedy import _Greedy, schedule_from_minutes
from elab.domain.schedule.model import Lag, Problem, Schedule

__all__ = ["chain_greedy_schedule"]

_STEP = 5  # minutes between tries of a chain's start


class _ChainGreedy(_Greedy):
    def __init__(self, c: Compiled) -> None:
        super().__init__(c)
        acts = c.activities
        self.preds: dict[int, list[tuple[int, Lag]]] = {
            i: [(c.index[(a.run, lag.step)], lag) for lag in a.after] for i, a in enumerate(acts)
        }
        tight_succ: dict[int, list[int]] = {i: [] for i in range(len(acts))}
        for i, items in self.preds.items():
            for j, lag in items:
                if lag.max_min is not None:
                    tight_succ[j].append(i)
        self.next_in_chain: dict[int, int] = {}
        continues: set[int] = set()
        for i, items in self.preds.items():
            if len(items) == 1 and items[0][1].max_min is not None:
                j = items[0][0]
                if len(tight_succ[j]) == 1 and i not in c.fixed and j not in c.fixed:
                    self.next_in_chain[j] = i
                    continues.add(i)
        self.heads = [i for i in range(len(acts)) if i not in continues]

    def _chain(self, head: int) -> list[int]:
        chain = [head]
        while chain[-1] in self.next_in_chain:
            chain.append(self.next_in_chain[chain[-1]])
        return chain

    def _busy(self, i: int, lo: int, hi: int) -> int | None:
        """None when activity ``i`` may hold its equipment and person over [lo, hi)."""
        if hi <= lo:
            return None
        return self._free_from(i, lo, hi - lo)

    def _fit(self, i: int, t: int) -> int | None:
        """The earliest start >= t inside a working window of activity i (or t)."""
        windows = self.c.windows[i]
        d = self.c.activities[i].min_min
        if windows is None:
            return t
        return next((max(s, t) for s, e in windows if e - max(s, t) >= d), None)

    def _simulate(self, chain: list[int], t: int) -> tuple[list[tuple[int, int]] | None, int]:
        """Starts/ends for the chain from ``t``, or None and the next start worth trying."""
        acts = self.c.activities
        placed: list[tuple[int, int]] = []
        for k, i in enumerate(chain):
            a = acts[i]
            d = a.min_min
            if k == 0:
                start = self._fit(i, t)
                if start is None:
                    return None, self.c.horizon + 1
                clash = self._busy(i, start, start + d)
                if clash is not None:
                    return None, max(clash, t + 1)
                placed.append((start, start + d))
                continue
            lag = next(lag for j, lag in self.preds[i] if j == chain[k - 1])
            p_start, p_end = placed[-1]
            earliest = p_end + lag.min_min
            start = earliest
            for _ in range(50):
                fit = self._fit(i, start)
                if fit is None:
                    return None, t + _STEP
                start = fit
                clash = self._busy(i, start, start + d)
                if clash is None:
                    break
                start = clash
            else:
                return None, t + _STEP
            gap = start - p_end
            if lag.max_min is not None and gap > lag.max_min:
                need = gap - lag.max_min
                prev = acts[chain[k - 1]]
                new_end = p_end + need
                if (prev.hands_on or new_end - p_start > prev.max_min
                        or self._busy(chain[k - 1], p_end, new_end) is not None):
                    return None, t + max(_STEP, min(need, 60))
                placed[-1] = (p_start, new_end)
            placed.append((start, start + d))
        return placed, t

    def _commit(self, chain: list[int], placed: list[tuple[int, int]]) -> None:
        c = self.c
        for i, (s, e) in zip(chain, placed, strict=True):
            a = c.activities[i]
            self.start[i], self.end[i] = s, e
            for dem in a.demands:
                self.uses[dem.equipment].append((s, e, dem.units))
            person = c.problem.calendar.person_of(a.run)
            if a.hands_on and person is not None:
                self.person_busy[person].append((s, e, 1))
            self.placed[i] = True

    def _earliest_head(self, head: int) -> int:
        est = self.c.release[head]
        for j, lag in self.preds[head]:
            est = max(est, self.end[j] + lag.min_min)
        return est

    def run(self) -> None:
        c = self.c
        pending = list(self.heads)
        while pending:
            ready = [h for h in pending if all(self.placed[j] for j, _ in self.preds[h])]
            head = min(ready, key=lambda h: (self._earliest_head(h),
                                             -c.problem.priority(c.activities[h].run), h))
            pending.remove(head)
            chain = self._chain(head)
            if head in c.fixed:
                s, e = c.fixed[head]
                self._commit(chain[:1], [(s, e)])
                for i in chain[1:]:
                    self._place_single(i)
                continue
            t = self._earliest_head(head)
            placed = None
            while t <= c.horizon:
                placed, t = self._simulate(chain, t)
                if placed is not None:
                    break
            if placed is None:  # nothing fits: fall back to one at a time, rules broken
                for i in chain:
                    self._place_single(i)
            else:
                self._commit(chain, placed)

    def _place_single(self, i: int) -> None:
        start = self._place(i, self._earliest(i))
        self._commit([i], [(start, start + self.c.activities[i].min_min)])


def chain_greedy_schedule(problem: Problem) -> Schedule:
    """The chain-aware earliest-start list schedule of the problem."""
    c = compile_problem(problem)
    g = _ChainGreedy(c)
    g.run()
    return schedule_from_minutes(c, g.start, g.end, "greedy-chains", status="HEURISTIC")

