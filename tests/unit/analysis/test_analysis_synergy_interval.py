"""The 95 % interval of the combination index: as wide as its three lines' scatter allows.

Davison & Hinkley (1997, §6.2–6.3): least-squares residuals underestimate the errors (variance
σ²(1 − h_i)), so a bootstrap must resample leverage-adjusted residuals; with a handful of
points per line the interval must also carry Student-t tails (bootstrap-t, Efron & Tibshirani
1993 ch. 12).  A plain residual bootstrap covered 57 % (3 points per line) and 78 % (5) in
simulation (benchmarks/ci_coverage.py).  Here: the interval on a fixed dataset against the
delta-method t interval computed by hand, and no interval from 3-point lines.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as t_dist

from elab.domain.analysis import run_hook

RATIO = 0.25  # dose_a : dose_b of the mixture


def fa_of(dose: float, dm: float, m: float) -> float:
    r = (dose / dm) ** m
    return r / (1 + r)


# Deterministic "noise" (fa units) so the lines scatter by a known amount.
WOBBLE = (0.03, -0.025, -0.02, 0.035, -0.02)


def rows(points: int) -> list[tuple[float, float, float]]:
    out = []
    for k, (dm, m, make) in enumerate((
            (10.0, 1.2, lambda d: (d, 0.0)), (40.0, 0.9, lambda d: (0.0, d)),
            (3.0, 1.1, lambda d: (d, d / RATIO)))):
        for i, d in enumerate(np.geomspace(dm / 4, dm * 4, points)):
            wobble = WOBBLE[(i + k) % len(WOBBLE)] * (1 if k != 1 else -1)
            out.append((*make(float(d)), fa_of(float(d), dm, m) + wobble))
    return out


def csv(data: list[tuple[float, float, float]]) -> str:
    return "dose_a [nM],dose_b [nM],effect\n" + "".join(f"{a!r},{b!r},{f!r}\n"
                                                        for a, b, f in data)


def line(doses: list[float], fa: list[float]) -> tuple[float, float, float, float, float, int]:
    """Intercept, slope, residual variance, mean x, Sxx, n of log10(fa/fu) on log10 D."""
    x = np.log10(doses)
    y = np.log10(np.array(fa) / (1 - np.array(fa)))
    slope, intercept = np.polyfit(x, y, 1)
    s2 = float(((y - intercept - slope * x) ** 2).sum() / (len(x) - 2))
    return intercept, slope, s2, float(x.mean()), float(((x - x.mean()) ** 2).sum()), len(x)


def hand_interval(data: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """CI at fa 0.5, and the delta-method t interval of ln CI with Satterthwaite df."""
    fits = [line([a for a, b, _ in data if b == 0], [f for _, b, f in data if b == 0]),
            line([b for a, b, _ in data if a == 0], [f for a, _, f in data if a == 0]),
            line([a for a, b, _ in data if a and b], [f for a, b, f in data if a and b])]
    logs, variances = [], []
    for a0, b0, s2, xbar, sxx, n in fits:
        x0 = -a0 / b0  # log10 Dm: fa 0.5 is y = 0
        logs.append(x0)
        variances.append(s2 / b0**2 * (1 / n + (x0 - xbar) ** 2 / sxx))
    part_a = 10 ** (logs[2] - logs[0])
    part_b = 10 ** (logs[2] - logs[1]) / RATIO
    ci = part_a + part_b
    terms = [variances[2], (part_a / ci) ** 2 * variances[0], (part_b / ci) ** 2 * variances[1]]
    df = sum(terms) ** 2 / sum(v**2 / (f[5] - 2) for v, f in zip(terms, fits, strict=True))
    half = float(t_dist.ppf(0.975, df)) * math.log(10) * math.sqrt(sum(terms))
    return ci, math.exp(math.log(ci) - half), math.exp(math.log(ci) + half)


def test_five_point_lines_give_an_interval_as_wide_as_the_t_interval() -> None:
    data = rows(5)
    result = run_hook("combination-index", csv(data))
    (ratio,) = [r for r in result.results if r["kind"] == "ratio"]
    ci, low, high = hand_interval(data)
    assert ratio["ci_at"]["0.5"] == pytest.approx(ci, rel=1e-9)
    ours = ratio["ci_at_ci95"]["0.5"]
    # On the log scale the bootstrap-t interval is about the t interval (Student tails on the
    # three lines' few residual df); a percentile bootstrap of raw residuals is ~0.6 of it.
    width = math.log(ours[1] / ours[0]) / math.log(high / low)
    assert 0.85 < width < 1.4
    assert ours[0] < ci < ours[1]
    assert "leverage-adjusted residuals" in result.method
    assert "ci95_reason" not in ratio


def test_three_point_lines_give_no_interval_and_say_why() -> None:
    result = run_hook("combination-index", csv(rows(3)))
    (ratio,) = [r for r in result.results if r["kind"] == "ratio"]
    assert ratio["ci_at"]["0.5"] is not None
    assert ratio["ci_at_ci95"] == {level: [None, None] for level in ("0.5", "0.75", "0.9")}
    assert ratio["ci95_reason"].startswith("fewer than 4 points on the line of drug A (3), "
                                           "drug B (3), the mixture (3)")
    assert result.headline[0].startswith("CI at fa 0.5, ratio 0.25:1: ")
    assert "(no 95 % CI: fewer than 4 points" in result.headline[0]
    assert "95 % CI 0" not in result.headline[0]
    assert any(w.startswith("ratio 0.25:1: no 95 % CI of CI: fewer than 4 points")
               for w in result.warnings)


def test_the_interval_is_reproducible_from_its_seed() -> None:
    data = csv(rows(5))
    first = run_hook("combination-index", data)
    again = run_hook("combination-index", data)
    assert first.to_json() == again.to_json()
