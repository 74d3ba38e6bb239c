"""Log-logistic dose–response fits, many curves at once.

Model (the drc package's LL.4, also Prism's "log(inhibitor) vs. response, variable slope")::

    f(x) = bottom + (top - bottom) / (1 + exp(hill * (ln x - ln IC50)))

``top`` is the response at dose 0, ``bottom`` at infinite dose, and ``hill`` is positive for a
falling curve (drc's ``b``).  The fit works on ``ln IC50`` so that IC50 stays positive and its
confidence interval is asymmetric as it should be; dose 0 enters as it is (f(0) = top).

Why a hand-written Levenberg–Marquardt: a plate reader run has dozens of curves, a screen
thousands, and a per-curve optimiser spends its time in Python overhead, not arithmetic.
Here every curve is one row of an array; each iteration evaluates the model, its analytic
Jacobian and a damped Gauss–Newton step for all curves together, and each curve keeps its
own damping and stops on its own.  Starting values come from the data (the plateaus at the
lowest and highest dose, and a logit regression for slope and midpoint), so most curves
converge in a handful of steps.  A curve the batch cannot settle is refitted by
``scipy.optimize.least_squares`` from the same start (:func:`refit_scipy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["BatchFit", "fit_loglogistic", "loglogistic", "refit_scipy", "starting_values"]

Array = npt.NDArray[np.float64]

_MAX_ITER = 200
_STEP_TOL = 1e-10
_RSS_TOL = 1e-14


def loglogistic(x: Array, bottom: Any, top: Any, ic50: Any, hill: Any) -> Array:
    """The 4PL curve at doses ``x`` (dose 0 gives ``top`` for a positive hill)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lx = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), -np.inf)
        z = np.asarray(hill) * (lx - np.log(ic50))
        s = 0.5 * (1.0 - np.tanh(0.5 * z))  # 1 / (1 + exp(z)) without overflow
    return np.asarray(bottom + (top - bottom) * s, dtype=float)


@dataclass(frozen=True)
class BatchFit:
    """Fitted parameters of C curves: ``params[:, k]`` is bottom, top, ln IC50, hill."""

    params: Array
    cov: Array  # (C, P, P) covariance of the free parameters
    free: tuple[int, ...]  # which of the 4 parameters were fitted
    rss: Array
    tss: Array
    n: npt.NDArray[np.int64]
    converged: npt.NDArray[np.bool_]
    iterations: npt.NDArray[np.int64]

    @property
    def ic50(self) -> Array:
        return np.asarray(np.exp(self.params[:, 2]), dtype=float)

    def se(self, k: int) -> Array:
        """Standard error of parameter ``k`` (NaN when fixed or not estimable)."""
        if k not in self.free:
            return np.full(len(self.rss), np.nan)
        j = self.free.index(k)
        with np.errstate(invalid="ignore"):
            return np.asarray(np.sqrt(self.cov[:, j, j]), dtype=float)


def _model_and_jacobian(
    lx: Array, theta: Array, free: tuple[int, ...]
) -> tuple[Array, Array]:
    b, t, le, h = (theta[:, k : k + 1] for k in range(4))
    with np.errstate(invalid="ignore", over="ignore"):
        u = lx - le  # -inf at dose 0
        s = 0.5 * (1.0 - np.tanh(0.5 * h * u))
        f = b + (t - b) * s
        ds = s * (1.0 - s)
        cols = {
            0: 1.0 - s,
            1: s,
            2: (t - b) * ds * h,
            3: np.where(ds > 0, -(t - b) * ds * u, 0.0),
        }
    jac = np.stack([np.broadcast_to(cols[k], f.shape) for k in free], axis=-1)
    return f, jac


