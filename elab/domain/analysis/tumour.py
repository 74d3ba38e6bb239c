"""The ``tumour-growth`` hook: caliper measurements of xenografts over days.

Volume = 0.5 × L × W² (the modified ellipsoid formula, L the longer and W the shorter
diameter).  Per arm and day: mean ± SEM over the animals measured that day.  TGI against
the control arm with a bootstrap 95 % CI, and Welch's t-test on ln volume between each arm
and the control (:mod:`.tumour_stats`).

What a reviewer checks first is flagged: a tumour past the humane end point (default
1,500 mm³; institutional limits are a 15 mm diameter in a mouse, ≈ 1,700 mm³ by this
formula, up to 20 mm), body-weight loss past 20 %, and animals that stop being measured
(a later mean over the survivors is biased toward the smaller tumours).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from .base import BOOTSTRAP_BOUNDS, AnalysisResult, Column, Hook, Param, qty
from .headline import number_text
from .stats import summary
from .table import Table
from .transwell import control_of
from .tumour_stats import MIN_ANIMALS, tgi, tgi_ci, welch_log

__all__ = ["HOOK"]

_METHOD = (
    "Tumour volume V = 0.5 × L × W² (L ≥ W, mm → mm³); mean ± SEM per arm and day, n counting "
    "the animals measured that day (a row with a blank day, length or width is left out, "
    "with a warning); TGI % = (1 − (T_t − T_0)/(C_t − C_0)) × 100 on mean "
    "volumes against the control arm {control}, day {day0:g} as T_0/C_0, with a 95 % "
    "studentized bootstrap CI (bootstrap-t: {draws} redraws of the animals of each arm, seed "
    "{seed}, each TGI standardised by its delta-method SE; none with fewer than {min_animals} "
    "animals in an arm or a control whose growth is within its 95 % t interval of 0); each "
    "arm is compared with the control at each day by Welch's two-sided t-test on ln volume "
    "(assumes independent animals and log-normal volumes; no correction across days). "
    "Body-weight change relative to each animal's first weight; animals past {loss:g} % weight "
    "loss or {vmax:g} mm³ flagged. No TGI when the control did not grow (C_t ≤ C_0); no test "
    "or CI with 1 animal in an arm; the headline day is the last on which more than half of "
    "each arm's animals are measured."
)

Key = tuple[str, float]


def _read(table: Table, warnings: list[str]) -> tuple[
        dict[str, dict[float, float]], dict[str, list[tuple[float, float]]], dict[str, str]]:
    """Volumes per animal and day, body weights per animal, and each animal's arm."""
    animals, arms = table.text("animal"), table.text("arm")
    days = table.numbers("day")
    lengths = table.numbers("length", nonnegative=True)
    widths = table.numbers("width", nonnegative=True)
    weights = table.numbers("body_weight", nonnegative=True) if table.has("body_weight") \
        else [float("nan")] * len(days)
    volume: dict[str, dict[float, float]] = defaultdict(dict)
    bw: dict[str, list[tuple[float, float]]] = defaultdict(list)
    arm_of: dict[str, str] = {}
    swapped = blank = 0
    for a, arm, d, ln, w, wt in zip(animals, arms, days, lengths, widths, weights, strict=True):
        arm_of[a] = arm
        weigh_only = ln != ln and w != w and wt == wt  # NaN != NaN; a weighing, no calipers
        blank += (d != d or ln != ln or w != w) and not weigh_only
        if d != d:
            continue
        if ln == ln and w == w:  # both measured
            if w > ln:
                swapped += 1
                ln, w = w, ln
            volume[a][d] = 0.5 * ln * w * w
        if wt == wt:
            bw[a].append((d, wt))
    if swapped:
        warnings.append(f"{swapped} rows had width > length; the two were swapped")
    if blank:
        warnings.append(f"{blank} row(s) with a blank day, length or width left out (that "
                        "animal is not counted on that day)")
    return dict(volume), dict(bw), arm_of


def _endpoint_warnings(volume: dict[str, dict[float, float]], arm_of: dict[str, str],
                       vmax: float) -> list[str]:
    out = []
    for animal, series in sorted(volume.items()):
        over = [(d, v) for d, v in sorted(series.items()) if v > vmax]
        if over:
            d, v = over[0]
            out.append(f"animal {animal} ({arm_of[animal]}): {number_text(v)} mm³ on day "
                       f"{d:g} exceeds the humane end point of {number_text(vmax)} mm³")
    return out


def _dropout_warnings(volume: dict[str, dict[float, float]], arm_of: dict[str, str]) -> list[str]:
    out = []
    last_day = {arm: max(d for a, s in volume.items() if arm_of[a] == arm for d in s)
                for arm in set(arm_of.values()) if any(arm_of[a] == arm for a in volume)}
    for animal, series in sorted(volume.items()):
        arm = arm_of[animal]
        if series and max(series) < last_day[arm]:
            out.append(f"animal {animal} ({arm}) was last measured on day {max(series):g} of "
                       f"{last_day[arm]:g}; later means of {arm} are over the remaining animals "
                       "and biased toward smaller tumours")
    return out


