"""Plate layouts by OR-Tools CP-SAT.

The design is split over plates first (:func:`elab.domain.plate.allocate`), then each plate is
one small model.  Identical replicates are interchangeable, so the model assigns *conditions*
to wells (``x[c, w]``, with ``sum_w x[c, w]`` = the condition's count) rather than numbered
replicates; that removes the replicate permutation symmetry that makes PLAID-style models slow.
Spread rules are row and column counts (at most ``ceil(n / rows)`` wells of a set in any row),
linear in ``x``; only control spacing needs pairs, and only for control conditions.

Randomisation is reproducible: the seed shuffles the order in which wells and conditions enter
the model and seeds the solver; the first solution found then looks random rather than
filling wells in order.  With one worker the time limit is CP-SAT's deterministic time, so
the same seed gives the same layout however busy the machine is; that is how the services
call it (``elab plate layout`` and the bench sheet must show the same plate).  Several
workers find a first solution faster on large plates but are not reproducible.  When
the rules cannot all hold (a tiny plate, many pins) they are relaxed one step at a time and the
layout's notes say which; the independent checker then lists what is broken.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from elab.domain.plate.allocate import PlateProblem, allocate, layout_from_assignments, spread_bound
from elab.domain.plate.layout import Layout
from elab.domain.plate.spec import DesignSpec
from elab.domain.plate.wells import neighbours
from elab.errors import InfeasibleError

__all__ = ["solve_layout"]

Well = tuple[int, int]

# Relaxation levels: (extra wells allowed per row/column, keep spread rules, keep spacing).
_LEVELS: tuple[tuple[int, bool, bool], ...] = ((0, True, True), (1, True, True), (0, False, False))
_WALL_BACKSTOP = 10  # wall-clock limit, as a multiple of the deterministic one
_LEVEL_NOTES = (
    "",
    "spread rules relaxed by one well per row/column so the plate could be filled",
    "spread and control-spacing rules dropped: the plate is too full to keep them",
)


def solve_layout(spec: DesignSpec, time_limit: float = 20.0, workers: int = 2) -> Layout:
    """A layout obeying the spec's rules, or :class:`InfeasibleError` with the numbers."""
    problems = allocate(spec)
    assignments: list[dict[Well, str]] = []
    notes: list[str] = []
    for problem in problems:
        for level, (slack, spread, spacing) in enumerate(_LEVELS):
            found = _solve_plate(spec, problem, slack, spread, spacing, time_limit, workers)
            if found is not None:
                if level:
                    notes.append(f"plate {problem.plate}: {_LEVEL_NOTES[level]}")
                assignments.append(found)
                break
        else:
            raise InfeasibleError(
                f"plate {problem.plate}: no layout places {sum(problem.counts.values())} wells "
                f"in its {len(problem.usable)} usable wells with the pinned wells given"
            )
    return layout_from_assignments(spec, assignments, tuple(notes))


def _lines(usable: Iterable[Well]) -> tuple[dict[int, list[Well]], dict[int, list[Well]]]:
    rows: dict[int, list[Well]] = defaultdict(list)
    cols: dict[int, list[Well]] = defaultdict(list)
    for w in usable:
        rows[w[0]].append(w)
        cols[w[1]].append(w)
    return rows, cols


def _classes(problem: PlateProblem) -> dict[str, list[str]]:
    """Merge each compound whose wells all fall on different rows and columns into one class.

    Its concentrations then satisfy their own spread rules whichever of the class's wells they
    get, so the model need not tell them apart: fewer variables, no symmetry among them.
    """
    rows, cols = _lines(problem.usable)
    classes: dict[str, list[str]] = {}
    merged: set[str] = set()
    for k, group in enumerate(problem.groups):
        members = [c for c in group if problem.counts.get(c, 0) > 0]
        n = sum(problem.counts[c] for c in members)
        pinned = any(c in problem.fixed.values() for c in members)
        if len(members) > 1 and n <= min(len(rows), len(cols)) and not pinned:
            classes[f"\x00group{k}"] = members
            merged.update(members)
    for c, n in problem.counts.items():
        if n > 0 and c not in merged:
            classes[c] = [c]
    return classes


_Cells = dict[tuple[str, Well], cp_model.IntVar]


