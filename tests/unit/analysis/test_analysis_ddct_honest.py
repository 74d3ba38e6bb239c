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
    assert drug["fold_change"] == {"value": None, "unit": "1", "ci95": [None, None]}
    assert drug["p_value"] is None and drug["fold_change_range"] == [None, None]
    assert drug["reason"].startswith(
        "unstable reference gene GAPDH (mean Ct drug − ctrl = +2.00 cycles)")
    assert any(w.startswith("reference GAPDH: mean Ct shifts by 2.00 cycles")
               for w in result.warnings)
    assert result.headline == [f"ZEB1 in drug vs ctrl: no fold change ({drug['reason']}), "
                               "n = 3 vs 3"]
    quiet = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl",
                                         "max_ref_shift": "2.5"})
    assert not any("shifts" in w for w in quiet.warnings)
    allowed = next(r for r in quiet.results if r["condition"] == "drug")
    assert allowed["fold_change"]["value"] == pytest.approx(4.0)  # the false 4-fold


def test_of_several_references_the_unstable_one_is_named() -> None:
    # GAPDH steady, ACTB 3 cycles later with the drug; ZEB1 steady: the mean reference
    # would turn ACTB's shift into a false 2.8-fold rise of ZEB1.
    rows = []
    for i in range(2):
        rows += [(f"c{i}", "ctrl", "GAPDH", 20.0 + 0.1 * i), (f"c{i}", "ctrl", "ACTB", 18.0),
                 (f"c{i}", "ctrl", "ZEB1", 27.0 + 0.2 * i)]
        rows += [(f"d{i}", "drug", "GAPDH", 20.1 - 0.1 * i), (f"d{i}", "drug", "ACTB", 21.0),
                 (f"d{i}", "drug", "ZEB1", 27.1 - 0.1 * i)]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH,ACTB", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] is None and drug["p_value"] is None
    assert "unstable reference gene ACTB (mean Ct drug − ctrl = +3.00 cycles)" in drug["reason"]
    assert "GAPDH (" not in drug["reason"]
    assert "normalise to GAPDH alone (reference=GAPDH)" in drug["reason"]
    assert "reference genes: GAPDH, ACTB" in result.method
    assert "n = ctrl 2, drug 2" in result.method
    stable = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    zeb1 = next(r for r in stable.results if r["condition"] == "drug" and r["target"] == "ZEB1")
    assert zeb1["fold_change"]["value"] == pytest.approx(2 ** 0.05)


def test_zero_between_sample_variance_gives_no_ci() -> None:
    rows = [(f"{c}{i}", c, g, ct) for c, x in (("ctrl", 27.0), ("drug", 25.0))
            for i in range(2) for g, ct in (("GAPDH", 20.0), ("ZEB1", x))]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] == pytest.approx(4.0)
    assert drug["fold_change"]["ci95"] == [None, None]
    assert drug["ddct"]["ci95"] == [None, None]
    assert drug["fold_change_range"] == [None, None]
    assert drug["p_value"] is None and drug["test"] is None
    assert drug["ci_reason"].startswith("no between-sample variance")
    assert result.headline == [
        "ZEB1 in drug vs ctrl: 4-fold (no CI: no between-sample variance), n = 2 vs 2"]


def test_undetermined_cts_are_censored_not_missing() -> None:
    rows: list[tuple[str, str, str, float | str]] = []
    for i, (ctrl, drug) in enumerate(((27.0, "Undetermined"), (27.3, "Undetermined"),
                                      (26.8, 38.5))):
        rows += [(f"c{i}", "ctrl", "GAPDH", 20.0 + 0.1 * i), (f"c{i}", "ctrl", "ZEB1", ctrl),
                 (f"d{i}", "drug", "GAPDH", 20.0 + 0.05 * i), (f"d{i}", "drug", "ZEB1", drug)]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] is None
    assert drug["dct"]["value"] is None  # the mean of the one determined well is biased
    assert drug["fold_change_range"] == [None, None]
    assert drug["reason"].startswith("ZEB1 undetermined in 2 well(s) of drug (d0, d1)")
    assert result.headline[0].startswith("ZEB1 in drug vs ctrl: no fold change (ZEB1 "
                                         "undetermined")
    assert "McCall et al. 2014" in result.method


def test_an_undetermined_control_leaves_every_comparison_without_a_number() -> None:
    rows = [("c0", "ctrl", "GAPDH", 20.0), ("c0", "ctrl", "X", "Undetermined"),
            ("c1", "ctrl", "GAPDH", 20.1), ("c1", "ctrl", "X", 30.0),
            ("d0", "drug", "GAPDH", 20.0), ("d0", "drug", "X", 28.0),
            ("d1", "drug", "GAPDH", 20.1), ("d1", "drug", "X", 28.2)]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] is None
    assert drug["reason"].startswith("control: X undetermined in 1 well(s) of ctrl (c0)")
    assert drug["dct"]["value"] == pytest.approx(8.05)  # its own wells are all determined


def test_one_well_gives_no_range() -> None:
    rows = [("c0", "ctrl", "GAPDH", 20.0), ("c0", "ctrl", "X", 27.0),
            ("c1", "ctrl", "GAPDH", 20.1), ("c1", "ctrl", "X", 27.3),
            ("d0", "drug", "GAPDH", 20.0), ("d0", "drug", "X", 25.0)]
    result = run_hook("ddct", csv(rows), {"reference": "GAPDH", "control": "ctrl"})
    drug = next(r for r in result.results if r["condition"] == "drug")
    assert drug["fold_change"]["value"] == pytest.approx(2 ** 2.1)
    assert drug["fold_change_range"] == [None, None]
    assert drug["ci_reason"].startswith("one biological sample")


def test_several_references_use_the_geometric_mean_of_expression() -> None:
    # Expression of R1 halves and R2 doubles with the drug: their geometric mean is constant.
    rows = [("a", "ctrl", "R1", 20.0), ("a", "ctrl", "R2", 24.0), ("a", "ctrl", "X", 25.0),
            ("b", "drug", "R1", 21.0), ("b", "drug", "R2", 23.0), ("b", "drug", "X", 24.0)]
    # each moves one cycle, so neither is a stable reference (geNorm's pairwise variation)
    strict = run_hook("ddct", csv(rows), {"reference": "R1,R2", "control": "ctrl"})
    refused = next(r for r in strict.results if r["condition"] == "drug")
    assert refused["fold_change"]["value"] is None
    assert "R1 (mean Ct drug − ctrl = +1.00" in refused["reason"]
    assert "R2 (mean Ct drug − ctrl = -1.00" in refused["reason"]
    result = run_hook("ddct", csv(rows), {"reference": "R1,R2", "control": "ctrl",
                                          "max_ref_shift": "1.5"})
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
