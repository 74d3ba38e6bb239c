"""IC50 comparisons: the ratio's CI and the F test say the same, and multiplicity is stated.

Review 13c S10: a Wald CI of the IC50 ratio excluded 1 beside an extra-sum-of-squares F test
p = 0.0529, and four comparisons came with no multiplicity statement.  The CI is now the F
test inverted (GraphPad's profile-likelihood interval: the ratios whose constrained fit the
test does not reject at 5 %), and several comparisons get Holm-adjusted p values (Holm 1979).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import curve_fit
from scipy.stats import f as f_dist

from elab.domain.analysis import run_hook
from elab.domain.analysis.logistic import loglogistic

DATA = Path(__file__).parent / "data"
# Two 4PL curves (8 doses × 3 wells, SD 5 %, true IC50 ratio 1.6) drawn by
# benchmarks/ci_coverage.py's generator: a Wald CI of the ratio gave 1.002–2.232 (excluding 1)
# while the shared-IC50 F test gave p = 0.0525.
BORDERLINE = DATA / "ic50_ratio_borderline.csv"


def curves(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    out = {}
    for group in sorted({r[2] for r in rows}):
        out[group] = (np.array([float(r[0]) for r in rows if r[2] == group]),
                      np.array([float(r[1]) for r in rows if r[2] == group]))
    return out


def rss_with_ratio(data: dict[str, tuple[np.ndarray, np.ndarray]], ln_ratio: float) -> float:
    """RSS of A and B fitted with IC50_B = IC50_A × ratio, other parameters per curve."""
    (xa, ya), (xb, yb) = data["A"], data["B"]
    x = np.concatenate([xa, xb])
    y = np.concatenate([ya, yb])
    is_b = np.arange(len(x)) >= len(xa)

    def f(_: np.ndarray, le: float, ba: float, ta: float, ha: float, bb: float, tb: float,
          hb: float) -> np.ndarray:
        return np.where(is_b, loglogistic(x, bb, tb, math.exp(le + ln_ratio), hb),
                        loglogistic(x, ba, ta, math.exp(le), ha))

    popt, _ = curve_fit(f, x, y, p0=[0.0, 5, 100, 1, 5, 100, 1], maxfev=20000)
    return float(np.sum((f(x, *popt) - y) ** 2))


def test_ratio_ci_and_f_test_agree_at_the_border() -> None:
    result = run_hook("ic50", BORDERLINE)
    (row,) = [r for r in result.results if r.get("kind") == "comparison"]
    low, high = row["ic50_ratio"]["ci95"]
    p = row["shared_ic50_test"]["p_value"]
    assert p == pytest.approx(0.0525, abs=5e-4)
    assert low < 1.0 < high  # p > 0.05: 1 is inside the interval
    assert "excludes 1 exactly when that test's p < 0.05" in result.method
    assert "n counts the wells of the two curves (rows with a blank dose or response left out" \
        in result.method


def test_ratio_ci_edges_are_where_the_f_test_reaches_5_percent() -> None:
    data = curves(BORDERLINE)
    result = run_hook("ic50", BORDERLINE)
    (row,) = [r for r in result.results if r.get("kind") == "comparison"]
    df = row["shared_ic50_test"]["df"][1]
    assert df == 48 - 8
    rss_sep = rss_with_ratio(data, math.log(row["ic50_ratio"]["value"]))
    critical = float(f_dist.ppf(0.95, 1, df))
    for edge in row["ic50_ratio"]["ci95"]:
        f_stat = (rss_with_ratio(data, math.log(edge)) - rss_sep) / (rss_sep / df)
        assert f_stat == pytest.approx(critical, rel=2e-3)


def four_curves() -> str:
    rng = np.random.default_rng(5)
    rows = ["dose [uM],response,group"]
    for group, ic50 in (("A", 1.0), ("B", 1.0), ("C", 3.0), ("D", 1.3)):
        for d in np.geomspace(0.01, 100, 8):
            for _ in range(3):
                y = 5 + 95 / (1 + float(d) / ic50) + rng.normal(0, 5)
                rows.append(f"{float(d)!r},{float(y)!r},{group}")
    return "\n".join(rows) + "\n"


def test_several_comparisons_state_their_number_and_holm_adjusted_p() -> None:
    result = run_hook("ic50", four_curves())
    pairs = {r["group"]: r["shared_ic50_test"] for r in result.results
             if r.get("kind") == "comparison" and r["curves"] == 2}
    assert set(pairs) == {"B vs A", "C vs A", "D vs A"}
    raw = sorted((t["p_value"], g) for g, t in pairs.items())
    expected, running = {}, 0.0
    for rank, (p, g) in enumerate(raw):  # Holm by hand: (m − rank)·p, kept monotone
        running = max(running, min(1.0, (3 - rank) * p))
        expected[g] = running
    for g, test in pairs.items():
        assert test["p_holm"] == pytest.approx(expected[g], rel=1e-12)
        assert test["comparisons"] == 3
    assert "3 IC50 ratio(s) against the reference A (B, C, D)" in result.method
    assert "Multiplicity: 3 comparisons" in result.method
    assert "Holm-adjusted" in result.method
    c_line = next(h for h in result.headline if h.startswith("IC50 ratio C vs A"))
    assert f"Holm-adjusted over 3 comparisons p = {expected['C vs A']:.3g}" in c_line


def test_one_comparison_says_no_correction_was_needed() -> None:
    result = run_hook("ic50", BORDERLINE)
    assert "One comparison: no multiplicity correction." in result.method
    assert "Holm-adjusted over" not in " ".join(result.headline)
