"""combination-index: extrapolated CIs are bounds, 2-point lines give no r or headline, and
dropped points are warned (review 13c S5, S6).

A CI at an fa level that needs doses many-fold beyond those tested rests on the line alone,
so it is null with the fold it would need (as ic50 reports ``> top dose``); a line through
2 points has r = ±1 by construction, so it cannot check the fit.
"""

from __future__ import annotations

from typing import Any

from elab.domain.analysis import run_hook
from elab.domain.analysis.base import AnalysisResult

WEAK = """dose_a [nM],dose_b [nM],effect
1,0,0.0099
2,0,0.0196
4,0,0.0385
0,1,0.0050
0,2,0.0099
0,4,0.0196
0.5,0.5,0.0196
1,1,0.0385
2,2,0.0741
"""

EDGE = """dose_a [nM],dose_b [nM],viability
0,0,1.0
2.5,0,0.8
5,0,
10,0,0.5
20,0,0.0
0,10,0.9
0,40,0.5
0,160,1.0
1,4,0.7
2,8,0.5
4,16,0.0
"""


def _ratio(result: AnalysisResult) -> dict[str, Any]:
    (ratio,) = [r for r in result.results if r["kind"] == "ratio"]
    return ratio


def test_far_extrapolated_ci_is_null_with_a_bound() -> None:
    result = run_hook("combination-index", WEAK)
    ratio = _ratio(result)
    for level in ("0.5", "0.75", "0.9"):
        assert ratio["ci_at"][level] is None
        assert ratio["ci_at_ci95"][level] == [None, None]
        assert "fold past its tested doses" in ratio["ci_at_bound"][level]
    assert result.headline[0].startswith("CI at fa 0.5, ratio 1:1: not reported (")
    assert "drug A 24.92-fold" in result.headline[0]


def test_two_point_lines_give_no_r_and_no_headline_ci() -> None:
    result = run_hook("combination-index", EDGE)
    drugs = [r for r in result.results if r["kind"] == "drug"]
    assert all(d["r"] is None and "only 2 points" in d["r_reason"] for d in drugs)
    ratio = _ratio(result)
    assert ratio["n"] == 2 and ratio["r"] is None
    assert result.headline == ["CI at fa 0.5, ratio 0.25:1: no estimate (only 2 points on "
                               "the line of drug A, drug B, the mixture)"]


def test_dropped_points_are_warned() -> None:
    result = run_hook("combination-index", EDGE)
    assert any("blank" in w for w in result.warnings), result.warnings
    assert any(w.startswith("drug A: 1 point(s) with fa ≥ 1 left out") for w in result.warnings)
    assert any(w.startswith("drug B: 1 point(s) with fa ≤ 0 left out") for w in result.warnings)
    assert any(w.startswith("ratio 0.25:1: 1 point(s) with fa ≥ 1") for w in result.warnings)


def test_method_says_what_n_counts_and_how_fa_was_derived() -> None:
    result = run_hook("combination-index", EDGE)
    assert "n counts the dose pairs" in result.method
    assert "fa = 1 − viability" in result.method
    assert "fa = 1 − viability" not in run_hook("combination-index", WEAK).method
