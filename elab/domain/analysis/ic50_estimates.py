"""Relative and absolute IC50 of one fitted curve, or an honest null with its reason.

GraphPad's curve-fitting guide names the two: the *relative* IC50 is the fitted midpoint,
halfway between the curve's own top and bottom plateaus; the *absolute* IC50 is the dose
whose response is halfway between the 100 % control (vehicle) and the 0 % level (blank or
full-kill control).  They differ whenever the curve does not fall to 0 %, and the absolute
one does not exist when the curve never reaches 50 % of control.  A value found only by
extending the curve beyond the tested doses is not reported: it is null with a bound
(``> 30 uM``) and a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import finite, qty
from .headline import number_text
from .ic50_data import Curve
from .logistic import BatchFit

__all__ = ["CurveFit", "estimates", "null_result"]

PLATEAU_SUPPORT = 0.25  # a fixed bottom more than 25 % of the span below the data is assumed
FLAT_P = 0.05


@dataclass(frozen=True)
class CurveFit:
    """One row of a batch fit with what the estimates need beside it."""

    fit: BatchFit
    row: int
    converged: bool
    n_free: int
    q975: float
    p_flat: float


def _exp(value: float) -> float:
    return math.exp(value) if value < 700 else math.inf


def null_result(curve: Curve, unit: str, resp_unit: str, reason: str) -> dict[str, Any]:
    """A curve that cannot give an IC50: every estimate null, the reason said."""
    return {
        "group": curve.group,
        "ic50": {**qty(None, unit), "ci95": [None, None]},
        "absolute_ic50": {**qty(None, unit), "ci95": [None, None]},
        "hill": None,
        "top": qty(None, resp_unit),
        "bottom": qty(None, resp_unit),
        "r2": None,
        "n": len(curve.dose),
        "doses": len(np.unique(curve.dose)),
        "converged": False,
        "reason": reason,
    }


def _tested(curve: Curve) -> tuple[float, float]:
    pos = curve.dose[curve.dose > 0]
    return (float(pos.min()), float(pos.max())) if pos.size else (math.nan, math.nan)


def _bounded(
    value: float, ci: list[float | None], lo: float, hi: float, unit: str
) -> tuple[dict[str, Any], str]:
    """The estimate, or null with ``> hi``/``< lo`` when it lies beyond the tested doses."""
    if math.isfinite(lo) and value > hi:
        bound = f"> {number_text(hi)} {unit}".rstrip()
        return {**qty(None, unit), "ci95": [None, None], "bound": bound}, "above"
    if math.isfinite(lo) and value < lo:
        bound = f"< {number_text(lo)} {unit}".rstrip()
        return {**qty(None, unit), "ci95": [None, None], "bound": bound}, "below"
    return {**qty(value, unit), "ci95": ci}, ""


def _absolute_ln(theta: np.ndarray, level: float | None, zero: float) -> float:
    """ln of the dose where the curve crosses ``level`` (NaN when it never does)."""
    b, t, le, h = (float(v) for v in theta)
    target = level if level is not None else zero + 0.5 * (t - zero)
    if not (min(b, t) < target < max(b, t)) or h == 0:
        return math.nan
    ratio = (t - b) / (target - b) - 1.0
    return le + math.log(ratio) / h if ratio > 0 else math.nan


def _absolute_ci(cf: CurveFit, level: float | None, zero: float, ln_x: float) -> list[float | None]:
    """Delta-method 95 % CI of ln(absolute IC50) from the fit's covariance."""
    theta = cf.fit.params[cf.row].astype(float)
    cov = cf.fit.cov[cf.row]
    free = cf.fit.free
    grad = np.zeros(len(free))
    for j, k in enumerate(free):
        step = 1e-6 * max(abs(theta[k]), 1e-3)
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        grad[j] = (_absolute_ln(up, level, zero) - _absolute_ln(down, level, zero)) / (2 * step)
    var = float(grad @ cov @ grad)
    if not (math.isfinite(var) and var >= 0):
        return [None, None]
    se = math.sqrt(var)
    return [finite(_exp(ln_x - cf.q975 * se)), finite(_exp(ln_x + cf.q975 * se))]


def _reaches(curve: Curve, level: float, falling: bool) -> bool:
    """Whether any tested dose's mean response is at or beyond ``level``."""
    for d in np.unique(curve.dose[curve.dose > 0]):
        m = float(curve.response[curve.dose == d].mean())
        if (falling and m <= level) or (not falling and m >= level):
            return True
    return False


