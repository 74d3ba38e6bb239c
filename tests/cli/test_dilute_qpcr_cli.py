"""``elab dilute qpcr``: from the qrt-pcr-emt protocol and from genes and samples given."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_calls import run


def test_protocol_plate_is_refused_with_a_two_plate_proposal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["dilute", "qpcr", "qrt-pcr-emt", "--technical", "3"], capsys)
    assert code == 1
    # 6 genes x 6 RNAs x 3 technical = 108, + 6 NTC + 12 no-RT (GAPDH, ACTB) = 126 > 96
    assert err.strip() == ("elab: 126 reactions do not fit one 96-well plate (96 wells); "
                           "proposal: two plates (--plates 2) or one 384-well plate "
                           "(--plate 384)")
    assert out.startswith("proposal")
    assert "plate 1 (96-well)" in out and "plate 2 (96-well)" in out


def test_protocol_on_two_plates_uses_its_own_reaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["dilute", "qpcr", "qrt-pcr-emt", "--plates", "2", "--technical", "3",
                          "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["plates"] == 2
    mix = next(m for m in plan["mixes"] if m["gene"] == "SNAI1")
    rows = {r["source"]: r["volume_ul"] for r in mix["rows"]}
    # SNAI1: 18 + 1 NTC = 19 reactions, + 10 % = 20.9: 10 uL -> 209 uL, 0.8 uL -> 16.7 uL
    assert mix["figures"]["reactions"] == 19
    assert rows["SYBR Green master mix (2x)"] == pytest.approx(209.0)
    assert rows["forward and reverse primers (SNAI1)"] == pytest.approx(16.7)
    assert rows["nuclease-free water"] == pytest.approx(150.5)
    # the reference (GAPDH) and its no-RT per RNA are on both plates (2 x 6), ACTB's once
    assert sum(1 for w in plan["wells"] if w["kind"] == "no-rt") == 18
    # the headline counts the wells the plates hold: GAPDH's NTC twice, 7 NTC
    ntc = sum(1 for w in plan["wells"] if w["kind"] == "ntc")
    assert ntc == 7 and f"+ {ntc} NTC" in plan["notes"][0]
    assert {w["plate"] for w in plan["wells"] if w["gene"] == "GAPDH"} == {1, 2}


def test_protocol_on_384_with_both_housekeeping_no_rts_matches_the_design(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    layout = tmp_path / "qpcr.csv"
    code, out, err = run(["dilute", "qpcr", "qrt-pcr-emt", "--plate", "384", "--technical", "3",
                          "-o", str(layout), "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["figures"] == {"wells": 126, "capacity": 384}
    assert not any("the design declares" in n for n in plan["notes"])
    rows = list(csv.DictReader(layout.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 126
    assert sum(1 for r in rows if r["control"] == "no-rt") == 12
    assert sum(1 for r in rows if r["control"] == "ntc") == 6


def test_taqman_variant_mix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dilute", "qpcr", "qrt-pcr-emt", "--variant", "taqman", "--plate",
                          "384", "--json"], capsys)
    assert code == 0, err
    mix = json.loads(out)["mixes"][0]
    assert {r["source"] for r in mix["rows"]} >= {"TaqMan master mix (2x)",
                                                   "nuclease-free water"}


def test_genes_and_samples_without_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dilute", "qpcr", "--gene", "ZEB1,GAPDH", "--sample", "a,b",
                          "--reference", "GAPDH", "--technical", "2"], capsys)
    assert code == 0, err
    # 2 genes x 2 samples x 2 = 8, + 2 NTC + 2 no-RT (GAPDH) = 12
    assert out.startswith("12 reactions on 1 96-well plate(s)")
    assert "A1-A2     ZEB1       a  ×2" in out
    assert "GAPDH master mix × 7 reactions" in out


def test_usage_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["dilute", "qpcr"], capsys)
    assert code == 2
    code, _, err = run(["dilute", "qpcr", "--gene", "A", "--sample", "s",
                        "--no-rt-gene", "B"], capsys)
    assert code == 1 and "'B'" in err and len(err.strip().splitlines()) == 1


def test_mix_with_a_protocol_uses_its_one_primer_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["dilute", "mix", "qrt-pcr-emt", "--reactions", "10", "--json"], capsys)
    assert code == 0, err
    mix = next(m for m in json.loads(out)["mixes"] if m["gene"] == "ZEB1")
    rows = {r["source"]: r["volume_ul"] for r in mix["rows"]}
    # 10 reactions + 10 % = 11: 110 uL SYBR, 8.8 uL of ZEB1's primer pair, 79.2 water
    assert rows == {"SYBR Green master mix (2x)": 110.0, "forward and reverse primers (ZEB1)": 8.8,
                    "nuclease-free water": 79.2, "master mix": 18.0}


GENES = ("SNAI1", "ZEB1", "TWIST1", "CDH1", "GAPDH", "ACTB")


def _genes_in(text: str) -> set[str]:
    return {g for g in GENES if g in text}


@pytest.mark.parametrize("variant", ["sybr", "taqman"])
def test_mix_from_the_protocol_is_one_mix_per_gene_with_the_designs_reactions(
    capsys: pytest.CaptureFixture[str], variant: str,
) -> None:
    code, out, err = run(["dilute", "mix", "qrt-pcr-emt", "--variant", variant, "--json"], capsys)
    assert code == 0, err
    mixes = json.loads(out)["mixes"]
    assert [m["gene"] for m in mixes] == list(GENES)
    for m in mixes:
        # no mix holds a second gene's primers (or assay)
        assert set().union(*(_genes_in(r["source"]) for r in m["rows"])) == {m["gene"]}
    # each gene's RNAs (6) + its NTC; GAPDH and ACTB also each RNA's no-RT: 54 in all
    reactions = {m["gene"]: m["figures"]["reactions"] for m in mixes}
    assert reactions == {"SNAI1": 7, "ZEB1": 7, "TWIST1": 7, "CDH1": 7, "GAPDH": 13, "ACTB": 13}


def test_show_mix_and_qpcr_plan_agree_on_the_reactions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, shown, err = run(["show", "qrt-pcr-emt", "--variant", "sybr"], capsys)
    assert code == 0, err
    assert "= 54 reactions" in shown
    assert "SNAI1 7, ZEB1 7, TWIST1 7, CDH1 7, GAPDH 13, ACTB 13" in shown
    code, out, err = run(["dilute", "qpcr", "qrt-pcr-emt", "--variant", "sybr", "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["figures"]["wells"] == 54 and plan["plates"] == 1
    assert not any("the design declares" in n for n in plan["notes"])
    assert {m["gene"]: m["figures"]["reactions"] for m in plan["mixes"]} == {
        "SNAI1": 7, "ZEB1": 7, "TWIST1": 7, "CDH1": 7, "GAPDH": 13, "ACTB": 13}
