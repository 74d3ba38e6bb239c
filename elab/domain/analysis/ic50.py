"""The ``ic50`` hook: log-logistic dose–response fits, one curve per group.

What Prism's "log(inhibitor) vs. response" and R's ``drc::drm(..., fct = LL.4())`` do, and
what a reviewer asks next: the relative and the absolute IC50 as two named results, a null
with a bound when 50 % is not reached within the tested doses, a null with the reason for
flat, identical or too-few-dose data, blank subtraction and 0–100 % scaling from the plate's
control wells, and a comparison of the curves (shared-IC50 F test, IC50 ratios).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from elab.errors import InputError

from .base import AnalysisResult, Column, Hook, Param
from .headline import estimate_sentence
from .ic50_compare import MAX_COMPARED, compare_curves
from .ic50_data import Curve, curves_from_table
from .ic50_estimates import CurveFit, estimates, null_result
from .ic50_plot import draw_ic50
from .logistic import BatchFit, fit_loglogistic, refit_scipy, starting_values
from .table import Table

__all__ = ["HOOK"]

_MODEL = {
    "4pl": "Four-parameter log-logistic model",
    "3pl": "Three-parameter log-logistic model",
}


def _fixed(params: dict[str, Any]) -> dict[int, float]:
    """The parameters held constant: 0 bottom, 1 top (in response units after scaling)."""
    constrain = params["constrain"]
    normalised = params["normalize"] == "vehicle"
    if constrain in ("top", "both") and not normalised:
        raise InputError(f"constrain={constrain} needs normalize=vehicle (top = 100 %)")
    fixed: dict[int, float] = {}
    if constrain in ("top", "both") or (constrain == "auto" and normalised):
        fixed[1] = 100.0
    if params["model"] == "3pl":
        fixed[0] = float(params["bottom"])
    elif constrain == "both":
        fixed[0] = 0.0
    return fixed


def _method(params: dict[str, Any], fixed: dict[int, float], curves: list[Curve]) -> str:
    n_free = 4 - len(fixed)
    text = (
        f"{_MODEL['3pl' if params['model'] == '3pl' else '4pl']} "
        "f(x) = bottom + (top − bottom) / (1 + (x/IC50)^hill) fitted by least squares "
        "(Levenberg–Marquardt on ln IC50, as drc's LL.4) to every well, vehicle wells at "
        "dose 0; n counts wells."
    )
    if 0 in fixed:
        text += f" Bottom fixed at {fixed[0]:g}."
    if 1 in fixed:
        text += " Top fixed at 100 %."
    blank = [c.blank for c in curves if c.blank is not None]
    if params.get("blank") is not None:
        text += f" A blank of {float(params['blank']):g} was subtracted from every response."
    elif blank:
        text += " The mean of the blank wells was subtracted from every response."
    else:
        text += " No blank was subtracted."
    if params["normalize"] == "vehicle":
        text += (" Responses are % of the mean vehicle response (100 %) above the 0 % level "
                 "(the full-kill control where given, else no signal).")
    text += (
        f" Relative IC50: the fitted midpoint; absolute IC50: the dose giving 50 % of the "
        "vehicle response (GraphPad's definitions). 95 % CIs from the asymptotic standard "
        f"error of ln IC50 (delta method for the absolute IC50) and Student's t with n − "
        f"{n_free} df, assuming independent, normally distributed residuals of equal variance."
        " A curve is compared with a flat line by the extra-sum-of-squares F test."
    )
    return text


def _fit(curves: list[Curve], fixed: dict[int, float]) -> tuple[BatchFit, np.ndarray]:
    """Every curve fitted in one batch; the ones it cannot settle refitted by SciPy."""
    free = tuple(k for k in range(4) if k not in fixed)
    width = max(len(c.dose) for c in curves)
    x = np.ones((len(curves), width))
    y = np.zeros((len(curves), width))
    mask = np.zeros((len(curves), width), dtype=bool)
    for i, c in enumerate(curves):
        x[i, : len(c.dose)], y[i, : len(c.dose)], mask[i, : len(c.dose)] = c.dose, c.response, True
    start = starting_values(x, y, mask, fixed.get(0))
    for k, v in fixed.items():
        start[:, k] = v
    fit = fit_loglogistic(x, y, mask, start=start, free=free)
    params_fit = fit.params.copy()
    converged = fit.converged.copy()
    for i, c in enumerate(curves):
        if not converged[i]:
            params_fit[i], converged[i] = refit_scipy(c.dose, c.response, start[i], free=free)
    if not np.array_equal(params_fit, fit.params):
        fit = fit_loglogistic(x, y, mask, start=params_fit, free=free)
        converged |= fit.converged
    return fit, converged


def _too_few(curve: Curve, n_free: int) -> str:
    """Why the curve cannot be fitted at all (too few doses, nothing varies), or ``""``."""
    if curve.response.size and float(np.ptp(curve.response)) == 0.0:
        return "all responses are identical"
    distinct = len(np.unique(curve.dose))
    if distinct < n_free + 1 or len(curve.dose) <= n_free:
        return (f"only {distinct} distinct doses (vehicle included) and {len(curve.dose)} "
                f"points; a {n_free}-parameter curve needs at least {n_free + 1} doses")
    return ""


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    # scipy.special, not scipy.stats: the same t quantile and F tail (stdtrit = t.ppf,
    # fdtrc = f.sf), without the second scipy.stats costs to import on a first analysis.
    from scipy.special import fdtrc, stdtrit

    fixed = _fixed(params)
    n_free = 4 - len(fixed)
    curves, warnings = curves_from_table(table, params)
    dose_unit = table.unit("dose")
    normalised = params["normalize"] == "vehicle"
    resp_unit = "%" if normalised else table.unit("response")
    by_group: dict[str, dict[str, Any]] = {}
    to_fit: list[Curve] = []
    for c in curves:
        reason = _too_few(c, n_free)
        if reason:
            warnings.append(f"{c.group}: {reason}; not fitted")
            by_group[c.group] = null_result(c, dose_unit, resp_unit, reason)
        else:
            to_fit.append(c)
    plot_curves: list[dict[str, Any]] = [
        {"group": c.group, "dose": c.dose, "response": c.response, "params": None}
        for c in curves if c.group in by_group
    ]
    comparisons: list[dict[str, Any]] = []
    headline_cmp: list[str] = []
    method_cmp = ""
    if to_fit:
        fit, converged = _fit(to_fit, fixed)
        dof = np.maximum(fit.n - n_free, 1)
        q975 = stdtrit(dof, 0.975)
        with np.errstate(divide="ignore", invalid="ignore"):
            f_stat = ((fit.tss - fit.rss) / (n_free - 1)) / (fit.rss / dof)
        p_flat = fdtrc(n_free - 1, dof, np.where(np.isfinite(f_stat), f_stat, np.inf))
        usable = []
        for i, c in enumerate(to_fit):
            cf = CurveFit(fit, i, bool(converged[i]), n_free, float(q975[i]), float(p_flat[i]))
            row = estimates(c, cf, dose_unit, resp_unit, 0 in fixed, warnings)
            by_group[c.group] = row
            plot_curves.append({"group": c.group, "dose": c.dose, "response": c.response,
                                "params": fit.params[i] if row["converged"] else None})
            if row["ic50"]["value"] is not None:
                usable.append(i)
        if len(usable) <= MAX_COMPARED:
            comparisons, headline_cmp, method_cmp = compare_curves(
                to_fit, fit, usable, str(params.get("reference") or ""), dose_unit)
    results = [by_group[g] for g in sorted(by_group)] + comparisons
    headline = [_curve_headline(r) for r in results if r.get("kind") != "comparison"]
    label = "% of vehicle" if normalised else (
        f"response [{resp_unit}]" if resp_unit else "response (as measured)")
    return AnalysisResult(
        "ic50", _method(params, fixed, curves) + method_cmp, results, warnings,
        plot_data={"curves": sorted(plot_curves, key=lambda c: str(c["group"])),
                   "dose_unit": dose_unit, "response_unit": resp_unit, "response_label": label},
        headline=headline + headline_cmp,
    )


def _curve_headline(row: dict[str, Any]) -> str:
    group = row["group"]
    reason = str(row.get("reason") or "")
    text = estimate_sentence(f"IC50 {group} (relative)", row["ic50"], reason)
    if row["ic50"].get("value") is not None and (row.get("bottom") or {}).get("reason"):
        text += ", bottom plateau not defined by the data"
    if row["ic50"].get("value") is not None or row["ic50"].get("bound"):
        absolute = row["absolute_ic50"]
        text += "; " + estimate_sentence("absolute", absolute)
        if absolute.get("ci_reason"):
            text += f" (no CI: {absolute['ci_reason']})"
    return text


HOOK = Hook(
    name="ic50",
    summary="Dose–response curves: relative and absolute IC50 with 95 % CI, Hill slope, "
            "plateaus, curve comparison (4PL or 3PL).",
    inputs=(
        Column("dose", help="dose or concentration; 0 (or control=vehicle) for vehicle"),
        Column("response", help="measured response (absorbance, viability...)"),
        Column("group", optional=True, text=True, help="one curve per group"),
        Column("control", optional=True, text=True,
               help="the layout's control kind: vehicle, blank, positive (full kill)"),
    ),
    params=(
        Param("model", "4pl", type="choice", choices=("4pl", "3pl"),
              help="4pl, or 3pl with the bottom fixed"),
        Param("bottom", 0.0, help="the fixed bottom of the 3pl model, in response units"),
        Param("normalize", "none", type="choice", choices=("none", "vehicle"),
              help="vehicle: responses as % of vehicle, 0 % = full-kill control or no signal"),
        Param("blank", None, help="background subtracted from every response (default: the "
              "mean of the control=blank wells, if any)"),
        Param("constrain", "auto", type="choice", choices=("auto", "none", "top", "both"),
              help="hold top at 100 % (top), and bottom at 0 % (both); auto: top when "
                   "normalised"),
        Param("reference", "", type="text",
              help="the curve the others are compared with (default: the first group)"),
    ),
    analyse=_analyse,
    draw=draw_ic50,
    result_keys=("group", "ic50", "hill", "absolute_ic50", "top", "bottom", "r2", "n",
                 "doses", "converged", "reason"),
)
