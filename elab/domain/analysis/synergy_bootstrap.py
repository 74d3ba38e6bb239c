"""Uncertainty and extrapolation of the combination index.

A CI is a ratio of doses read off three fitted median-effect lines (drug A, drug B, the
mixture), so its uncertainty comes from all three.  A residual bootstrap redraws every line:
each point's log(fa/fu) is its fitted value plus a residual drawn with replacement from
that line's residuals, the line is refitted, and CI is recomputed; the 2.5th and 97.5th
percentiles of the draws are the 95 % interval.  The draws come from a seeded generator,
so the same data always give the same interval.  A line of fewer than three points has no
residual to resample and gives no interval.

A Dm or a Dx outside the doses that were tested is read off the line beyond its data: it is
reported, with a warning naming how far outside it lies.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["Lines", "bootstrap_ci", "line_draws", "outside"]

Array = npt.NDArray[np.float64]
Lines = tuple[Array, Array]  # Dm and m per draw
_EPS = 1e-9


def line_draws(doses: Array, fa: Array, draws: int, rng: np.random.Generator) -> Lines | None:
    """Bootstrap draws of (Dm, m) of one median-effect line; None below three points."""
    use = (doses > 0) & (fa > _EPS) & (fa < 1 - _EPS) & np.isfinite(fa)
    x = np.log10(doses[use])
    with np.errstate(all="ignore"):
        y = np.log10(fa[use] / (1.0 - fa[use]))
    if x.size < 3 or np.ptp(x) == 0:
        return None
    dx = x - x.mean()
    sxx = float((dx * dx).sum())
    slope = float((dx * (y - y.mean())).sum() / sxx)
    fitted = y.mean() + slope * dx
    resid = y - fitted
    ystar = fitted[None, :] + resid[rng.integers(0, x.size, (draws, x.size))]
    slopes = (dx[None, :] * (ystar - ystar.mean(axis=1, keepdims=True))).sum(axis=1) / sxx
    intercepts = ystar.mean(axis=1) - slopes * x.mean()
    with np.errstate(all="ignore"):
        exponent = np.where(slopes != 0, -intercepts / slopes, np.nan)
        dm = np.where(np.abs(exponent) < 300, 10.0 ** np.clip(exponent, -300, 300), np.nan)
    return np.asarray(dm, dtype=float), np.asarray(slopes, dtype=float)


def _dose_for(lines: Lines, fa: float) -> Array:
    dm, m = lines
    with np.errstate(all="ignore"):
        return np.asarray(dm * (fa / (1.0 - fa)) ** (1.0 / m), dtype=float)


def bootstrap_ci(
    a: Lines | None, b: Lines | None, mix: Lines | None, ratio: float, levels: tuple[float, ...],
) -> dict[str, list[float | None]]:
    """95 % percentile interval of CI at each fa level (``[None, None]`` when not possible)."""
    out: dict[str, list[float | None]] = {}
    for level in levels:
        if a is None or b is None or mix is None:
            out[str(level)] = [None, None]
            continue
        d1 = _dose_for(mix, level)  # dose of A in the mixture; B is d1 / ratio
        with np.errstate(all="ignore"):
            ci = d1 / _dose_for(a, level) + (d1 / ratio) / _dose_for(b, level)
        good = ci[np.isfinite(ci)]
        if good.size < 0.9 * ci.size:
            out[str(level)] = [None, None]
            continue
        lo, hi = np.percentile(good, [2.5, 97.5])
        out[str(level)] = [float(lo), float(hi)]
    return out


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
