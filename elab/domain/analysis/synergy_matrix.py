"""Scores of a full dose matrix against the reference models of no interaction.

Per cell, in fractions affected (reported ×100, percentage points): Bliss excess
``fa12 − (fa1 + fa2 − fa1·fa2)``, HSA ``fa12 − max(fa1, fa2)``, Loewe ``fa12 − y`` on the
median-effect isoboles, and ZIP δ (:mod:`.zip_score`).  Each model is computed on its own:
a numerical failure of one (an overflow, a singular system) makes that score null with a
warning naming the model and the error, and never stops the others.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import finite
from .median_effect import MedianEffect, loewe_expected

__all__ = ["describe_series", "matrix_entry", "ratio_series"]

Cell = tuple[float, float]

_MODELS = ("bliss", "hsa", "loewe", "zip")


def _guarded(name: str, compute: Any, warnings: list[str]) -> dict[Cell, float]:
    """A reference model's per-cell excess; a numerical failure is a warning and nulls."""
    try:
        with np.errstate(all="ignore"):
            values: dict[Cell, float] = compute()
        return values
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        warnings.append(f"{name} could not be computed ({type(exc).__name__}: {exc}); "
                        "reported as null")
        return {}


def matrix_entry(
    fa_of: dict[Cell, float], levels_a: list[float], levels_b: list[float],
    fit_a: MedianEffect, fit_b: MedianEffect, points: list[dict[str, Any]],
    warnings: list[str],
) -> dict[str, Any]:
    from .zip_score import zip_deltas

    cells_ab = [(a, b) for a in levels_a[1:] for b in levels_b[1:]]

    def single(a: float, b: float) -> tuple[float, float]:
        return fa_of[(a, 0.0)], fa_of[(0.0, b)]

    def bliss() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - (single(a, b)[0] + single(a, b)[1]
                                         - single(a, b)[0] * single(a, b)[1])
                for a, b in cells_ab}

    def hsa() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - max(single(a, b)) for a, b in cells_ab}

    def loewe() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - loewe_expected(a, b, fit_a, fit_b) for a, b in cells_ab}

    scores = {
        "bliss": _guarded("Bliss", bliss, warnings),
        "hsa": _guarded("HSA", hsa, warnings),
        "loewe": _guarded("Loewe", loewe, warnings),
        "zip": _guarded("ZIP", lambda: zip_deltas(fa_of, levels_a, levels_b), warnings),
    }
    cells = [
        {"dose_a": a, "dose_b": b, "fa": fa_of[(a, b)],
         **{k: finite(100 * v[(a, b)]) if (a, b) in v else None for k, v in scores.items()}}
        for a, b in cells_ab
    ]
    entry: dict[str, Any] = {"kind": "matrix"}
    for name in _MODELS:
        good = [v for v in scores[name].values() if math.isfinite(v)]
        entry[name] = finite(float(100 * np.mean(good))) if good else None
        if scores[name] and len(good) < len(cells_ab):
            warnings.append(f"{name}: {len(cells_ab) - len(good)} of {len(cells_ab)} cells "
                            "could not be scored (a fit did not settle); the mean is over the rest")
    entry["cells"] = cells
    entry["points"] = points
    return entry


# Constant-ratio series in a dose matrix whose levels are written rounded: a 3-fold series of
# paclitaxel from 30 nM is 30, 10, 3.33, 1.11 nM, written 30, 10, 3, 1 nM, so the diagonal of
# the matrix runs at 0.4, 0.4, 0.37, 0.367:1 rather than one ratio.  Ratios within 15 % of
# the smallest of their group (max/min ≤ 1.15) are one series: that covers rounding each
# level to one or two significant figures (≤ 10 % per dose), and stays well inside the
# spacing of neighbouring diagonals (2-fold in the finest usual series, √2 still apart).
RATIO_TOLERANCE = 0.15

Point = tuple[float, float, float]  # dose A, dose B, fa


