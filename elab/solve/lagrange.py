"""A lower bound on the runs' summed ends from prices on the instruments' time.

The day classes of ``end_days.py`` see a busy week one day and one instrument at a time.  On
a generated week the daytime instruments are nearly full and the runs move between them with
tight hand-offs, so each instrument's own view leaves much of the contention unseen.  This is
the textbook answer to that (Lagrangian relaxation of the capacities over time, as in Luh
and Hoitomt's job-shop scheduling): every instrument's time is sold in 15-minute buckets at
a price, each run then plans itself alone, cheapest first: its end plus what its bookings
cost, and the prices charged beyond what the instruments can hold are given back.  For any
prices that is a lower bound on every plan's weighted ends, because a plan books no more
than the instruments hold.  Prices rise where the runs alone crowd an instrument and fall
where it stands idle (subgradient steps), and the bound rises with them.

A run alone is a shortest path over time: its steps follow each other with lag windows
(hands-on work inside one working interval, an incubation of 16-24 h, "within 30 min
after"), so the cheapest way to reach each minute is one sweep of sliding-window minima per
step, all runs' k-th steps at once as the rows of one array.  A run whose steps branch and
join (a transwell run starves its cells while the inserts rehydrate, then seeds) is swept
along its longest path from a first step to a last one: it ends no earlier than that path,
and leaving the other steps and their bookings out only loosens the bound.  The sweep runs
on a grid of 5 minutes or more.  Where every duration, lag and window falls on the grid
(the generated weeks) the answer is exact: the path's constraints are differences with
right-hand sides on the grid and its costs are linear between grid points, so the
cheapest path lies on the grid.  Times off the grid are widened to it (a 6-minute wash
takes 5-10 min, a window closing at 12:03 closes at 12:05), a looser problem whose
cheapest path again lies on the grid.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import reduce

import numpy as np
import numpy.typing as npt

from elab.domain.schedule.compiled import Compiled
from elab.domain.schedule.model import Lag

__all__ = ["least_end_by_prices", "summed_end_by_prices"]

BUCKET_MIN = 15  # minutes of instrument time sold at one price
GRID_MIN = 5  # the finest grid swept (a divisor of BUCKET_MIN)
AIM_ABOVE = 0.3  # the price steps aim this far above the best bound so far
PATIENCE = 5  # steps without a better bound before the step size halves
SETTLED_STEPS, SETTLED_RISE = 20, 5e-4  # no more steps once 20 raise the bound < 0.05 %
LATE_MIN = 24 * 60  # the grid reaches this far past the known plan's end
PROBE_STEPS, PROBE_STEP, PROBE_DECAY = 40, 0.3, 0.8  # per candidate plan end
RESOLUTION_MIN = 5  # the least plan end is searched to this many minutes
INF = 1e18

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Step:
    """An activity on the grid: its length range, the lag after the step before, its starts."""

    lo: int
    hi: int
    lag_lo: int
    lag_hi: int | None
    starts: npt.NDArray[np.bool_]
    last_end: int
    demands: tuple[tuple[int, int], ...]  # (instrument row, units)


@dataclass(frozen=True)
class _Chain:
    run: str
    weight: int
    steps: tuple[_Step, ...]


@dataclass(frozen=True)
class _Layer:
    """The k-th step of every chain that has k + 1 steps or more, stacked as rows.

    The chains are sorted longest first, so a layer's rows are the first chains.
    """

    starts: npt.NDArray[np.bool_]  # rows x cells
    demand_rows: npt.NDArray[np.intp]  # rows x most demands (the last row: no instrument)
    units: Floats  # rows x most demands
    last_end: npt.NDArray[np.intp]
    lengths: list[tuple[int, int | None, npt.NDArray[np.intp]]]  # (lo, hi, the rows with them)
    lags: list[tuple[int, int | None, npt.NDArray[np.intp]]]  # from the step before


def summed_end_by_prices(c: Compiled, floors: dict[str, int], plan: dict[str, int],
                         beat: int, deadline: float) -> int | None:
    """A least value of the runs' priority-weighted ends; None if it cannot pass ``beat``.

    ``floors`` holds each run's least end alone (a floor for its term), ``plan`` each run's
    end in a known plan.  The plan is one answer of the relaxation, so the bound can reach
    no higher than the swept runs' ends in it plus the other runs' floors (runs with a lag
    that lets a step start before the one it follows ends are not swept): when that is no
    more than ``beat`` (a bound already known), nothing is searched.

    Each price step aims a third above the best bound so far (Polyak's step towards a
    target).  Aiming at a plan's value stalls when the plan is optimal, the steps shrinking
    before the prices get there, and overshoots when it is far from it.
    """
    prices = _Prices(c, max(plan.values(), default=0) + LATE_MIN)
    rest = sum(c.problem.priority(run) * floors.get(run, 0) for run in prices.others)
    upper = rest + sum(chain.weight * plan[chain.run] for chain in prices.chains)
    if not prices.chains or not prices.row or upper <= beat:
        return None  # (with no instrument to share, the runs' floors say it all)
    best: float | None = None
    theta, since = 2.0, 0
    history: list[float] = []
    while time.perf_counter() < deadline and theta > 1e-4 and not _settled(history):
        value, excess = prices.evaluate(floors)
        value += rest
        if best is None or value > best + 1e-6:
            best, since = value, 0
        else:
            since += 1
            if since >= PATIENCE:
                theta, since = theta / 2, 0
        history.append(best)
        # idle buckets at no price stay at no price: they must not shrink the step
        excess[(prices.lam <= 0) & (excess < 0)] = 0.0
        norm = float((excess * excess).sum())
        if norm == 0 or value >= upper:
            break
        target = (1 + AIM_ABOVE) * best
        prices.lam = np.maximum(prices.lam + theta * (target - value) / norm * excess, 0.0)
    return None if best is None else math.ceil(best - 1e-6 * max(abs(best), 1.0))


def least_end_by_prices(c: Compiled, low: int, high: int, deadline: float) -> int:
    """A least end of the whole plan, at least ``low``: no plan ends before it.

    Asked whether every run can end by a minute D, the runs plan themselves alone with
    their ends capped at D, each on the path whose bookings cost least at the current
    prices.  If what they pay is more than the instruments' whole time is worth at those
    prices, no plan ends by D: a plan would pay no more than that.  Such prices are
    searched by subgradient steps (at most PROBE_STEPS per candidate), and a binary
    search between ``low`` (a bound already proven) and ``high`` (the end of a known plan)
    moves the bound up past each candidate refuted.  A candidate not refuted may still be
    impossible, so the search only ever returns what was proven.
    """
    while high - low > RESOLUTION_MIN and time.perf_counter() < deadline:
        middle = (low + high) // 2
        if _refuted(_Prices(c, middle, weighted=False), deadline):
            low = middle + 1
        else:
            high = middle
    return low


def _refuted(prices: _Prices, deadline: float) -> bool:
    """True when prices were found at which the runs pay more than the instruments hold.

    Scaling every price scales the difference, so the steps are taken relative to the
    prices' size: PROBE_STEP of it, shrinking as the probe goes on.
    """
    if not prices.chains or not prices.row:
        return False
    prices.lam = np.ones_like(prices.lam)
    for step in range(PROBE_STEPS):
        if time.perf_counter() > deadline:
            return False
        value, excess = prices.slack()
        if value > 1e-6 * float((prices.lam * prices.capacity).sum()):
            return True
        excess[(prices.lam <= 0) & (excess < 0)] = 0.0
        norm = float(np.sqrt((excess * excess).sum()))
        if norm == 0:  # the cheapest paths fit: nothing to raise
            return False
        size = float(np.sqrt((prices.lam * prices.lam).sum()))
        rate = PROBE_STEP * PROBE_DECAY ** (step // 20)
        prices.lam = np.maximum(prices.lam + rate * size / norm * excess, 0.0)
    return False


def _settled(history: list[float]) -> bool:
    """True when the bound rose by less than SETTLED_RISE over the last steps."""
    if len(history) <= SETTLED_STEPS:
        return False
    return history[-1] - history[-1 - SETTLED_STEPS] < SETTLED_RISE * abs(history[-1])


class _Prices:
    """The week on the grid, the prices per instrument and bucket, and the runs' sweeps.

    The grid stops at ``limit`` minutes (a day after the known plan's end): a run's
    cheapest path rarely ends later, and one that does costs at least its weighted end,
    which is all it is counted at.
    """

    def __init__(self, c: Compiled, limit: int, weighted: bool = True) -> None:
        self.c = c
        self.weighted = weighted  # False: the runs' ends cost nothing, only must be by limit
        self.grid = _grid_unit(c)
        self.bucket = max(1, BUCKET_MIN // self.grid)  # in cells
        self.cells = _up(min(c.horizon, limit), self.grid) + 1
        runs: dict[str, list[int]] = {}
        for i in c.order:
            runs.setdefault(c.activities[i].run, []).append(i)
        used = sorted({d.equipment for a in c.activities for d in a.demands})
        self.row = {name: k for k, name in enumerate(used)}
        self.chains: list[_Chain] = []
        self.others: list[str] = []
        for run, items in runs.items():
            chain = self._chain(run, items)
            if chain is None:
                self.others.append(run)
            else:
                self.chains.append(chain)
        self.chains.sort(key=lambda chain: -len(chain.steps))
        self.layers = [self._layer(k) for k in range(len(self.chains[0].steps))] \
            if self.chains else []
        buckets = -(-self.cells // self.bucket)
        self.capacity = self._capacity(used, buckets)
        self.lam: Floats = np.zeros((len(used), buckets))

    def _chain(self, run: str, items: list[int]) -> _Chain | None:
        """The run's longest path of steps as a chain on the grid; None if a lag goes back.

        Its other steps are left out: the run ends no earlier than its path does.
        """
        c, g = self.c, self.grid
        steps: list[_Step] = []
        for i, lag in _longest_path(c, run, items):
            if lag is not None and lag.min_min < 0:
                return None
            a = c.activities[i]
            lo, hi = (a.min_min, a.max_min) if i not in c.fixed else (
                c.fixed[i][1] - c.fixed[i][0],) * 2
            steps.append(_Step(
                lo=lo // g, hi=_up(hi, g),
                lag_lo=lag.min_min // g if lag else 0,
                lag_hi=_up(lag.max_min, g) if lag and lag.max_min is not None else None,
                starts=self._starts(i), last_end=min(_up(c.deadline[i], g), self.cells - 1),
                demands=tuple((self.row[d.equipment], d.units) for d in a.demands)))
        return _Chain(run, c.problem.priority(run) if self.weighted else 0, tuple(steps))

    def _starts(self, i: int) -> npt.NDArray[np.bool_]:
        """Where activity ``i`` may start: after its release, in one working interval.

        Times off the grid are widened to it (a start at 09:03 may be 09:00 or 09:05).
        """
        c, g, a = self.c, self.grid, self.c.activities[i]
        mask = np.zeros(self.cells, dtype=bool)
        if i in c.fixed:
            mask[c.fixed[i][0] // g:_up(c.fixed[i][0], g) + 1] = True
            return mask
        shortest = a.min_min // g
        mask[c.release[i] // g:max(_up(c.deadline[i], g) - shortest, 0) + 1] = True
        windows = c.windows[i]
        if windows is not None and not a.anytime:
            inside = np.zeros(self.cells, dtype=bool)
            for s, e in windows:
                if e - s >= a.min_min:
                    inside[s // g:max(_up(e, g) - shortest, 0) + 1] = True
            mask &= inside
        return mask

    def _layer(self, k: int) -> _Layer:
        steps = [chain.steps[k] for chain in self.chains if len(chain.steps) > k]
        most = max(1, *(len(step.demands) for step in steps))
        no_instrument = len(self.row)
        rows = np.full((len(steps), most), no_instrument, dtype=np.intp)
        units = np.zeros((len(steps), most))
        for r, step in enumerate(steps):
            for d, (row, n) in enumerate(step.demands):
                rows[r, d], units[r, d] = row, n
        return _Layer(
            starts=np.stack([step.starts for step in steps]), demand_rows=rows, units=units,
            last_end=np.array([step.last_end for step in steps], dtype=np.intp),
            lengths=_grouped([(step.lo, step.hi) for step in steps]),
            lags=_grouped([(step.lag_lo, step.lag_hi) for step in steps]))

    def _capacity(self, used: list[str], buckets: int) -> Floats:
        """Instrument minutes per bucket, less what fixed bookings hold."""
        minutes = buckets * self.bucket * self.grid
        free = np.zeros((len(used), minutes))
        for name, row in self.row.items():
            free[row] = self.c.capacity[name]
        for f in self.c.fixed_uses:
            if f.equipment in self.row:
                free[self.row[f.equipment], max(f.start, 0):min(f.end, minutes)] -= f.units
        shape = (len(used), buckets, self.bucket * self.grid)
        per_bucket: Floats = np.maximum(free, 0).reshape(shape).sum(axis=2)
        return per_bucket

    def evaluate(self, floors: dict[str, int]) -> tuple[float, Floats]:
        """The bound at the current prices and the instruments' excess booking per bucket."""
        values, trail = self._sweep(self._prefix())
        late = (self.cells - 1) * self.grid + 1  # the least end of a path off the grid
        total = 0.0
        paths: list[tuple[_Chain, list[tuple[int, int]]]] = []
        for j, chain in enumerate(self.chains):
            floor = chain.weight * floors.get(chain.run, 0)
            if values[j] >= chain.weight * late:  # ending later is cheaper, for all it shows
                total += max(chain.weight * late, floor)
                continue
            total += max(values[j], floor)
            paths.append((chain, _path(j, chain, trail, self.grid)))
        return total - float((self.lam * self.capacity).sum()), self._excess(paths)

    def slack(self) -> tuple[float, Floats]:
        """What the runs' bookings cost at the current prices, each run on its cheapest path
        that ends by the limit, less what the instruments can hold: above 0, no plan ends
        by the limit (INF when some run cannot, even alone), and the excess per bucket."""
        values, trail = self._sweep(self._prefix())
        if any(value >= INF / 2 for value in values):
            return INF, np.zeros_like(self.lam)
        paths = [(chain, _path(j, chain, trail, self.grid))
                 for j, chain in enumerate(self.chains)]
        return sum(values) - float((self.lam * self.capacity).sum()), self._excess(paths)

    def _prefix(self) -> Floats:
        """Per instrument, the price of all its cells before each cell."""
        per_cell = np.repeat(self.lam, self.bucket, axis=1)[:, :self.cells] * self.grid
        prefix = np.zeros((len(self.row) + 1, self.cells))  # the last row: no instrument
        np.cumsum(per_cell[:, :-1], axis=1, out=prefix[:-1, 1:])
        return prefix

    def _excess(self, paths: list[tuple[_Chain, list[tuple[int, int]]]]) -> Floats:
        """Minutes booked per instrument and bucket along the paths, less the capacity."""
        occupied = np.zeros((len(self.row), self.lam.shape[1] * self.bucket + 1))
        for chain, path in paths:
            for step, (s, e) in zip(chain.steps, path, strict=True):
                for row, units in step.demands:
                    occupied[row, s] += units
                    occupied[row, e] -= units
        booked = np.cumsum(occupied[:, :-1], axis=1).reshape((*self.lam.shape, self.bucket))
        excess: Floats = booked.sum(axis=2) * self.grid - self.capacity
        return excess

    def _sweep(self, prefix: Floats) -> tuple[list[float], list[tuple[Floats, Floats]]]:
        """Each chain's least weighted end plus booking cost, and per layer the cheapest
        cost to start (less the step's own cost) and to end at each cell."""
        values = [INF] * len(self.chains)
        trail: list[tuple[Floats, Floats]] = []
        clock = self.grid * np.arange(self.cells)
        ends = np.zeros((0, self.cells))
        for k, layer in enumerate(self.layers):
            n = len(layer.last_end)
            reach = np.zeros((n, self.cells)) if k == 0 else np.empty((n, self.cells))
            for lo, hi, rows in layer.lags if k else ():
                reach[rows] = _window_min(ends[rows], lo, hi)
            cost = (layer.units[:, :, None] * prefix[layer.demand_rows]).sum(axis=1)
            before = np.where(layer.starts, reach, INF) - cost
            ends = np.empty_like(before)
            for lo, hi, rows in layer.lengths:
                ends[rows] = _window_min(before[rows], lo, hi)
            ends += cost
            ends[np.arange(self.cells) > layer.last_end[:, None]] = INF
            trail.append((before, ends))
            for j in range(n):
                if len(self.chains[j].steps) == k + 1:
                    values[j] = float(np.min(ends[j] + self.chains[j].weight * clock))
        return values, trail


def _path(j: int, chain: _Chain, trail: list[tuple[Floats, Floats]],
          grid: int) -> list[tuple[int, int]]:
    """Chain ``j``'s cheapest path, walked back from its cheapest end: (start, end) cells."""
    last = len(chain.steps) - 1
    clock = grid * np.arange(trail[last][1].shape[1])
    end = int(np.argmin(trail[last][1][j] + chain.weight * clock))
    path: list[tuple[int, int]] = []
    for k in range(last, -1, -1):
        step = chain.steps[k]
        before = trail[k][0][j]
        low = max(end - step.hi, 0)
        start = low + int(np.argmin(before[low:end - step.lo + 1]))
        path.append((start, end))
        if k:
            earlier = trail[k - 1][1][j]
            low = 0 if step.lag_hi is None else max(start - step.lag_hi, 0)
            end = low + int(np.argmin(earlier[low:start - step.lag_lo + 1]))
    return path[::-1]


def _grouped(pairs: list[tuple[int, int | None]]
             ) -> list[tuple[int, int | None, npt.NDArray[np.intp]]]:
    """The rows sharing each (lo, hi) pair: one window sweep serves them all."""
    rows: dict[tuple[int, int | None], list[int]] = {}
    for r, pair in enumerate(pairs):
        rows.setdefault(pair, []).append(r)
    return [(lo, hi, np.array(members, dtype=np.intp)) for (lo, hi), members in rows.items()]


def _window_min(x: Floats, lo: int, hi: int | None) -> Floats:
    """y[:, t] = min of x[:, t-hi .. t-lo]: the cheapest way to reach t after lo..hi."""
    n = x.shape[1]
    out = np.full(x.shape, INF)
    if lo >= n:
        return out
    if hi is None or hi - lo + 1 >= n:
        trailing = np.minimum.accumulate(x, axis=1)
    elif hi == lo:
        trailing = x
    else:
        trailing = _sliding_min(x, hi - lo + 1)
    out[:, lo:] = trailing[:, :n - lo]
    return out


def _sliding_min(x: Floats, width: int) -> Floats:
    """z[:, t] = min of x[:, t-width+1 .. t] (van Herk / Gil-Werman: two passes a block)."""
    rows, n = x.shape
    padded = np.full((rows, -(-n // width) * width), INF)
    padded[:, :n] = x
    blocks = padded.reshape(rows, -1, width)
    ahead = np.minimum.accumulate(blocks, axis=2).reshape(rows, -1)
    behind = np.minimum.accumulate(blocks[:, :, ::-1], axis=2)[:, :, ::-1].reshape(rows, -1)
    out = ahead[:, :n].copy()
    if n >= width:
        out[:, width - 1:] = np.minimum(behind[:, :n - width + 1], ahead[:, width - 1:n])
    return out


def _longest_path(c: Compiled, run: str, items: list[int]) -> list[tuple[int, Lag | None]]:
    """The steps from a first step to a last one that take longest at the least, each with
    the lag after the step before it on the path (a chain's steps are the whole run)."""
    before: dict[int, list[tuple[int, Lag]]] = {
        i: [(c.index[(run, lag.step)], lag) for lag in c.activities[i].after] for i in items}
    followed = {j for i in items for j, _ in before[i]}
    done: dict[int, int] = {}  # the least end of each step, from the lags' least gaps
    for i in items:  # (topological order)
        ready = max([done[j] + lag.min_min for j, lag in before[i]], default=0)
        done[i] = max(ready, c.release[i]) + c.activities[i].min_min
    i = max((i for i in items if i not in followed), key=lambda k: (done[k], -k))
    path: list[tuple[int, Lag | None]] = []
    while before[i]:
        j, lag = max(before[i], key=lambda p: (done[p[0]] + p[1].min_min, -p[0]))
        path.append((i, lag))
        i = j
    path.append((i, None))
    return path[::-1]


def _up(value: int, grid: int) -> int:
    """``value`` in grid cells, rounded up."""
    return -(-value // grid)


def _grid_unit(c: Compiled) -> int:
    """The grid the sweep runs on: the largest step every time in the week falls on, up to
    a bucket, but no finer than GRID_MIN (times off it are widened to it, a relaxation)."""
    values = [BUCKET_MIN, c.horizon]
    for i, a in enumerate(c.activities):
        values += [a.min_min, a.max_min, c.release[i], c.deadline[i]]
        values += [v for lag in a.after for v in (lag.min_min, lag.max_min or 0)]
        values += [v for window in c.windows[i] or () for v in window]
        values += list(c.fixed.get(i, ()))
    common = reduce(math.gcd, values)
    return common if common >= GRID_MIN else GRID_MIN