def estimates(
    curve: Curve, cf: CurveFit, unit: str, resp_unit: str, fixed_bottom: bool,
    warnings: list[str],
) -> dict[str, Any]:
    """The result row of one fitted curve, appending the warnings a reviewer would raise."""
    name = curve.group
    fit, i = cf.fit, cf.row
    rss, tss = float(fit.rss[i]), float(fit.tss[i])
    if tss <= 0:
        warnings.append(f"{name}: all responses are identical; no IC50 can be estimated")
        return null_result(curve, unit, resp_unit, "all responses are identical")
    if rss > 0 and cf.p_flat > FLAT_P:
        reason = (f"not significantly different from a flat line (F test, p = "
                  f"{cf.p_flat:.2g} > {FLAT_P})")
        warnings.append(f"{name}: the curve is {reason}; no IC50 can be claimed")
        return null_result(curve, unit, resp_unit, reason)
    if not cf.converged:
        warnings.append(f"{name}: the fit did not converge; no IC50 is reported")
        return null_result(curve, unit, resp_unit, "the fit did not converge")
    bottom, top, le, hill = (float(v) for v in fit.params[i])
    lo, hi = _tested(curve)
    se_le = float(fit.se(2)[i])
    ci: list[float | None] = [None, None]
    if math.isfinite(se_le):
        ci = [finite(_exp(le - cf.q975 * se_le)), finite(_exp(le + cf.q975 * se_le))]
    relative, side = _bounded(_exp(le), ci, lo, hi, unit)
    if side:
        warnings.append(
            f"{name}: the fitted midpoint (relative IC50) lies outside the tested doses "
            f"({number_text(lo)}–{number_text(hi)} {unit}); reported as {relative['bound']}"
        )
    absolute = _absolute(curve, cf, lo, hi, unit, warnings)
    plateau = "" if fixed_bottom or side == "above" else _bottom_undefined(curve, bottom, top)
    if plateau:
        warnings.append(
            f"{name}: the bottom plateau is not defined by the data ({plateau}); the fitted "
            f"bottom {number_text(bottom)} is extrapolated and the relative IC50, its midpoint, "
            "rests on it (GraphPad: incomplete curve); test higher doses or constrain the "
            "bottom (model=3pl with bottom=, or normalize=vehicle constrain=both)"
        )
    result = {
        "group": name,
        "ic50": relative,
        "absolute_ic50": absolute,
        "hill": finite(hill),
        "top": qty(top, resp_unit),
        "bottom": qty(None if side == "above" or plateau else bottom, resp_unit)
        | ({"reason": f"not defined by the data: {plateau}"} if plateau else {}),
        "r2": finite(1.0 - rss / tss),
        "n": len(curve.dose),
        "doses": len(np.unique(curve.dose)),
        "converged": True,
    }
    if side == "above":
        warnings.append(f"{name}: the bottom plateau is not defined by the tested doses; "
                        "bottom is not reported")
    if fixed_bottom:
        _check_fixed_bottom(curve, bottom, top, warnings)
    return result


def _absolute(
    curve: Curve, cf: CurveFit, lo: float, hi: float, unit: str, warnings: list[str]
) -> dict[str, Any]:
    name = curve.group
    bottom, top = (float(v) for v in cf.fit.params[cf.row][:2])
    level = None if curve.control is None else curve.zero + 0.5 * (curve.control - curve.zero)
    shown_level = level if level is not None else curve.zero + 0.5 * (top - curve.zero)
    falling = top > bottom
    theta = cf.fit.params[cf.row].astype(float)
    ln_x = _absolute_ln(theta, level, curve.zero)
    if not _reaches(curve, shown_level, falling) or not math.isfinite(ln_x):
        bound = f"> {number_text(hi)} {unit}".rstrip() if math.isfinite(hi) else "not reached"
        warnings.append(
            f"{name}: 50 % of control (response {number_text(shown_level)}) is not reached "
            f"at any tested dose; absolute IC50 {bound}"
        )
        return {**qty(None, unit), "ci95": [None, None], "bound": bound}
    value, side = _bounded(_exp(ln_x), _absolute_ci(cf, level, curve.zero, ln_x), lo, hi, unit)
    if side:
        warnings.append(f"{name}: the absolute IC50 lies outside the tested doses; reported as "
                        f"{value['bound']}")
    elif None in value["ci95"]:
        value["ci_reason"] = ("the fit's covariance gives no finite standard error (a plateau "
                              "or the midpoint is not determined by the data)")
        warnings.append(f"{name}: absolute IC50 {number_text(value['value'])} {unit} has no 95 % "
                        f"CI: {value['ci_reason']}".replace("  ", " "))
    return value


def _bottom_undefined(curve: Curve, bottom: float, top: float) -> str:
    """Why the free bottom plateau is not defined by the data, or "" when it is.

    GraphPad's guide to incomplete curves: when no tested dose comes near the plateau the
    fit extrapolates it.  The response of the dose nearest the bottom (the lowest mean of a
    falling curve, the highest of a rising one) must lie within ``PLATEAU_SUPPORT`` of the
    span from the fitted bottom.
    """
    pos = curve.dose > 0
    span = abs(top - bottom)
    if not pos.any() or span <= 0:
        return ""
    means = [float(curve.response[curve.dose == d].mean()) for d in np.unique(curve.dose[pos])]
    nearest = min(means) if top > bottom else max(means)
    gap = abs(nearest - bottom)
    if gap <= PLATEAU_SUPPORT * span:
        return ""
    return (f"the response nearest it is {number_text(nearest)}, {gap / span:.0%} of the span "
            f"away; at most {PLATEAU_SUPPORT:.0%} is accepted")


def _check_fixed_bottom(curve: Curve, bottom: float, top: float, warnings: list[str]) -> None:
    """A fixed bottom far below every tested dose's response is an assumption, say so."""
    pos = curve.dose > 0
    if not pos.any():
        return
    lowest = min(float(curve.response[curve.dose == d].mean()) for d in np.unique(
        curve.dose[pos]))
    span = abs(top - bottom)
    if span > 0 and abs(lowest - bottom) > PLATEAU_SUPPORT * span:
        warnings.append(
            f"{curve.group}: the bottom is fixed at {number_text(bottom)} but the lowest mean "
            f"response is {number_text(lowest)}, more than {PLATEAU_SUPPORT:.0%} of the span "
            "away; the IC50 rests on an assumed plateau"
        )
