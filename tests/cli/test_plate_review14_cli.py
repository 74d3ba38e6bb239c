"""``elab plate layout`` and ``elab dilute serial`` on the designs review 14 found refused or
split (R3 the synergy matrix, R8 the reference and FMO controls, R9 the matrix's 0 levels)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from cli_calls import run


def _layout(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(["plate", "layout", *args, "--json"], capsys)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_the_synergy_matrix_is_one_plate_of_the_wells_show_counts(
        capsys: pytest.CaptureFixture[str]) -> None:
    data = _layout(capsys, "combination-synergy", "--time-limit", "5")
    wells = data["wells"]
    assert isinstance(wells, list)
    assert data["plates"] == 1 and data["violations"] == []
    # 6 x 5 conditions x 3 replicates + 4 medium-only blanks
    assert len(wells) == 94
    assert Counter(w["kind"] for w in wells) == {"sample": 90, "blank": 4}
    code, out, _ = run(["show", "combination-synergy", "--format", "json"], capsys)
    medium = next(m for m in json.loads(out)["materials"] if m["id"] == "medium")
    # 80 µL x 94 wells + 10 % to seed, and 2 mL for the two series' 1:100 intermediates
    # (defactinib 6 x 168.3 µL, paclitaxel 5 x 198 µL: `elab dilute serial`)
    assert medium["lines"][0] == "seed: 80 µL × 94 wells + 10 % overage = 8.272 mL"
    assert medium["total"] == pytest.approx(80 * 94 * 1.1 + 6 * 168.3 + 5 * 198)
    code, out, _ = run(["show", "combination-synergy"], capsys)
    assert code == 0
    assert "= 94 wells" in out


def test_the_synergy_matrix_with_the_edge_empty_keeps_a_vehicle_on_each_plate(
        capsys: pytest.CaptureFixture[str]) -> None:
    data = _layout(capsys, "combination-synergy", "--edge", "empty", "--time-limit", "5")
    wells = data["wells"]
    assert isinstance(wells, list)
    assert data["plates"] == 2 and data["violations"] == []
    notes = data["notes"]
    assert isinstance(notes, list) and any("each plate has its own" in n for n in notes)
    for plate in (1, 2):
        held = {w["condition"] for w in wells if w["plate"] == plate}
        assert {"0 uM / 0 nM", "33 uM / 0 nM", "0 uM / 30 nM"} <= held


@pytest.mark.parametrize(("args", "kind", "wells"), [
    (["matrigel-invasion"], "reference", 6),  # 2 uncoated conditions x 3 inserts
    (["flow-cytometry-til", "--plate", "96"], "fmo", 3),  # FMO CD25, FoxP3, Gr-1
])
def test_every_control_kind_validate_accepts_gets_a_plate_map(
        capsys: pytest.CaptureFixture[str], args: list[str], kind: str, wells: int) -> None:
    data = _layout(capsys, *args, "--time-limit", "5")
    placed = data["wells"]
    assert isinstance(placed, list)
    assert data["violations"] == []
    assert sum(1 for w in placed if w["kind"] == kind) == wells


def test_the_plate_accepts_every_control_kind_the_protocol_model_does() -> None:
    from elab.domain.plate import CONTROL_KINDS, Control
    from elab.domain.protocol.design_model import Control as DesignControl

    for kind in ("fmo", "reference"):
        assert kind in CONTROL_KINDS
    for kind in CONTROL_KINDS:
        assert Control("c", kind).kind == DesignControl(name="c", kind=kind).kind


def _plans(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    code, out, err = run(["dilute", "serial", "combination-synergy", "--json"], capsys)
    assert code == 0, err
    plans = json.loads(out)
    assert isinstance(plans, list) and len(plans) == 2  # one series per drug
    return {p["title"].split(":")[0]: p for p in plans}


def test_each_drug_of_the_matrix_gets_its_series_the_0_level_its_vehicle(
        capsys: pytest.CaptureFixture[str]) -> None:
    plans = _plans(capsys)
    taxol = plans["paclitaxel"]
    rows = {r["step"]: r for r in taxol["rows"]}
    # 0 nM is no point: the 4 levels above it; its 6 x 3 wells get the vehicle
    assert [k for k in rows if k.startswith("wells")] == [
        "wells 5", "wells 4", "wells 3", "wells 2"]
    assert "each of 18 wells" in rows["vehicle control"]["per"]
    # 80 uL in the well + 10 uL of each drug: 0.1 % DMSO from each, 0.2 % in all
    assert "0.1 % DMSO" in rows["vehicle control"]["final"]
    defactinib = {r["step"]: r for r in plans["defactinib (VS-6063)"]["rows"]}
    assert "each of 15 wells" in defactinib["vehicle control"]["per"]


def test_the_bench_makes_the_design_levels_not_an_even_3_fold_series(
        capsys: pytest.CaptureFixture[str]) -> None:
    taxol = _plans(capsys)["paclitaxel"]
    finals = taxol["figures"]["finals"]
    assert isinstance(finals, list)
    # nM in the wells: the design's 30, 10, 3 and 1, not 3.33 and 1.11
    assert finals == pytest.approx([30, 10, 3, 1], rel=0.005)
    assert any("own step (1:3, 1:3.33, 1:3)" in n and "3.333 nM, 1.111 nM" in n
               for n in taxol["notes"])


def test_a_matrix_too_big_for_a_vehicle_on_every_plate_is_refused_plainly(
        capsys: pytest.CaptureFixture[str]) -> None:
    # 90 wells on 24-well plates take 5 plates; 3 replicates of 0 x 0 cannot reach all 5
    code, out, err = run(["plate", "layout", "combination-synergy", "--plate", "24"], capsys)
    assert code == 1 and out == ""
    assert "0 x 0 vehicle and single-agent wells cannot be on every plate" in err
    assert len(err.strip().splitlines()) == 1
