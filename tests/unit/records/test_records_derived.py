"""The record shows each step's derived values as the run's readings give them."""

from __future__ import annotations

from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService


def test_record_shows_loading_volumes_and_antibody_volumes(service: RunService) -> None:
    run = service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})
    service.record_values(run, "bca", [("protein_conc", "2;1.6;2.5;0.5 mg/mL")])
    data, record = render_record(run, "md", source=ServiceRunSource(service))
    denature = next(s for s in record.steps if s.id == "denature")
    # unnamed readings take the lysates in bench order: the first 3 h plate's doses
    # 20 µg / 0.5 mg/mL = 40 µL: more than the 24 µL sample volume, so flagged
    assert denature.derived[0] == (
        "loading_volume = protein_per_lane / protein_conc (with protein_per_lane = 20 µg): "
        "per lysate: 4 of 45 lysates, 8–40 µL; outside 0–24 µL: 100 nM / 3 h #1 "
        "(needs protein_conc for 41 more lysates)")
    assert ("lysate 100 nM / 3 h #1: protein_conc 0.5 mg/mL → loading_volume 40 µL (outside), "
            "water_volume -16 µL (outside)") in denature.derived
    assert ("lysate DMSO / 3 h #1: loading_volume none, water_volume none "
            "(no protein_conc reading)") in denature.derived
    text = data.decode()
    assert "Derived:" in text and "0.1 nM / 3 h #1: protein_conc 2 mg/mL → loading_volume 10 µL" in text
    assert "10 µL per membrane" in text
    assert "Record protein_conc (mg/mL, expected 0.5–10 mg/mL, 45 readings, one per lysate by name)" in text


def test_record_says_what_a_derived_value_still_needs(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    data, record = render_record(run, "html", source=ServiceRunSource(service))
    denature = next(s for s in record.steps if s.id == "denature")
    assert denature.derived[0].endswith("needs protein_conc")
    # the middle of 20-30 µg, and where it comes from
    assert "(with protein_per_lane = 25 µg, planned from the default 20–30 µg)" in (
        denature.derived[0])
    assert "needs protein_conc" in data.decode()


def test_the_parameters_table_says_the_planned_value_the_derived_values_use(
    service: RunService,
) -> None:
    """The review: the table said "20–30 µg" while the derived section computed with 25 µg.
    Both say 25 µg now, with the range it is planned from; the step texts keep the range."""
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "2 mg/mL")])
    data, record = render_record(run, "md", source=ServiceRunSource(service))
    rows = {p.name: p for p in record.parameters}
    lane = rows["protein_per_lane"]
    assert (lane.value, lane.default, lane.overridden) == (
        "25 µg, planned from the default 20–30 µg", "20–30 µg", False)
    assert rows["sample_volume"].value == "24 µL"  # one value: nothing to plan
    denature = next(s for s in record.steps if s.id == "denature")
    assert "protein_per_lane = 25 µg, planned from the default 20–30 µg" in denature.derived[0]
    # 25 µg / 2 mg/mL
    assert ("lysate 0.1 nM / 3 h #1: protein_conc 2 mg/mL → loading_volume 12.5 µL, "
            "water_volume 11.5 µL") in denature.derived
    text = data.decode()
    assert "| protein_per_lane | 25 µg, planned from the default 20–30 µg | 20–30 µg |" in text


def test_a_range_the_run_gives_is_planned_from_too(service: RunService) -> None:
    run = service.start("western-blot-pfak", {"protein_per_lane": "10-20 ug"})
    _, record = render_record(run, "md", source=ServiceRunSource(service))
    lane = next(p for p in record.parameters if p.name == "protein_per_lane")
    assert lane.value == "15 µg, planned from 10–20 µg" and lane.overridden
    denature = next(s for s in record.steps if s.id == "denature")
    assert "(with protein_per_lane = 15 µg, planned from 10–20 µg)" in denature.derived[0]


def test_protocols_without_derived_values_are_left_as_they_were(service: RunService) -> None:
    run = service.start("mtt-viability")
    _, record = render_record(run, "md", source=ServiceRunSource(service))
    assert all(s.derived == () for s in record.steps)


def test_the_design_section_counts_a_crossed_control_per_level(service: RunService) -> None:
    """p-FAK's DMSO control is crossed with time: 3 wells at each of 3 time points, 9 in all
    (the review read "control DMSO (vehicle) × 3" as three wells); a plain control keeps its
    count as it is."""
    run = service.start("western-blot-pfak")
    data, record = render_record(run, "md", source=ServiceRunSource(service))
    assert record.design is not None
    assert "control DMSO (vehicle) × 3 per time (9 in all)" in record.design.lines
    assert "control DMSO (vehicle) × 3 per time (9 in all)" in data.decode()
    mtt = service.start("mtt-viability")
    _, plain = render_record(mtt, "md", source=ServiceRunSource(service))
    assert plain.design is not None
    assert "control vehicle (vehicle) × 3" in plain.design.lines


def test_each_value_row_names_its_lysate_and_a_correction_keeps_it(service: RunService) -> None:
    run = service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})
    service.record_values(run, "bca", [("protein_conc", "DMSO / 24 h #2: 4; 1.6")])
    first = service.state(run).current_values()[0]
    service.correct(run, first.seq, [("protein_conc", "5")], "misread")
    data, record = render_record(run, "html", source=ServiceRunSource(service))
    bca = next(s for s in record.steps if s.id == "bca")
    assert [(v.sample, v.value, v.replaced_by is not None) for v in bca.values] == [
        ("lysate DMSO / 24 h #2", "4 mg/mL", True),
        ("lysate 0.1 nM / 3 h #1", "1.6 mg/mL", False),
        ("lysate DMSO / 24 h #2", "5 mg/mL", False)]
    assert '<span class="sample">lysate DMSO / 24 h #2</span> = 5 mg/mL' in data.decode()
    denature = next(s for s in record.steps if s.id == "denature")
    assert ("lysate DMSO / 24 h #2: protein_conc 5 mg/mL → loading_volume 4 µL, "
            "water_volume 20 µL") in denature.derived