def starting_values(
    x: Array, y: Array, mask: npt.NDArray[np.bool_], fixed_bottom: float | None = None
) -> Array:
    """Data-driven starts: plateaus at the extreme doses, slope and midpoint from a logit fit."""
    big = np.inf
    xm_lo = np.where(mask, x, big).min(axis=1, keepdims=True)
    xm_hi = np.where(mask, x, -big).max(axis=1, keepdims=True)
    at_lo = mask & (x == xm_lo)
    at_hi = mask & (x == xm_hi)
    top = (y * at_lo).sum(axis=1) / np.maximum(at_lo.sum(axis=1), 1)
    bottom = (y * at_hi).sum(axis=1) / np.maximum(at_hi.sum(axis=1), 1)
    if fixed_bottom is not None:
        bottom = np.full_like(top, fixed_bottom)
    span = top - bottom
    tiny = 1e-12 * (np.abs(top) + np.abs(bottom) + 1.0)
    span = np.where(np.abs(span) < tiny, tiny, span)
    p = np.clip((y - bottom[:, None]) / span[:, None], 0.02, 0.98)
    pos = mask & (x > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(pos, np.log(np.where(pos, x, 1.0)), 0.0)
        logit = np.log(p / (1.0 - p))  # = -hill * (lx - le)
        w = pos.astype(float)
        sw = np.maximum(w.sum(axis=1), 1.0)
        mx = (w * lx).sum(axis=1) / sw
        my = (w * logit).sum(axis=1) / sw
        sxx = (w * (lx - mx[:, None]) ** 2).sum(axis=1)
        sxy = (w * (lx - mx[:, None]) * (logit - my[:, None])).sum(axis=1)
        slope = np.where(sxx > 0, sxy / sxx, 0.0)
        hill = -slope
        le = np.where(np.abs(hill) > 1e-9, mx + my / np.where(hill == 0, 1.0, hill), mx)
    bad = ~np.isfinite(hill) | (hill < 0.2)
    hill = np.where(bad, 1.0, np.minimum(hill, 10.0))
    lo = np.where(pos, lx, np.inf).min(axis=1)
    hi = np.where(pos, lx, -np.inf).max(axis=1)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi), hi, 0.0)
    le = np.where(bad | ~np.isfinite(le), mx, np.clip(le, lo - 2.0, hi + 2.0))
    return np.stack([bottom, top, le, hill], axis=1)


def _solve(a: Array, g: Array) -> Array:
    try:
        return np.asarray(np.linalg.solve(a, g[..., None])[..., 0], dtype=float)
    except np.linalg.LinAlgError:
        return np.asarray(np.einsum("cij,cj->ci", np.linalg.pinv(a), g), dtype=float)


def fit_loglogistic(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    mask: npt.ArrayLike | None = None,
    fixed_bottom: float | None = None,
    start: Array | None = None,
    free: tuple[int, ...] | None = None,
) -> BatchFit:
    """Fit C curves given as (C, N) arrays; ``mask`` marks real points (ragged curves).

    With ``fixed_bottom`` the bottom plateau is held at that value (3PL).  ``free`` names the
    parameters to fit (0 bottom, 1 top, 2 ln IC50, 3 hill); the others keep their values
    in ``start`` (per curve), which is how ZIP holds both plateaus of its row fits.
    """
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    ya = np.atleast_2d(np.asarray(y, dtype=float))
    xa = np.broadcast_to(xa, ya.shape)
    m = np.isfinite(ya) & np.isfinite(xa) & (xa >= 0)
    if mask is not None:
        m &= np.broadcast_to(np.asarray(mask, dtype=bool), ya.shape)
    ya = np.where(m, ya, 0.0)
    xa = np.where(m, xa, 1.0)
    w = m.astype(float)
    if free is None:
        free = (1, 2, 3) if fixed_bottom is not None else (0, 1, 2, 3)
    theta = starting_values(xa, ya, m, fixed_bottom) if start is None else start.copy()
    with np.errstate(divide="ignore"):
        lx = np.where(xa > 0, np.log(np.where(xa > 0, xa, 1.0)), -np.inf)

    f, jac = _model_and_jacobian(lx, theta, free)
    r = (f - ya) * w
    rss = (r * r).sum(axis=1)
    jac = jac * w[..., None]
    lam = np.full(len(rss), 1e-3)
    active = np.ones(len(rss), dtype=bool)
    converged = np.zeros(len(rss), dtype=bool)
    iters = np.zeros(len(rss), dtype=np.int64)
    eye = np.eye(len(free))
    for _ in range(_MAX_ITER):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        jj, rr = jac[idx], r[idx]
        a = np.einsum("cni,cnj->cij", jj, jj)
        g = -np.einsum("cni,cn->ci", jj, rr)
        diag = np.einsum("cii->ci", a)
        damp = lam[idx, None] * np.maximum(diag, 1e-12 * diag.max(axis=1, keepdims=True) + 1e-300)
        step = _solve(a + damp[:, :, None] * eye, g)
        cand = theta[idx].copy()
        cand[:, list(free)] += step
        f_new, jac_new = _model_and_jacobian(lx[idx], cand, free)
        r_new = (f_new - ya[idx]) * w[idx]
        rss_new = (r_new * r_new).sum(axis=1)
        ok = np.isfinite(rss_new) & (rss_new <= rss[idx])
        iters[idx] += 1
        acc = idx[ok]
        small_step = np.all(
            np.abs(step) <= _STEP_TOL * (np.abs(cand[:, list(free)]) + _STEP_TOL), axis=1
        )
        small_gain = (rss[idx] - np.where(ok, rss_new, rss[idx])) <= _RSS_TOL * (rss[idx] + 1e-300)
        theta[acc] = cand[ok]
        r[acc] = r_new[ok]
        rss[acc] = rss_new[ok]
        jac[acc] = jac_new[ok] * w[acc][..., None]
        lam[acc] = np.maximum(lam[acc] * 0.3, 1e-12)
        lam[idx[~ok]] = lam[idx[~ok]] * 4.0
        done = (ok & (small_step | small_gain)) | (rss_new == 0) | (~ok & small_step)
        done |= lam[idx] > 1e12
        converged[idx[done]] = (lam[idx[done]] <= 1e12) | (rss[idx[done]] == 0)
        active[idx[done]] = False

    n = m.sum(axis=1)
    mean = (ya * w).sum(axis=1) / np.maximum(n, 1)
    tss = (((ya - mean[:, None]) * w) ** 2).sum(axis=1)
    cov = _covariance(jac, rss, n, len(free))
    return BatchFit(theta, cov, free, rss, tss, n, converged, iters)


