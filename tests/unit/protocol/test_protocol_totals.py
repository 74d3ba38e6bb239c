"""Material totals count only the samples a use reaches (``exclude:``), and what no step
lists: solution diluents, edge-well medium, the dilution plan's vehicle and medium."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.domain.protocol.describe import describe_text, material_totals

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"


def totals(name: str) -> dict[str, tuple[float | None, tuple[str, ...]]]:
    protocol = load_protocol(PROTOCOLS / f"{name}.yaml", library=[PROTOCOLS])
    return {t.material: (t.total, t.lines) for t in material_totals(protocol)}


def test_medium_only_blanks_get_no_cells() -> None:
    # 6 doses × 3 + 3 vehicle = 21 seeded wells of 24; 3,000-5,000 cells planned at 4,000
    total, lines = totals("mtt-viability")["cells"]
    assert lines == ("seed: 3000–5000 cells × 21 wells + 10 % overage = 69300–115500 cells",)
    assert total is not None and round(total) == 4000 * 21 * 11 // 10


def test_a_range_is_totalled_as_a_range() -> None:
    """Review finding 4: 3000-5000 cells × 21 wells + 10 % is 69,300-115,500 cells, not the
    midpoint alone."""
    protocol = load_protocol(PROTOCOLS / "mtt-viability.yaml", library=[PROTOCOLS])
    cells = next(t for t in material_totals(protocol) if t.material == "cells")
    assert (round(cells.low or 0), round(cells.high or 0)) == (69300, 115500)
    assert cells.is_range
    text = describe_text(protocol)
    assert "cancer cell line of interest: 69300–115500 cells" in text


def test_antibody_solutions_count_their_diluent() -> None:
    """Review finding 3: the primaries are diluted in blocking buffer and the secondaries in
    TBST; 10 mL per membrane × 4 membranes at each solution step."""
    found = totals("western-blot-pfak")
    blocking, lines = found["blocking"]
    # block 40 + primary-pfak 40 + reblock 40 + primary-fak 40 mL
    assert blocking == pytest.approx(160)
    assert ("primary-pfak: 10 mL per membrane × 4 membranes = 40 mL (the solution the "
            "antibodies are diluted in)") in lines
    tbst, lines = found["tbst"]
    # four washes of 3 × 40 mL + secondary-1, check-strip, secondary-2 at 40 mL
    assert tbst == pytest.approx(4 * 3 * 40 + 3 * 40)
    assert sum("the solution the antibodies are diluted in" in line for line in lines) == 3


def test_edge_wells_and_the_dilution_plan_count_their_medium_and_vehicle() -> None:
    """Review finding 3: MTT's medium left out the 36 edge wells filled with medium and the
    intermediate dilutions, and no DMSO was listed though the plan uses 21 µL."""
    found = totals("mtt-viability")
    medium, lines = found["medium"]
    assert ("seed: 90 µL × 36 edge wells filled with medium (design edge: medium) + 10 % "
            "overage = 3.564 mL") in lines
    # 7 intermediates (6 points and the vehicle) of 1 µL + 99 µL medium
    assert any(line.startswith("treat: 693 µL (the dilution plan") for line in lines)
    # seeding 24 + edge 36 wells of 90 µL, the 3 blanks' 10 µL (+ 10 %), 693 µL planned
    assert medium == pytest.approx(90 * 60 * 1.1 + 10 * 3 * 1.1 + 693)
    dmso, lines = found["dmso"]
    # the series: 5 × 4 µL DMSO; the vehicle's working solution: 1 µL DMSO
    assert dmso == pytest.approx(21)
    assert lines == ("treat: 20 µL diluting the series + 1 µL for the vehicle's working "
                     "solution = 21 µL (the dilution plan, as pipetted, no overage)",)


def test_compensation_beads_and_fmo_tubes_need_no_tumour_digest() -> None:
    total, lines = totals("flow-cytometry-til")["digestion"]
    assert total == 5 * 10  # 2 arms × 5 tumours; not the 9 bead and 4 cell controls
    assert lines == ("digest: 5 mL × 10 samples = 50 mL",)


def test_a_factor_level_can_be_left_out() -> None:
    # the 1000x defactinib reaches the 3 defactinib lanes, not the 3 vehicle lanes; DMSO the
    # 3 vehicle lanes only, the drug lanes getting theirs with the drug (review 14, R2: DMSO
    # in all 6 gave the drug lanes 0.2 %)
    found = totals("western-blot-emt")
    assert found["defactinib_1000x"][0] == 2 * 3
    assert found["dmso"][0] == 2 * 3


def test_the_dosing_step_adds_the_designs_addition_to_the_treated_wells() -> None:
    # 6 doses × 3 replicates = 18 treated wells × 10 µL × 1.1 overage = 198 µL of working
    # solution, computed from design.dosing (the step writes no volume); the defactinib itself
    # runs down by what the series draws from the 100 mM stock: 2 µL (point 1, used as is)
    total, lines = totals("mtt-viability")["defactinib"]
    assert total == 2
    assert lines == ("treat: 10 µL of the dose series (1:100 in medium) × 18 wells + 10 % overage"
                     " = 198 µL (the design's addition); 2 µL of the stock (the dilution plan)",)


def test_the_vehicle_goes_to_the_vehicle_wells_the_design_declares() -> None:
    # p-FAK: 4 doses × 3 times × 3 replicates = 36 wells of 2 µL; 3 DMSO controls × 3 = 9 wells
    defactinib, vehicle = totals("western-blot-pfak")["defactinib"], totals(
        "western-blot-pfak")["dmso"]
    assert defactinib[1][0].startswith("treat: 2 µL of the dose series × 36 wells = 72 µL")
    assert defactinib[0] == 2  # the 10 mM stock pre-diluted once: 2 µL + 8 µL DMSO
    # the wells' 18 µL, and the plan's 8 µL pre-dilution + 20.9 + 3 × 19.8 µL series
    assert vehicle[0] == pytest.approx(18 + 88.3)
    assert vehicle[1] == ("treat: 2 µL of the vehicle × 9 wells = 18 µL (the design's addition)",
                          "treat: 88.3 µL diluting the series (the dilution plan, as pipetted, "
                          "no overage)")


def test_a_time_matched_vehicle_counts_once_per_time_point_left_in(tmp_path: Path) -> None:
    # p-FAK: DMSO (3 wells) is crossed with 3 time points; the seeding medium (2 mL a well)
    # reaches 4 doses × 3 times × 3 + 3 × 3 DMSO = 45 wells, and a use that leaves out 48 h
    # reaches 4 doses × 2 times × 3 + 2 × 3 DMSO = 30 wells
    text = (PROTOCOLS / "western-blot-pfak.yaml").read_text(encoding="utf-8")
    old = "{material: medium, volume: 2 mL, per: well}"
    assert old in text
    path = tmp_path / "western-blot-pfak.yaml"
    path.write_text(text.replace(old, "{material: medium, volume: 2 mL, per: well, "
                                      "exclude: [48 h]}"), encoding="utf-8")
    protocol = load_protocol(path, library=[PROTOCOLS])
    found = {t.material: t.total for t in material_totals(protocol)}
    assert found["medium"] == 2 * 30
    assert totals("western-blot-pfak")["medium"][0] == 2 * 45
