"""The ``ic50`` hook: log-logistic dose–response fits, one curve per group.

What Prism's "log(inhibitor) vs. response" and R's ``drm(..., fct = LL.4())`` do, with the
warnings a reviewer would raise: too few doses, no convergence, an IC50 outside the tested
range, a curve that is not significantly different from a flat line.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from .base import AnalysisResult, Column, Hook, Param, finite, qty
from .logistic import BatchFit, fit_loglogistic, loglogistic, refit_scipy, starting_values
from .table import Table

__all__ = ["HOOK"]

_METHOD_4PL = (
    "Four-parameter log-logistic model f(x) = bottom + (top − bottom) / (1 + (x/IC50)^hill) "
    "fitted by least squares (Levenberg–Marquardt on ln IC50, as drc's LL.4); 95 % CI of IC50 "
    "from the asymptotic standard error of ln IC50 and Student's t with n − 4 df."
)
_METHOD_3PL = (
    "Three-parameter log-logistic model f(x) = bottom + (top − bottom) / (1 + (x/IC50)^hill) "
    "with bottom fixed at {bottom:g}, fitted by least squares (Levenberg–Marquardt on ln IC50, "
    "as drc's LL.3); 95 % CI of IC50 from the asymptotic standard error of ln IC50 and "
    "Student's t with n − 3 df."
)


def _exp(value: float) -> float:
    """e**value, infinite rather than an OverflowError (a flat curve drifts to IC50 → ∞)."""
    return math.exp(value) if value < 700 else math.inf


def _groups(table: Table) -> dict[str, list[int]]:
    labels = table.text("group") if table.has("group") else ["all"] * len(table)
    out: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(labels):
        out[g or "all"].append(i)
    return dict(sorted(out.items()))


def _normalise(dose: np.ndarray, resp: np.ndarray, group: str) -> np.ndarray:
    from elab.errors import InputError

    vehicle = resp[(dose == 0) & np.isfinite(resp)]
    if vehicle.size == 0:
        raise InputError(f"normalize=vehicle needs rows with dose 0 (vehicle) in group {group!r}")
    mean = float(vehicle.mean())
    if mean == 0:
        raise InputError(f"the vehicle response of group {group!r} is 0; cannot normalise to it")
    return np.asarray(100.0 * resp / mean, dtype=float)


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    model = params["model"]
    fixed = float(params["bottom"]) if model == "3pl" else None
    n_par = 3 if fixed is not None else 4
    dose_all = np.asarray(table.numbers("dose"))
    resp_all = np.asarray(table.numbers("response"))
    dose_unit = table.unit("dose")
    resp_unit = "%" if params["normalize"] == "vehicle" else table.unit("response")
    groups = _groups(table)
    warnings: list[str] = []
    curves: list[tuple[str, np.ndarray, np.ndarray]] = []
    for name, rows in groups.items():
        dose, resp = dose_all[rows], resp_all[rows]
        keep = np.isfinite(dose) & np.isfinite(resp)
        if (~keep).any():
            warnings.append(f"{name}: {int((~keep).sum())} rows without dose or response left out")
        dose, resp = dose[keep], resp[keep]
        if (dose < 0).any():
            from elab.errors import InputError

            raise InputError(f"group {name!r} has a negative dose")
        if params["normalize"] == "vehicle":
            resp = _normalise(dose, resp, name)
        order = np.lexsort((resp, dose))  # row order must not change the answer
        curves.append((name, dose[order], resp[order]))

    for name, d, _ in curves:
        if len(d) <= n_par:
            warnings.append(f"{name}: {len(d)} points cannot fit a {n_par}-parameter curve; "
                            "not fitted")
    fitted = [c for c in curves if len(c[1]) > n_par]
    results: list[dict[str, Any]] = [
        {"group": name, "ic50": {**qty(None, dose_unit), "ci95": [None, None]}, "hill": None,
         "top": None, "bottom": None, "r2": None, "n": len(d)}
        for name, d, _ in curves if len(d) <= n_par
    ]
    plot_curves: list[dict[str, Any]] = []
    if fitted:
        _fit_all(fitted, fixed, n_par, dose_unit, resp_unit, warnings, results, plot_curves)
    results.sort(key=lambda r: str(r["group"]))
    method = _METHOD_4PL if fixed is None else _METHOD_3PL.format(bottom=fixed)
    if params["normalize"] == "vehicle":
        method += " Responses are % of the mean vehicle (dose 0) response of their group."
    return AnalysisResult(
        "ic50", method, results, warnings,
        plot_data={"curves": plot_curves, "dose_unit": dose_unit, "response_unit": resp_unit},
    )


def _fit_all(
    curves: list[tuple[str, np.ndarray, np.ndarray]], fixed: float | None, n_par: int,
    dose_unit: str, resp_unit: str, warnings: list[str], results: list[dict[str, Any]],
    plot_curves: list[dict[str, Any]],
) -> None:
    """Fit every curve with enough points in one batch and append their results."""
    from scipy.stats import f as f_dist
    from scipy.stats import t as t_dist

    width = max(len(c[1]) for c in curves)
    x = np.ones((len(curves), width))
    y = np.zeros((len(curves), width))
    mask = np.zeros((len(curves), width), dtype=bool)
    for i, (_, d, r) in enumerate(curves):
        x[i, : len(d)], y[i, : len(r)], mask[i, : len(d)] = d, r, True
    fit = fit_loglogistic(x, y, mask, fixed_bottom=fixed)
    params_fit = fit.params.copy()
    converged = fit.converged.copy()
    for i, (_, d, r) in enumerate(curves):
        if not converged[i] and len(d) > n_par:
            start = starting_values(x[i : i + 1], y[i : i + 1], mask[i : i + 1], fixed)[0]
            params_fit[i], converged[i] = refit_scipy(d, r, start, fixed)
    if not np.array_equal(params_fit, fit.params):
        fit = fit_loglogistic(x, y, mask, fixed_bottom=fixed, start=params_fit)
        converged |= fit.converged

    # Distribution quantiles for all curves at once: scipy's per-call overhead dominates.
    dof = np.maximum(fit.n - n_par, 1)
    q975 = t_dist.ppf(0.975, dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_stat = ((fit.tss - fit.rss) / (n_par - 1)) / (fit.rss / dof)
    p_flat = f_dist.sf(np.where(np.isfinite(f_stat), f_stat, np.inf), n_par - 1, dof)
    for i, (name, d, r) in enumerate(curves):
        results.append(
            _one_result(name, d, r, fit, i, bool(converged[i]), n_par, dose_unit, resp_unit,
                        warnings, float(q975[i]), float(p_flat[i]))
        )
        plot_curves.append({"group": name, "dose": d, "response": r, "params": fit.params[i]})


def _one_result(
    name: str, d: np.ndarray, r: np.ndarray, fit: BatchFit, i: int, converged: bool, n_par: int,
    dose_unit: str, resp_unit: str, warnings: list[str], q975: float, p_flat: float,
) -> dict[str, Any]:
    n = len(d)
    distinct = len(np.unique(d))
    bottom, top, le, hill = (float(v) for v in fit.params[i])
    if distinct < n_par + 1:
        warnings.append(
            f"{name}: only {distinct} distinct doses; a {n_par}-parameter fit needs at least "
            f"{n_par + 1} for a trustworthy estimate"
        )
    if not converged:
        warnings.append(f"{name}: the fit did not converge; estimates are unreliable")
    ic50 = _exp(le)
    dof = n - n_par
    se_le = float(fit.se(2)[i])
    ci: list[float | None] = [None, None]
    if dof > 0 and math.isfinite(se_le):
        ci = [finite(_exp(le - q975 * se_le)), finite(_exp(le + q975 * se_le))]
    positive = d[d > 0]  # the tested (non-vehicle) doses
    if positive.size and not (positive.min() <= ic50 <= positive.max()):
        warnings.append(
            f"{name}: IC50 {ic50:.4g} {dose_unit} lies outside the tested doses "
            f"({positive.min():.4g}–{positive.max():.4g} {dose_unit}); it is an extrapolation"
        )
    rss, tss = float(fit.rss[i]), float(fit.tss[i])
    r2 = 1.0 - rss / tss if tss > 0 else None
    # Extra-sum-of-squares F test of the curve against a horizontal line (mean response).
    flat = tss <= 0 or (rss > 0 and p_flat > 0.05)
    if flat:
        warnings.append(
            f"{name}: the curve is not significantly different from a flat line (F test, "
            "p > 0.05); no IC50 can be claimed"
        )
    return {
        "group": name,
        "ic50": {**qty(ic50, dose_unit), "ci95": ci},
        "hill": finite(hill),
        "top": qty(top, resp_unit),
        "bottom": qty(bottom, resp_unit),
        "r2": finite(r2),
        "n": n,
        "doses": distinct,
        "converged": converged,
    }


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    data = result.plot_data or {"curves": []}

    def paint(ax: Any) -> None:
        for c in data["curves"]:
            d, r, p = c["dose"], c["response"], c["params"]
            pos = d > 0
            pts = ax.scatter(d[pos], r[pos], s=12, label=c["group"])
            if pos.any():
                grid = np.geomspace(d[pos].min() / 2, d[pos].max() * 2, 200)
                ax.plot(grid, loglogistic(grid, p[0], p[1], _exp(p[2]), p[3]),
                        color=pts.get_facecolor()[0])
        ax.set_xscale("log")
        ax.set_xlabel(f"dose [{data.get('dose_unit') or '1'}]")
        ax.set_ylabel(f"response [{data.get('response_unit') or '1'}]")
        ax.legend(fontsize="small")

    return figure_png(paint, title="Dose–response")


HOOK = Hook(
    name="ic50",
    summary="Dose–response curves: IC50 with 95 % CI, Hill slope, top, bottom (4PL or 3PL).",
    inputs=(
        Column("dose", help="dose or concentration; 0 for vehicle"),
        Column("response", help="measured response (absorbance, viability...)"),
        Column("group", optional=True, text=True, help="one curve per group"),
    ),
    params=(
        Param("model", "4pl", type="choice", choices=("4pl", "3pl"),
              help="4pl, or 3pl with the bottom fixed"),
        Param("bottom", 0.0, help="the fixed bottom of the 3pl model, in response units"),
        Param("normalize", "none", type="choice", choices=("none", "vehicle"),
              help="vehicle: responses as % of the mean dose-0 response"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("group", "ic50", "hill", "top", "bottom", "r2", "n"),
)
