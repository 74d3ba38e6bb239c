"""Controls crossed with a factor (a vehicle per time point) and plates by a factor's levels."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    check_layout,
    csv_from_layout,
    format_from_text,
    layout_by_shuffle,
    layout_by_style,
    spec_from_design,
)
from elab.domain.protocol import load_protocol
from elab.errors import InputError, NotFoundError

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"
DOSE = Factor("dose", ("1 nM", "10 nM"))
TIME = Factor("time", ("3 h", "24 h", "48 h"))


def pfak_spec(**rules: object) -> DesignSpec:
    design = load_protocol(PROTOCOLS / "western-blot-pfak.yaml", library=[PROTOCOLS]).design
    return spec_from_design(design, **rules)  # type: ignore[arg-type]


def test_a_crossed_control_has_one_copy_per_level_carrying_it() -> None:
    spec = DesignSpec((DOSE, TIME), 2, (Control("DMSO", "vehicle", 2, ("time",)),))
    copies = spec.control_conditions()
    assert [c.name for c in copies] == ["DMSO / 3 h", "DMSO / 24 h", "DMSO / 48 h"]
    assert [dict(c.levels) for c in copies] == [{"time": t} for t in TIME.levels]
    assert spec.control_wells_per_plate == 0  # not on every plate
    assert spec.sample_wells == 6 * 2 + 3 * 2


def test_the_pfak_design_gives_each_plate_one_time_point_and_its_own_vehicle() -> None:
    spec = pfak_spec(seed=4)
    layout = layout_by_shuffle(spec)
    assert check_layout(layout, spec) == []
    assert layout.plates == 9  # 3 time points x 3 replicates, 5 of 6 wells used
    for plate in range(1, 10):
        wells = layout.on_plate(plate)
        times = {dict(p.levels)["time"] for p in wells}
        assert len(times) == 1
        (time,) = times
        assert sorted(p.condition for p in wells) == sorted(
            [f"{d} / {time}" for d in ("0.1 nM", "1 nM", "10 nM", "100 nM")]
            + [f"DMSO / {time}"])


def test_the_layout_csv_gives_the_vehicle_rows_their_time() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_from_layout(layout_by_shuffle(pfak_spec())))))
    vehicle = [r for r in rows if r["control"] == "vehicle"]
    assert Counter(r["time"] for r in vehicle) == {"3 h": 3, "24 h": 3, "48 h": 3}
    assert {r["dose"] for r in vehicle} == {""}
    assert {r["replicate"] for r in vehicle} == {"1", "2", "3"}  # numbered across plates


def test_without_plate_by_the_time_matched_vehicles_still_get_their_counts() -> None:
    spec = pfak_spec(plate="96", plate_by="none", spread="same", style="by-column")
    layout = layout_by_style(spec)
    assert layout.plates == 1 and check_layout(layout, spec) == []
    per = Counter(p.condition for p in layout if p.kind == "vehicle")
    assert per == {"DMSO / 3 h": 3, "DMSO / 24 h": 3, "DMSO / 48 h": 3}


def test_spread_same_keeps_replicates_together_and_the_vehicle_with_its_level() -> None:
    spec = DesignSpec((DOSE, TIME), 3, (Control("DMSO", "vehicle", 1, ("time",)),),
                      format_from_text(24), plate_by="time", style="blocked")
    layout = layout_by_style(spec)
    assert check_layout(layout, spec) == []
    by_plate: dict[int, set[str]] = defaultdict(set)
    for p in layout:
        by_plate[p.plate].add(dict(p.levels)["time"])
    assert layout.plates == 3 and all(len(t) == 1 for t in by_plate.values())


def test_a_plain_control_is_still_on_every_plate() -> None:
    spec = DesignSpec((DOSE, TIME), 1, (Control("blank", "blank", 1),), format_from_text(6),
                      plate_by="time")
    layout = layout_by_shuffle(spec)
    assert [sum(p.condition == "blank" for p in layout.on_plate(k)) for k in (1, 2, 3)] == [
        1, 1, 1]


def test_a_control_crossed_with_an_unknown_factor_is_refused_with_a_hint() -> None:
    with pytest.raises(NotFoundError, match="tme"):
        DesignSpec((DOSE, TIME), 1, (Control("DMSO", "vehicle", 1, ("tme",)),))


def test_plates_by_time_need_the_vehicle_crossed_with_time() -> None:
    with pytest.raises(InputError, match="cross it with time too"):
        DesignSpec((DOSE, TIME), 1, (Control("DMSO", "vehicle", 1, ("dose",)),),
                   plate_by="time")


def test_the_protocol_counts_crossed_controls_per_level() -> None:
    protocol = load_protocol(PROTOCOLS / "western-blot-pfak.yaml", library=[PROTOCOLS])
    assert protocol.design is not None
    assert protocol.design.sample_count == 4 * 3 * 3 + 3 * 3


def test_the_designs_layout_rules_apply_unless_given() -> None:
    design = load_protocol(PROTOCOLS / "mtt-viability.yaml", library=[PROTOCOLS]).design
    assert spec_from_design(design).edge_rule == "medium"  # the MTT fills its outer ring
    assert spec_from_design(design, edge="use").edge_rule == "use"
    pfak = pfak_spec()
    assert (pfak.plate_by, pfak.spread, pfak.style) == ("time", "plates", "randomised")
    assert pfak_spec(plate_by="none", spread="same", style="blocked").plate_by is None


def test_a_plate_of_one_time_point_reads_with_consecutive_codes_and_its_level() -> None:
    from elab.domain.plate import layout_from_csv, text_grid

    layout = layout_by_shuffle(pfak_spec(seed=2))
    grid = text_grid(layout, plate=4, legend=False)
    assert grid.startswith("plate 4 (6-well) · time 24 h")
    cells = {c for line in grid.splitlines()[2:] for c in line.split()[1:]}
    assert cells == {"5", "6", "7", "8", "v2", "."}
    again = layout_from_csv(csv_from_layout(layout))
    assert text_grid(again) == text_grid(layout)  # the kept CSV shows the same codes


@settings(max_examples=60, deadline=None)
@given(levels=st.integers(1, 4), times=st.integers(1, 3), replicates=st.integers(1, 3),
       vehicles=st.integers(1, 3), wells=st.sampled_from([6, 12, 24]),
       spread=st.sampled_from(["same", "plates"]))
def test_plates_by_time_keep_each_vehicle_with_its_own_time_point(
        levels: int, times: int, replicates: int, vehicles: int, wells: int, spread: str) -> None:
    doses = Factor("dose", tuple(f"{10 ** k} nM" for k in range(levels)))
    time = Factor("time", TIME.levels[:times])
    spec = DesignSpec((doses, time), replicates, (Control("DMSO", "vehicle", vehicles, ("time",)),),
                      format_from_text(wells), plate_by="time", spread=spread,  # type: ignore[arg-type]
                      style="by-column")
    layout = layout_by_style(spec)
    assert check_layout(layout, spec) == []
    for plate in range(1, layout.plates + 1):
        assert len({dict(p.levels)["time"] for p in layout.on_plate(plate)}) <= 1
    vehicle = Counter(p.condition for p in layout if p.kind == "vehicle")
    assert vehicle == {f"DMSO / {t}": vehicles for t in time.levels}
    if spread == "plates" and vehicles >= replicates:  # a complete set on every plate
        for plate in range(1, layout.plates + 1):
            assert any(p.kind == "vehicle" for p in layout.on_plate(plate))


def test_a_design_too_big_counts_its_matched_controls_in_the_message() -> None:
    from elab.errors import InfeasibleError

    with pytest.raises(InfeasibleError, match=r"36 samples \+ 9 level-matched control wells"):
        layout_by_shuffle(pfak_spec(plate_by="none", plates=1, spread="same"))


def test_replicates_spread_over_a_levels_plates_are_checked_on_those_plates_only() -> None:
    from elab.domain.plate import layout_from_assignments

    spec = DesignSpec((DOSE, Factor("time", ("3 h", "24 h"))), 3,
                      (Control("DMSO", "vehicle", 1, ("time",)),), format_from_text(6),
                      plate_by="time", spread="plates", style="by-column")

    def plates(time: str) -> list[dict[tuple[int, int], str]]:
        one, ten, dmso = f"1 nM / {time}", f"10 nM / {time}", f"DMSO / {time}"
        return [{(0, 0): one, (1, 0): one, (0, 1): ten, (1, 1): ten, (0, 2): dmso},
                {(0, 0): one, (0, 1): ten}]

    # 2 + 1 replicates over a time point's two plates is as even as 3 wells on 2 plates get,
    # though the other time point's plates hold none of them
    layout = layout_from_assignments(spec, plates("3 h") + plates("24 h"))
    assert check_layout(layout, spec) == []


def test_a_time_points_plates_each_get_its_vehicle_even_with_replicates_kept_together() -> None:
    doses = Factor("dose", ("0.1 nM", "1 nM", "10 nM", "100 nM"))
    spec = DesignSpec((doses, Factor("time", ("3 h", "24 h"))), 2,
                      (Control("DMSO", "vehicle", 2, ("time",)),), format_from_text(6),
                      plate_by="time", spread="same", style="by-column")
    layout = layout_by_style(spec)
    assert layout.plates == 4 and check_layout(layout, spec) == []
    for plate in range(1, 5):
        here = layout.on_plate(plate)
        (time,) = {dict(p.levels)["time"] for p in here}
        assert [p.condition for p in here if p.kind == "vehicle"] == [f"DMSO / {time}"]
        assert Counter(p.condition for p in here if p.kind == "sample").most_common(1)[0][1] == 2
