"""The ic50 figure: points, fitted curves, each IC50 and its CI, and the vehicle wells.

Dose 0 has no place on a log axis, so the vehicle wells are drawn at a tenth of the lowest
tested dose and labelled; leaving them out would hide the 100 % the curve is judged by.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import AnalysisResult
from .logistic import loglogistic

__all__ = ["draw_ic50"]


def _ic50_marks(ax: Any, result: dict[str, Any] | None, color: Any) -> None:
    if not result:
        return
    ic50 = result.get("ic50") or {}
    if ic50.get("value") is None:
        return
    ax.axvline(ic50["value"], color=color, linestyle="--", linewidth=1)
    lo, hi = ic50.get("ci95") or (None, None)
    if lo is not None and hi is not None:
        ax.axvspan(lo, hi, color=color, alpha=0.12, linewidth=0)


def draw_ic50(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    data = result.plot_data or {"curves": []}
    by_group = {r.get("group"): r for r in result.results if r.get("kind") != "comparison"}

    def paint(ax: Any) -> None:
        positive = [float(c["dose"][c["dose"] > 0].min()) for c in data["curves"]
                    if (c["dose"] > 0).any()]
        x_vehicle = min(positive) / 10 if positive else 1.0
        for c in data["curves"]:
            d, r, p = c["dose"], c["response"], c["params"]
            pos = d > 0
            pts = ax.scatter(d[pos], r[pos], s=12, label=c["group"])
            color = pts.get_facecolor()[0]
            if (~pos).any():
                ax.scatter(np.full(int((~pos).sum()), x_vehicle), r[~pos], s=16, marker="s",
                           facecolors="none", edgecolors=[color])
            if pos.any() and p is not None and np.all(np.isfinite(p)):
                grid = np.geomspace(d[pos].min() / 2, d[pos].max() * 2, 200)
                ic50 = math.exp(p[2]) if p[2] < 700 else math.inf
                ax.plot(grid, loglogistic(grid, p[0], p[1], ic50, p[3]), color=color)
            _ic50_marks(ax, by_group.get(c["group"]), color)
        if data["curves"]:
            ax.annotate("vehicle", (x_vehicle, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 2), textcoords="offset points", ha="center", fontsize="small")
        ax.set_xscale("log")
        ax.set_xlabel(f"dose [{data.get('dose_unit') or '1'}]")
        ax.set_ylabel(data.get("response_label") or "response")
        ax.legend(fontsize="small")

    return figure_png(paint, title="Dose–response (dashed: IC50, band: its 95 % CI)")
