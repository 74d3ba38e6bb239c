"""``elab plate layout`` of a qPCR protocol is the plate of ``elab dilute qpcr`` (note 13, N2).

Before, ``plate layout qrt-pcr-emt`` laid out treatment × gene conditions at random with
three wells each and controls ``n1``/``n2``, while ``dilute qpcr``, ``elab show`` and the run
screen used one well per RNA and gene (54 reactions); ``--variant`` was not even an option.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cli_calls import run

GENES = ("SNAI1", "ZEB1", "TWIST1", "CDH1", "GAPDH", "ACTB")
RNAS = tuple(f"{t}-{r}" for t in ("vehicle", "defactinib") for r in (1, 2, 3))


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = run([*args, "--json"], capsys)
    assert code == 0, err
    found: dict[str, object] = json.loads(out)
    return found


@pytest.mark.parametrize("variant", [[], ["--variant", "sybr"], ["--variant", "taqman"]])
def test_plate_layout_gives_the_wells_of_dilute_qpcr(
    capsys: pytest.CaptureFixture[str], variant: list[str],
) -> None:
    layout = _json(["plate", "layout", "qrt-pcr-emt", *variant], capsys)
    plan = _json(["dilute", "qpcr", "qrt-pcr-emt", *variant], capsys)
    wells = layout["wells"]
    assert isinstance(wells, list) and isinstance(plan["wells"], list)
    assert [(w["plate"], w["well"], w["levels"]["gene"], w["levels"]["sample"]) for w in wells] \
        == [(w["plate"], w["well"], w["gene"], w["sample"]) for w in plan["wells"]]
    assert len(wells) == 54
    # one well per RNA and gene; an NTC per gene; no-RT of every RNA with GAPDH and ACTB
    kinds = Counter(w["kind"] for w in wells)
    assert kinds == {"sample": 36, "ntc": 6, "no-rt": 12}
    assert {(w["levels"]["gene"], w["levels"]["sample"]) for w in wells
            if w["kind"] == "sample"} == {(g, r) for g in GENES for r in RNAS}
    assert {w["levels"]["gene"] for w in wells if w["kind"] == "no-rt"} == {"GAPDH", "ACTB"}
    for w in wells:  # each well names its gene and its RNA (or water)
        gene, sample = w["levels"]["gene"], w["levels"]["sample"]
        assert w["condition"].startswith(f"{gene} ") and w["condition"].endswith(
            "NTC (water)" if w["kind"] == "ntc" else sample)


def test_the_layout_files_are_the_same_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    plate, dilute = tmp_path / "plate.csv", tmp_path / "dilute.csv"
    assert run(["plate", "layout", "qrt-pcr-emt", "-o", str(plate)], capsys)[0] == 0
    assert run(["dilute", "qpcr", "qrt-pcr-emt", "-o", str(dilute)], capsys)[0] == 0
    text = plate.read_text(encoding="utf-8")
    assert text == dilute.read_text(encoding="utf-8")
    lines = text.splitlines()
    # the contract's columns: one per design factor, then the RNA sample
    assert lines[0] == "plate,well,condition,treatment,gene,sample,replicate,control,code"
    assert lines[1] == "1,A1,SNAI1 vehicle-1,vehicle,SNAI1,vehicle-1,1,,1"
    assert "1,C11,GAPDH no-RT vehicle-1,vehicle,GAPDH,vehicle-1,1,no-rt,r1" in lines


def test_each_gene_mix_fills_exactly_that_gene_wells(capsys: pytest.CaptureFixture[str]) -> None:
    """The mixes of `dilute mix` (the reactions `elab show` counts) fill the layout's wells."""
    layout = _json(["plate", "layout", "qrt-pcr-emt", "--variant", "sybr"], capsys)
    mixes = _json(["dilute", "mix", "qrt-pcr-emt", "--variant", "sybr"], capsys)
    per_gene = Counter(w["levels"]["gene"] for w in layout["wells"])  # type: ignore[union-attr]
    assert {m["gene"]: m["figures"]["reactions"] for m in mixes["mixes"]} == per_gene  # type: ignore[union-attr]
    assert per_gene == {"SNAI1": 7, "ZEB1": 7, "TWIST1": 7, "CDH1": 7, "GAPDH": 13, "ACTB": 13}


def test_the_text_grid_codes_each_control_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", "qrt-pcr-emt", "--variant", "sybr"], capsys)
    assert code == 0, err
    legend = [line.split(None, 1) for line in out.splitlines()
              if line[:4].strip() and line.lstrip()[:1] in "0123456789trn."
              and "  " in line and not line.startswith(("plate", "note"))]
    codes = Counter(code for code, _ in legend)
    assert codes and max(codes.values()) == 1
    assert ["t1", "SNAI1 NTC (water)"] in legend and ["r1", "GAPDH no-RT vehicle-1"] in legend
    assert "edge(min/mean)" not in out  # one well per condition: no spread to report
    assert max(len(line) for line in out.splitlines()) <= 80  # notes folded too


def test_a_larger_plate_and_two_plates_apply(capsys: pytest.CaptureFixture[str]) -> None:
    big = _json(["plate", "layout", "qrt-pcr-emt", "--plate", "384"], capsys)
    assert big["plate"]["name"] == "384-well" and len(big["wells"]) == 54  # type: ignore[index, arg-type]
    two = _json(["plate", "layout", "qrt-pcr-emt", "--plates", "2"], capsys)
    plan = _json(["dilute", "qpcr", "qrt-pcr-emt", "--plates", "2"], capsys)
    assert [(w["plate"], w["well"]) for w in two["wells"]] == [  # type: ignore[union-attr]
        (w["plate"], w["well"]) for w in plan["wells"]]  # type: ignore[union-attr]
    assert two["plates"] == 2


@pytest.mark.parametrize("option", [["--style", "blocked"], ["--edge", "medium"],
                                    ["--pin", "A1=empty"], ["--plate-by", "gene"]])
def test_rules_of_a_randomised_plate_are_refused_with_the_reason(
    capsys: pytest.CaptureFixture[str], option: list[str],
) -> None:
    code, _, err = run(["plate", "layout", "qrt-pcr-emt", *option], capsys)
    assert code == 2
    assert "qrt-pcr-emt is a qPCR design" in err and option[0] in err


def test_an_unknown_variant_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["plate", "layout", "qrt-pcr-emt", "--variant", "syber"], capsys)
    assert (code, err.strip()) == (1, "elab: protocol 'qrt-pcr-emt' has no variant 'syber' "
                                      "(variants: sybr, taqman)")


def test_a_design_without_genes_keeps_its_randomised_plate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    layout = _json(["plate", "layout", "mtt-viability", "--time-limit", "2"], capsys)
    assert "quality" in layout and all("gene" not in w["levels"] for w in layout["wells"])  # type: ignore[union-attr]
