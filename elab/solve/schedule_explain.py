"""Why no plan exists, in words: CP-SAT names the constraint groups that conflict.

The model is built with an assumption literal per constraint group (one run's step in
working hours, a lag window, a dated event's window, one instrument, one person, the plan's
horizon) and CP-SAT's ``sufficient_assumptions_for_infeasibility`` names groups that cannot
hold together; a short deletion pass trims that set before it is put into words.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from elab.domain.schedule.compiled import Compiled, compile_problem
from elab.domain.schedule.model import Activity, Problem
from elab.solve.schedule_model import Group, build_model
from elab.units import format_duration

__all__ = ["explain_infeasibility"]


def _range_text(lo: int, hi: int) -> str:
    if lo == hi:
        return format_duration(lo * 60)
    if lo % 60 == 0 and hi % 60 == 0 and lo >= 60:
        return f"{lo // 60}–{hi // 60} h"
    return f"{lo}–{hi} min"


def _describe(group: Group, c: Compiled, limit: int) -> str:
    """A group that is not one run's working hours or hand-offs, in words."""
    kind = group[0]
    if kind == "dated":
        a = c.activities[group[1]]
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


def _core(c: Compiled, active: list[Group], budget_s: float, limit: int) -> list[Group]:
    built = build_model(c, explain=True, limit=limit)
    chosen = [built.literals[g] for g in active if g in built.literals]
    built.model.add_assumptions(chosen)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = budget_s
    solver.parameters.num_workers = 1
    status = solver.solve(built.model)
    if status != cp_model.INFEASIBLE:
        return []
    return [built.groups[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def explain_infeasibility(problem: Problem, compiled: Compiled | None = None) -> str:
    """A sentence naming constraint groups that cannot hold together, found by CP-SAT."""
    limit = (compiled or compile_problem(problem)).horizon
    # Relaxing the horizon must leave room to move: plan over three times as many days.
    c = compile_problem(replace(problem, horizon_days=3 * limit // 1440))
    everything = list(build_model(c, explain=True, limit=limit).literals)
    core = _core(c, everything, 10.0, limit)
    if not core:
        return ("no schedule satisfies every constraint (the conflict lies in durations and "
                "the order of steps alone)")
    deadline = time.perf_counter() + 10.0
    for group in list(core):
        if len(core) <= 1 or time.perf_counter() > deadline:
            break
        trial = [g for g in core if g != group]
        smaller = _core(c, trial, 2.0, limit)
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
    for run, items in hours.items():
        items.sort(key=position.__getitem__)
        steps = [acts[i] for i in items]
        key = ("hours", tuple(f"'{a.step}'" for a in steps) if len(steps) > 1 else
               (f"'{steps[0].step}' ({_range_text(steps[0].min_min, steps[0].max_min)})",))
        alike[key].append(run)
    for run, pairs in windows.items():
        pairs.sort(key=lambda pair: position[pair[0]])
        alike[("window", tuple(_handoff(acts[i], acts[j]) for i, j in pairs))].append(run)
    hours_text = c.problem.calendar.describe_hours()
    for (kind, phrases), runs in alike.items():
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
