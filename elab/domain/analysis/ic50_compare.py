"""Comparing curves: does one IC50 fit them all, and how many times more potent is each?

GraphPad's approach for curves of one experiment: fit every curve on its own, then again
with ln IC50 shared and the other parameters free; the extra-sum-of-squares F test says
whether the separate IC50s fit significantly better.  The ratio of each curve's IC50 to the
reference curve's gets its 95 % CI from the same test, inverted (GraphPad's profile-likelihood
intervals): the ratios ρ whose fit with ln IC50 = ln IC50_ref + ln ρ is not rejected at 5 %.
So the CI excludes 1 exactly when the F test's p < 0.05; a Wald CI from the two standard
errors could exclude 1 beside p = 0.053.  With several curves compared with one reference the
p values are also Holm-adjusted (Holm 1979) over those comparisons, and the method says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import finite, qty
from .ic50_data import Curve
from .logistic import BatchFit, _model_and_jacobian

__all__ = ["MAX_COMPARED", "compare_curves", "comparison_method", "holm"]

Array = npt.NDArray[np.float64]
MAX_COMPARED = 12  # a shared fit of a whole screen is neither asked for nor cheap


def _lx(dose: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.asarray(np.where(dose > 0, np.log(np.where(dose > 0, dose, 1.0)), -np.inf))


def _shared_rss(curves: list[Curve], fit: BatchFit, rows: list[int],
                offsets: list[float] | None = None) -> float:
    """RSS with one ln IC50 for all ``rows`` (plus ``offsets``), other parameters their own."""
    from scipy.optimize import least_squares

    shift = offsets or [0.0] * len(rows)
    own = [k for k in fit.free if k != 2]
    theta0 = fit.params[rows].astype(float)
    base = float((theta0[:, 2] - shift).mean())
    start = np.concatenate([theta0[:, own].ravel(), [base]])
    lxs = [_lx(curves[r].dose)[None, :] for r in rows]

    def unpack(p: Array, j: int) -> Array:
        t = theta0[j].copy()
        t[own] = p[j * len(own):(j + 1) * len(own)]
        t[2] = p[-1] + shift[j]
        return np.asarray(t[None, :], dtype=float)

    def resid(p: Array) -> Array:
        parts = []
        for j, r in enumerate(rows):
            f, _ = _model_and_jacobian(lxs[j], unpack(p, j), tuple(fit.free))
            parts.append(f[0] - curves[r].response)
        return np.concatenate(parts)

    def jac(p: Array) -> Array:
        n_total = sum(len(curves[r].dose) for r in rows)
        out = np.zeros((n_total, len(p)))
        at = 0
        free = tuple(fit.free)
        for j, r in enumerate(rows):
            _, jj = _model_and_jacobian(lxs[j], unpack(p, j), free)
            n = len(curves[r].dose)
            for c, k in enumerate(free):
                col = -1 if k == 2 else j * len(own) + own.index(k)
                out[at:at + n, col] += jj[0, :, c]
            at += n
        return out

    sol = least_squares(resid, start, jac=jac, method="trf", x_scale="jac", max_nfev=2000)
    return float(np.sum(sol.fun**2))


def _f_test(curves: list[Curve], fit: BatchFit, rows: list[int]) -> dict[str, Any]:
    from scipy.stats import f as f_dist

    p = len(fit.free)
    rss_sep = float(sum(fit.rss[r] for r in rows))
    n = sum(len(curves[r].dose) for r in rows)
    df_sep = n - p * len(rows)
    df_extra = len(rows) - 1
    rss_shared = _shared_rss(curves, fit, rows)
    if df_sep <= 0 or rss_sep <= 0:
        return {"f": None, "df": [df_extra, df_sep], "p_value": None}
    f_stat = max(rss_shared - rss_sep, 0.0) / df_extra / (rss_sep / df_sep)
    return {"f": finite(f_stat), "df": [df_extra, df_sep],
            "p_value": finite(float(f_dist.sf(f_stat, df_extra, df_sep)))}


_FOLD_LIMIT = math.log(1e4)  # a ratio not bounded within 10^4-fold is not bounded by the data


def _profile_ci(curves: list[Curve], fit: BatchFit, ref: int, r: int,
                test: dict[str, Any]) -> tuple[list[float | None], str]:
    """95 % CI of IC50_r / IC50_ref: the ratios the pair's F test does not reject at 5 %."""
    from scipy.optimize import brentq
    from scipy.special import fdtri

    df_sep = test["df"][1]
    rss_sep = float(fit.rss[ref] + fit.rss[r])
    if df_sep <= 0 or not rss_sep > 0:
        return [None, None], "no residual degrees of freedom to test a ratio against"
    target = rss_sep * (1.0 + float(fdtri(1, df_sep, 0.95)) / df_sep)
    best = float(fit.params[r, 2] - fit.params[ref, 2])

    def excess(delta: float) -> float:
        return float(_shared_rss(curves, fit, [ref, r], [0.0, delta]) - target)

    wald = 2.0 * math.hypot(float(fit.se(2)[ref]), float(fit.se(2)[r]))
    first = min(wald, 1.0) if math.isfinite(wald) and wald > 0 else 0.25
    edges = []
    for side in (-1.0, 1.0):
        step, inside = first, 0.0
        while excess(best + side * step) < 0:
            inside, step = step, 1.5 * step
            if step > _FOLD_LIMIT:
                return [None, None], ("the F test does not bound the ratio within "
                                      "10⁴-fold on one side")
        edges.append(best + side * brentq(lambda h, sd=side: excess(best + sd * h),
                                          inside, step, xtol=1e-5))
    return [finite(math.exp(edges[0])), finite(math.exp(edges[1]))], ""


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of m p values (None stays None and is not counted)."""
    known = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(known):
        running = max(running, min(1.0, (len(known) - rank) * p))
        out[i] = running
    return out


def comparison_method(names: list[str], reference: str) -> str:
    """The method sentence of the comparisons: what they test and how many there are."""
    m = len(names)
    text = (
        f" Curve comparison: {m} IC50 ratio(s) against the reference {reference} "
        f"({', '.join(names)}); each ratio's 95 % CI inverts the extra-sum-of-squares F test "
        "of the two curves (the ratios whose fit with that fixed ratio is not rejected at 5 %; "
        "GraphPad's profile-likelihood interval), so it excludes 1 exactly when that test's "
        "p < 0.05; n counts the wells of the two curves (rows with a blank dose or response "
        "left out, with a warning), df = n − 2 × the fitted parameters."
    )
    if m > 1:
        text += (f" Multiplicity: {m} comparisons; their p values are also given Holm-adjusted "
                 "over those comparisons (p_holm), the CIs are per comparison, not adjusted; "
                 "with 3 or more curves one more F test asks whether all share one IC50.")
    else:
        text += " One comparison: no multiplicity correction."
    return text


def compare_curves(
    curves: list[Curve], fit: BatchFit, usable: list[int], reference: str, unit: str,
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Comparison rows, their headline sentences and method sentence (``""`` when none)."""
    if len(usable) < 2 or len(usable) > MAX_COMPARED:
        return [], [], ""
    names = [curves[r].group for r in usable]
    ref = usable[names.index(reference)] if reference in names else usable[0]
    rows_out: list[dict[str, Any]] = []
    if len(usable) >= 3:
        rows_out.append({"group": "all curves", "kind": "comparison",
                         "shared_ic50_test": _f_test(curves, fit, usable),
                         "curves": len(usable)})
    pairs: list[dict[str, Any]] = []
    for r in (r for r in usable if r != ref):
        test = _f_test(curves, fit, [ref, r])
        ci, reason = _profile_ci(curves, fit, ref, r, test)
        ratio = {**qty(math.exp(float(fit.params[r, 2] - fit.params[ref, 2])), "1"), "ci95": ci,
                 **({"ci_reason": reason} if reason else {})}
        pairs.append({"group": f"{curves[r].group} vs {curves[ref].group}",
                      "kind": "comparison", "ic50_ratio": ratio, "shared_ic50_test": test,
                      "curves": 2})
    for row, adjusted in zip(pairs, holm([p["shared_ic50_test"]["p_value"] for p in pairs]),
                             strict=True):
        row["shared_ic50_test"]["p_holm"] = adjusted
        row["shared_ic50_test"]["comparisons"] = len(pairs)
    method = comparison_method([curves[r].group for r in usable if r != ref], curves[ref].group)
    return rows_out + pairs, [_sentence(row) for row in pairs], method


def _sentence(row: dict[str, Any]) -> str:
    from .headline import estimate_sentence

    ratio, test = row["ic50_ratio"], row["shared_ic50_test"]
    sentence = estimate_sentence(f"IC50 ratio {row['group']}", ratio)
    if ratio.get("ci_reason"):
        sentence += f" (no 95 % CI: {ratio['ci_reason']})"
    if test["p_value"] is not None:
        sentence += f"; shared-IC50 F test p = {test['p_value']:.3g}"
        if test["comparisons"] > 1 and test["p_holm"] is not None:
            sentence += (f", Holm-adjusted over {test['comparisons']} comparisons "
                         f"p = {test['p_holm']:.3g}")
    return sentence
