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
    # 20 µg / 0.5 mg/mL = 40 µL: more than the 24 µL sample volume, so flagged
    assert denature.derived[0] == (
        "loading_volume = protein_per_lane / protein_conc (with protein_per_lane = 20 µg): "
        "10, 12.5, 8, 40 µL per lysate (lysates 1–4 in recorded order); outside 0–24 µL: "
        "lysate 4 (needs protein_conc for 41 more lysates)")
    assert "14, 11.5, 16, -16 µL per lysate" in denature.derived[1]
    text = data.decode()
    assert "Derived:" in text and "10, 12.5, 8, 40 µL per lysate" in text
    assert "10 µL per membrane" in text


def test_record_says_what_a_derived_value_still_needs(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    data, record = render_record(run, "html", source=ServiceRunSource(service))
    denature = next(s for s in record.steps if s.id == "denature")
    assert denature.derived[0].endswith("needs protein_conc")
    assert "(with protein_per_lane = 25 µg)" in denature.derived[0]  # the middle of 20-30 µg
    assert "needs protein_conc" in data.decode()


def test_protocols_without_derived_values_are_left_as_they_were(service: RunService) -> None:
    run = service.start("mtt-viability")
    _, record = render_record(run, "md", source=ServiceRunSource(service))
    assert all(s.derived == () for s in record.steps)