def _solve_plate(
    spec: DesignSpec,
    problem: PlateProblem,
    slack: int,
    spread: bool,
    spacing: bool,
    time_limit: float,
    workers: int,
) -> dict[Well, str] | None:
    rng = random.Random(spec.seed * 1_000_003 + problem.plate)
    usable = list(problem.usable)
    rng.shuffle(usable)
    classes = _classes(problem)
    count = {k: sum(problem.counts[c] for c in members) for k, members in classes.items()}
    names = list(classes)
    rng.shuffle(names)
    model = cp_model.CpModel()
    x = _placements(model, problem, usable, names, count)
    if spread:
        _spread(model, x, problem, usable, names, classes, count, slack)
    if spacing:
        _spacing(model, x, spec, problem, usable, names, count)
    solver = _solver(spec, time_limit, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = {w: c for (c, w), var in x.items() if solver.value(var)}
    out: dict[Well, str] = {}
    for k, members in classes.items():
        spots = sorted(w for w, c in chosen.items() if c == k)
        rng.shuffle(spots)
        pool = [c for c in members for _ in range(problem.counts[c])]
        out.update(zip(spots, pool, strict=True))
    return out


def _placements(
    model: cp_model.CpModel, problem: PlateProblem, usable: list[Well], names: list[str],
    count: dict[str, int],
) -> _Cells:
    """One yes/no per condition and well: pinned wells fixed, one condition a well, each
    condition its count of wells."""
    x: _Cells = {}
    for w in usable:
        pinned = problem.fixed.get(w)
        for c in names:
            if pinned is None or pinned == c:
                x[c, w] = model.new_bool_var("")
        if pinned is not None:
            model.add(x[pinned, w] == 1)
    for w in usable:
        here = [x[c, w] for c in names if (c, w) in x]
        if len(here) > 1:
            model.add_at_most_one(here)
    for c in names:
        model.add(sum(x[c, w] for w in usable if (c, w) in x) == count[c])
    return x


def _spread(
    model: cp_model.CpModel, x: _Cells, problem: PlateProblem, usable: list[Well],
    names: list[str], classes: dict[str, list[str]], count: dict[str, int], slack: int,
) -> None:
    """Replicates (and groups, and the empty wells) spread over rows and columns."""
    rows, cols = _lines(usable)
    sets = [[c] for c in names]
    sets += [[c for c in g if c in classes] for g in problem.groups]
    for members in sets:
        n = sum(count.get(c, 0) for c in members)
        if n <= 1:
            continue
        for lines in (rows, cols):
            bound = spread_bound(n, len(lines)) + slack
            if bound >= n:
                continue
            for line in lines.values():
                terms = [x[c, w] for c in members for w in line if (c, w) in x]
                if len(terms) > bound:
                    model.add(sum(terms) <= bound)
    empty = problem.empty_count
    if empty > 0:
        for lines in (rows, cols):
            bound = spread_bound(empty, len(lines)) + slack
            for line in lines.values():
                if len(line) > bound:
                    filled = [x[c, w] for c in names for w in line if (c, w) in x]
                    model.add(sum(filled) >= len(line) - bound)


def _spacing(
    model: cp_model.CpModel, x: _Cells, spec: DesignSpec, problem: PlateProblem,
    usable: list[Well], names: list[str], count: dict[str, int],
) -> None:
    """Controls of one kind never share a side: at most one of them in any adjacent pair."""
    well_set = set(usable)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for c in names:
        if c in problem.controls:
            by_kind[problem.control_kinds.get(c, c)].append(c)
    for members in by_kind.values():
        if sum(count[c] for c in members) < 2:
            continue
        for w in usable:
            for nb in neighbours(*w, spec.plate):
                if nb > w and nb in well_set:
                    pair = [x[c, v] for c in members for v in (w, nb) if (c, v) in x]
                    if len(pair) > 1:
                        model.add_at_most_one(pair)


def _solver(spec: DesignSpec, time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    if workers == 1:
        # Deterministic time, not the wall clock: on a loaded machine the same seed must
        # still give the same layout (the bench sheet and `elab plate layout` agree on it).
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.max_time_in_seconds = time_limit * _WALL_BACKSTOP
    else:
        solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = spec.seed % (2**31)
    return solver
