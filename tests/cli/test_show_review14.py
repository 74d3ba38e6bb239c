"""``elab show`` totals of the protocols review 14 corrected (R1, R2, R6, R10, R12, R13).

Every number is worked out by hand from the protocol file (the comment beside it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_calls import run


def _materials(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, object]]:
    code, out, err = run(["show", *args, "--format", "json"], capsys)
    assert code == 0, err
    return {m["id"]: m for m in json.loads(out)["materials"]}


def test_wound_healing_gives_dmso_to_the_vehicle_wells_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    found = _materials(capsys, "wound-healing")
    # 0.5 µL of 1000x into each of the 4 defactinib wells; 0.5 µL DMSO into the 4 vehicle
    # wells (not all 8: R2)
    assert found["defactinib_1000x"]["total"] == pytest.approx(2.0)
    assert found["dmso"]["total"] == pytest.approx(2.0)
    assert found["dmso"]["unit"] == "microliter"


def test_western_blot_emt_blocking_buffer_counts_the_primaries(
        capsys: pytest.CaptureFixture[str]) -> None:
    # block 45 mL + primaries 5 + 5 + 5 + 10 + 10 = 35 mL + re-probe 15 mL (R12)
    found = _materials(capsys, "western-blot-emt")
    assert found["blocking"]["total"] == pytest.approx(95)
    assert found["blocking"]["unit"] == "milliliter"
    # washes 2 × 3 × 45 mL + re-probe washes 60 mL + the secondaries' diluent 45 + 10 + 10
    assert found["tbst"]["total"] == pytest.approx(395)


def test_ihc_antibodies_and_their_serum(capsys: pytest.CaptureFixture[str]) -> None:
    found = _materials(capsys, "ihc-fak")
    # 200 µL per slide × 7 slides: 1:200 = 7 µL, 1:100 = 14 µL (R10)
    assert found["anti_fak"]["total"] == pytest.approx(7)
    assert found["anti_pfak"]["total"] == pytest.approx(14)
    # block 200 µL × 16 slides + primary 200 µL × 16 slides (14 stained, 2 serum alone)
    assert found["serum"]["total"] == pytest.approx(6400)
    assert found["serum"]["unit"] == "microliter"


def test_immunofluorescence_antibodies_are_diluted(capsys: pytest.CaptureFixture[str]) -> None:
    found = _materials(capsys, "immunofluorescence-ecad")
    # 50 µL / 200 × 6 stained coverslips = 1.5 µL; 50 µL / 500 × 7 coverslips = 0.7 µL (R10)
    assert found["anti_ecad"]["total"] == pytest.approx(1.5)
    assert found["secondary_488"]["total"] == pytest.approx(0.7)
    # block 500 × 7 + primary 50 × 6 + secondary-only 50 + secondary 50 × 7 = 4200 µL
    assert found["blocking"]["total"] == pytest.approx(4200)
    assert found["blocking"]["unit"] == "microliter"


@pytest.mark.parametrize(("volume", "matrigel_ul", "medium_ul"), [
    # 50 µL / 50 × 6 coated inserts = 6 µL of a 10 mg/mL lot (60 µg in 300 µL = 200 µg/mL)
    ("50uL", 6.0, 300.0),
    # 100 µL / 50 × 6 = 12 µL (120 µg in 600 µL = 200 µg/mL, not 60 µg: R6)
    ("100uL", 12.0, 600.0),
])
def test_matrigel_stays_200_ug_per_ml_at_any_volume(
        capsys: pytest.CaptureFixture[str], volume: str, matrigel_ul: float,
        medium_ul: float) -> None:
    found = _materials(capsys, "matrigel-invasion", "--param", f"matrigel_volume={volume}")
    assert found["matrigel"]["total"] == pytest.approx(matrigel_ul)
    assert found["matrigel"]["unit"] == "microliter"
    assert found["cold_medium"]["total"] == pytest.approx(medium_ul)


def test_the_mtt_variant_removes_the_medium_before_the_dmso(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "combination-synergy", "--variant", "mtt"], capsys)
    assert code == 0, err
    steps = [x.split()[0] for x in out.split("steps:")[1].split("materials:")[0].splitlines()
             if x.strip()]
    # guide 001: "Remove the medium and add the solubilization solution" (R13)
    assert steps[steps.index("mtt-add") + 1] == "mtt-solubilise"
    line = next(x for x in out.splitlines() if x.strip().startswith("mtt-solubilise"))
    assert "Remove the medium and dissolve the formazan in DMSO" in line
    assert "mtt-solubilise: 100 µL × 94 wells + 10 % overage = 10.34 mL" in out


def test_the_time_lapse_hands_on_is_shown_as_its_range(
        capsys: pytest.CaptureFixture[str]) -> None:
    # 5 to 25 images of 10 min (every 6 h for 24 h .. every 2 h for 48 h, plus t = 0);
    # the protocol's 186 min hands-on reaches 186 - 50 + 250 = 386 min (R14)
    code, out, err = run(["show", "wound-healing", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["hands_on_s"], data["hands_on_max_s"]) == (186 * 60, 386 * 60)
    lapse = next(s for s in data["steps"] if s["id"] == "time-lapse")
    assert (lapse["hands_on_s"], lapse["hands_on_max_s"]) == (50 * 60, 250 * 60)
    code, out, err = run(["show", "wound-healing"], capsys)
    assert "hands-on 3 h 6 min–6 h 26 min;" in out


@pytest.mark.parametrize(("conc", "stock_ul", "dmso_ul"), [
    # 20 µL of 1000 × 1 µM = 1 mM from 10 mM: 2 µL + 18 µL DMSO; 5 µM: 10 + 10 µL
    (None, 2.0, 18.0), ("5uM", 10.0, 10.0),
])
def test_a_run_computes_the_working_stock_from_its_concentration(
        sqlite_url: str, conc: str | None, stock_ul: float, dmso_ul: float) -> None:
    """R1: the stock volume follows --param defactinib_conc in the run (its stored copy)."""
    env = {**os.environ, "ELAB_DATABASE_URL": sqlite_url, "ELAB_OPERATOR": "ana"}

    def elab(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "elab.cli.main", *args],
                                capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    params = ["--param", f"defactinib_conc={conc}"] if conc else []
    run_id = elab("runs", "start", "wound-healing", *params).strip()
    derived = {d["name"]: d for d in json.loads(elab("runs", "status", run_id, "--json"))[
        "derived"]}
    assert derived["stock_volume"]["values"] == [pytest.approx(stock_ul)]
    assert derived["vehicle_volume"]["values"] == [pytest.approx(dmso_ul)]
