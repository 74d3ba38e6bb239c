"""A step's amounts (`elab.domain.protocol.amounts`): what every view of a step lists."""

from __future__ import annotations

from pathlib import Path

import elab
from elab.domain.protocol import load_protocol, protocol_from_content
from elab.domain.protocol.amounts import step_amounts, step_materials
from elab.domain.protocol.describe import material_totals


def test_without_a_design_an_amount_per_sample_says_so() -> None:
    """No design counts the samples: "600 µL per sample" stays per sample, not a total."""
    protocol = protocol_from_content({
        "id": "lysis", "title": "Lysis", "version": "1",
        "materials": {"ripa": {"name": "RIPA buffer"}, "pbs": {"name": "PBS"}},
        "steps": [{"id": "lyse", "title": "Lyse", "hands_on": "10 min", "uses": [
            {"material": "ripa", "volume": "600 uL", "per": "sample"},
            {"material": "pbs", "volume": "50 mL"}]}],
    })
    lines = [a.line for a in step_amounts(protocol, "lyse")]
    assert lines == ["600 µL per sample", "50 mL"]
    assert [t.lines for t in material_totals(protocol)] == [
        ("lyse: 600 µL per sample",), ("lyse: 50 mL",)]


def test_the_mtt_seeding_medium_adds_up_to_what_elab_show_counts() -> None:
    protocol = load_protocol(Path(elab.__file__).parent / "protocols" / "mtt-viability.yaml")
    medium = next(m for m in step_materials(protocol, "seed") if m.material == "medium")
    assert medium.headline == "5.94 mL in all"
    assert medium.details == (
        "90 µL × 24 wells + 10 % overage = 2.376 mL",
        "90 µL × 36 edge wells filled with medium (design edge: medium) + 10 % overage = "
        "3.564 mL")
    cells = next(m for m in step_materials(protocol, "seed") if m.material == "cells")
    assert cells.details == ()  # one amount: the headline is that amount
    assert cells.headline == "3000–5000 cells × 21 wells + 10 % overage = 69300–115500 cells"
