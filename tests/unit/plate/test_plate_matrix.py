"""A dose matrix laid over plates: every plate of treated wells has its own 0 x 0 vehicle
and single-agent wells, each condition all its replicates (review 14 R3)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    check_layout,
    format_from_text,
    layout_by_shuffle,
    layout_from_assignments,
)
from elab.errors import InfeasibleError

A_LEVELS = ("0 uM", "0.4 uM", "1.2 uM", "3.7 uM", "11 uM", "33 uM")
B_LEVELS = ("0 nM", "1 nM", "3 nM", "10 nM", "30 nM")


def _matrix(a: int = 6, b: int = 5, **rules: object) -> DesignSpec:
    return DesignSpec(
        factors=(Factor("defactinib", A_LEVELS[:a]), Factor("paclitaxel", B_LEVELS[:b])),
        **rules,  # type: ignore[arg-type]
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=st.integers(2, 6), b=st.integers(2, 5), replicates=st.integers(1, 4),
    plate=st.sampled_from([24, 48, 96]), edge=st.sampled_from(["empty", "use"]),
    blanks=st.integers(0, 4), spread=st.sampled_from(["same", "plates"]),
)
def test_every_plate_of_a_matrix_has_its_own_vehicle(
        a: int, b: int, replicates: int, plate: int, edge: str, blanks: int,
        spread: str) -> None:
    controls = (Control("medium only", "blank", blanks),) if blanks else ()
    spec = _matrix(a, b, replicates=replicates, plate=format_from_text(plate), edge=edge,
                   controls=controls, spread=spread)
    try:
        layout = layout_by_shuffle(spec)
    except InfeasibleError as exc:
        assert "matrix" in str(exc) or "wells" in str(exc)
        return
    wells = Counter(p.condition for p in layout if p.kind == "sample")
    assert all(wells[c.name] == replicates for c in spec.sample_conditions())
    for n in range(1, layout.plates + 1):
        levels = [dict(p.levels) for p in layout.on_plate(n) if p.kind == "sample"]
        if any(lv["defactinib"] != "0 uM" and lv["paclitaxel"] != "0 nM" for lv in levels):
            held = {p.condition for p in layout.on_plate(n)}
            assert "0 uM / 0 nM" in held
            assert {f"0 uM / {x}" for x in B_LEVELS[1:b]} <= held
            assert {f"{x} / 0 nM" for x in A_LEVELS[1:a]} <= held
    assert not [v for v in check_layout(layout, spec) if "read them against" in v
                or ("replicates" in v and "expected" in v)]


def test_the_synergy_matrix_split_over_two_plates_keeps_a_vehicle_on_each() -> None:
    # 30 conditions x 3 + 4 blanks on 60 inner wells: two plates
    spec = _matrix(replicates=3, edge="empty", controls=(Control("medium only", "blank", 4),))
    layout = layout_by_shuffle(spec)
    assert layout.plates == 2
    for n in (1, 2):
        held = {p.condition for p in layout.on_plate(n)}
        assert "0 uM / 0 nM" in held and "33 uM / 0 nM" in held and "0 uM / 30 nM" in held


def test_a_matrix_that_cannot_give_each_plate_its_vehicle_is_refused() -> None:
    # 30 single wells on 24-well plates: two plates, one 0 x 0 well
    with pytest.raises(InfeasibleError, match="0 x 0 vehicle and single-agent wells"):
        layout_by_shuffle(_matrix(replicates=1, plate=format_from_text(24)))


def test_the_checker_names_a_plate_without_its_vehicle() -> None:
    spec = _matrix(2, 2, replicates=1, plate=format_from_text(24))
    plate1 = {(0, 0): "0 uM / 0 nM", (0, 1): "0 uM / 1 nM", (0, 2): "0.4 uM / 0 nM"}
    plate2 = {(0, 0): "0.4 uM / 1 nM"}
    violations = check_layout(layout_from_assignments(spec, [plate1, plate2]), spec)
    assert "plate 2 has treated wells but no '0 uM / 0 nM' wells to read them against" in (
        violations)


def test_a_time_zero_is_no_dose_matrix() -> None:
    spec = DesignSpec(factors=(Factor("dose", ("0 uM", "1 uM")), Factor("time", ("0 h", "24 h"))),
                      replicates=20, plate=format_from_text(24))
    layout = layout_by_shuffle(spec)  # no matrix rule: each condition whole on a plate
    plates = {(p.condition, p.plate) for p in layout}
    assert len(plates) == 4 and layout.plates == 4


def test_a_matrix_by_cell_line_gets_each_line_its_own_vehicle_plate_by_drug_none() -> None:
    lines = Factor("cells", ("A", "B"))
    spec = DesignSpec(factors=(*_matrix(3, 3).factors, lines), replicates=4,
                      plate=format_from_text(24), plate_by="cells")
    layout = layout_by_shuffle(spec)
    assert layout.plates == 4  # 9 conditions x 4 = 36 wells a line: two 24-well plates each
    for n in range(1, layout.plates + 1):
        held = {p.condition for p in layout.on_plate(n)}
        line = next(iter({dict(p.levels)["cells"] for p in layout.on_plate(n)}))
        assert f"0 uM / 0 nM / {line}" in held
    by_drug = DesignSpec(factors=_matrix(3, 3).factors, replicates=2,
                         plate=format_from_text(24), plate_by="defactinib")
    assert layout_by_shuffle(by_drug).plates == 3  # one plate a defactinib level, no refusal
