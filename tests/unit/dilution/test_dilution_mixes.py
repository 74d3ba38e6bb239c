"""Master mixes, ratio and C1V1 dilutions, seeding, dosing: the seed protocols' numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.dilution import (
    PipetteLimits,
    plan_dilution,
    plan_master_mix,
    plan_ratio,
    plan_seeding,
    qpcr_components,
)
from elab.domain.dosing import bsa_dubois, bsa_mosteller, dose_animals, dose_patient
from elab.errors import InfeasibleError, InputError
from elab.units import parse_ratio


def test_qpcr_master_mix_with_10_percent_overage() -> None:
    """Seed 000: SYBR mix, primers and water for n + 10 %; template added separately."""
    parts, template = qpcr_components()
    plan = plan_master_mix(parts, 48, separately=template)
    volumes = {r.source: r.volume_ul for r in plan.rows if r.step == "mix"}
    assert volumes["SYBR Green master mix 2×"] == pytest.approx(528.0)
    assert volumes["forward primer 10 µM"] == pytest.approx(42.2)
    assert volumes["nuclease-free water"] == pytest.approx(337.9)
    assert plan.figures["made_for"] == pytest.approx(52.8)
    assert any("template (cDNA) is not in the mix" in n for n in plan.notes)
    assert json.loads(json.dumps(plan.to_dict()))["rows"][0]["volume_ul"] == 528.0


def test_antibody_1_to_1000_in_5_ml() -> None:
    plan = plan_ratio("anti-p-FAK (Y397)", parse_ratio("1:1000"), 5000)
    (row,) = plan.rows
    assert row.volume_ul == 5 and row.diluent_ul == 4995


def test_antibody_too_dilute_gets_a_predilution() -> None:
    plan = plan_ratio("anti-x", parse_ratio("1:10000"), 1000)
    assert [r.step for r in plan.rows] == ["pre-dilution", "dilution"]
    assert all(r.volume_ul >= 1 for r in plan.rows)
    assert "pre-dilute 1:10" in plan.notes[0]


def test_matrigel_to_200_ug_per_ml() -> None:
    """Seed 002: Matrigel to 200 µg/mL, 50 µL per insert, 12 inserts, from a 9.2 mg/mL lot."""
    plan = plan_dilution("Matrigel", 9.2, 0.2, "milligram / milliliter", 50, 12)
    row = plan.rows[0]
    assert row.total_ul == pytest.approx(660)
    assert row.volume_ul == pytest.approx(14.3)
    assert row.final == "200 µg/mL"
    with pytest.raises(InputError, match="weaker"):
        plan_dilution("Matrigel", 0.1, 0.2, "milligram / milliliter", 50, 12)


def test_seeding_5e4_cells_in_200_ul() -> None:
    """Seed 000: 5×10^4 cells in 200 µL per insert."""
    plan = plan_seeding(1.2e6, 0.92, 5e4, 200, 12)
    assert plan.figures["density_per_ml"] == pytest.approx(2.5e5)
    suspension = plan.rows[0]
    live = suspension.volume_ul * 1.2e6 * 0.92 / 1000
    assert live / suspension.total_ul * 200 == pytest.approx(5e4, rel=0.005)


def test_seeding_3000_to_5000_cells_per_well() -> None:
    """Seed 004: 3,000–5,000 cells/well in a 96-well plate; plans the middle."""
    plan = plan_seeding(8e5, 0.95, 4000, 100, 60, range_text="3,000–5,000 cells/well")
    assert plan.rows[0].total_ul == pytest.approx(6600)
    assert "3,000–5,000" in plan.notes[1]


def test_seeding_too_few_cells_says_how_much_to_concentrate() -> None:
    with pytest.raises(InfeasibleError, match=r"100000 live cells/mL .* needs 250000/mL"):
        plan_seeding(1e5, 1.0, 5e4, 200, 12)


@given(st.floats(1e5, 1e7), st.floats(0.5, 1), st.floats(1000, 1e5), st.integers(1, 96))
def test_seeding_never_pipettes_below_the_minimum(count: float, via: float, cells: float,
                                                   wells: int) -> None:
    try:
        plan = plan_seeding(count, via, cells, 100, wells)
    except InfeasibleError:
        assert count * via < cells * 10
        return
    except InputError as exc:
        assert "below the pipette minimum" in str(exc)
        return
    assert all(r.volume_ul >= 1 for r in plan.rows)


def test_mouse_dosing_50_mg_per_kg_at_10_ml_per_kg() -> None:
    """Seed 004: defactinib 50 mg/kg p.o.; a 20 g mouse gets 1 mg in 200 µL of 5 mg/mL."""
    plan = dose_animals(50, [20.0, 22.4], 10)
    assert plan.formulation_mg_per_ml == 5
    assert plan.animals[0].dose_mg == pytest.approx(1.0)
    assert plan.animals[0].volume_ul == pytest.approx(200)
    assert plan.animals[1].volume_ul == pytest.approx(224)
    with pytest.raises(InputError, match="not an animal's"):
        dose_animals(50, [0.2])


def test_bsa_and_mg_per_m2() -> None:
    """Seed 004: gemcitabine 800 mg/m² for a 170 cm, 70 kg patient."""
    assert bsa_mosteller(170, 70) == pytest.approx(1.818, abs=0.001)
    assert bsa_dubois(170, 70) == pytest.approx(1.810, abs=0.001)
    dose = dose_patient(800, 170, 70)
    assert dose.dose_mg == pytest.approx(1454.5, abs=0.1)
    assert "1454.5 mg" in dose.text()


def test_pipette_limits_refuse_nonsense() -> None:
    with pytest.raises(InputError):
        PipetteLimits(min_ul=0)
