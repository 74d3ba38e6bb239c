"""Chou's median-effect equation and the reference models of drug interaction.

Median effect (Chou 1976; Chou & Talalay 1984): ``fa / fu = (D / Dm)^m``, linear as
``log(fa/fu) = m·log D − m·log Dm``; ``r`` is the linear correlation of that plot, the
conformity check CompuSyn prints.  The dose for an effect ``fa`` is
``Dx = Dm · (fa / (1 − fa))^(1/m)`` and the combination index of doses (d1, d2) that give
``fa`` together is ``CI = d1/Dx1 + d2/Dx2`` (< 1 synergy, 1 additive, > 1 antagonism).

Matrix scores (as SynergyFinder reports them, in percentage points of fa): Bliss excess
``fa12 − (fa1 + fa2 − fa1·fa2)``, HSA excess ``fa12 − max(fa1, fa2)``, Loewe excess
``fa12 − y`` where y solves ``d1/Dx1(y) + d2/Dx2(y) = 1`` on the median-effect fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["MedianEffect", "ci_of", "dm_from_line", "fit_median_effect", "loewe_expected"]

_EPS = 1e-9


@dataclass(frozen=True)
class MedianEffect:
    """A median-effect fit: Dm (dose for fa = 0.5), slope m, correlation r, points used."""

    dm: float
    m: float
    r: float
    n: int

    def dose_for(self, fa: float) -> float:
        """Dx: the dose that gives effect ``fa`` alone."""
        if not 0.0 < fa < 1.0 or not math.isfinite(self.dm) or self.m == 0:
            return math.nan
        try:
            return float(self.dm * (fa / (1.0 - fa)) ** (1.0 / self.m))
        except OverflowError:
            return math.inf

    def effect_at(self, dose: float) -> float:
        """fa predicted for ``dose``."""
        if dose <= 0 or not math.isfinite(self.dm):
            return 0.0
        try:
            ratio = (dose / self.dm) ** self.m
        except OverflowError:
            return 1.0 if (dose > self.dm) == (self.m > 0) else 0.0
        return float(ratio / (1.0 + ratio)) if math.isfinite(ratio) else 1.0


def fit_median_effect(doses: np.ndarray, fa: np.ndarray) -> MedianEffect:
    """Least-squares line through (log D, log fa/fu) for points with 0 < fa < 1 and D > 0."""
    use = (doses > 0) & (fa > _EPS) & (fa < 1 - _EPS) & np.isfinite(fa)
    x = np.log10(doses[use])
    y = np.log10(fa[use] / (1.0 - fa[use]))
    n = int(use.sum())
    if n < 2 or np.ptp(x) == 0:
        return MedianEffect(math.nan, math.nan, math.nan, n)
    slope, intercept = _line(x, y)
    with np.errstate(all="ignore"):
        r = float(np.corrcoef(x, y)[0, 1]) if n > 2 or np.ptp(y) > 0 else 1.0
    if not math.isfinite(r):
        r = math.nan
    return MedianEffect(dm_from_line(slope, intercept), slope, r, n)


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept (closed form: no polyfit RankWarning)."""
    dx = x - x.mean()
    slope = float((dx * (y - y.mean())).sum() / (dx * dx).sum())
    return slope, float(y.mean() - slope * x.mean())


def dm_from_line(slope: float, intercept: float) -> float:
    """Dm = 10^(−intercept/slope); NaN for a flat line or a Dm beyond floating point."""
    if slope == 0 or not math.isfinite(slope):
        return math.nan
    exponent = -intercept / slope
    return float(10**exponent) if abs(exponent) < 300 else math.nan


def ci_of(d1: float, d2: float, fa: float, a: MedianEffect, b: MedianEffect) -> float:
    """Combination index of doses (d1, d2) observed to give ``fa`` (mutually exclusive form)."""
    dx1, dx2 = a.dose_for(fa), b.dose_for(fa)
    if not (math.isfinite(dx1) and math.isfinite(dx2)) or dx1 <= 0 or dx2 <= 0:
        return math.nan
    return d1 / dx1 + d2 / dx2


def loewe_expected(d1: float, d2: float, a: MedianEffect, b: MedianEffect) -> float:
    """The effect Loewe additivity predicts for (d1, d2): the y with d1/Dx1 + d2/Dx2 = 1."""
    from scipy.optimize import brentq

    if not all(math.isfinite(v) for v in (a.dm, a.m, b.dm, b.m)) or a.m <= 0 or b.m <= 0:
        return math.nan
    if d1 <= 0:
        return b.effect_at(d2)
    if d2 <= 0:
        return a.effect_at(d1)

    def excess(y: float) -> float:
        dx1, dx2 = a.dose_for(y), b.dose_for(y)
        if dx1 <= 0 or dx2 <= 0 or not (math.isfinite(dx1) and math.isfinite(dx2)):
            return math.inf if min(dx1, dx2) <= 0 else -1.0
        return d1 / dx1 + d2 / dx2 - 1.0

    lo, hi = 1e-12, 1 - 1e-12
    if excess(lo) <= 0:
        return lo
    if excess(hi) >= 0:
        return hi
    return float(brentq(excess, lo, hi, xtol=1e-14))
