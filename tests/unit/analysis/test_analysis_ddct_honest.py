"""ddct on data sets of known answer: unstable references, efficiencies (Pfaffl 2001),
biological vs technical n with a CI and Welch's test, and NTC / no-RT wells.

Cts are generated from stated expression levels (Ct = baseline − log_E(fold)); the
expected fold changes, CIs and p values are derived in the test from the same model and
from scipy's own Welch test on the per-sample ΔCt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as t_dist
from scipy.stats import ttest_ind

from elab.domain.analysis import run_hook

HEADER = "sample,condition,target,ct"


def csv(rows: list[tuple[str, str, str, float | str]]) -> str:
    return HEADER + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"


def test_reference_shift_is_flagged_with_its_size() -> None:
    # ZEB1 unchanged; GAPDH up 2 cycles with treatment: a false 4-fold "induction".
    rows = []
    for i in range(3):
        rows += [(f"c{i}", "ctrl", "GAPDH", 20.0 + 0.1 * i), (f"c{i}", "ctrl", "ZEB1", 27.0)]
        rows += [(f"d{i}", "drug", "GAPDH", 22.0 + 0.1 * i), (f"d{i}", "drug", "ZEB1", 27.0)]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] == pytest.approx(4.0)
    assert any(w.startswith("reference GAPDH: mean Ct shifts by 2.00 cycles")
               for w in result.warnings)
    quiet = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl",
                                         "max_ref_shift": "2.5"})
    assert not any("shifts" in w for w in quiet.warnings)


def test_several_references_use_the_geometric_mean_of_expression() -> None:
    # Expression of R1 halves and R2 doubles with the drug: their geometric mean is constant.
    rows = [("a", "ctrl", "R1", 20.0), ("a", "ctrl", "R2", 24.0), ("a", "ctrl", "X", 25.0),
            ("b", "drug", "R1", 21.0), ("b", "drug", "R2", 23.0), ("b", "drug", "X", 24.0)]
    result = run_hook("ddct", csv(rows), {"reference": "R1,R2", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] == pytest.approx(2.0)  # X doubled
    assert "Vandesompele" in result.method


def test_efficiencies_give_pfaffl_ratio() -> None:
    e_target, e_ref, ratio = 1.9, 2.0, 3.0
    shift = math.log(ratio) / math.log(e_target)  # cycles earlier for a 3-fold rise
    rows = [("a", "ctrl", "GAPDH", 20.0), ("a", "ctrl", "X", 25.0),
            ("b", "drug", "GAPDH", 20.5), ("b", "drug", "X", 25.0 - shift + 0.5 * math.log(
                e_ref) / math.log(e_target))]
    # The reference Ct also rose by 0.5 cycles of E=2: the drug well held 2^-0.5 as much cDNA,
    # so the target Ct rose by the same amount in E_target cycles.
    params = {"reference": "GAPDH", "control": "ctrl", "efficiency": "X=1.9, GAPDH=100%",
              "max_ref_shift": "1"}
    result = run_hook("ddct", csv(rows), params)
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] == pytest.approx(ratio, rel=1e-12)
    assert "Pfaffl" in result.method
    livak = run_hook("ddct", csv(rows), {**params, "efficiency": ""})
    uncorrected = next(r for r in livak.results if r["condition"] == "drug")
    assert uncorrected["fold_change"]["value"] != pytest.approx(ratio, rel=0.05)


def test_biological_replicates_give_n_ci_and_welch_test() -> None:
    rng = np.random.default_rng(4)
    rows = []
    dct = {"ctrl": [], "drug": []}
    for cond, shift in (("ctrl", 0.0), ("drug", -1.5)):
        for s in range(4):
            bio = rng.normal(0, 0.3)
            ref = 20 + rng.normal(0, 0.2)
            target = [26 + shift + bio + rng.normal(0, 0.1) for _ in range(3)]
            refs = [ref + rng.normal(0, 0.1) for _ in range(3)]
            rows += [(f"{cond}{s}", cond, "ZEB1", round(t, 3)) for t in target]
            rows += [(f"{cond}{s}", cond, "GAPDH", round(r, 3)) for r in refs]
            dct[cond].append(np.mean([round(t, 3) for t in target])
                             - np.mean([round(r, 3) for r in refs]))
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["n"] == 4 and drug["technical"] == 12
    ddct = np.mean(dct["drug"]) - np.mean(dct["ctrl"])
    assert drug["fold_change"]["value"] == pytest.approx(2 ** -ddct, rel=1e-9)
    welch = ttest_ind(dct["drug"], dct["ctrl"], equal_var=False)
    assert drug["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)
    a, b = np.var(dct["drug"], ddof=1) / 4, np.var(dct["ctrl"], ddof=1) / 4
    df = (a + b) ** 2 / (a**2 / 3 + b**2 / 3)
    half = t_dist.ppf(0.975, df) * math.sqrt(a + b)
    assert drug["fold_change"]["ci95"] == pytest.approx([2 ** -(ddct + half), 2 ** -(ddct - half)],
                                                        rel=1e-9)
    assert drug["test"] == "Welch t-test on ΔCt"
    assert "n counts biological samples" in result.method
    assert "Technical replicates are averaged first" in result.method
    assert result.headline[0].startswith("ZEB1 in drug vs ctrl: ")
    assert "n = 4 vs 4" in result.headline[0]
    unpaired = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl",
                                            "mode": "unpaired"})
    assert unpaired.to_json()["results"] == result.to_json()["results"]  # n stays biological


@pytest.mark.parametrize(
    ("label", "ct", "flagged"),
    [("NTC", "33.5", True), ("NTC", "Undetermined", False), ("no-RT", "36.0", True),
     ("NTC", "38.5", False)],
)
def test_negative_controls_are_flagged_when_they_amplify(label: str, ct: str,
                                                         flagged: bool) -> None:
    rows: list[tuple[str, str, str, float | str]] = [
        ("a", "ctrl", "GAPDH", 20.0), ("a", "ctrl", "X", 31.5),
        ("b", "drug", "GAPDH", 20.0), ("b", "drug", "X", 30.0),
        (label, "ctrl", "X", ct),
    ]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    hits = [w for w in result.warnings if w.startswith(label)]
    assert bool(hits) is flagged
    assert {r["condition"] for r in result.results} == {"ctrl", "drug"}  # never quantified
