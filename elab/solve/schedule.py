"""The CP-SAT planner for lab schedules, and the words for why a plan cannot exist.

One interval per activity with its duration free inside the step's range; equipment is a
no-overlap (unary) or a cumulative (shelves, slots) over those intervals plus the fixed
bookings; predecessors with min/max lags are linear constraints.  Hands-on work must lie in
one working-hours interval: rather than a boolean per activity and day, the start and end
variables get the union of the allowed minutes as their domain, which is exact as long as a
hands-on step cannot stretch across a night (checked; otherwise one literal per window).

When no plan exists the model is rebuilt with an assumption literal per constraint group (one
run's step in working hours, a lag window, a dated event's window, one instrument, one person,
the horizon) and CP-SAT's ``sufficient_assumptions_for_infeasibility`` names the groups that
conflict; a short deletion pass trims that set before it is put into words.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.greedy import schedule_from_minutes
from elab.domain.schedule.model import Activity, Assignment, Problem, Schedule
from elab.domain.schedule.timegrid import in_one_window
from elab.domain.schedule.twins import twin_order
from elab.errors import InfeasibleError
from elab.solve.deadlines import EndPlan, descend
from elab.solve.end_days import least_plan_end, summed_end_bound
from elab.solve.lagrange import least_end_by_prices, summed_end_by_prices
from elab.solve.schedule_lns import Plan, improve_by_runs
from elab.solve.slots import SlotBounds, slot_bounds

__all__ = ["SolveOptions", "explain_infeasibility", "replan", "solve_schedule"]

Group = tuple[Any, ...]
CP_SAT_SHARE = 0.4  # of the weighted step's time; the run-by-run search gets the rest
PLAN_END_SHARE = 0.05  # at most, of the time, for the least plan end of ``end_days.py``
PLAN_END_PRICES_SHARE = 0.1  # at most, of the time, for the least plan end by prices
BOUNDS_SHARE = 0.25  # of the weighted step's time, for the bounds of runs alone and end days
PRICES_SHARE = 0.2  # of what is left then, for the bound by prices on instrument time
DESCENT_AFTER = 0.35  # of the plan-end step's time minimising; then deadlines (deadlines.py)


@dataclass(frozen=True)
class SolveOptions:
    """How hard to try.  ``workers=1`` is the benchmark setting (one core, reproducible)."""

    time_limit_s: float = 10.0
    workers: int = 1
    objective: str = "weighted"  # weighted: priority-weighted run ends + makespan; or makespan
    allow_out_of_hours: bool = False
    explain: bool = True
    stop_after_first: bool = False
    seed: int = 0
    warm_start: bool = True  # start from a run-by-run schedule (schedule_warm)


@dataclass
class _Built:
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    ends: list[cp_model.IntVar]
    objective_terms: list[Any] = field(default_factory=list)
    groups: dict[int, Group] = field(default_factory=dict)  # literal index -> group
    literals: dict[Group, cp_model.IntVar] = field(default_factory=dict)
    out_of_hours: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)  # (i, in hours)
    can_end: list[tuple[int, int]] = field(default_factory=list)  # minutes the plan can end at


def _union(windows: Sequence[tuple[int, int]], shift_lo: int, shift_hi: int) -> list[list[int]]:
    return [[s + shift_lo, e - shift_hi] for s, e in windows if e - shift_hi >= s + shift_lo]


def _gaps(windows: Sequence[tuple[int, int]], horizon: int) -> list[tuple[int, int]]:
    """The minutes of [0, horizon) outside the working windows."""
    out, at = [], 0
    for s, e in windows:
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < horizon:
        out.append((at, horizon))
    return out


def _with_nights(booked: list[tuple[int, int, int]], nights: list[tuple[int, int]],
                 cap: int) -> list[tuple[int, int, int]]:
    """Bookings outside the nights plus the nights themselves at full capacity."""
    out = [(s, e, cap) for s, e in nights]
    for s, e, units in booked:
        pieces = [(s, e)]
        for ns, ne in nights:
            pieces = [p for a, b in pieces
                      for p in ((a, min(b, ns)), (max(a, ne), b)) if p[1] > p[0]]
        out += [(a, b, units) for a, b in pieces]
    return out


def _after_work(windows: Sequence[tuple[int, int]], work: int, start: int) -> int:
    """The first minute by which ``work`` minutes of working time after ``start`` passed."""
    left = work
    for s, e in windows:
        s = max(s, start)
        if e <= s:
            continue
        if e - s >= left:
            return s + left
        left -= e - s
    return windows[-1][1] if windows else start + work


def _price(a: Activity) -> int:
    """The price of a step done out of hours: 1000 a minute, above any shift of a run's end."""
    return 1000 * max(a.min_min, 1)


def _min_gap(windows: Sequence[tuple[int, int]]) -> int:
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(windows)]
    return min(gaps) if gaps else 10**9