def _weight_change(bw: dict[str, list[tuple[float, float]]], arm_of: dict[str, str],
                   limit: float, warnings: list[str]) -> dict[Key, list[float]]:
    change: dict[Key, list[float]] = defaultdict(list)
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
        if -worst > limit:
            warnings.append(f"animal {animal} ({arm_of[animal]}) lost {-worst:.1f} % body "
                            f"weight (> {limit:g} %)")
    return change


def _matrix(volume: dict[str, dict[float, float]], animals: list[str],
            days: list[float]) -> np.ndarray:
    return np.array([[volume[a].get(d, np.nan) for d in days] for a in animals], dtype=float)


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    warnings: list[str] = []
    volume, bw, arm_of = _read(table, warnings)
    per: dict[Key, list[float]] = defaultdict(list)
    for animal, series in volume.items():
        for d, v in series.items():
            per[(arm_of[animal], d)].append(v)
    arm_names = sorted({arm for arm, _ in per})
    control = control_of(sorted(set(arm_of.values())), params["control"], warnings)
    days = sorted({d for _, d in per})
    day0 = days[0] if days else 0.0
    warnings += _endpoint_warnings(volume, arm_of, float(params["max_volume"]))
    warnings += _dropout_warnings(volume, arm_of)
    change = _weight_change(bw, arm_of, params["max_weight_loss"], warnings)
    means = {k: float(np.mean(v)) for k, v in per.items()}
    members = {arm: sorted(a for a in volume if arm_of[a] == arm) for arm in arm_names}
    rng = np.random.default_rng(int(params["seed"]))
    draws = int(params["bootstrap"])
    results: list[dict[str, Any]] = []
    headline: list[str] = []
    shown = _headline_days(per, members, control, day0, warnings)
    for (arm, d), values in sorted(per.items()):
        s = summary(values)
        row: dict[str, Any] = {
            "arm": arm, "day": d, "mean_volume": qty(s["mean"], "mm^3"),
            "sem": qty(s["sem"], "mm^3"), "n": s["n"],
            "tgi": {**qty(None, "%"), "ci95": [None, None]}, "p_value": None, "test": None,
            "body_weight_change_pct": qty(summary(change.get((arm, d), []))["mean"], "%"),
        }
        if control and arm != control and d != day0 and (control, d) in per:
            growth = means[(control, d)] - means.get((control, day0), np.nan)
            value = tgi(means.get((arm, day0), np.nan), s["mean"],
                        means.get((control, day0), np.nan), means[(control, d)])
            if growth <= 0:
                value = None
                row["tgi_reason"] = (f"the control {control} did not grow by day {d:g} "
                                     f"(C_t − C_0 = {number_text(growth)} mm³); TGI is undefined")
                warnings.append(f"{arm}, day {d:g}: no TGI: {row['tgi_reason']}")
            row["tgi"] = _tgi_estimate(value, _matrix(volume, members[arm], days),
                                       _matrix(volume, members[control], days),
                                       days.index(d), draws, rng)
            _compare(row, values, per[(control, d)], (arm, control),
                     warnings if d == shown.get(arm) else [])
            if d == shown.get(arm):
                headline.append(_sentence(row, control, len(per[(control, d)])))
        results.append(row)
    method = _METHOD.format(control=control or "(none)", day0=day0, draws=draws,
                            min_animals=MIN_ANIMALS,
                            seed=int(params["seed"]), loss=params["max_weight_loss"],
                            vmax=float(params["max_volume"]))
    return AnalysisResult("tumour-growth", method, results, warnings, headline=headline,
                          plot_data={"control": control, "animals": volume, "arm_of": arm_of})


def _compare(row: dict[str, Any], values: list[float], control_values: list[float],
             names: tuple[str, str], warnings: list[str]) -> None:
    """The arm's Welch test against the control on the row, or the reason there is none
    (``test_reason`` when an arm has 1 animal, no CI either; ``p_reason`` when the test
    alone cannot be had), warned for the headline day (``warnings``)."""
    arm, control = names
    where = f"{arm} vs {control}, day {row['day']:g}"
    single = [a for a, k in ((arm, len(values)), (control, len(control_values))) if k < 2]
    if single:
        row["test_reason"] = (f"1 animal in {' and '.join(single)} on day {row['day']:g}; "
                              "a test and a CI need at least 2 animals per arm")
        warnings.append(f"{where}: no test or CI: {row['test_reason']}")
        return
    row["p_value"], reason = welch_log(values, control_values, names)
    row["test"] = "Welch t-test on ln volume"
    if reason:
        row["p_reason"] = reason
        warnings.append(f"{where}: no p value: {reason}")


