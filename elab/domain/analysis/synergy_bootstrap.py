"""Uncertainty and extrapolation of the combination index.

A CI is a ratio of doses read off three fitted median-effect lines (drug A, drug B, the
mixture), so its uncertainty comes from all three.  Each line is redrawn by a residual
bootstrap that resamples *modified* residuals, ``e_i / sqrt(1 − h_i)`` recentred on zero
(Davison & Hinkley 1997, §6.2–6.3, eq. 6.9): raw least-squares residuals are smaller than the
errors (their variance is σ²(1 − h_i)), and with 5 points and 2 parameters a bootstrap of raw
residuals covered 78 % instead of 95 %.  Even with modified residuals a percentile interval
treats the spread of 3–5 residuals as known, so the interval is the studentized one
(bootstrap-t; Efron & Tibshirani 1993, ch. 12; Davison & Hinkley §5.2): every redraw's
``(ln CI* − ln CI) / se*`` with ``se`` the delta-method standard error of ln CI from the three
lines' residual variances, and the interval ``ln CI − t*₀.₉₇₅·se … ln CI − t*₀.₀₂₅·se``.

A line needs :data:`MIN_POINTS` points for an interval: with 3 points there is one residual
degree of freedom, and neither the spread nor its bootstrap means anything.  The draws come
from a seeded generator, so the same data always give the same interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_POINTS", "LineDraws", "bootstrap_ci", "interval_reason", "line_draws",
           "outside"]

Array = npt.NDArray[np.float64]
MIN_POINTS = 4  # two residual degrees of freedom per line at least
_EPS = 1e-9
_LN10 = math.log(10.0)


@dataclass(frozen=True)
class LineDraws:
    """A median-effect line ``y = a + b·x`` (x = log10 D, y = log10 fa/fu) and its redraws.

    Index 0 of ``a``, ``b`` and ``s2`` is the fit to the data; the rest are bootstrap redraws.
    ``s2`` is the residual variance on n − 2 degrees of freedom.
    """

    a: Array
    b: Array
    s2: Array
    n: int
    xbar: float
    sxx: float

    def log_dose(self, fa: float) -> tuple[Array, Array]:
        """log10 Dx per draw and its delta-method variance (inverse prediction at fa)."""
        y = math.log10(fa / (1.0 - fa))
        with np.errstate(all="ignore"):
            x0 = (y - self.a) / self.b
            var = self.s2 / self.b**2 * (1.0 / self.n + (x0 - self.xbar) ** 2 / self.sxx)
        return np.asarray(x0, dtype=float), np.asarray(var, dtype=float)


def _fit(x: Array, y: Array) -> tuple[Array, Array, Array]:
    """Least-squares intercepts, slopes and residual variances of every row of ``y``."""
    dx = x - x.mean()
    slopes = (dx * (y - y.mean(axis=-1, keepdims=True))).sum(axis=-1) / float((dx * dx).sum())
    intercepts = y.mean(axis=-1) - slopes * x.mean()
    resid = y - intercepts[..., None] - slopes[..., None] * x
    return intercepts, slopes, (resid**2).sum(axis=-1) / (x.size - 2)


def line_draws(doses: Array, fa: Array, draws: int,
               rng: np.random.Generator) -> LineDraws | None:
    """The fit and ``draws`` redraws of one median-effect line; None below MIN_POINTS."""
    use = (doses > 0) & (fa > _EPS) & (fa < 1 - _EPS) & np.isfinite(fa)
    x = np.log10(doses[use])
    with np.errstate(all="ignore"):
        y = np.log10(fa[use] / (1.0 - fa[use]))
    if x.size < MIN_POINTS or np.ptp(x) == 0:
        return None
    a0, b0, s0 = _fit(x, y[None, :])
    fitted = a0[0] + b0[0] * x
    dx = x - x.mean()
    leverage = 1.0 / x.size + dx * dx / float((dx * dx).sum())
    modified = (y - fitted) / np.sqrt(1.0 - leverage)
    modified -= modified.mean()
    ystar = fitted[None, :] + modified[rng.integers(0, x.size, (draws, x.size))]
    a, b, s2 = _fit(x, ystar)
    return LineDraws(np.concatenate([a0, a]), np.concatenate([b0, b]),
                     np.concatenate([s0, s2]), int(x.size), float(x.mean()),
                     float((dx * dx).sum()))


def _ln_ci(a: LineDraws, b: LineDraws, mix: LineDraws, ratio: float,
           level: float) -> tuple[Array, Array]:
    """ln CI per draw and its delta-method standard error (independent lines)."""
    la, va = a.log_dose(level)
    lb, vb = b.log_dose(level)
    lm, vm = mix.log_dose(level)  # dose of A in the mixture; B is that / ratio
    with np.errstate(all="ignore"):
        part_a = 10.0 ** (lm - la)
        part_b = 10.0 ** (lm - lb) / ratio
        total = part_a + part_b
        w_a, w_b = part_a / total, part_b / total
        se = _LN10 * np.sqrt(vm + w_a**2 * va + w_b**2 * vb)
        return np.asarray(np.log(total), dtype=float), np.asarray(se, dtype=float)


def _studentized(ln_ci: Array, se: Array) -> list[float | None]:
    """The bootstrap-t interval from index 0 (the data) and the redraws."""
    est, se0 = float(ln_ci[0]), float(se[0])
    if not (math.isfinite(est) and math.isfinite(se0)):
        return [None, None]
    if se0 == 0.0:  # all three lines fit exactly: nothing to resample
        return [math.exp(est), math.exp(est)]
    with np.errstate(all="ignore"):
        t = (ln_ci[1:] - est) / se[1:]
    good = t[np.isfinite(t)]
    if good.size < 0.9 * t.size:
        return [None, None]
    low, high = np.percentile(good, [2.5, 97.5])
    with np.errstate(all="ignore"):
        return [math.exp(est - float(high) * se0), math.exp(est - float(low) * se0)]


def bootstrap_ci(
    a: LineDraws | None, b: LineDraws | None, mix: LineDraws | None, ratio: float,
    levels: tuple[float, ...],
) -> dict[str, list[float | None]]:
    """95 % studentized bootstrap interval of CI per fa level (``[None, None]`` if none)."""
    out: dict[str, list[float | None]] = {}
    for level in levels:
        if a is None or b is None or mix is None:
            out[str(level)] = [None, None]
            continue
        ln_ci, se = _ln_ci(a, b, mix, ratio, level)
        interval = _studentized(ln_ci, se)
        out[str(level)] = [v if v is not None and math.isfinite(v) else None
                           for v in interval]
        if None in out[str(level)]:
            out[str(level)] = [None, None]
    return out


def interval_reason(counts: dict[str, int]) -> str:
    """Why no interval: the lines (name → usable points) with fewer than MIN_POINTS."""
    short = [f"{name} ({n})" for name, n in counts.items() if n < MIN_POINTS]
    if not short:
        return ""
    return (f"fewer than {MIN_POINTS} points on the line of {', '.join(short)}: a line of "
            "3 points leaves 1 residual degree of freedom, too few to resample")


def outside(value: float, tested: list[float]) -> str:
    """``"above"``/``"below"`` when ``value`` lies beyond the tested doses, else ``""``."""
    positive = [d for d in tested if d > 0]
    if not positive or not math.isfinite(value):
        return "" if math.isfinite(value) else "above"
    if value > max(positive):
        return "above"
    if value < min(positive):
        return "below"
    return ""
