"""The ``wound-closure`` hook: scratch assays imaged over time.

% closure of a well at time t is ``(A0 − At) / A0 × 100`` with A0 its wound area (or width)
at time 0, the experiment's first imaging time.  A well without an image at time 0 has no
A0: its closure is not computed (rather than measured from a later image, which would
understate it), and its rate uses its real imaging times.

The migration rate is minus the slope of a least-squares line of area against time over the
*linear phase* only: from time 0 up to the first image where closure reaches 95 %, or the
last image before the area stops falling.  A wound that closed at 12 h and stays closed to
48 h would otherwise read a quarter of its true speed.  The rate is given in area per hour
and, relative to A0, in % closure per hour.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import pairwise
from typing import Any

import numpy as np

from elab.errors import InputError

from .base import AnalysisResult, Column, Hook, Param, qty
from .headline import number_text
from .stats import summary
from .table import Table

__all__ = ["HOOK"]

_METHOD = (
    "Wound closure % = (A0 − At) / A0 × 100 per well, A0 the {what} at time 0 (the first "
    "imaging time); mean ± SD and SEM over wells per condition and time, n counting wells. "
    "Migration rate = −slope of a least-squares line of {what} against time per well over the "
    "linear phase (from time 0 to the first image with closure ≥ {closed:g} %, or to the last "
    "image before the {what} stops falling), in {what} per hour and in % closure per hour "
    "(rate / A0 × 100); per condition mean ± SD over wells; a rate from only 2 images is "
    "warned. No test between conditions."
)


def _rate(pts: list[tuple[float, float]]) -> float | None:
    """Minus the least-squares slope of size against time; None without two distinct times."""
    t = np.array([p[0] for p in pts])
    a = np.array([p[1] for p in pts])
    with np.errstate(all="ignore"):
        dt = t - t.mean()
        sxx = float((dt * dt).sum())
        slope = float((dt * (a - a.mean())).sum()) / sxx if sxx > 0 else math.nan
    return -slope if math.isfinite(slope) else None


def _linear_phase(pts: list[tuple[float, float]], a0: float | None,
                 closed: float) -> list[tuple[float, float]]:
    """The points of the linear phase: stop at ≥ ``closed`` % closure or when the area stops
    falling (the first two points are always kept)."""
    used = pts[:2]
    if a0 and len(pts) >= 2 and (a0 - pts[1][1]) / a0 * 100.0 >= closed:
        return used
    for prev, point in pairwise(pts[1:]):
        if point[1] >= prev[1]:
            break
        used.append(point)
        if a0 and (a0 - point[1]) / a0 * 100.0 >= closed:
            break
    return used


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    what = "area" if table.has("area") else "width"
    if not table.has(what):
        raise InputError(f"{table.source}: wound-closure needs a column 'area' or 'width'")
    wells, conds = table.text("well"), table.text("condition")
    times, sizes = table.numbers("time"), table.numbers(what, nonnegative=True)
    unit = table.unit(what)
    rate_unit = f"{unit}/h" if unit else f"{what}/h"
    series: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for w, c, t, a in zip(wells, conds, times, sizes, strict=True):
        if np.isfinite(t) and np.isfinite(a):
            series[(c, w)].append((t, a))
    warnings: list[str] = []
    start = min((p[0] for pts in series.values() for p in pts), default=0.0)
    if start != 0:
        warnings.append(f"the first imaging time is {start:g} h; closure is relative to it")
    closure: dict[tuple[str, float], list[float]] = defaultdict(list)
    rates: dict[str, list[float]] = defaultdict(list)
    pct_rates: dict[str, list[float]] = defaultdict(list)
    late: dict[str, list[str]] = defaultdict(list)  # wells whose rate does not start at 0 h
    results: list[dict[str, Any]] = []
    for (c, w), pts in sorted(series.items()):
        row = _well(c, w, sorted(pts), start, what, rate_unit, float(params["closed"]), warnings)
        if row is None:
            continue
        for t, pct in row.pop("_closure"):
            closure[(c, t)].append(pct)
        if row["migration_rate"]["value"] is not None:
            rates[c].append(row["migration_rate"]["value"])
            if row["closure_rate"]["value"] is None:
                late[c].append(w)
        if row["closure_rate"]["value"] is not None:
            pct_rates[c].append(row["closure_rate"]["value"])
        results.append(row)
    for (c, t), values in sorted(closure.items()):
        results.append({"kind": "condition_time", "condition": c, "time": qty(t, "h"),
                        "closure_pct": summary(values)})
    headline = []
    for c in sorted(set(rates) | set(pct_rates)):
        rate = {**summary(rates[c]), "unit": rate_unit}
        pct = {**summary(pct_rates[c]), "unit": "%/h"}
        results.append({"kind": "condition", "condition": c, "migration_rate": rate,
                        "closure_rate": pct})
        if late[c] and rate["n"] > len(late[c]):
            warnings.append(
                f"{c}: migration_rate averages {rate['n']} wells, {len(late[c])} of them "
                f"({', '.join(late[c])}) without an image at time 0 whose rate covers a later "
                f"phase; closure_rate (n = {pct['n']}) leaves them out")
        if pct["mean"] is not None:
            headline.append(f"{c}: closure {number_text(pct['mean'])} %/h"
                            + (f" ± {number_text(pct['sd'])} SD" if pct["sd"] is not None
                               else "") + f", n = {pct['n']} wells")
    return AnalysisResult(
        "wound-closure", _METHOD.format(what=what, closed=float(params["closed"])), results,
        warnings, plot_data={"closure": dict(closure)}, headline=headline)


def _well(
    c: str, w: str, pts: list[tuple[float, float]], start: float, what: str, rate_unit: str,
    closed: float, warnings: list[str],
) -> dict[str, Any] | None:
    """One well's closure, linear-phase rate and the points used; None when unusable."""
    has_zero = pts[0][0] == start
    a0 = pts[0][1] if has_zero else None
    if a0 is not None and a0 <= 0:
        warnings.append(f"well {w}: {what} at time 0 is {a0:g}; skipped")
        return None
    if not has_zero:
        warnings.append(
            f"well {w}: no image at time {start:g} h (first at {pts[0][0]:g} h); its % closure "
            "cannot be computed and its rate uses its real imaging times"
        )
    used = _linear_phase(pts, a0, closed)
    rate = _rate(used) if len(used) >= 2 else None
    if len(used) == 2 and len(pts) > 2:
        warnings.append(
            f"well {w}: the linear phase rests on 2 images ({used[0][0]:g}–{used[1][0]:g} h): "
            + (f"closure reached {closed:g} % at {used[1][0]:g} h" if a0 and
               (a0 - used[1][1]) / a0 * 100.0 >= closed else
               f"the {what} at {pts[2][0]:g} h is not below the one before")
            + f", so {len(pts) - 2} later image(s) are not in the rate; a slope through 2 "
            "points has no check of linearity")
    if rate is None:
        warnings.append(f"well {w}: fewer than two distinct time points; no migration rate")
    final = (a0 - pts[-1][1]) / a0 * 100.0 if a0 else None
    return {
        "kind": "well", "well": w, "condition": c,
        "closure_pct": qty(final, "%"), "time": qty(pts[-1][0], "h"),
        "migration_rate": qty(rate, rate_unit),
        "closure_rate": qty(rate / a0 * 100.0 if rate is not None and a0 else None, "%/h"),
        "fit_times": [t for t, _ in used],
        "_closure": [(t, (a0 - a) / a0 * 100.0) for t, a in pts] if a0 else [],
    }


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    def paint(ax: Any) -> None:
        by_cond: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for r in result.results:
            if r["kind"] == "condition_time":
                s = r["closure_pct"]
                by_cond[r["condition"]].append((r["time"]["value"], s["mean"], s["sem"] or 0.0))
        for c, pts in by_cond.items():
            t, m, e = zip(*sorted(pts), strict=True)
            ax.errorbar(t, m, yerr=e, marker="o", capsize=3, label=c)
        ax.set_xlabel("time [h]")
        ax.set_ylabel("wound closure [%]")
        ax.legend(fontsize="small")

    return figure_png(paint, title="Wound closure")


HOOK = Hook(
    name="wound-closure",
    summary="Scratch assay: % closure per well and condition over time, migration rate over "
            "the linear phase (area/h and %/h).",
    inputs=(
        Column("well", text=True),
        Column("condition", text=True),
        Column("time", unit="h", help="time since scratching; converted to hours"),
        Column("area", kind="area", optional=True, help="wound area (or give width)"),
        Column("width", kind="length", optional=True, help="wound width"),
    ),
    params=(
        Param("closed", 95.0, unit="%",
              help="closure (%) that ends the linear phase of the rate fit"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "well", "condition", "time", "closure_pct", "migration_rate",
                 "closure_rate", "fit_times"),
)
