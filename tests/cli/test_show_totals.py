"""``elab show`` from the shell: passive time along the critical path, material totals that
count what no step lists, and ranges totalled as ranges (review findings 3, 4 and 5)."""

from __future__ import annotations

import json

import pytest
from cli_calls import run


def test_pfak_passive_time_fits_inside_the_experiment(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "western-blot-pfak", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    # the 3, 24 and 48 h exposures run side by side: waited for once, not 75 h
    assert data["passive_min_s"] <= data["min_s"]
    code, out, err = run(["show", "western-blot-pfak"], capsys)
    assert "on the critical path" in out


def test_pfak_buffers_count_the_antibody_solutions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "western-blot-pfak", "--format", "json"], capsys)
    assert code == 0, err
    materials = {m["id"]: m for m in json.loads(out)["materials"]}
    assert materials["blocking"]["total"] == pytest.approx(160)
    assert materials["blocking"]["unit"] == "milliliter"
    assert materials["tbst"]["total"] == pytest.approx(600)
    assert materials["dmso"]["total"] == pytest.approx(106.3)


def test_mtt_cells_are_a_range_and_dmso_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "mtt-viability"], capsys)
    assert code == 0, err
    assert "cancer cell line of interest: 69300–115500 cells" in out
    assert "DMSO (vehicle): 21 µL" in out
    assert "complete culture medium: 6.666 mL" in out
    code, out, err = run(["show", "mtt-viability", "--format", "json"], capsys)
    cells = next(m for m in json.loads(out)["materials"] if m["id"] == "cells")
    assert (round(cells["low"]), round(cells["high"])) == (69300, 115500)


def test_xenograft_totals_count_the_regimens(capsys: pytest.CaptureFixture[str]) -> None:
    # 50 mg/kg × 20 g × 42 twice-daily doses × 16 animals (defactinib and combination arms);
    # 10 mg/kg × 20 g × 3 weekly doses × 16; the vehicles at 10 mL/kg for every arm, the
    # drug arms' share being what the drug is formulated in
    code, out, err = run(["show", "xenograft-combination", "--format", "json"], capsys)
    assert code == 0, err
    materials = {m["id"]: m for m in json.loads(out)["materials"]}
    assert materials["defactinib"]["total"] == pytest.approx(672)
    assert materials["defactinib"]["unit"] == "milligram"
    assert materials["paclitaxel"]["total"] == pytest.approx(9.6)
    assert materials["oral_vehicle"]["total"] == pytest.approx(268.8)
    assert materials["ip_vehicle"]["total"] == pytest.approx(19.2)
    code, out, err = run(["show", "xenograft-combination", "--param", "body_weight=25 g"],
                         capsys)
    assert "defactinib (oral formulation): 840 mg" in out


def test_bca_bsa_stock_is_the_kits_standard_series_not_a_per_well_volume(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Pierce BCA kit, Table 1: vials A-C take 300 + 375 + 325 uL of the 2 mg/mL stock and the
    # rest is diluted from them; the 12 lysate wells take no BSA (was 25 uL x 30 wells).
    code, out, err = run(["show", "bca-assay", "--format", "json"], capsys)
    assert code == 0, err
    materials = {m["id"]: m for m in json.loads(out)["materials"]}
    assert materials["bsa_standard"]["total"] == pytest.approx(1)
    assert materials["bsa_standard"]["unit"] == "milliliter"
    assert materials["working"]["total"] == pytest.approx(6000)  # 200 uL x all 30 wells, in uL
