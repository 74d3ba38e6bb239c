"""Serial dilutions: targets reached within rounding, vehicle constant, no volume under the
minimum; worked examples from the seed protocols; bad input with the numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from elab.domain.dilution import PipetteLimits, SerialSpec, plan_serial
from elab.errors import InfeasibleError, InputError


def _assert_sound(spec: SerialSpec) -> None:
    plan = plan_serial(spec)
    fig = plan.figures
    for target, final in zip(fig["targets"], fig["finals"], strict=True):
        # Small volumes sit on the pipette grid, large ones are derived: 2 % covers rounding.
        assert final == pytest.approx(target, rel=0.02)
    vehicle = fig["vehicle_fraction"]
    assert max(vehicle) - min(vehicle) < 1e-12
    if spec.vehicle_fraction:
        assert vehicle[0] == pytest.approx(spec.vehicle_fraction, rel=0.02)
    for row in plan.rows:
        for ul in (row.volume_ul, row.diluent_ul):
            assert ul == 0 or ul >= spec.limits.min_ul - 1e-9, row


@settings(max_examples=150, deadline=None)
@given(
    top=st.floats(0.001, 100),
    ratio=st.floats(1, 1e5),
    fold=st.sampled_from([2.0, 3.0, 3.16, 4.0, 10.0]),
    points=st.integers(1, 12),
    well=st.sampled_from([50.0, 100.0, 200.0, 2000.0]),
    wells=st.integers(1, 4),
    vehicle=st.sampled_from([0.0, 0.001, 0.002, 0.005, 0.01]),
    min_ul=st.sampled_from([0.5, 1.0, 2.0]),
)
# Found by this test: 0.7 µL of stock + 1 µL of DMSO missed a 1:2.48 top point by 2 %.
@example(top=1.0, ratio=496.0, fold=2.0, points=1, well=100.0, wells=3, vehicle=0.005,
         min_ul=0.5)
def test_every_plan_reaches_its_targets(
    top: float, ratio: float, fold: float, points: int, well: float, wells: int,
    vehicle: float, min_ul: float,
) -> None:
    spec = SerialSpec(
        stock=top * ratio, top=top, unit="micromolar", fold=fold, points=points, well_ul=well,
        wells=wells, vehicle_fraction=vehicle,
        limits=PipetteLimits(min_ul=min_ul, resolution_ul=0.1),
    )
    try:
        _assert_sound(spec)
    except InfeasibleError as exc:
        # The only refusal allowed: the stock is too weak to carry the vehicle's percentage.
        assert vehicle > 0, exc
        assert ratio < 1 / vehicle * 1.000001, exc


def test_mtt_dose_range_keeps_dmso_at_0_1_percent() -> None:
    """Seed 001: defactinib 8 points, 3-fold from 10 µM, from a 10 mM DMSO stock, 100 µL."""
    spec = SerialSpec(stock=10_000, top=10, unit="micromolar", fold=3, points=8, well_ul=100,
                      compound="defactinib")
    plan = plan_serial(spec)
    _assert_sound(spec)
    assert plan.figures["intermediate"] is True  # 0.1 µL DMSO per well is below 1 µL
    assert any("intermediate plate" in n for n in plan.notes)
    control = next(r for r in plan.rows if r.step == "vehicle control")
    assert control.final == "0.1 % DMSO"


def test_pfak_doses_in_6_well_plates_go_direct() -> None:
    """Seed 001: 0.1/1/10/100 nM in 2 mL per well: 2 µL of a DMSO series per well."""
    spec = SerialSpec(stock=10_000_000, top=100, unit="nanomolar", fold=10, points=4,
                      well_ul=2000, wells=1, compound="defactinib")
    plan = plan_serial(spec)
    _assert_sound(spec)
    assert plan.figures["intermediate"] is False
    assert [r.final for r in plan.rows if r.step.startswith("wells")] == [
        "100 nM", "10 nM", "1 nM", "100 pM"]
    assert any("pre-dilution" in n for n in plan.notes)


def test_stock_weaker_than_top() -> None:
    with pytest.raises(InputError, match=r"stock \(1 µM\) is weaker than the top .*10 µM"):
        SerialSpec(stock=1, top=10, unit="micromolar")


def test_vehicle_percentage_that_cannot_be_held() -> None:
    with pytest.raises(InfeasibleError, match=r"DMSO at 10 mM, but the stock is 1 mM.*1 % DMSO"):
        plan_serial(SerialSpec(stock=1000, top=10, unit="micromolar"))


def test_volume_below_any_pipette() -> None:
    with pytest.raises(InputError, match="below the pipette minimum of 1 µL"):
        plan_serial(SerialSpec(stock=10_000, top=10, unit="micromolar", add_ul=0.5))


def test_pfak_design_gives_its_dilution_plan() -> None:
    """Seed 001 as a protocol design: 4 doses × 3 times on 6-well plates, DMSO 0.1 %."""
    from elab.domain.dilution import serial_spec_from_design

    design = {
        "plate": 6,
        "factors": [
            {"name": "dose", "levels": ["0.1 nM", "1 nM", "10 nM", "100 nM"]},
            {"name": "time", "levels": ["3 h", "24 h", "48 h"]},
        ],
        "replicates": 1,
        "controls": [{"name": "DMSO", "kind": "vehicle", "count": 1}],
        "vehicle": {"material": "DMSO", "final": "0.1 % v/v"},
    }
    spec = serial_spec_from_design(design, "10 mM", 2000, compound="defactinib")
    assert (spec.top, spec.unit, spec.fold, spec.points) == (100, "nanomolar", 10, 4)
    # Each dose is in 3 wells (one per time point); the vehicle control is the one well the
    # design declares, not one per time point (controls are counted as written).
    assert spec.wells == 3 and spec.control_wells == 1 and spec.vehicle_fraction == 0.001
    _assert_sound(spec)
    with pytest.raises(InputError, match="not a serial dilution"):
        serial_spec_from_design({"factors": [{"name": "d", "levels": ["1 nM", "2 nM", "10 nM"]}]},
                                "1 mM", 100)


def test_combination_matrix_keeps_one_dmso_percentage() -> None:
    """Seed 004: defactinib × paclitaxel dose matrix, 0.2 % DMSO in every well."""
    from elab.domain.dilution import plan_matrix

    a = SerialSpec(stock=10_000, top=10, unit="micromolar", fold=10, points=3, well_ul=100,
                   compound="defactinib", vehicle_fraction=0.002)
    b = SerialSpec(stock=1e6, top=100, unit="nanomolar", fold=10, points=3, well_ul=100,
                   compound="paclitaxel", vehicle_fraction=0.002)
    plan = plan_matrix(a, b, replicates=3)
    assert plan.figures["vehicle_fraction"] == [pytest.approx(0.002)]
    finals = plan.figures["finals"]
    assert len(finals) == 4 and len(finals[0]) == 4
    assert finals[1][1] == (pytest.approx(10, rel=0.02), pytest.approx(100, rel=0.02))
    assert finals[0][0] == (0.0, 0.0)
    assert finals[3][0][0] == pytest.approx(0.1, rel=0.02)
    for row in plan.rows:
        assert row.volume_ul >= 1 and (row.diluent_ul == 0 or row.diluent_ul >= 1)
    assert sum(r.step.startswith("well A") for r in plan.rows) == 16
    with pytest.raises(InfeasibleError, match="20 mM"):  # each drug carries half the DMSO
        plan_matrix(replace(a, vehicle_fraction=0.001), replace(b, vehicle_fraction=0.001))
