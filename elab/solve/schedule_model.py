"""The CP-SAT model of a lab schedule: one model for planning and for explaining.

One interval per activity, its duration free in the step's range; equipment and each
person are no-overlaps or cumulatives; lags are linear constraints; hands-on work takes the
working minutes as its domain.  docs/scheduling.md ("The model") says why each part is as
it is.  In explain mode each constraint group sits behind an assumption literal instead.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from elab.domain.schedule.compiled import Compiled
from elab.domain.schedule.model import Activity

__all__ = ["Built", "Group", "build_model", "out_of_hours_price"]

Group = tuple[Any, ...]


@dataclass
class Built:
    """The model and the variables a caller reads or hints."""

    model: cp_model.CpModel
    starts: list[Any] = field(default_factory=list)
    ends: list[Any] = field(default_factory=list)
    in_hours: list[tuple[int, Any]] = field(default_factory=list)  # (activity, in-hours flag)
    daytime: list[tuple[int, Any]] = field(default_factory=list)  # (activity, daytime flag)
    groups: dict[int, Group] = field(default_factory=dict)  # literal index -> group
    literals: dict[Group, Any] = field(default_factory=dict)


def out_of_hours_price(a: Activity, time_weight: int, horizon: int) -> int:
    """The price of a step done out of hours: each minute above any shift of the plan.

    ``time_weight`` is what a minute later costs when every run ends a minute later (the
    plan's end and each run's end by its priority); over the whole horizon that is the
    most a plan can gain by time, so a plan never asks for Sunday work to end sooner: work
    falls out of hours only when no plan in hours exists (a run under way, a dose).
    """
    return (time_weight * horizon + 1) * max(a.min_min, 1)


def _union(windows: Sequence[tuple[int, int]], shift_lo: int, shift_hi: int) -> list[list[int]]:
    return [[s + shift_lo, e - shift_hi] for s, e in windows if e - shift_hi >= s + shift_lo]


def _min_gap(windows: Sequence[tuple[int, int]]) -> int:
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(windows)]
    return min(gaps) if gaps else 10**9


def _nights(windows: Sequence[tuple[int, int]], horizon: int) -> list[tuple[int, int]]:
    """The minutes of [0, horizon) outside the working windows."""
    out, at = [], 0
    for s, e in windows:
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < horizon:
        out.append((at, horizon))
    return out


class _Builder:
    def __init__(self, c: Compiled, soft_hours: bool, explain: bool, limit: int | None,
                 objective: str) -> None:
        self.c, self.soft_hours, self.explain = c, soft_hours, explain
        self.limit = c.horizon if limit is None else limit
        self.objective = objective
        self.m = cp_model.CpModel()
        self.built = Built(self.m)
        self.durs: list[Any] = []
        self.intervals: list[Any] = []

    def lit(self, group: Group) -> Any:
        """The assumption literal of a group (explain mode), created once."""
        got = self.built.literals.get(group)
        if got is None:
            got = self.m.new_bool_var("|".join(str(g) for g in group))
            self.built.literals[group] = got
            self.built.groups[got.index] = group
        return got

    def activity(self, i: int, a: Activity) -> None:
        c, m = self.c, self.m
        if i in c.fixed:
            s, e = c.fixed[i]
            start, end, dur = m.new_constant(s), m.new_constant(e), m.new_constant(e - s)
        else:
            windows = c.windows[i]
            if self.explain and windows is not None:
                # the dated window is a group of its own, so hours here are all the week's
                windows = tuple((s, e) for s, e in c.grid.windows if e - s >= a.min_min)
            lo = 0 if self.explain else c.release[i]
            hi = c.horizon if self.explain else c.deadline[i]
            start, end = m.new_int_var(lo, hi, f"s{i}"), m.new_int_var(lo, hi, f"e{i}")
            if windows is not None:
                self._hours(i, a, start, end, windows)
            dur = m.new_int_var(a.min_min, a.max_min, f"d{i}")
            if self.explain:
                self._dated(i, a, start, end)
        self.built.starts.append(start)
        self.built.ends.append(end)
        self.durs.append(dur)
        self.intervals.append(m.new_interval_var(start, dur, end, f"i{i}"))

    def _one_window(self, i: int, start: Any, end: Any,
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

    def _hours(self, i: int, a: Activity, start: Any, end: Any,
               windows: Sequence[tuple[int, int]]) -> None:
        """Hands-on work in one working window: always, or while its flag says so.

        Work the biology times has a second flag, for the daytime (working hours are part
        of it): out of hours it is priced again at night.  Only work that can move half a
        day has it: a shot held within hours of the one before (a time-lapse every 2-6 h)
        is where its chain puts it, and the flags would only slow the search.
        """
        flag = None
        if self.explain and not a.anytime:
            flag = self.lit(("hours", i))
        elif a.anytime or self.soft_hours:
            flag = self.m.new_bool_var(f"in_hours{i}")
            self.built.in_hours.append((i, flag))
        self._within(i, a, start, end, windows, flag)
        movable = self.c.deadline[i] - self.c.release[i] >= 720 and all(
            lag.max_min is None or lag.max_min - lag.min_min >= 720 for lag in a.after)
        if a.anytime and flag is not None and not self.explain and movable:
            day = self.m.new_bool_var(f"daytime{i}")
            self.m.add_implication(flag, day)
            self.built.daytime.append((i, day))
            self._within(i, a, start, end, self.c.grid.daytime, day)

    def _within(self, i: int, a: Activity, start: Any, end: Any,
                windows: Sequence[tuple[int, int]], flag: Any) -> None:
        if not windows and flag is not None:
            self.m.add_bool_or([flag.Not()])
            return
        for var, domain in ((start, _union(windows, 0, a.min_min)),
                            (end, _union(windows, a.min_min, 0))):
            ct = self.m.add_linear_expression_in_domain(var, cp_model.Domain.from_intervals(domain))
            if flag is not None:
                ct.only_enforce_if(flag)
        if a.max_min >= _min_gap(windows) + 2 * a.min_min:  # it could span a night
            self._one_window(i, start, end, windows, flag)

    def _dated(self, i: int, a: Activity, start: Any, end: Any) -> None:
        c, m = self.c, self.m
        m.add(end <= self.limit).only_enforce_if(self.lit(("horizon",)))
        if a.release is not None or a.deadline is not None:
            group = self.lit(("dated", i))
            m.add(start >= c.release[i]).only_enforce_if(group)
            m.add(end <= c.deadline[i]).only_enforce_if(group)

    def lags(self) -> None:
        c, m, b = self.c, self.m, self.built
        for i, a in enumerate(c.activities):
            for lag in a.after:
                j = c.index[(a.run, lag.step)]
                m.add(b.starts[i] >= b.ends[j] + lag.min_min)
                if lag.max_min is not None:
                    ct = m.add(b.starts[i] <= b.ends[j] + lag.max_min)
                    if self.explain:
                        ct.only_enforce_if(self.lit(("window", i, j)))

    def _optional(self, items: list[int], lit: Any, tag: str) -> list[Any]:
        """The activities' intervals, present only while ``lit`` holds (explain mode)."""
        if lit is None:
            return [self.intervals[i] for i in items]
        b = self.built
        return [self.m.new_optional_interval_var(b.starts[i], self.durs[i], b.ends[i], lit,
                                                 f"{tag}{i}") for i in items]

    def resources(self) -> None:
        c, m = self.c, self.m
        users: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, a in enumerate(c.activities):
            for d in a.demands:
                users[d.equipment].append((i, d.units))
        booked: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for f in c.fixed_uses:
            booked[f.equipment].append((f.start, f.end, f.units))
        for name in sorted(set(users) | set(booked)):
            cap = c.capacity[name]
            if self._daytime_only(users[name]):
                # redundant: the instrument is idle at night, which lets CP-SAT's energy
                # reasoning see a busy microscope's week has 40 hours, not 168
                # (bookings clipped to the day, so no minute is held twice)
                booked[name] = [(max(s, ws), min(e, we), units) for s, e, units in booked[name]
                                for ws, we in c.grid.windows if min(e, we) > max(s, ws)]
                booked[name] += [(s, e, cap) for s, e in _nights(c.grid.windows, c.horizon)]
            present = self.lit(("equipment", name)) if self.explain else None
            ivs = self._optional([i for i, _ in users[name]], present, f"o{name}")
            demands = [units for _, units in users[name]]
            for s, e, units in booked[name]:
                if present is None:
                    ivs.append(m.new_fixed_size_interval_var(s, e - s, f"b{name}{s}"))
                else:
                    ivs.append(m.new_optional_fixed_size_interval_var(s, e - s, present,
                                                                      f"b{name}{s}"))
                demands.append(min(units, cap))
            if cap == 1:
                m.add_no_overlap(ivs)
            else:
                m.add_cumulative(ivs, demands, cap)

    def _daytime_only(self, users: list[tuple[int, int]]) -> bool:
        """Whether every user of an instrument is hands-on work held to working hours."""
        if self.explain or self.soft_hours or not users:
            return False
        c = self.c
        return all(c.windows[i] is not None and not c.activities[i].anytime
                   and i not in c.fixed for i, _ in users)

    def people(self) -> None:
        by_person: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(self.c.activities):
            if a.hands_on and a.person is not None:
                by_person[a.person].append(i)
        for person, items in sorted(by_person.items()):
            lit = self.lit(("person", person)) if self.explain else None
            self.m.add_no_overlap(self._optional(items, lit, "p"))

    def objective_terms(self) -> None:
        """Weighted: runs × plan end + each run's end × its priority + out-of-hours price
        (and, above it, the price of night work).

        The plan's end weighs as much as all the runs' ends together, so a plan that ends
        sooner wins unless a high-priority run pays for a later one.
        """
        c, m, b = self.c, self.m, self.built
        makespan = m.new_int_var(0, c.horizon, "makespan")
        m.add_max_equality(makespan, b.ends)
        terms: list[Any] = []
        weight = 1
        if self.objective == "makespan":
            terms.append(makespan)
        else:
            runs: dict[str, list[int]] = defaultdict(list)
            for i, a in enumerate(c.activities):
                runs[a.run].append(i)
            terms.append(len(runs) * makespan)
            weight = len(runs)
            for run, items in runs.items():
                finish = m.new_int_var(0, c.horizon, f"end_{run}")
                m.add_max_equality(finish, [b.ends[i] for i in items])
                terms.append(c.problem.priority(run) * finish)
                weight += c.problem.priority(run)
        for i, flag in b.in_hours:
            terms.append(out_of_hours_price(c.activities[i], weight, c.horizon) * (1 - flag))
        for i, day in b.daytime:  # three Saturday-morning minutes before one at midnight
            terms.append(2 * out_of_hours_price(c.activities[i], weight, c.horizon) * (1 - day))
        m.minimize(sum(terms))


def build_model(c: Compiled, *, soft_hours: bool = False, explain: bool = False,
                limit: int | None = None, objective: str = "weighted") -> Built:
    """The CP-SAT model of a compiled problem.

    ``soft_hours`` lets every hands-on step fall out of hours at a price; ``explain`` puts
    each constraint group behind an assumption literal (and sets no objective), with the
    plan ending by ``limit`` as one more group.
    """
    builder = _Builder(c, soft_hours, explain, limit, objective)
    for i, a in enumerate(c.activities):
        builder.activity(i, a)
    builder.lags()
    builder.resources()
    builder.people()
    if not explain:
        builder.objective_terms()
    return builder.built
