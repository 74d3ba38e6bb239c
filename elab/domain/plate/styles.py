"""Ordered layouts for hand and multichannel pipetting: ``blocked`` and ``by-column``.

A randomised layout (:mod:`elab.solve.plate_layout`) guards against plate effects; an ordered
one is what a bench with a multichannel pipette wants: a dilution series along a row, so one
column of tips moves from dose to dose, and a condition's replicates side by side down a
column, so one dispense fills them all.  Both use the same split over plates
(:func:`~elab.domain.plate.allocate.allocate`) as the solver, so the plates hold the same
conditions whichever style is chosen; only the wells differ.

``blocked`` cuts the usable rows into bands as tall as the most replicates a condition has on
the plate; each condition takes one column of a band (more when it has more wells than the
band is tall), in series order: the samples sharing every factor but the series factor, dose
by dose, after their own time-matched controls; the plate's other controls close the row.  A
series that would not fit the rest of a band starts on the next band it fits whole (never on
a short last band that would split its replicates); only a series wider than the plate wraps,
and a plate too full for bands is laid out by column with a note saying so.  ``by-column``
fills the usable wells column by column (A1, B1, ... then A2) in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from elab.domain.plate.allocate import PlateProblem, allocate, layout_from_assignments
from elab.domain.plate.layout import Layout
from elab.domain.plate.spec import Condition, DesignSpec

__all__ = ["layout_by_style", "series_factor"]

Well = tuple[int, int]
Group = list[tuple[str, int]]  # a series: conditions in pipetting order, wells on this plate


def series_factor(spec: DesignSpec) -> str | None:
    """The factor a series runs along: the first one with several levels that does not pick
    the plate (the dose of a dose × time design laid out by time)."""
    for f in spec.factors:
        if f.name != spec.plate_by and len(f.levels) > 1:
            return f.name
    return None


def _series(spec: DesignSpec, counts: Mapping[str, int]) -> list[Group]:
    """The plate's conditions as series in pipetting order, each led by its matched controls."""
    along = series_factor(spec)
    groups: dict[tuple[tuple[str, str], ...], Group] = {}

    def key(cond: Condition) -> tuple[tuple[str, str], ...]:
        return tuple((f, v) for f, v in cond.levels if f != along)

    crossed = [c for c in spec.control_conditions() if c.levels]
    for cond in sorted(crossed, key=lambda c: c.kind != "vehicle"):
        if counts.get(cond.name, 0) > 0:
            groups.setdefault(key(cond), []).append((cond.name, counts[cond.name]))
    for cond in spec.sample_conditions():
        if counts.get(cond.name, 0) > 0:
            groups.setdefault(key(cond), []).append((cond.name, counts[cond.name]))
    out = list(groups.values())
    plain = [(c.name, counts[c.name]) for c in spec.control_conditions()
             if not c.levels and counts.get(c.name, 0) > 0]
    if plain:
        if out:
            out[-1] = out[-1] + plain
        else:
            out.append(plain)
    return out


def _lines(problem: PlateProblem) -> tuple[list[int], list[int]]:
    return list(problem.rows), list(problem.cols)


def _blocked(problem: PlateProblem, groups: list[Group]) -> dict[Well, str] | None:
    """Bands of rows, a series per band run; None when the plate is too full for bands."""
    rows, cols = _lines(problem)
    if len(problem.usable) != len(rows) * len(cols):
        return None  # bands need a rectangle of usable wells
    height = min(max(n for group in groups for _, n in group), len(rows))
    bands = [rows[k : k + height] for k in range(0, len(rows), height)]
    out: dict[Well, str] = {}
    band, col = 0, 0

    def width(group: Group, rows: int) -> int:
        return sum(math.ceil(n / rows) for _, n in group)

    def fits(group: Group, b: int, start: int) -> bool:
        """Whole on band ``b`` from column ``start``, no condition split more than on a
        band of full height (a short last band would put replicates in two columns)."""
        w = width(group, len(bands[b]))
        return w == width(group, height) and start + w <= len(cols)

    for group in groups:
        if band < len(bands) and not fits(group, band, col):
            # a series starts on a band it fits whole, so it reads along one row; only a
            # series wider than the plate wraps
            later = [b for b in range(band + 1, len(bands)) if fits(group, b, 0)]
            if later:
                band, col = later[0], 0
            elif width(group, height) <= len(cols):
                return None
        for name, n in group:
            left = n
            while left > 0:
                if col >= len(cols):
                    band, col = band + 1, 0
                if band >= len(bands):
                    return None
                for i in bands[band][: min(left, len(bands[band]))]:
                    out[(i, cols[col])] = name
                    left -= 1
                col += 1
    return out


def _by_column(problem: PlateProblem, groups: list[Group]) -> dict[Well, str]:
    order = sorted(problem.usable, key=lambda ij: (ij[1], ij[0]))
    items = [name for group in groups for name, n in group for _ in range(n)]
    return dict(zip(order, items, strict=False))  # allocate() made sure the items fit


def layout_by_style(spec: DesignSpec) -> Layout:
    """The spec laid out in its ordered ``style`` (``blocked`` or ``by-column``).

    A plate too full for blocked bands is laid out by column, and a note says so.
    """
    if spec.style == "randomised":
        raise ValueError("the randomised style is the solver's (elab.solve.plate_layout)")
    along = series_factor(spec)
    notes = [f"{spec.style} layout" + (f": each {along} series along a row, replicates "
                                       "down the column" if along and spec.style == "blocked"
                                       else "")]
    assignments = []
    for problem in allocate(spec):
        groups = _series(spec, problem.counts)
        found = _blocked(problem, groups) if spec.style == "blocked" and groups else None
        if found is None:
            if spec.style == "blocked" and groups:
                notes.append(f"plate {problem.plate}: too full for blocked rows, laid out by "
                             "column")
            found = _by_column(problem, groups)
        assignments.append(found)
    return layout_from_assignments(spec, assignments, tuple(notes))
