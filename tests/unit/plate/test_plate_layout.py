"""Solver layouts: every rule held, checked by the independent checker; seeds reproduce."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    Pin,
    check_layout,
    format_from_text,
    is_edge,
    layout_by_shuffle,
    quality_report,
    text_grid,
)
from elab.errors import InfeasibleError, NotFoundError
from elab.solve.plate_layout import solve_layout

MTT_DOSES = ("0.01 uM", "0.03 uM", "0.1 uM", "0.3 uM", "1 uM", "3 uM", "10 uM", "30 uM")


def mtt_spec(seed: int = 0) -> DesignSpec:
    """Seed 001: MTT dose range on a 96-well plate with vehicle (DMSO) and medium blanks."""
    return DesignSpec(
        factors=(Factor("dose", MTT_DOSES),),
        replicates=3,
        controls=(Control("vehicle", "vehicle", 6), Control("medium only", "blank", 3)),
        plate=format_from_text(96),
        seed=seed,
    )


def test_mtt_dose_range_on_a_96_well_plate() -> None:
    spec = mtt_spec()
    layout = solve_layout(spec)
    assert check_layout(layout, spec) == []
    assert len([p for p in layout if p.kind == "sample"]) == 24
    assert all(not is_edge(*p.ij(), spec.plate, 1) for p in layout)
    for q in quality_report(layout):
        if q.kind == "sample":
            assert q.rows == 3 and q.cols == 3 and q.min_edge >= 1


def test_same_seed_same_layout_other_seed_other_layout() -> None:
    a, b, c = solve_layout(mtt_spec(4)), solve_layout(mtt_spec(4)), solve_layout(mtt_spec(5))
    assert a.placements == b.placements
    assert a.placements != c.placements


def test_combination_dose_matrix() -> None:
    """Seed 004: defactinib × paclitaxel dose matrix, 3 replicates, on 96 wells."""
    spec = DesignSpec(
        factors=(
            Factor("defactinib", ("0 uM", "0.1 uM", "1 uM", "10 uM")),
            Factor("paclitaxel", ("0 nM", "1 nM", "10 nM", "100 nM")),
        ),
        replicates=3,
        controls=(Control("medium only", "blank", 3),),
        plate=format_from_text(96),
        seed=1,
    )
    layout = solve_layout(spec)
    assert layout.plates == 1
    assert check_layout(layout, spec) == []


def test_pfak_dose_time_course_on_6_well_plates() -> None:
    """Seed 001: 0.1/1/10/100 nM × 3/24/48 h with DMSO, one well each, on 6-well plates."""
    spec = DesignSpec(
        factors=(
            Factor("time", ("3 h", "24 h", "48 h")),
            Factor("dose", ("0.1 nM", "1 nM", "10 nM", "100 nM")),
        ),
        replicates=1,
        controls=(Control("DMSO", "vehicle", 1),),
        plate=format_from_text(6),
        seed=2,
        plate_by="time",  # each time point is harvested on its own plate
    )
    layout = solve_layout(spec)
    assert spec.edge_rule == "use"
    assert layout.plates == 3  # 4 doses + a DMSO well on every plate, 6 wells each
    assert check_layout(layout, spec) == []
    for plate in range(1, 4):
        on = layout.on_plate(plate)
        assert sum(p.condition == "DMSO" for p in on) == 1
        assert len({dict(p.levels)["time"] for p in on if p.kind == "sample"}) == 1


def test_replicates_on_different_plates() -> None:
    spec = DesignSpec(
        factors=(Factor("dose", ("1 nM", "10 nM")),),
        replicates=3,
        controls=(Control("vehicle", "vehicle", 2),),
        plate=format_from_text(24),
        spread="plates",
    )
    layout = solve_layout(spec)
    assert layout.plates == 3
    assert check_layout(layout, spec) == []


def test_medium_edge_pins_and_grid() -> None:
    spec = DesignSpec(
        factors=(Factor("dose", ("1 nM", "10 nM")),),
        replicates=2,
        controls=(Control("vehicle", "vehicle", 2),),
        plate=format_from_text(96),
        edge="medium",
        pins=(Pin("vehicle", "B2"), Pin("empty", "D6")),
    )
    layout = solve_layout(spec)
    assert check_layout(layout, spec) == []
    grid = layout.grid(1)
    assert grid[(1, 1)].condition == "vehicle"
    assert (3, 5) not in grid
    assert grid[(0, 0)].kind == "edge"
    text = text_grid(layout)
    assert "v1" in text and "~" in text and "medium" in text


def test_too_many_wells_says_how_many() -> None:
    spec = DesignSpec(
        factors=(Factor("dose", tuple(f"{i} nM" for i in range(30))),),
        replicates=3,
        controls=(Control("vehicle", "vehicle", 4),),
        plate=format_from_text(96),
        plates=1,
    )
    with pytest.raises(InfeasibleError, match=r"needs 94 wells .* 60 usable wells"):
        solve_layout(spec)


def test_unknown_pin_condition() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'vehicle'"):
        DesignSpec(controls=(Control("vehicle", "vehicle", 2),), pins=(Pin("vehicel", "B2"),))


def test_checker_catches_what_the_shuffle_breaks() -> None:
    spec = mtt_spec(3)
    assert check_layout(layout_by_shuffle(spec), spec) != []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    levels=st.integers(1, 6),
    replicates=st.integers(1, 4),
    controls=st.integers(1, 4),
    size=st.sampled_from([24, 48, 96]),
    spread=st.sampled_from(["same", "plates"]),
    seed=st.integers(0, 1000),
)
def test_every_layout_places_each_sample_once(
    levels: int, replicates: int, controls: int, size: int, spread: str, seed: int
) -> None:
    spec = DesignSpec(
        factors=(Factor("dose", tuple(f"{i} nM" for i in range(levels))),),
        replicates=replicates,
        controls=(Control("vehicle", "vehicle", controls),),
        plate=format_from_text(size),
        spread=spread,  # type: ignore[arg-type]
        seed=seed,
    )
    layout = solve_layout(spec, time_limit=5)
    violations = check_layout(layout, spec)
    assert violations == [] or layout.notes, violations
    samples = [(p.condition, p.replicate) for p in layout if p.kind == "sample"]
    assert len(samples) == len(set(samples)) == levels * replicates
    ring = spec.edge_ring
    assert all(not is_edge(*p.ij(), spec.plate, ring) for p in layout if p.kind != "edge")
    if spread == "same":
        for cond in {c for c, _ in samples}:
            assert len({p.plate for p in layout if p.condition == cond}) == 1


def test_control_codes_never_read_as_well_names() -> None:
    """A blank coded B1 on a plate map reads as well B1; controls get lower-case codes."""
    import re

    from elab.domain.plate import codes_for
    from elab.domain.plate.csvio import layout_from_csv

    layout = layout_from_csv(
        "plate,well,condition,dose,replicate,control\n"
        "1,A1,1 uM,1 uM,1,\n1,A2,vehicle,,1,vehicle\n1,A3,medium only,,1,blank\n")
    codes = codes_for(layout)
    assert codes["medium only"] == "b1" and codes["vehicle"] == "v1"
    assert not any(re.fullmatch(r"[A-P][0-9]+", c) for c in codes.values())