def _tgi_estimate(value: float | None, treated: np.ndarray, control: np.ndarray, day: int,
                  draws: int, rng: np.random.Generator) -> dict[str, Any]:
    """TGI with its interval, and ``ci_reason`` when the animals cannot give one."""
    if value is None:
        return {**qty(None, "%"), "ci95": [None, None]}
    ci, reason = tgi_ci(treated, control, 0, day, draws, rng)
    return {**qty(value, "%"), "ci95": ci, **({"ci_reason": reason} if reason else {})}


def _headline_days(per: dict[Key, list[float]], members: dict[str, list[str]],
                   control: str | None, day0: float, warnings: list[str]) -> dict[str, float]:
    """The day each treated arm's headline reports: the last day on which more than half of
    the animals of both the arm and the control are still measured.

    A later day whose mean rests on the few survivors (drop-outs are the largest tumours)
    would overstate or understate TGI; the dropped later days stay in the results.
    """
    if not control:
        return {}
    out: dict[str, float] = {}
    for arm in members:
        if arm == control:
            continue
        days = sorted(d for a, d in per if a == arm and d != day0 and (control, d) in per)
        if not days:
            continue
        kept = [d for d in days if all(2 * len(per[(x, d)]) > len(members[x])
                                       for x in (arm, control))]
        out[arm] = kept[-1] if kept else days[-1]
        if out[arm] != days[-1]:
            d = days[-1]
            warnings.append(
                f"{arm} vs {control}: the headline reports day {out[arm]:g}, not day {d:g}, "
                f"where only {len(per[(control, d)])} of {len(members[control])} {control} and "
                f"{len(per[(arm, d)])} of {len(members[arm])} {arm} animals remain")
        elif not kept:
            warnings.append(f"{arm} vs {control}: on every day after day {day0:g} half or more "
                            "of an arm's animals are missing; the headline rests on survivors")
    return out


def _sentence(row: dict[str, Any], control: str, n_control: int) -> str:
    tgi_value = row["tgi"]
    text = f"{row['arm']} vs {control}, day {row['day']:g}: TGI "
    if tgi_value["value"] is None:
        text += f"not computed ({row['tgi_reason']})" if row.get("tgi_reason") else "—"
    else:
        text += f"{number_text(tgi_value['value'])} %"
    lo, hi = tgi_value["ci95"]
    if lo is not None and hi is not None:
        text += f" (95 % CI {number_text(lo)}–{number_text(hi)})"
    elif tgi_value.get("ci_reason") and not row.get("test_reason"):
        text += f" (no 95 % CI: {tgi_value['ci_reason']})"
    if row["p_value"] is not None:
        text += f", Welch t-test on ln volume p = {row['p_value']:.3g}"
    if row.get("p_reason"):
        text += f" (no p value: {row['p_reason']})"
    if row.get("test_reason"):
        text += f" (no test or CI: {row['test_reason']})"
    return text + f", n = {row['n']} vs {n_control}"


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    data = result.plot_data or {}

    def paint(ax: Any) -> None:
        arms: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for r in result.results:
            arms[r["arm"]].append((r["day"], r["mean_volume"]["value"],
                                   r["sem"]["value"] or 0.0))
        colours = {}
        for arm, pts in sorted(arms.items()):
            d, m, e = zip(*sorted(pts), strict=True)
            line = ax.errorbar(d, m, yerr=e, marker="o", capsize=3, linewidth=2, label=arm)
            colours[arm] = line.lines[0].get_color()
        for animal, series in sorted((data.get("animals") or {}).items()):
            if series:
                d, v = zip(*sorted(series.items()), strict=True)
                ax.plot(d, v, color=colours.get(data["arm_of"][animal], "grey"), alpha=0.3,
                        linewidth=0.8)
        ax.set_xlabel("day")
        ax.set_ylabel("tumour volume [mm³] (mean ± SEM; thin: animals)")
        ax.legend(fontsize="small")

    return figure_png(paint, title="Tumour growth")


HOOK = Hook(
    name="tumour-growth",
    summary="Xenograft growth: 0.5·L·W² volumes, mean ± SEM per arm and day, TGI with CI, "
            "Welch test on ln volume, humane end points, drop-outs, weight loss.",
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
        Param("max_volume", 1500.0, unit="mm^3",
              help="humane end point: flag tumours larger than this (the protocol's value)"),
        Param("bootstrap", 2000, type="int", bounds=BOOTSTRAP_BOUNDS,
              help="bootstrap redraws for the CI of TGI"),
        Param("seed", 1, type="int", help="seed of the bootstrap (same seed, same interval)"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("arm", "day", "mean_volume", "sem", "n", "tgi", "p_value", "test",
                 "body_weight_change_pct"),
)
