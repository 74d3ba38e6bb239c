"""The ``wound-closure`` hook: scratch assays imaged over time.

% closure of a well at time t is ``(A0 − At) / A0 × 100`` with A0 its wound area (or width)
at its first time point; conditions are summarised over wells at each time.  The migration
rate of a well is minus the slope of a least-squares line of area (or width) against time;
a condition's rate is the mean over its wells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from elab.errors import InputError

from .base import AnalysisResult, Column, Hook, finite, qty
from .stats import summary
from .table import Table

__all__ = ["HOOK"]

_METHOD = (
    "Wound closure % = (A0 − At) / A0 × 100 per well, A0 the {what} at the well's first time "
    "point; mean ± SD and SEM over wells per condition and time; migration rate = −slope of "
    "a least-squares line of {what} against time per well, mean ± SD over wells."
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


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    what = "area" if table.has("area") else "width"
    if not table.has(what):
        raise InputError(f"{table.source}: wound-closure needs a column 'area' or 'width'")
    wells, conds = table.text("well"), table.text("condition")
    times, sizes = table.numbers("time"), table.numbers(what, nonnegative=True)
    unit = table.unit(what)
    series: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for w, c, t, a in zip(wells, conds, times, sizes, strict=True):
        if np.isfinite(t) and np.isfinite(a):
            series[(c, w)].append((t, a))
    warnings: list[str] = []
    closure: dict[tuple[str, float], list[float]] = defaultdict(list)
    rates: dict[str, list[float]] = defaultdict(list)
    results: list[dict[str, Any]] = []
    for (c, w), pts in sorted(series.items()):
        pts.sort()
        t0, a0 = pts[0]
        if a0 <= 0:
            warnings.append(f"well {w}: {what} at the first time point is {a0:g}; skipped")
            continue
        if t0 != 0:
            warnings.append(f"well {w}: first time point is {t0:g} h, used as time 0")
        for t, a in pts:
            closure[(c, t - t0)].append((a0 - a) / a0 * 100.0)
        rate = _rate(pts)
        if rate is not None:
            rates[c].append(rate)
        else:
            warnings.append(f"well {w}: fewer than two distinct time points; no migration rate")
        final = (a0 - pts[-1][1]) / a0 * 100.0
        results.append({"kind": "well", "well": w, "condition": c,
                        "closure_pct": finite(final), "time": qty(pts[-1][0] - t0, "h"),
                        "migration_rate": qty(rate, f"{unit}/h" if unit else "1/h")})
    for (c, t), values in sorted(closure.items()):
        results.append({"kind": "condition_time", "condition": c, "time": qty(t, "h"),
                        "closure_pct": summary(values)})
    for c, values in sorted(rates.items()):
        s = summary(values)
        results.append({"kind": "condition", "condition": c,
                        "migration_rate": {**s, "unit": f"{unit}/h" if unit else "1/h"}})
    return AnalysisResult("wound-closure", _METHOD.format(what=what), results, warnings,
                          plot_data={"closure": dict(closure)})


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
    summary="Scratch assay: % closure per well and condition over time, migration rate.",
    inputs=(
        Column("well", text=True),
        Column("condition", text=True),
        Column("time", unit="h", help="time since scratching; converted to hours"),
        Column("area", kind="area", optional=True, help="wound area (or give width)"),
        Column("width", kind="length", optional=True, help="wound width"),
    ),
    params=(),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "well", "condition", "time", "closure_pct", "migration_rate"),
)
