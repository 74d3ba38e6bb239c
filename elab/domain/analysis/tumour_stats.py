"""Tumour growth inhibition with its uncertainty, and the test between arms.

TGI at day t is ``(1 − (T_t − T_0) / (C_t − C_0)) × 100`` on mean volumes.  Its 95 % CI is
a percentile bootstrap over animals: the animals of each arm are redrawn with replacement
(seeded, so the interval is reproducible) and TGI recomputed from the redrawn arms' means.
Arms are compared at each day by Welch's t-test on ln volume: caliper volumes are roughly
log-normal and their spread grows with their size, which the log evens out.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.typing as npt

from .base import finite

__all__ = ["tgi", "tgi_ci", "welch_log"]

Array = npt.NDArray[np.float64]


def tgi(t0: float, tt: float, c0: float, ct: float) -> float | None:
    """TGI % from the four mean volumes; None when the control did not grow."""
    if ct == c0 or not all(math.isfinite(v) for v in (t0, tt, c0, ct)):
        return None
    return (1.0 - (tt - t0) / (ct - c0)) * 100.0


def tgi_ci(treated: Array, control: Array, day0: int, day: int, draws: int,
           rng: np.random.Generator) -> list[float | None]:
    """95 % bootstrap interval of TGI; ``treated``/``control`` are animals × days (NaN gaps)."""
    if len(treated) < 2 or len(control) < 2:
        return [None, None]
    t_idx = rng.integers(0, len(treated), (draws, len(treated)))
    c_idx = rng.integers(0, len(control), (draws, len(control)))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing draw is simply NaN
        t = treated[t_idx]  # draws × animals × days
        c = control[c_idx]
        t0, tt = np.nanmean(t[:, :, day0], axis=1), np.nanmean(t[:, :, day], axis=1)
        c0, ct = np.nanmean(c[:, :, day0], axis=1), np.nanmean(c[:, :, day], axis=1)
        values = (1.0 - (tt - t0) / (ct - c0)) * 100.0
    good = values[np.isfinite(values)]
    if good.size < 0.9 * draws:
        return [None, None]
    lo, hi = np.percentile(good, [2.5, 97.5])
    return [finite(float(lo)), finite(float(hi))]


def welch_log(treated: list[float], control: list[float]) -> float | None:
    """Two-sided p of Welch's t-test on ln volume; None below two animals or with V ≤ 0."""
    from scipy.stats import t as t_dist

    if len(treated) < 2 or len(control) < 2 or min(treated + control) <= 0:
        return None
    a, b = np.log(treated), np.log(control)
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    if va + vb == 0:
        return None
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    stat = (float(a.mean()) - float(b.mean())) / math.sqrt(va + vb)
    return finite(float(2 * t_dist.sf(abs(stat), df)))

