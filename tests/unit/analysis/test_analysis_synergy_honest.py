"""combination-index on data of known answer: extrapolation warnings, bootstrap CIs of CI,
and numerical failures (the SynergyFinder-style 5 × 5 matrix) as warnings, never tracebacks.

References: Chou 2006, Pharmacol Rev 58:621 (median effect, CI; a sham combination of a drug
with its own dilution has CI = 1 at every fa).  Data are drawn from stated models here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from elab.domain.analysis import run_hook

DOSES_A = [0.0, 12.5, 50.0, 200.0, 800.0]  # canertinib, nM
DOSES_B = [0.0, 9.8, 39.0, 156.0, 625.0]  # ibrutinib, nM


def fa_of(dose: float, dm: float, m: float) -> float:
    r = (dose / dm) ** m if dose > 0 else 0.0
    return r / (1 + r)


def table(rows: list[tuple[float, float, float]], column: str = "effect") -> str:
    return "\n".join([f"dose_a [nM],dose_b [nM],{column}",
                      *(f"{a!r},{b!r},{f!r}" for a, b, f in rows)]) + "\n"


def inactive_b_matrix() -> list[tuple[float, float, float]]:
    """Viability of a 5 × 5 matrix: A a Hill curve (IC50 300 nM), B inactive, noise SD 0.05."""
    rng = np.random.default_rng(0)
    rows = []
    for a in DOSES_A:
        for b in DOSES_B:
            v = (1 - fa_of(a, 300.0, 1.0)) + rng.normal(0, 0.05)
            rows.append((a, b, round(float(v), 4)))
    return rows


def test_5x5_matrix_with_an_inactive_drug_gives_answers_and_warnings() -> None:
    rows = inactive_b_matrix()
    result = run_hook("combination-index", table(rows, "viability"))
    json.dumps(result.to_json(), allow_nan=False)
    matrix = next(r for r in result.results if r["kind"] == "matrix")
    fa = {(a, b): 1 - v for a, b, v in rows}
    bliss = np.mean([fa[(a, b)] - (fa[(a, 0.0)] + fa[(0.0, b)] - fa[(a, 0.0)] * fa[(0.0, b)])
                     for a in DOSES_A[1:] for b in DOSES_B[1:]])
    assert matrix["bliss"] == pytest.approx(100 * bliss, rel=1e-9)
    if matrix["zip"] is None:
        assert any(w.startswith("ZIP") or w.startswith("zip") for w in result.warnings)
    assert any(w.startswith("drug B: Dm") and "extrapolated" in w for w in result.warnings)


def test_dm_beyond_the_tested_doses_is_flagged() -> None:
    rows = [(d, 0.0, fa_of(d, 3000.0, 1.0)) for d in (10, 30, 100, 300, 1000)]
    rows += [(0.0, d, fa_of(d, 40.0, 1.0)) for d in (4, 8, 20, 40, 80, 200)]
    rows += [(d, d, fa_of(d, 3000.0, 1.0) + 0.1) for d in (5, 10, 50, 100)]
    result = run_hook("combination-index", table(rows))
    drug_a = result.results[0]
    assert drug_a["dm"]["value"] == pytest.approx(3000.0, rel=1e-9)
    assert any(w.startswith("drug A: Dm 3000 nM lies above the tested doses (10–1000 nM)")
               for w in result.warnings)
    assert not any(w.startswith("drug B: Dm") for w in result.warnings)


def sham_rows(noise: float, seed: int = 0) -> list[tuple[float, float, float]]:
    """Drug B is drug A diluted 4-fold (CI = 1 everywhere), fa with Gaussian noise."""
    rng = np.random.default_rng(seed)

    def f(dose: float) -> float:
        return float(np.clip(fa_of(dose, 10.0, 1.3) + rng.normal(0, noise), 0.01, 0.99))

    rows = [(d, 0.0, f(d)) for d in (1, 2, 5, 10, 20, 50, 100)]
    rows += [(0.0, d, f(d / 4)) for d in (4, 8, 20, 40, 80, 200, 400)]
    rows += [(d, 4 * d, f(d + d)) for d in (0.5, 1, 2.5, 5, 10, 25, 50)]
    return rows


def test_bootstrap_ci_of_ci_is_exact_without_noise() -> None:
    (ratio,) = [r for r in run_hook("combination-index", table(sham_rows(0.0))).results
                if r["kind"] == "ratio"]
    for level in ("0.5", "0.75", "0.9"):
        assert ratio["ci_at"][level] == pytest.approx(1.0, rel=1e-9)
        assert ratio["ci_at_ci95"][level] == pytest.approx([1.0, 1.0], rel=1e-9)


def test_bootstrap_ci_covers_additivity_and_is_reproducible() -> None:
    data = table(sham_rows(0.03, seed=2))
    first = run_hook("combination-index", data)
    again = run_hook("combination-index", data)
    other = run_hook("combination-index", data, {"seed": "7"})
    (ratio,) = [r for r in first.results if r["kind"] == "ratio"]
    low, high = ratio["ci_at_ci95"]["0.5"]
    assert low < 1.0 < high
    assert low < ratio["ci_at"]["0.5"] < high
    assert again.to_json() == first.to_json()
    (other_ratio,) = [r for r in other.results if r["kind"] == "ratio"]
    assert other_ratio["ci_at_ci95"]["0.5"] != ratio["ci_at_ci95"]["0.5"]
    assert first.headline[0].startswith("CI at fa 0.5, ratio 0.25:1: ")
    assert "seed 1" in first.method


def test_fa_levels_beyond_the_tested_mixture_are_flagged() -> None:
    rows = [(d, 0.0, fa_of(d, 10.0, 1.0)) for d in (1, 3, 10, 30, 100, 300)]
    rows += [(0.0, d, fa_of(d, 40.0, 1.0)) for d in (4, 12, 40, 120, 400, 1200)]
    # The mixture (equipotent sum d/10 + d/40, Dm 1) is tested up to fa = 2/3 at d = 16:
    # fa 0.5 needs d = 8 (tested range), fa 0.75 needs d = 24 (beyond).
    rows += [(d, d, fa_of(d / 10 + d / 40, 1.0, 1.0)) for d in (2, 4, 8, 12, 16)]
    result = run_hook("combination-index", table(rows))
    (ratio,) = [r for r in result.results if r["kind"] == "ratio"]
    assert ratio["ci_at_extrapolated"] == ["0.75", "0.9"]
    assert any("CI at fa 0.9 needs doses of the mixture beyond those tested" in w
               for w in result.warnings)