def _groups(ratios: list[float]) -> list[list[float]]:
    """Sorted ratios cut into groups, each within RATIO_TOLERANCE of its smallest member."""
    groups: list[list[float]] = []
    for r in sorted(ratios):
        if groups and 0 < groups[-1][0] < math.inf and r <= groups[-1][0] * (1 + RATIO_TOLERANCE):
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def ratio_series(combos: dict[Cell, float]) -> tuple[dict[float, list[Point]],
                                                     dict[float, list[Point]]]:
    """The combinations grouped into constant-ratio series: for each series' ratio (the
    geometric mean of its members to 3 significant figures), the points moved onto that ray
    for the mixture's median-effect line, and the points as measured.

    A point off the ray by a rounding is moved to the nearest point of the ray in log dose
    (log a and log b each shift by half the log of the ratio's error, ≤ 7 % at the 15 %
    tolerance), so neither drug alone absorbs the rounding.  A ratio that under- or
    overflows (0 or ∞) is its own group, left for the caller to refuse.
    """
    by_ratio: dict[float, list[Point]] = {}
    for (a, b), f in combos.items():
        by_ratio.setdefault(a / b, []).append((a, b, f))
    fitted: dict[float, list[Point]] = {}
    measured: dict[float, list[Point]] = {}
    for group in _groups(list(by_ratio)):
        pts = sorted(p for r in group for p in by_ratio[r])
        if not 0 < group[0] <= group[-1] < math.inf:
            fitted[group[0]], measured[group[0]] = pts, pts
            continue
        mean = math.exp(sum(math.log(p[0] / p[1]) for p in pts) / len(pts))
        ratio = float(f"{mean:.3g}") if group[-1] > group[0] else group[0]
        fitted[ratio] = [_on_ray(p, ratio) for p in pts]
        measured[ratio] = pts
    return fitted, measured


def _on_ray(p: Point, ratio: float) -> Point:
    a, b, f = p
    if a / b == ratio:
        return p
    x = math.exp((math.log(a) + math.log(b) + math.log(ratio)) / 2)
    return (x, x / ratio, f)


def describe_series(results: list[dict[str, Any]], measured: dict[float, list[Point]],
                    fit_a: MedianEffect, fit_b: MedianEffect, shortest: int,
                    warnings: list[str]) -> list[str]:
    """Each ratio entry given its measured points and, when it groups rounded ratios, their
    range; with no series at all, the warning and headline saying so and what design would
    give one."""
    from .median_effect import ci_of

    by_label = {f"{r:.6g}:1": pts for r, pts in measured.items()}
    for entry in results:
        pts = by_label.get(entry.get("ratio", "")) if entry["kind"] == "ratio" else None
        if not pts:
            continue
        entry["points"] = [{"dose_a": a, "dose_b": b, "fa": f,
                            "ci": finite(ci_of(a, b, f, fit_a, fit_b))} for a, b, f in pts]
        ratios = sorted({a / b for a, b, _ in pts})
        if len(ratios) > 1:
            entry["ratio_range"] = [ratios[0], ratios[-1]]
            warnings.append(
                f"ratio {entry['ratio']}: the combinations lie at ratios "
                f"{ratios[0]:.3g}–{ratios[-1]:.3g}:1 (rounded levels), within the "
                f"{RATIO_TOLERANCE:.0%} tolerance of one series; each is taken onto the "
                f"{entry['ratio']} ray for the mixture line")
    if not measured or any(r["kind"] == "ratio" for r in results):
        return []
    warnings.append(
        f"no constant-ratio series: no {shortest} or more combinations share a dose ratio "
        f"(within {RATIO_TOLERANCE:.0%}), so no Chou–Talalay CI of a mixture line; the "
        "point CIs are in points. A design with one fixed A:B ratio (e.g. both drugs as "
        "multiples 0.25, 0.5, 1, 2, 4 of their IC50s, or a matrix whose two dilution series "
        "share one fold) gives one")
    return [f"CI at fa 0.5: no estimate (no constant-ratio series of {shortest} or more "
            "combinations)"]
