"""The ZIP (zero interaction potency) synergy score of a dose matrix (Yadav et al. 2015).

ZIP compares the *fitted* combination surface with the surface expected when the drugs do not
change each other's potency.  Each single drug is fitted by a four-parameter log-logistic
curve (fa against dose).  For every dose b of drug B, the row of drug A doses is fitted with
the curve of A started at B's fitted effect and rising to full effect,
``y = (yB + (a/m)^λ) / (1 + (a/m)^λ)`` (only m and λ free), and likewise every column; the
fitted combination effect is the mean of the two.  Without interaction that surface equals
``yA + yB − yA·yB``; δ is the difference, and the ZIP score is its mean over the combination
cells (in percentage points, as SynergyFinder reports it).
"""

from __future__ import annotations

import math

import numpy as np

from .logistic import fit_loglogistic, loglogistic, starting_values

__all__ = ["zip_deltas"]

Cell = tuple[float, float]


def _exp(value: float) -> float:
    """e**value, infinite instead of an OverflowError (a flat row drifts to m → ∞)."""
    return math.exp(value) if value < 700 else math.inf


def _curve(x: np.ndarray, params: np.ndarray) -> list[float]:
    """The fitted curve at ``x``; NaN where the fit ran off to an infinite midpoint."""
    b, t, le, h = (float(v) for v in params)
    if not all(math.isfinite(v) for v in (b, t, le, h)):
        return [math.nan] * len(x)
    return [float(v) for v in loglogistic(x, b, t, _exp(le), h)]


def _single(doses: list[float], fa: list[float]) -> list[float]:
    """Fitted single-drug effects at ``doses``; the observed ones where a fit is impossible."""
    x = np.array([doses], dtype=float)
    y = np.array([fa], dtype=float)
    if len(doses) >= 5:
        fit = fit_loglogistic(x, y)
        if fit.converged[0]:
            fitted = _curve(x[0], fit.params[0])
            if all(math.isfinite(v) for v in fitted):
                return fitted
    return list(fa)


def _conditional_fits(
    doses: list[float], baselines: list[float], rows: list[list[float]]
) -> list[list[float]]:
    """Fit each row (effects over ``doses``, dose 0 first) with top = baseline, bottom = 1."""
    x = np.tile(np.array(doses, dtype=float), (len(rows), 1))
    y = np.array(rows, dtype=float)
    mask = np.ones_like(y, dtype=bool)
    start = starting_values(x, y, mask)
    start[:, 0] = 1.0
    start[:, 1] = baselines
    fit = fit_loglogistic(x, y, mask, start=start, free=(2, 3))
    out = []
    for i in range(len(rows)):
        if fit.converged[i]:
            out.append(_curve(x[i], fit.params[i]))
        else:
            out.append([math.nan] * len(doses))
    return out


def zip_deltas(
    fa: dict[Cell, float], levels_a: list[float], levels_b: list[float]
) -> dict[Cell, float]:
    """δ = fitted combination effect − ZIP expectation, for every cell with both doses > 0."""
    ya = dict(zip(levels_a, _single(levels_a, [fa[(a, 0.0)] for a in levels_a]), strict=True))
    yb = dict(zip(levels_b, _single(levels_b, [fa[(0.0, b)] for b in levels_b]), strict=True))
    # Rows: drug A varies at a fixed dose of B (baseline = B's fitted effect), and vice versa.
    by_row = _conditional_fits(
        levels_a, [yb[b] for b in levels_b[1:]],
        [[yb[b]] + [fa[(a, b)] for a in levels_a[1:]] for b in levels_b[1:]],
    )
    by_col = _conditional_fits(
        levels_b, [ya[a] for a in levels_a[1:]],
        [[ya[a]] + [fa[(a, b)] for b in levels_b[1:]] for a in levels_a[1:]],
    )
    deltas: dict[Cell, float] = {}
    for j, b in enumerate(levels_b[1:]):
        for i, a in enumerate(levels_a[1:]):
            fitted = (by_row[j][i + 1] + by_col[i][j + 1]) / 2.0
            expected = ya[a] + yb[b] - ya[a] * yb[b]
            deltas[(a, b)] = fitted - expected
    return deltas
