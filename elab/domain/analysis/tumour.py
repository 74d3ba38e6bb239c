"""The ``tumour-growth`` hook: caliper measurements of xenografts over days.

Volume = 0.5 × L × W² (the modified ellipsoid formula, L the longer and W the shorter
diameter).  Per arm and day: mean ± SEM over animals.  Tumour growth inhibition against the
control arm at each day t: TGI % = (1 − (T_t − T_0) / (C_t − C_0)) × 100 on mean volumes, day
0 being the first measurement day.  Body-weight change is relative to each animal's first
weight; an animal that lost more than 20 % is flagged (the usual humane end point).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .base import AnalysisResult, Column, Hook, Param, finite, qty
from .stats import summary
from .table import Table
from .transwell import control_of

__all__ = ["HOOK"]

_METHOD = (
    "Tumour volume V = 0.5 × L × W² (L ≥ W, mm → mm³); mean ± SEM per arm and day; TGI % = "
    "(1 − (T_t − T_0)/(C_t − C_0)) × 100 on mean volumes against the control arm {control}, day "
    "{day0:g} as T_0/C_0; body-weight change relative to each animal's first weight, animals "
    "that lost more than {loss:g} % flagged."
)


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    animals, arms = table.text("animal"), table.text("arm")
    days = table.numbers("day")
    lengths = table.numbers("length", nonnegative=True)
    widths = table.numbers("width", nonnegative=True)
    weights = [float("nan")] * len(days)
    if table.has("body_weight"):
        weights = table.numbers("body_weight", nonnegative=True)
    warnings: list[str] = []
    vol: dict[tuple[str, float], list[float]] = defaultdict(list)
    bw: dict[str, list[tuple[float, float]]] = defaultdict(list)
    arm_of: dict[str, str] = {}
    swapped = 0
    for a, arm, d, ln, w, wt in zip(animals, arms, days, lengths, widths, weights, strict=True):
        arm_of[a] = arm
        if ln == ln and w == w:  # both measured (NaN != NaN)
            if w > ln:
                swapped += 1
                ln, w = w, ln
            vol[(arm, d)].append(0.5 * ln * w * w)
        if wt == wt:
            bw[a].append((d, wt))
    if swapped:
        warnings.append(f"{swapped} rows had width > length; the two were swapped")
    arm_names = sorted({arm for arm, _ in vol})
    control = control_of(arm_names, params["control"], warnings)
    day0 = min(d for _, d in vol) if vol else 0.0
    means = {k: summary(v)["mean"] for k, v in vol.items()}
    loss_limit = params["max_weight_loss"]
    change: dict[tuple[str, float], list[float]] = defaultdict(list)
    for animal, pts in sorted(bw.items()):
        pts.sort()
        first = pts[0][1]
        if first <= 0:
            warnings.append(f"animal {animal}: first body weight is {first:g}; no weight change")
            continue
        worst = 0.0
        for d, wt in pts:
            pct = (wt - first) / first * 100.0
            change[(arm_of[animal], d)].append(pct)
            worst = min(worst, pct)
        if -worst > loss_limit:
            warnings.append(
                f"animal {animal} ({arm_of[animal]}) lost {-worst:.1f} % body weight "
                f"(> {loss_limit:g} %)"
            )
    results: list[dict[str, Any]] = []
    for (arm, d), values in sorted(vol.items()):
        s = summary(values)
        tgi = None
        if control and arm != control and d != day0:
            t0, c0, ct = means.get((arm, day0)), means.get((control, day0)), means.get((control, d))
            if t0 is not None and c0 is not None and ct is not None and ct != c0:
                tgi = (1.0 - (s["mean"] - t0) / (ct - c0)) * 100.0
        bwc = summary(change.get((arm, d), []))
        results.append({
            "arm": arm, "day": d, "mean_volume": qty(s["mean"], "mm^3"),
            "sem": qty(s["sem"], "mm^3"), "n": s["n"], "tgi": finite(tgi),
            "body_weight_change_pct": bwc["mean"],
        })
    method = _METHOD.format(control=control or "(none)", day0=day0, loss=loss_limit)
    return AnalysisResult("tumour-growth", method, results, warnings,
                          plot_data={"control": control})


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    def paint(ax: Any) -> None:
        arms: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for r in result.results:
            arms[r["arm"]].append(
                (r["day"], r["mean_volume"]["value"], r["sem"]["value"] or 0.0)
            )
        for arm, pts in sorted(arms.items()):
            d, m, e = zip(*sorted(pts), strict=True)
            ax.errorbar(d, m, yerr=e, marker="o", capsize=3, label=arm)
        ax.set_xlabel("day")
        ax.set_ylabel("tumour volume [mm³] (mean ± SEM)")
        ax.legend(fontsize="small")

    return figure_png(paint, title="Tumour growth")


HOOK = Hook(
    name="tumour-growth",
    summary="Xenograft growth: 0.5·L·W² volumes, mean ± SEM per arm and day, TGI, weight loss.",
    inputs=(
        Column("animal", text=True),
        Column("arm", text=True),
        Column("day", help="day of measurement (day 0 = first)"),
        Column("length", unit="mm", help="longer diameter"),
        Column("width", unit="mm", help="shorter diameter"),
        Column("body_weight", unit="g", optional=True),
    ),
    params=(
        Param("control", "", type="text", help="the control (vehicle) arm"),
        Param("max_weight_loss", 20.0, unit="percent", help="flag animals that lost more (%)"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("arm", "day", "mean_volume", "sem", "n", "tgi", "body_weight_change_pct"),
)