class _Builder:
    """The CP-SAT model of a compiled problem.

    ``objective`` overrides the options' one: ``makespan`` (the plan's end) or ``weighted``
    (runs × makespan + the runs' priority-weighted ends).  Out-of-hours minutes, when allowed
    at all, are priced above everything in both; ``plan_end`` is the makespan alone, without
    that price (the first step of a solve, where only time-lapse shots and doses may fall
    out of hours and the weighted step moves them back); ``out_of_hours`` is the price alone.
    ``alone`` holds per run a least end and out-of-hours price (``_alone_bounds``), and
    ``least_end`` a least plan end already proven (by the makespan step).
    """

    def __init__(self, c: Compiled, opts: SolveOptions, explain: bool,
                 limit: int | None = None, objective: str | None = None,
                 alone: _Alone | None = None, least_end: int = 0) -> None:
        self.c = c
        self.alone = alone or _Alone()
        self.least_end = least_end
        self.limit = c.horizon if limit is None else limit
        self.opts = opts
        self.objective = objective or opts.objective
        self.explain = explain
        self.m = cp_model.CpModel()
        self.built = _Built(self.m, [], [])
        self.durs: list[cp_model.IntVar] = []
        self.daytime_only: dict[str, list[tuple[int, int]]] = {}
        self.intervals: list[cp_model.IntervalVar] = []

    def lit(self, group: Group) -> cp_model.IntVar:
        """The assumption literal of a group (explain mode), created once."""
        got = self.built.literals.get(group)
        if got is None:
            got = self.m.new_bool_var("|".join(str(g) for g in group))
            self.built.literals[group] = got
            self.built.groups[got.index] = group
        return got

    def _activity(self, i: int, a: Activity) -> None:
        c, m = self.c, self.m
        top = c.horizon
        if i in c.fixed:
            s, e = c.fixed[i]
            start, end, dur = m.new_constant(s), m.new_constant(e), m.new_constant(e - s)
        else:
            lo = 0 if self.explain else c.release[i]
            hi = top if self.explain else c.deadline[i]
            windows = c.windows[i]
            if self.explain and windows is not None:
                # the dated window is a group of its own, so hours here are all the week's
                windows = tuple((s, e) for s, e in c.grid.windows if e - s >= a.min_min)
            hard = (windows is not None and not self.explain and not a.anytime
                    and not self.opts.allow_out_of_hours)
            if hard and windows is not None:
                start = m.new_int_var_from_domain(
                    cp_model.Domain.from_intervals(_union(windows, 0, a.min_min)), f"s{i}")
                end = m.new_int_var_from_domain(
                    cp_model.Domain.from_intervals(_union(windows, a.min_min, 0)), f"e{i}")
            else:
                start = m.new_int_var(lo, hi, f"s{i}")
                end = m.new_int_var(lo, hi, f"e{i}")
            dur = m.new_int_var(a.min_min, a.max_min, f"d{i}")
            if windows is not None and not hard:
                self._soft_hours(i, a, start, end, windows)
            elif hard and windows is not None and a.max_min >= _min_gap(windows) + 2 * a.min_min:
                self._window_literals(i, start, end, windows, None)
            if self.explain:
                self._dated(i, a, start, end)
        self.built.starts.append(start)
        self.built.ends.append(end)
        self.durs.append(dur)
        self.intervals.append(m.new_interval_var(start, dur, end, f"i{i}"))

    def _window_literals(self, i: int, start: Any, end: Any,
                         windows: Sequence[tuple[int, int]], enforce: Any) -> None:
        options = []
        for k, (s, e) in enumerate(windows):
            x = self.m.new_bool_var(f"w{i}_{k}")
            self.m.add(start >= s).only_enforce_if(x)
            self.m.add(end <= e).only_enforce_if(x)
            options.append(x)
        if enforce is None:
            self.m.add_exactly_one(options)
        else:
            self.m.add_bool_or(options).only_enforce_if(enforce)

    def _soft_hours(self, i: int, a: Activity, start: Any, end: Any,
                    windows: Sequence[tuple[int, int]]) -> None:
        m = self.m
        if self.explain and not a.anytime:
            flag = self.lit(("hours", i))
        else:
            flag = m.new_bool_var(f"in_hours{i}")
            self.built.out_of_hours.append((i, flag))
        if not windows:
            m.add_bool_or([flag.Not()])
            return
        m.add_linear_expression_in_domain(
            start, cp_model.Domain.from_intervals(_union(windows, 0, a.min_min))
        ).only_enforce_if(flag)
        m.add_linear_expression_in_domain(
            end, cp_model.Domain.from_intervals(_union(windows, a.min_min, 0))
        ).only_enforce_if(flag)
        if a.max_min >= _min_gap(windows) + 2 * a.min_min:
            self._window_literals(i, start, end, windows, flag)

    def _dated(self, i: int, a: Activity, start: Any, end: Any) -> None:
        c, m = self.c, self.m
        horizon = self.lit(("horizon",))
        m.add(end <= self.limit).only_enforce_if(horizon)
        if a.release is not None or a.deadline is not None:
            group = self.lit(("dated", i))
            m.add(start >= c.release[i]).only_enforce_if(group)
            m.add(end <= c.deadline[i]).only_enforce_if(group)

    def _lags(self) -> None:
        c, m, b = self.c, self.m, self.built
        for i, a in enumerate(c.activities):
            for lag in a.after:
                j = c.index[(a.run, lag.step)]
                m.add(b.starts[i] >= b.ends[j] + lag.min_min)
                if lag.max_min is not None:
                    ct = m.add(b.starts[i] <= b.ends[j] + lag.max_min)
                    if self.explain:
                        ct.only_enforce_if(self.lit(("window", i, j)))

    def _resources(self) -> None:
        c, m = self.c, self.m
        users: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, a in enumerate(c.activities):
            for d in a.demands:
                users[d.equipment].append((i, d.units))
        fixed_by: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for f in c.fixed_uses:
            fixed_by[f.equipment].append((f.start, f.end, f.units))
        for name in sorted(set(users) | set(fixed_by)):
            cap = c.capacity[name]
            if self._hands_on_only(users[name]):
                self.daytime_only[name] = users[name]
                fixed_by[name] = _with_nights(fixed_by[name], _gaps(c.grid.windows, c.horizon),
                                              cap)
            ivs: list[cp_model.IntervalVar] = []
            demands: list[int] = []
            present = self.lit(("equipment", name)) if self.explain else None
            for i, units in users[name]:
                if present is None:
                    ivs.append(self.intervals[i])
                else:
                    ivs.append(m.new_optional_interval_var(
                        self.built.starts[i], self.durs[i], self.built.ends[i], present,
                        f"o{name}{i}"))
                demands.append(units)
            for s, e, units in fixed_by[name]:
                if present is None:
                    ivs.append(m.new_fixed_size_interval_var(s, e - s, f"b{name}{s}"))
                else:
                    ivs.append(m.new_optional_fixed_size_interval_var(s, e - s, present,
                                                                      f"b{name}{s}"))
                demands.append(min(units, cap))
            if len(ivs) < 2 and all(d <= cap for d in demands):
                continue
            if cap == 1:
                m.add_no_overlap(ivs)
            else:
                m.add_cumulative(ivs, demands, cap)

    def _hands_on_only(self, users: list[tuple[int, int]]) -> bool:
        """Whether every user of an instrument is hands-on work held to working hours.

        Then the instrument is idle outside working hours, and saying so with fixed
        intervals (redundant for feasibility) lets CP-SAT's energy reasoning see that a
        busy microscope's week has 40 hours, not 168: a much better bound and search.
        """
        if self.explain or self.opts.allow_out_of_hours or not users:
            return False
        c = self.c
        return all(c.activities[i].hands_on and not c.activities[i].anytime
                   and c.windows[i] is not None and i not in c.fixed for i, _ in users)

    def _people(self) -> None:
        c, m = self.c, self.m
        by_person: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(c.activities):
            person = c.problem.calendar.person_of(a.run)
            if a.hands_on and person is not None:
                by_person[person].append(i)
        for person, items in sorted(by_person.items()):
            if self.explain:
                lit = self.lit(("person", person))
                ivs = [m.new_optional_interval_var(self.built.starts[i], self.durs[i],
                                                   self.built.ends[i], lit, f"p{i}")
                       for i in items]
            else:
                ivs = [self.intervals[i] for i in items]
            m.add_no_overlap(ivs)

    def _objective(self) -> None:
        c, m, b = self.c, self.m, self.built
        top = c.horizon
        runs = _by_run(c)
        ends_in = {run: self._ends_in(items) for run, items in runs.items()}
        anywhere = cp_model.Domain(0, top)
        makespan = m.new_int_var_from_domain(
            functools.reduce(cp_model.Domain.union_with, ends_in.values())
            .intersection_with(anywhere) if ends_in else anywhere, "makespan")
        m.add_max_equality(makespan, b.ends)
        flat = list(makespan.proto.domain)
        b.can_end = list(zip(flat[::2], flat[1::2], strict=True))
        terms: list[Any] = []
        # the slot bounds assume hands-on work inside working hours
        slots = SlotBounds() if self.opts.allow_out_of_hours else slot_bounds(c)
        if self.objective in ("makespan", "plan_end"):
            terms.append(makespan)
        elif self.objective != "out_of_hours":
            terms.append(len(runs) * makespan)
            finishes: dict[str, Any] = {}
            for run, items in runs.items():
                least = min(self.alone.ends.get(run, 0), top)
                finish = m.new_int_var_from_domain(
                    ends_in[run].intersection_with(cp_model.Domain(least, top)), f"end_{run}")
                m.add_max_equality(finish, [b.ends[i] for i in items])
                finishes[run] = finish
                terms.append(c.problem.priority(run) * finish)
            self._finish_bounds(finishes, slots)
        self._makespan_bounds(makespan, slots)
        if self.objective != "plan_end":
            price: dict[str, list[Any]] = defaultdict(list)
            most: dict[str, int] = defaultdict(int)
            for i, flag in b.out_of_hours:
                price[c.activities[i].run].append(_price(c.activities[i]) * (1 - flag))
                most[c.activities[i].run] += _price(c.activities[i])
            for run, items in price.items():
                # one variable per run, its least value the run's floor: the objective's
                # bound counts the floor from the start, not only through the LP relaxation
                least = min(self.alone.prices.get(run, 0), most[run])
                paid = m.new_int_var(least, most[run], f"ooh_{run}")
                m.add(paid == sum(items))
                terms.append(paid)
        m.minimize(sum(terms))

    def _ends_in(self, items: list[int]) -> cp_model.Domain:
        """The minutes a run can end at: those its last steps can end at.

        A run whose last steps are hands-on ends in working hours, so a bound that falls
        at night (the plan cannot end before Friday 06:05) moves on to the morning: CP-SAT
        lifts a variable's bound to its domain's next value, not to the next value of the
        work that decides it.  (Every other step ends before one that follows it starts,
        unless a lag lets a step start before its predecessor ends: then any step counts.)
        """
        c, b = self.c, self.built
        followed = {lag.step for i in items for lag in c.activities[i].after}
        if any(lag.min_min < 0 for i in items for lag in c.activities[i].after):
            followed = set()
        last = [i for i in items if c.activities[i].step not in followed]
        return functools.reduce(
            cp_model.Domain.union_with,
            [cp_model.Domain.from_flat_intervals(list(b.ends[i].proto.domain)) for i in last])

    def _makespan_bounds(self, makespan: Any, slots: SlotBounds) -> None:
        """Redundant: an instrument used only in working hours needs its working minutes.

        Its work fits only into working time, so the plan cannot end before the working
        minutes it needs have passed.  Valid for any schedule; it gives CP-SAT the bound
        its own relaxation misses on a busy week.  Likewise the per-day slots of instruments
        used by blocks of steps that must start inside working hours (``slots.py``).
        """
        c = self.c
        for name, users in self.daytime_only.items():
            first = min(c.release[i] for i, _ in users)
            energy = sum(c.activities[i].min_min * units for i, units in users)
            self.m.add(makespan >= _after_work(c.grid.windows, -(-energy // c.capacity[name]),
                                               first))
        self.m.add(makespan >= slots.makespan)
        self.m.add(makespan >= min(self.least_end, c.horizon))

    def _finish_bounds(self, finishes: dict[str, Any], slots: SlotBounds) -> None:
        """Redundant: on one daytime instrument, the runs' ends add up to at least SPT's.

        Shortest work first on a single machine minimises the sum of completion times, and
        the runs end no earlier than their own work on it, so their ends summed are at
        least that sum measured in working time.  The slots of an instrument bound such a
        sum too (``slots.py``).
        """
        c = self.c
        if self.alone.summed is not None:
            self.m.add(sum(c.problem.priority(r) * f for r, f in finishes.items())
                       >= self.alone.summed)
        for runs, least in slots.run_ends:
            self.m.add(sum(finishes[r] for r in runs) >= min(least, c.horizon * len(runs)))
        for name, users in self.daytime_only.items():
            if c.capacity[name] != 1:
                continue
            first = min(c.release[i] for i, _ in users)
            per_run: dict[str, int] = defaultdict(int)
            for i, _ in users:
                per_run[c.activities[i].run] += c.activities[i].min_min
            done, total = 0, 0
            for work in sorted(per_run.values()):
                done += work
                total += _after_work(c.grid.windows, done, first)
            self.m.add(sum(finishes[r] for r in per_run)
                       >= min(total, c.horizon * len(per_run)))

    def build(self) -> _Built:
        for i, a in enumerate(self.c.activities):
            self._activity(i, a)
        self._lags()
        self._resources()
        self._people()
        if not self.explain:
            self._objective()
        return self.built


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, stop_after_first: bool) -> None:
        super().__init__()
        self.t0 = time.perf_counter()
        self.first: float | None = None
        self.stop_after_first = stop_after_first

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0
        if self.stop_after_first:
            self.stop_search()


