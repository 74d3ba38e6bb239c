"""The ``combination-index`` hook: Chou–Talalay CI, and Bliss/HSA/Loewe for a dose matrix.

Input rows are (dose_a, dose_b, effect) with effect the fraction affected, or viability
(fa = 1 − viability).  Replicate wells are averaged per dose pair first, as CompuSyn does.
Rows with only drug A (dose_b = 0) or only B make the single-drug median-effect fits; rows
with both are combinations, grouped into fixed-ratio series by dose_a/dose_b.  When every
level of A meets every level of B (zeros included), the data are a matrix and the
reference-model excesses are reported for every cell.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from elab.errors import InputError

from .base import BOOTSTRAP_BOUNDS, AnalysisResult, Column, Hook, Param, finite, qty
from .headline import estimate_sentence, number_text
from .median_effect import MedianEffect, ci_of, fit_median_effect
from .synergy_bootstrap import (
    MIN_POINTS,
    LineDraws,
    bootstrap_ci,
    interval_reason,
    line_draws,
    outside,
)
from .synergy_matrix import matrix_entry
from .table import Table

__all__ = ["HOOK"]

Cell = tuple[float, float]

FA_LEVELS = (0.5, 0.75, 0.9)

_METHOD = (
    "Chou–Talalay median-effect analysis: log(fa/fu) = m·log D − m·log Dm fitted by linear "
    "least squares for each drug and each fixed-ratio combination (r = correlation of that "
    "line); combination index CI = d1/Dx1 + d2/Dx2 with Dx = Dm·(fa/fu)^(1/m) (CI < 1 synergy, "
    "= 1 additive, > 1 antagonism). Replicate wells are averaged per dose pair first. 95 % "
    "CIs of CI at fa 0.5, 0.75 and 0.9: studentized (bootstrap-t) intervals of ln CI from "
    "{draws} redraws of the three median-effect lines resampling leverage-adjusted residuals "
    "(Davison & Hinkley 1997 §6.3; seed {seed}), with the delta-method standard error of ln "
    "CI; assumes each line's errors are exchangeable; no interval when a line has fewer "
    "than {min_points} points. fa is the {source} column"
    "{derived}, averaged over replicate wells per dose pair; n counts the dose pairs on a "
    "line with 0 < fa < 1 (fa of 0 or 1 and blank cells are left out, with a warning). A line "
    "of 2 points has no r and gives no headline CI; a CI whose dose (mixture or either drug) "
    "lies more than {limit:g}-fold beyond the tested doses is null with that bound."
)

EXTRAPOLATION_LIMIT = 3.0  # half a log: beyond this fold of the tested doses, CI is not reported
_METHOD_MATRIX = (
    " For the dose matrix, excess over Bliss independence fa12 − (fa1 + fa2 − fa1·fa2), over "
    "the highest single agent fa12 − max(fa1, fa2), over Loewe additivity (median-effect "
    "isoboles), and ZIP δ (fitted surface from log-logistic row and column fits − "
    "(yA + yB − yA·yB) on fitted single-drug curves, Yadav 2015), in percentage points of fa, "
    "averaged over the combination cells."
)


def _fa_by_pair(table: Table) -> tuple[dict[tuple[float, float], float], str, int]:
    da = table.numbers("dose_a")
    db = table.numbers("dose_b")
    if table.has("effect"):
        fa = table.numbers("effect")
        source = "effect"
    elif table.has("viability"):
        fa = [1.0 - v for v in table.numbers("viability")]
        source = "viability"
    else:
        raise InputError(
            f"{table.source}: combination-index needs a column 'effect' or 'viability'"
        )
    sums: dict[tuple[float, float], list[float]] = defaultdict(list)
    blank = 0
    for a, b, f in zip(da, db, fa, strict=True):
        if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(f)):
            blank += 1
            continue
        if a < 0 or b < 0:
            raise InputError(f"{table.source}: negative dose ({a:g}, {b:g})")
        sums[(a, b)].append(f)
    return {k: float(np.mean(v)) for k, v in sorted(sums.items())}, source, blank


def _drug_entry(name: str, fit: MedianEffect, unit: str) -> dict[str, Any]:
    return {"kind": "drug", "drug": name, "dm": qty(fit.dm, unit), "m": finite(fit.m),
            **_r_of(fit), "n": fit.n}


def _r_of(fit: MedianEffect) -> dict[str, Any]:
    """r of the median-effect line; a line through 2 points has |r| = 1 by construction."""
    if fit.n < 3:
        return {"r": None, "r_reason": f"only {fit.n} points; r cannot check the fit"}
    return {"r": finite(fit.r)}


def _left_out(label: str, fa: list[float], warnings: list[str]) -> None:
    """Warn about points the median-effect line cannot use: log(fa/fu) needs 0 < fa < 1."""
    low = sum(1 for f in fa if f <= 1e-9)
    high = sum(1 for f in fa if f >= 1 - 1e-9)
    parts = [f"{k} point(s) with fa {side}" for k, side in ((low, "≤ 0"), (high, "≥ 1")) if k]
    if parts:
        warnings.append(f"{label}: {' and '.join(parts)} left out of the median-effect line "
                        "(log(fa/fu) is undefined there)")


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    fa_of, source, blank = _fa_by_pair(table)
    unit_a, unit_b = table.unit("dose_a"), table.unit("dose_b")
    warnings: list[str] = []
    if blank:
        warnings.append(f"{blank} row(s) with a blank dose or {source} left out")
    if any(not -0.05 <= f <= 1.05 for f in fa_of.values()):
        warnings.append(f"some {source} values lie outside 0–1; give fractions, not percentages")
    singles_a = {a: f for (a, b), f in fa_of.items() if b == 0 and a > 0}
    singles_b = {b: f for (a, b), f in fa_of.items() if a == 0 and b > 0}
    combos = {k: f for k, f in fa_of.items() if k[0] > 0 and k[1] > 0}
    fit_a = _fit(singles_a, "A", unit_a, warnings)
    fit_b = _fit(singles_b, "B", unit_b, warnings)
    rng = np.random.default_rng(int(params["seed"]))
    draws = int(params["bootstrap"])
    lines_a = _draws(singles_a, draws, rng)
    lines_b = _draws(singles_b, draws, rng)
    tested = (sorted(singles_a), sorted(singles_b))
    results: list[dict[str, Any]] = [
        _drug_entry("a", fit_a, unit_a),
        _drug_entry("b", fit_b, unit_b),
    ]
    same_unit = unit_a == unit_b

    from .synergy_matrix import describe_series, ratio_series  # kept apart from the CI imports

    series, measured = ratio_series(combos)
    levels_a = sorted({a for a, _ in fa_of})
    levels_b = sorted({b for _, b in fa_of})
    is_matrix = (
        len(levels_a) >= 2 and len(levels_b) >= 2 and 0 in levels_a and 0 in levels_b
        and all((a, b) in fa_of for a in levels_a for b in levels_b)
        and len(levels_a) * len(levels_b) > 4
    )
    # In a matrix every diagonal is a ratio "series"; two points always give r = 1, so only
    # series of three or more are fitted there.
    shortest = 3 if is_matrix else 2
    for ratio, pts in sorted(series.items()):
        if not (0 < ratio < math.inf):  # a:b under- or overflows: no constant-ratio series
            warnings.append(f"{len(pts)} combination(s) at a dose ratio beyond floating point "
                            "(dose A / dose B is 0 or infinite) are not fitted as a series")
            continue
        if len(pts) >= shortest:
            entry = _ratio_entry(ratio, pts, fit_a, fit_b, same_unit, unit_a, warnings)
            entry["ci_at_ci95"] = bootstrap_ci(
                lines_a, lines_b, _draws({p[0]: p[2] for p in pts}, draws, rng), ratio,
                FA_LEVELS)
            _interval_reason(entry, fit_a.n, fit_b.n, warnings)
            _extrapolation(entry, ratio, pts, fit_a, fit_b, tested, warnings)
            results.append(entry)

    no_series = describe_series(results, measured, fit_a, fit_b, shortest, warnings)
    method = _METHOD.format(draws=draws, seed=int(params["seed"]), source=source,
                            derived=" (fa = 1 − viability)" if source == "viability" else "",
                            limit=EXTRAPOLATION_LIMIT, min_points=MIN_POINTS)
    points = [
        {"dose_a": a, "dose_b": b, "fa": f,
         "ci": finite(ci_of(a, b, f, fit_a, fit_b))}
        for (a, b), f in combos.items()
    ]
    if is_matrix:
        results.append(matrix_entry(fa_of, levels_a, levels_b, fit_a, fit_b, points, warnings))
        method += _METHOD_MATRIX
    elif not any(r["kind"] == "ratio" for r in results):
        results.append({"kind": "combinations", "points": points})
    return AnalysisResult(
        "combination-index", method, results, warnings,
        headline=_headline(results) + no_series,
        plot_data={"fa": fa_of, "fit_a": fit_a, "fit_b": fit_b, "points": points,
                   "levels": (levels_a, levels_b) if is_matrix else None,
                   "units": (unit_a, unit_b)},
    )


def _interval_reason(entry: dict[str, Any], n_a: int, n_b: int, warnings: list[str]) -> None:
    """Say why a ratio has no 95 % CI of CI when a line is too short to resample."""
    reason = interval_reason({"drug A": n_a, "drug B": n_b, "the mixture": entry["n"]})
    if reason and min(n_a, n_b, entry["n"]) >= 3:  # 2-point lines have their own reason
        entry["ci95_reason"] = reason
        warnings.append(f"ratio {entry['ratio']}: no 95 % CI of CI: {reason}")


def _draws(singles: dict[float, float], draws: int,
           rng: np.random.Generator) -> LineDraws | None:
    doses = np.array(sorted(singles), dtype=float)
    return line_draws(doses, np.array([singles[d] for d in doses], dtype=float), draws, rng)


def _fit(singles: dict[float, float], name: str, unit: str, warnings: list[str]) -> MedianEffect:
    doses = np.array(sorted(singles))
    fit = fit_median_effect(doses, np.array([singles[d] for d in doses]))
    _left_out(f"drug {name}", list(singles.values()), warnings)
    side = outside(fit.dm, list(singles)) if math.isfinite(fit.dm) else ""
    if side and singles:
        positive = [d for d in singles if d > 0]
        warnings.append(
            f"drug {name}: Dm {number_text(fit.dm)} {unit} lies {side} the tested doses "
            f"({number_text(min(positive))}–{number_text(max(positive))} {unit}); it is "
            "extrapolated from the median-effect line".replace("  ", " ")
        )
    if fit.n < 2:
        warnings.append(f"drug {name} alone has fewer than 2 doses with 0 < fa < 1; no Dm or CI")
    elif fit.n < 3:
        warnings.append(f"drug {name} alone has only {fit.n} usable doses; r cannot check the fit")
    elif math.isfinite(fit.r) and abs(fit.r) < 0.9:
        warnings.append(f"drug {name}: median-effect plot r = {fit.r:.3f} (< 0.9); poor conformity")
    return fit


def _ratio_entry(
    ratio: float, pts: list[tuple[float, float, float]], fit_a: MedianEffect,
    fit_b: MedianEffect, same_unit: bool, unit: str, warnings: list[str],
) -> dict[str, Any]:
    # Fit on the dose of A in the mixture; the total dose differs by the factor (1 + 1/R).
    pts = sorted(pts)
    dose_a = np.array([p[0] for p in pts])
    fit = fit_median_effect(dose_a, np.array([p[2] for p in pts]))
    scale = 1.0 + 1.0 / ratio
    ci_at: dict[str, float | None] = {}
    for level in FA_LEVELS:
        d1 = fit.dose_for(level)  # dose of A in the mixture; B is d1 / ratio
        ci = d1 / fit_a.dose_for(level) + (d1 / ratio) / fit_b.dose_for(level)
        ci_at[str(level)] = finite(ci)
    label = f"{ratio:.6g}:1"
    _left_out(f"ratio {label}", [p[2] for p in pts], warnings)
    if fit.n >= 3 and math.isfinite(fit.r) and abs(fit.r) < 0.9:
        warnings.append(f"ratio {label}: median-effect plot r = {fit.r:.3f} (< 0.9)")
    return {
        "kind": "ratio",
        "ratio": label,
        "dm": qty(fit.dm * scale, unit) if same_unit else qty(fit.dm, unit),
        "dm_basis": "total dose" if same_unit else "dose of A in the mixture",
        "m": finite(fit.m),
        **_r_of(fit),
        "n": fit.n,
        "ci_at": ci_at,
        "points": [
            {"dose_a": a, "dose_b": b, "fa": f, "ci": finite(ci_of(a, b, f, fit_a, fit_b))}
            for a, b, f in pts
        ],
    }


def _extrapolation(
    entry: dict[str, Any], ratio: float, pts: list[tuple[float, float, float]],
    fit_a: MedianEffect, fit_b: MedianEffect, tested: tuple[list[float], list[float]],
    warnings: list[str],
) -> None:
    """Name the fa levels whose CI needs doses beyond those tested (mixture or single drug)."""
    mix = fit_median_effect(np.array([p[0] for p in pts]), np.array([p[2] for p in pts]))
    beyond = []
    bounds: dict[str, str] = {}
    for level in FA_LEVELS:
        parts = []
        far = []
        for name, line, doses in (("the mixture", mix, [p[0] for p in pts]),
                                  ("drug A", fit_a, tested[0]), ("drug B", fit_b, tested[1])):
            dx = line.dose_for(level)
            if outside(dx, doses):
                parts.append(name)
                fold = _fold_beyond(dx, doses)
                if fold > EXTRAPOLATION_LIMIT:
                    far.append(f"{name} {number_text(fold)}-fold past its tested doses"
                               if math.isfinite(fold) else f"{name} beyond any finite dose")
        if parts:
            beyond.append(str(level))
            warnings.append(f"ratio {entry['ratio']}: CI at fa {level} needs doses of "
                            f"{', '.join(parts)} beyond those tested; it is extrapolated")
        if far:
            key = str(level)
            bounds[key] = f"fa {level} needs {'; '.join(far)}"
            entry["ci_at"][key] = None
            entry["ci_at_ci95"][key] = [None, None]
            warnings.append(f"ratio {entry['ratio']}: CI at fa {level} not reported: "
                            f"{bounds[key]} (limit {EXTRAPOLATION_LIMIT:g}-fold)")
    entry["ci_at_extrapolated"] = beyond
    entry["ci_at_bound"] = bounds


def _fold_beyond(dose: float, tested: list[float]) -> float:
    """How many fold ``dose`` lies outside the tested positive doses (1 inside, inf unknown)."""
    positive = [d for d in tested if d > 0]
    if not positive or not math.isfinite(dose) or dose <= 0:
        return math.inf
    return max(dose / max(positive), min(positive) / dose, 1.0)


def _headline(results: list[dict[str, Any]]) -> list[str]:
    out = []
    lines = [(f"drug {r['drug'].upper()}", r["n"]) for r in results if r["kind"] == "drug"]
    for r in results:
        if r["kind"] == "ratio":
            label = f"CI at fa 0.5, ratio {r['ratio']}"
            bound = r.get("ci_at_bound", {}).get("0.5")
            if bound:
                out.append(f"{label}: not reported ({bound})")
                continue
            short = [name for name, n in lines if n < 3] + (["the mixture"] if r["n"] < 3
                                                              else [])
            if short:
                out.append(estimate_sentence(label, None, "only 2 points on the line of "
                                             + ", ".join(short)))
                continue
            ci = {"value": r["ci_at"].get("0.5"), "unit": "1", "ci95": r["ci_at_ci95"]["0.5"]}
            text = estimate_sentence(label, ci)
            if r.get("ci95_reason"):
                text += f" (no 95 % CI: {r['ci95_reason']})"
            if "0.5" in r.get("ci_at_extrapolated", []):
                text += " (extrapolated)"
            out.append(text)
        elif r["kind"] == "matrix":
            scores = ", ".join(f"{k} {number_text(r[k]) if r[k] is not None else '—'}"
                               for k in ("bliss", "hsa", "loewe", "zip"))
            out.append(f"synergy scores (mean excess, percentage points of fa): {scores}")
    return out


def _draw(result: AnalysisResult) -> bytes:
    from .synergy_plots import draw_synergy

    return draw_synergy(result)


HOOK = Hook(
    name="combination-index",
    summary="Drug combinations: Chou–Talalay CI (Dm, m, r; CI at fa 0.5/0.75/0.9), Bliss, HSA, "
    "Loewe.",
    inputs=(
        Column("dose_a", help="dose of drug A (0 when absent)"),
        Column("dose_b", help="dose of drug B (0 when absent)"),
        Column("effect", optional=True, help="fraction affected, 0–1"),
        Column("viability", optional=True, help="fraction viable, 0–1 (fa = 1 − viability)"),
    ),
    params=(
        Param("bootstrap", 2000, type="int", bounds=BOOTSTRAP_BOUNDS,
              help="bootstrap redraws for the CIs of CI"),
        Param("seed", 1, type="int", help="seed of the bootstrap (same seed, same interval)"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "drug", "ratio", "dm", "m", "r", "points", "ci_at", "bliss", "hsa",
                 "loewe", "zip"),
)