def _covariance(jac: Array, rss: Array, n: npt.NDArray[np.int64], p: int) -> Array:
    """s² (J'J)⁻¹ per curve; NaN where the fit has no residual df or J'J is singular."""
    a = np.einsum("cni,cnj->cij", jac, jac)
    dof = n - p
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(dof > 0, rss / np.maximum(dof, 1), np.nan)
    cov = np.full_like(a, np.nan)
    ok = np.isfinite(s2) & np.all(np.isfinite(a), axis=(1, 2))
    if ok.any():
        sv = np.linalg.svd(a[ok], compute_uv=False)
        good = sv[:, -1] > sv[:, 0] * 1e-13
        idx = np.flatnonzero(ok)[good]
        if idx.size:
            cov[idx] = np.linalg.inv(a[idx]) * s2[idx, None, None]
    return np.asarray(cov, dtype=float)


def refit_scipy(
    x: Array, y: Array, start: Array, fixed_bottom: float | None = None,
    free: tuple[int, ...] | None = None,
) -> tuple[Array, bool]:
    """One curve refitted by ``scipy.optimize.least_squares`` (trust region, analytic Jacobian).

    Used for the rare curve the batch does not settle; returns the 4 parameters and success.
    ``free`` names the fitted parameters as in :func:`fit_loglogistic`.
    """
    from scipy.optimize import least_squares

    if free is None:
        free = (1, 2, 3) if fixed_bottom is not None else (0, 1, 2, 3)
    with np.errstate(divide="ignore"):
        lx = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), -np.inf)[None, :]
    theta = start.astype(float).copy()

    def full(p: Array) -> Array:
        t = theta.copy()
        t[list(free)] = p
        return t[None, :]

    def resid(p: Array) -> Array:
        f, _ = _model_and_jacobian(lx, full(p), free)
        return np.asarray(f[0] - y, dtype=float)

    def jac(p: Array) -> Array:
        _, j = _model_and_jacobian(lx, full(p), free)
        return np.asarray(j[0], dtype=float)

    sol = least_squares(resid, theta[list(free)], jac=jac, method="trf", x_scale="jac",
                        xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    out = theta.copy()
    out[list(free)] = sol.x
    return out, bool(sol.success) and bool(np.all(np.isfinite(sol.x)))