def _solver(opts: SolveOptions, time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = max(1, opts.workers)
    solver.parameters.random_seed = opts.seed
    return solver


@dataclass
class _Outcome:
    """One CP-SAT solve of one phase: its status and, when it found one, the plan."""

    status: cp_model.CpSolverStatus
    starts: list[int] | None = None
    ends: list[int] | None = None
    objective: float | None = None
    bound: float | None = None
    first_s: float | None = None
    status_name: str = ""
    built: _Built | None = None  # the model solved, for the run-by-run search to reuse

    @property
    def found(self) -> bool:
        return self.starts is not None


def _solve_phase(c: Compiled, opts: SolveOptions, objective: str, time_limit: float,
                 hint: tuple[list[int], list[int]] | None,
                 alone: _Alone | None = None, least_end: int = 0) -> _Outcome:
    callback = _FirstSolution(opts.stop_after_first)  # its clock counts the model building
    built = _Builder(c, opts, explain=False, objective=objective, alone=alone,
                     least_end=least_end).build()
    if hint is not None:
        _add_hint(c, built, *hint)
    solver = _solver(opts, max(time_limit, 0.5))
    # For the weighted objective, one worker runs CP-SAT's portfolio in turns (LNS included)
    # rather than one plain search: on busy lab weeks that improves a plan far more.  For the
    # makespan (job shops, the first phase) plain search with its propagation does better.
    solver.parameters.interleave_search = opts.workers == 1 and objective == "weighted"
    status = solver.solve(built.model, callback)
    out = _Outcome(status, status_name=solver.status_name(status), first_s=callback.first,
                   built=built)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.starts = [solver.value(v) for v in built.starts]
        out.ends = [solver.value(v) for v in built.ends]
        out.objective = solver.objective_value
    if status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        out.bound = solver.best_objective_bound  # proven even when no plan was found
    return out


def _from_warm(outcome: _Outcome, warm: tuple[list[int], list[int]] | None) -> _Outcome:
    """The plan-end step's outcome, with the first plan as its plan if it found none.

    On a library 50-run week the plan-end search from scratch found nothing in 12 s; without
    a plan the deadlines, the bounds and the run-by-run search were all skipped and the week
    read 13.7 % from a plain weighted search.  The first plan is valid, so the deadlines can
    start from its end.
    """
    if outcome.found or warm is None or outcome.status in (cp_model.INFEASIBLE,
                                                           cp_model.MODEL_INVALID):
        return outcome
    return replace(outcome, starts=warm[0], ends=warm[1],
                   objective=float(max(warm[1], default=0)), status=cp_model.FEASIBLE,
                   status_name="FEASIBLE")


def _by_deadlines(c: Compiled, outcome: _Outcome, opts: SolveOptions,
                  deadline: float) -> _Outcome:
    """The plan-end step's plan improved by deadlines (``deadlines.py``), its bound too."""
    if outcome.status == cp_model.OPTIMAL or not outcome.found or outcome.built is None:
        return outcome
    assert outcome.starts is not None and outcome.ends is not None
    built = outcome.built
    plan = EndPlan(outcome.starts, outcome.ends, max(outcome.ends, default=0),
                   math.ceil((outcome.bound or 0.0) - 1e-6))
    best = descend(built.model, built.starts, built.ends, plan, c.grid.day_ends(), deadline,
                   opts.seed, twin_order(c), built.can_end)
    done = best.bound >= best.end
    return replace(outcome, starts=best.starts, ends=best.ends, objective=float(best.end),
                   bound=float(best.bound), status=cp_model.OPTIMAL if done else outcome.status,
                   status_name="OPTIMAL" if done else outcome.status_name)


def _add_hint(c: Compiled, built: _Built, starts: list[int], ends: list[int]) -> None:
    """The plan as CP-SAT's hint, with whether each priced step is in hours.

    Left to itself the search tries a step out of hours first and pays for it: a plan that
    took its time-lapse shots in the evening where it could have at 16:00 started worse
    than the plan it was given.
    """
    for var, value in zip(built.starts + built.ends, starts + ends, strict=True):
        built.model.add_hint(var, value)
    for i, flag in built.out_of_hours:
        built.model.add_hint(flag, in_one_window(c.windows[i] or (), starts[i], ends[i]))


def _by_run(c: Compiled) -> dict[str, list[int]]:
    """Each run's activity indices, runs in the order they first appear."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(c.activities):
        out[a.run].append(i)
    return out


def _by_runs(c: Compiled, outcome: _Outcome, alone: _Alone, deadline: float,
             seed: int) -> _Outcome:
    """The weighted step's plan improved a few runs at a time (``schedule_lns``).

    The bound stays CP-SAT's: the model is the same, only the search differs.
    """
    if outcome.status == cp_model.OPTIMAL or outcome.built is None:
        return outcome
    assert outcome.starts is not None and outcome.ends is not None
    runs = _by_run(c)
    built = outcome.built
    plan = improve_by_runs(built.model, built.starts, built.ends, list(runs.values()),
                           [alone.ends.get(run, 0) for run in runs],
                           Plan(outcome.starts, outcome.ends, outcome.objective or 0.0),
                           deadline, seed,
                           [(i, flag, c.windows[i] or (), _price(c.activities[i]))
                            for i, flag in built.out_of_hours],
                           [alone.prices.get(run) for run in runs])
    return replace(outcome, starts=plan.starts, ends=plan.ends, objective=plan.objective)


def solve_schedule(problem: Problem, options: SolveOptions | None = None) -> Schedule:
    """The best schedule CP-SAT finds within the time limit; InfeasibleError says why not.

    Several runs are solved in two steps.  First the plan's end alone (makespan), from
    scratch; then the full weighted objective (runs × makespan + priority-weighted ends),
    starting from that plan.  Searching the weighted sum directly left busy weeks a day later
    than needed: its moves trade the plan's end for other runs' ends and it does not find
    its way to a short plan; the makespan search does, and the weighted search then only has
    to improve the runs' ends (or trade the end for a high-priority run).  The makespan
    step's objective and bound are kept in the schedule's stats.
    """
    opts = options or SolveOptions()
    c = compile_problem(problem)
    t0 = time.perf_counter()
    warm = _warm(problem, c, opts)
    warm_s = time.perf_counter() - t0
    stats: dict[str, float] = {"warm_s": warm_s}
    if warm is not None and opts.stop_after_first:
        return schedule_from_minutes(c, warm[0], warm[1], "serial", status="FEASIBLE",
                                     stats={**stats, "wall_s": warm_s, "first_s": warm_s})
    left = max(opts.time_limit_s - warm_s, 0.5)
    two_phase = (opts.objective == "weighted" and len(problem.runs) >= 2
                 and not opts.stop_after_first)
    # The makespan phase searches better from scratch than from the run-by-run plan (the
    # hint holds it near that plan's end); the plan stays the answer if it finds nothing.
    # Its objective is the bare plan end, so its bound measures that, unless out-of-hours
    # work is allowed at all: then the price must stay or the first plan would use nights.
    # After a third of its time it goes on by deadlines (the bare plan end only).  After a
    # fifth, the minimisation of 25-run weeks was cut off just before proving their end, and
    # a deadline's plan of that same end started the weighted step worse.
    step = "makespan" if opts.allow_out_of_hours else "plan_end"
    first = _solve_phase(c, opts, step if two_phase else opts.objective,
                         left * 0.4 * DESCENT_AFTER if two_phase else left,
                         None if two_phase else warm)
    starts_from = [warm] if warm is not None else []  # the weighted step's candidate hints
    if first.found:
        assert first.starts is not None and first.ends is not None
        starts_from.append((first.starts, first.ends))
    if two_phase and step == "plan_end":
        first = _by_deadlines(c, _from_warm(first, warm), opts,
                              deadline=t0 + warm_s + left * 0.4)
    outcome = first
    if two_phase and first.found:
        assert first.starts is not None and first.ends is not None
        # the step's objective: the makespan (plus the out-of-hours price when that is allowed)
        stats["makespan_min"] = max(first.ends, default=0)
        stats["makespan_step_objective"] = first.objective or 0.0
        stats["makespan_step_bound"] = first.bound or 0.0
        stats["makespan_step_s"] = time.perf_counter() - t0 - warm_s
        left = max(opts.time_limit_s - (time.perf_counter() - t0), 0.5)
        hint = _weighted_start(c, [*starts_from, (first.starts, first.ends)],
                               priced=step != "plan_end")
        runs = _RunsAlone(c, opts, deadline=time.perf_counter() + BOUNDS_SHARE * left)
        alone = _alone_bounds(runs)
        left = max(opts.time_limit_s - (time.perf_counter() - t0), 0.5)
        if not opts.allow_out_of_hours:  # their windows hold hands-on work to working hours
            alone.summed = _summed_bound(c, runs, alone, hint[1], PRICES_SHARE * left, stats)
        left = max(opts.time_limit_s - (time.perf_counter() - t0), 0.5)
        # the plan-end step's bound holds for every plan: the weighted step starts from it
        least_end = 0
        if step == "plan_end":  # (least_plan_end's windows hold hands-on work to working hours)
            plan_end = max(first.ends, default=0)
            least_end = least_plan_end(c, math.ceil((first.bound or 0.0) - 1e-6), plan_end,
                                       deadline=time.perf_counter() + PLAN_END_SHARE * left)
            by_prices = least_end_by_prices(c, least_end, plan_end, time.perf_counter()
                                            + PLAN_END_PRICES_SHARE * left)
            stats["least_plan_end_by_prices"] = float(by_prices)
            least_end = max(least_end, by_prices)
            stats["least_plan_end"] = float(least_end)
        second = _solve_phase(c, opts, "weighted", left * CP_SAT_SHARE, hint, alone,
                              least_end)
        if second.found:
            outcome = _by_runs(c, second, alone, deadline=t0 + opts.time_limit_s,
                               seed=opts.seed)
    elif two_phase and first.status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID) \
            and not first.found:
        # no makespan plan in 40 % of the time: the plain weighted search gets the rest
        left = max(opts.time_limit_s - (time.perf_counter() - t0), 0.5)
        outcome = _solve_phase(c, opts, "weighted", left, warm)
    wall = time.perf_counter() - t0
    stats["wall_s"] = wall
    if outcome.found:
        assert outcome.starts is not None and outcome.ends is not None
        stats["first_s"] = warm_s if warm is not None else warm_s + (first.first_s or 0.0)
        stats["solver_first_s"] = first.first_s or 0.0
        return schedule_from_minutes(c, outcome.starts, outcome.ends, "cp-sat",
                                     status=outcome.status_name, objective=outcome.objective,
                                     bound=outcome.bound, stats=stats)
    if warm is not None and outcome.status != cp_model.INFEASIBLE:
        return schedule_from_minutes(c, warm[0], warm[1], "serial", status="FEASIBLE",
                                     stats={**stats, "first_s": warm_s})
    if outcome.status == cp_model.INFEASIBLE and opts.explain:
        raise InfeasibleError(explain_infeasibility(problem, opts, c))
    if outcome.status == cp_model.INFEASIBLE:
        raise InfeasibleError("no schedule satisfies every constraint")
    raise InfeasibleError(
        f"no schedule found within {opts.time_limit_s:g} s; allow more time (--time-limit)"
    )


@dataclass
class _Alone:
    """Per run, what it needs even alone in the lab: its least end and out-of-hours price."""

    ends: dict[str, int] = field(default_factory=dict)
    prices: dict[str, int] = field(default_factory=dict)
    summed: int | None = None  # the runs' priority-weighted ends (``end_days.py``)


class _RunsAlone:
    """Each run of the week on its own, and CP-SAT's bounds for it, solved once per shape.

    Runs of one protocol from the same day are alike: one solve serves them all.
    """

    def __init__(self, c: Compiled, opts: SolveOptions, deadline: float) -> None:
        self.opts, self.deadline = opts, deadline
        self.compiled: dict[str, Compiled] = {}
        self.shape: dict[str, Any] = {}
        self._solved: dict[tuple[Any, str, int], int | None] = {}
        alike: dict[Any, Compiled] = {}
        for run, items in _by_run(c).items():
            shape = (c.problem.calendar.person_of(run), *(
                (replace(c.activities[i], run=""), c.release[i], c.deadline[i], c.windows[i],
                 c.fixed.get(i)) for i in items))
            if shape not in alike:
                alike[shape] = compile_problem(replace(
                    c.problem, activities=tuple(c.activities[i] for i in items), bookings=(),
                    recurring=(), priorities=(),
                    fixed=tuple(f for f in c.problem.fixed if f.run == run)))
            self.compiled[run], self.shape[run] = alike[shape], shape

    def least(self, run: str, objective: str = "plan_end", floor: int = 0) -> int | None:
        """CP-SAT's bound on the run's objective, its end at least ``floor``; None: no time."""
        key = (self.shape[run], objective, floor)
        if key not in self._solved:
            self._solved[key] = _least(self.compiled[run], self.opts, objective,
                                       self.deadline, floor)
        return self._solved[key]


def _alone_bounds(runs: _RunsAlone) -> _Alone:
    """Each run planned alone: a relaxation of the week, so its bounds hold in every plan.

    CP-SAT's own bound on a run's end follows the lags through the start windows one at a
    time and loses the working hours on the way; alone, a run's least end is quick to prove.
    And some work cannot all fall in working hours: five time-lapse shots 2-6 h apart span
    more than a working day, so one is taken in the evening whatever else the week holds,
    yet no single shot is forced out, so CP-SAT does not see it.  The solver's bound is kept
    (it is the optimum when proven).  Runs left when the time is up get no bound.
    """
    out = _Alone()
    for run, sub in runs.compiled.items():
        end = runs.least(run)
        soft = any(a.anytime and w is not None for a, w in zip(sub.activities, sub.windows,
                                                                strict=True))
        price = runs.least(run, "out_of_hours") if soft else 0
        if end is None or price is None:
            break
        out.ends[run], out.prices[run] = end, price
    return out


def _least(c: Compiled, opts: SolveOptions, objective: str, deadline: float,
           floor: int = 0) -> int | None:
    """CP-SAT's bound on one objective (None when time is up or no plan is found)."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    built = _Builder(c, opts, explain=False, objective=objective, least_end=floor).build()
    solver = _solver(replace(opts, workers=1), min(left, 1.0))
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return math.ceil(solver.best_objective_bound - 1e-6)


def _warm(problem: Problem, c: Compiled,
          opts: SolveOptions) -> tuple[list[int], list[int]] | None:
    """Start and end minutes of a run-by-run schedule, when there are several runs."""
    if not opts.warm_start or len(problem.runs) < 2 or opts.objective == "makespan":
        return None
    from elab.domain.schedule.check import check_schedule
    from elab.domain.schedule.greedy_chains import chain_greedy_schedule
    from elab.solve.schedule_warm import serial_schedule

    candidates = []
    chained = chain_greedy_schedule(problem)
    if check_schedule(problem, chained).ok:
        candidates.append(chained)
    serial = serial_schedule(problem, opts.time_limit_s / 2, opts.workers)
    if serial is not None:
        candidates.append(serial)
    best: tuple[float, list[int], list[int]] | None = None
    for got in candidates:
        by = got.by_key()
        starts = [c.grid.minute_from(by[a.key].start) for a in c.activities]
        ends = [c.grid.minute_from(by[a.key].end) for a in c.activities]
        score = _weighted(c, starts, ends)
        if best is None or score < best[0]:
            best = (score, starts, ends)
    return None if best is None else (best[1], best[2])


def _summed_bound(c: Compiled, runs: _RunsAlone, alone: _Alone, plan_ends: list[int],
                  prices_s: float, stats: dict[str, float]) -> int | None:
    """The better of two bounds on the runs' weighted ends: their days, and prices.

    The day classes (``end_days.py``) see the incubator's waves of a library week; prices on
    the instruments' time (``lagrange.py``) see the daytime instruments of a generated week
    crowded by runs that pass from one to the next.  Each is valid, so the larger holds.
    """
    by_days = summed_end_bound(
        c, runs.compiled, lambda run, floor: runs.least(run, floor=floor),
        {run: c.problem.priority(run) for run in runs.compiled}, runs.deadline)
    by_prices = summed_end_by_prices(c, alone.ends, _finishes(c, plan_ends), by_days or 0,
                                     time.perf_counter() + prices_s)
    for name, value in (("summed_by_days", by_days), ("summed_by_prices", by_prices)):
        if value is not None:
            stats[name] = float(value)
    return max((v for v in (by_days, by_prices) if v is not None), default=None)


def _finishes(c: Compiled, ends: list[int]) -> dict[str, int]:
    """Each run's end in a schedule's minutes."""
    finish: dict[str, int] = {}
    for a, e in zip(c.activities, ends, strict=True):
        finish[a.run] = max(finish.get(a.run, e), e)
    return finish


def _weighted_start(c: Compiled, plans: Sequence[tuple[list[int], list[int]]],
                    priced: bool) -> tuple[list[int], list[int]]:
    """The plan the weighted step starts from: the best by the weighted objective.

    The deadlines' plans end early but spread the runs over the time they have: a plan
    ending minutes later that finishes runs sooner can still score better.  Out-of-hours
    work is compared only if ``priced``: where it is forbidden (what the biology sets is
    priced then) the run-by-run search re-plans each run paying more than its floor, but
    nothing later moves the plan's end back.  On ``library_week(50, 1)`` the deadlines'
    plan ended 23 h sooner than the first plan but took 45 time-lapse shots at night to its
    39 (28 are unavoidable); with its price counted the first plan started the weighted
    step and the week read 7.5 %, and 3.9 % without.
    """
    return min(plans, key=lambda plan: _weighted(c, plan[0], plan[1], priced))


def _weighted(c: Compiled, starts: list[int], ends: list[int], priced: bool = True) -> float:
    """The weighted objective of a schedule's minutes, with the out-of-hours price if
    ``priced``.

    (Two first plans are compared by it: one that ends a run earlier by taking time-lapse
    shots at night is not the better start.)
    """
    finish = _finishes(c, ends)
    makespan = max(ends, default=0)
    price = _out_of_hours_price(c, starts, ends) if priced else 0
    return (len(finish) * makespan + sum(c.problem.priority(r) * f for r, f in finish.items())
            + price)


def _out_of_hours_price(c: Compiled, starts: list[int], ends: list[int]) -> int:
    """What a schedule's minutes pay for priced hands-on work outside its windows."""
    return sum(_price(a) for a, w, s, e in zip(c.activities, c.windows, starts, ends,
                                                  strict=True)
               if a.hands_on and w is not None and not in_one_window(w, s, e))


def replan(problem: Problem, done: Sequence[Assignment],
           options: SolveOptions | None = None) -> Schedule:
    """Plan again after a slip: the finished steps stay exactly where they happened."""
    fixed = {a.key: a for a in problem.fixed}
    fixed.update({a.key: a for a in done})
    return solve_schedule(replace(problem, fixed=tuple(fixed.values())), options)


# -- explanations ----------------------------------------------------------------------------


def _minutes_text(minutes: int) -> str:
    if minutes % 60 == 0 and minutes >= 60:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _range_text(lo: int, hi: int) -> str:
    if lo == hi:
        return _minutes_text(lo)
    if lo % 60 == 0 and hi % 60 == 0 and lo >= 60:
        return f"{lo // 60}–{hi // 60} h"
    return f"{lo}–{hi} min"


def _describe(group: Group, c: Compiled, limit: int) -> str:
    kind = group[0]
    acts = c.activities
    if kind == "hours":
        a = acts[group[1]]
        return (f"hands-on step '{a.step}' of {a.run} ({_range_text(a.min_min, a.max_min)}) "
                f"must fall inside working hours ({c.problem.calendar.describe_hours()})")
    if kind == "window":
        a, p = acts[group[1]], acts[group[2]]
        lag = next(x for x in a.after if x.step == p.step)
        what = (f"the {_range_text(p.min_min, p.max_min)} incubation of {p.run} step "
                f"'{p.step}'" if not p.hands_on else f"{p.run} step '{p.step}'")
        return (f"{what} must be followed by '{a.step}' within "
                f"{_range_text(lag.min_min, lag.max_min or 0)}")
    if kind == "dated":
        a = acts[group[1]]
        grid = c.grid
        return (f"{a.run} step '{a.step}' is due between "
                f"{grid.datetime_from(c.release[group[1]]):%a %d %b %H:%M} and "
                f"{grid.datetime_from(c.deadline[group[1]]):%a %d %b %H:%M}")
    if kind == "equipment":
        name = group[1]
        booked = [f for f in c.fixed_uses if f.equipment == name]
        cap = c.capacity[name]
        text = f"{name} holds {'one step' if cap == 1 else f'{cap} units'} at a time"
        if booked:
            first = booked[0]
            text += (f" and is booked {c.grid.datetime_from(first.start):%a %H:%M}–"
                     f"{c.grid.datetime_from(first.end):%H:%M} ({first.note})")
            if len(booked) > 1:
                text += f" and {len(booked) - 1} more time(s)"
        if cap == 1:
            text += (f" (if it holds more, say so in the lab calendar: "
                     f"equipment: {{{name}: {{capacity: N}}}})")
        return text
    if kind == "person":
        return f"{group[1]} can do one hands-on step at a time"
    if kind == "horizon":
        return f"everything must end within the {limit // 1440}-day plan"
    return str(group)


def _core(c: Compiled, opts: SolveOptions, active: list[Group], budget_s: float,
          limit: int) -> list[Group]:
    built = _Builder(c, opts, explain=True, limit=limit).build()
    chosen = [built.literals[g] for g in active if g in built.literals]
    built.model.add_assumptions(chosen)
    solver = _solver(replace(opts, workers=1), budget_s)
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return []
    return [built.groups[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def explain_infeasibility(problem: Problem, options: SolveOptions | None = None,
                          compiled: Compiled | None = None) -> str:
    """A sentence naming constraint groups that cannot hold together, found by CP-SAT."""
    opts = options or SolveOptions()
    limit = (compiled or compile_problem(problem)).horizon
    # Relaxing the horizon must leave room to move: plan over three times as many days.
    c = compile_problem(replace(problem, horizon_days=3 * limit // 1440))
    everything = list(_Builder(c, opts, explain=True, limit=limit).build().literals)
    core = _core(c, opts, everything, 10.0, limit)
    if not core:
        return ("no schedule satisfies every constraint (the conflict lies in durations and "
                "the order of steps alone)")
    deadline = time.perf_counter() + 10.0
    for group in list(core):
        if len(core) <= 1 or time.perf_counter() > deadline:
            break
        trial = [g for g in core if g != group]
        smaller = _core(c, opts, trial, 2.0, limit)
        if smaller:
            core = smaller
    return "no schedule exists: " + "; ".join(_phrases(core, c, limit)) + (
        " — these cannot all hold together")


def _phrases(core: list[Group], c: Compiled, limit: int) -> list[str]:
    """The groups in words: a run's working hours in one phrase, its hand-offs in another.

    A conflict among many runs of one protocol names dozens of groups; said one by one they
    bury the instrument or the deadline that matters.  So the instrument, person, dated and
    horizon groups come first, each on its own, then per run (or per set of runs with the
    same steps involved) the hands-on steps held to working hours and the hand-offs.
    """
    acts = c.activities
    position = {i: k for k, i in enumerate(c.order)}
    plain: list[str] = []
    hours: dict[str, list[int]] = defaultdict(list)
    windows: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for group in sorted(core, key=str):
        if group[0] == "hours":
            hours[acts[group[1]].run].append(group[1])
        elif group[0] == "window":
            windows[acts[group[1]].run].append((group[1], group[2]))
        else:
            plain.append(_describe(group, c, limit))
    alike: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    groups: dict[tuple[str, tuple[str, ...]], list[Group]] = {}
    for run, items in hours.items():
        items.sort(key=position.__getitem__)
        steps = [acts[i] for i in items]
        key = ("hours", tuple(f"'{a.step}'" for a in steps) if len(steps) > 1 else
               (f"'{steps[0].step}' ({_range_text(steps[0].min_min, steps[0].max_min)})",))
        alike[key].append(run)
        groups[key] = [("hours", i) for i in items]
    for run, pairs in windows.items():
        pairs.sort(key=lambda pair: position[pair[0]])
        key = ("window", tuple(_handoff(acts[i], acts[j]) for i, j in pairs))
        alike[key].append(run)
        groups[key] = [("window", i, j) for i, j in pairs]
    hours_text = c.problem.calendar.describe_hours()
    for key, runs in alike.items():
        kind, phrases = key
        if len(runs) == 1 and (kind == "window" or len(phrases) == 1):
            plain += [_describe(group, c, limit) for group in groups[key]]
            continue
        who = _and(sorted(runs, key=_natural))
        if kind == "hours":
            noun = "hands-on step" if len(phrases) == 1 else "hands-on steps"
            plain.append(f"{noun} {_and(list(phrases))} of {who} must fall inside working "
                         f"hours ({hours_text})")
        else:
            plain.append(f"in {who}, {_and(list(phrases))}")
    return plain


def _handoff(a: Activity, before: Activity) -> str:
    lag = next(x for x in a.after if x.step == before.step)
    what = (f"'{before.step}'" if before.hands_on else
            f"the {_range_text(before.min_min, before.max_min)} incubation '{before.step}'")
    within = _range_text(lag.min_min, lag.max_min or 0)
    return f"{what} must be followed by '{a.step}' within {within}"


def _natural(name: str) -> list[Any]:
    """Sort key that puts run-2 before run-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
