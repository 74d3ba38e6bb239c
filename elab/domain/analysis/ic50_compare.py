"""Comparing curves: does one IC50 fit them all, and how many times more potent is each?

GraphPad's approach for curves of one experiment: fit every curve on its own, then again
with ln IC50 shared and the other parameters free; the extra-sum-of-squares F test says
whether the separate IC50s fit significantly better.  Beside the test, the ratio of each
curve's IC50 to the reference curve's, with a 95 % CI from the standard errors of the two
ln IC50 (independent fits) and Student's t on their summed residual df.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import finite, qty
from .ic50_data import Curve
from .logistic import BatchFit, _model_and_jacobian

__all__ = ["MAX_COMPARED", "compare_curves"]

Array = npt.NDArray[np.float64]
MAX_COMPARED = 12  # a shared fit of a whole screen is neither asked for nor cheap


def _lx(dose: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.asarray(np.where(dose > 0, np.log(np.where(dose > 0, dose, 1.0)), -np.inf))


def _shared_rss(curves: list[Curve], fit: BatchFit, rows: list[int]) -> float:
    """RSS of the fit with one ln IC50 for all ``rows`` and their other free parameters own."""
    from scipy.optimize import least_squares

    own = [k for k in fit.free if k != 2]
    theta0 = fit.params[rows].astype(float)
    start = np.concatenate([theta0[:, own].ravel(), [float(theta0[:, 2].mean())]])
    lxs = [_lx(curves[r].dose)[None, :] for r in rows]

    def unpack(p: Array, j: int) -> Array:
        t = theta0[j].copy()
        t[own] = p[j * len(own):(j + 1) * len(own)]
        t[2] = p[-1]
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


def compare_curves(
    curves: list[Curve], fit: BatchFit, usable: list[int], reference: str, unit: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Comparison rows: all curves on one IC50 (≥ 3 curves), each against the reference."""
    rows_out: list[dict[str, Any]] = []
    headline: list[str] = []
    if len(usable) < 2 or len(usable) > MAX_COMPARED:
        return rows_out, headline
    from scipy.stats import t as t_dist  # only when there is something to compare (slow import)
    names = [curves[r].group for r in usable]
    ref = usable[names.index(reference)] if reference in names else usable[0]
    p = len(fit.free)
    if len(usable) >= 3:
        test = _f_test(curves, fit, usable)
        rows_out.append({"group": "all curves", "kind": "comparison",
                         "shared_ic50_test": test, "curves": len(usable)})
    se = fit.se(2)
    for r in usable:
        if r == ref:
            continue
        test = _f_test(curves, fit, [ref, r])
        ln_ratio = float(fit.params[r, 2] - fit.params[ref, 2])
        se_ratio = math.sqrt(float(se[r]) ** 2 + float(se[ref]) ** 2)
        df = len(curves[r].dose) + len(curves[ref].dose) - 2 * p
        ci: list[float | None] = [None, None]
        if df > 0 and math.isfinite(se_ratio):
            q = float(t_dist.ppf(0.975, df))
            ci = [finite(math.exp(ln_ratio - q * se_ratio)),
                  finite(math.exp(ln_ratio + q * se_ratio))]
        label = f"{curves[r].group} vs {curves[ref].group}"
        ratio = {**qty(math.exp(ln_ratio), "1"), "ci95": ci}
        rows_out.append({"group": label, "kind": "comparison", "ic50_ratio": ratio,
                         "shared_ic50_test": test, "curves": 2})
        from .headline import estimate_sentence

        sentence = estimate_sentence(f"IC50 ratio {label}", ratio)
        if test["p_value"] is not None:
            sentence += f"; shared-IC50 F test p = {test['p_value']:.3g}"
        headline.append(sentence)
    return rows_out, headline
