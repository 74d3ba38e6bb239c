"""The library's MTT plate at the bench: what the blanks get, the guide's IC50s, what n counts
(review findings 10 and 11)."""

from __future__ import annotations

from pathlib import Path

import elab
from elab.domain.dilution import plan_serial, serial_spec_from_protocol
from elab.domain.protocol import Protocol, load_protocol
from elab.domain.protocol.describe import scaled_use


def _mtt() -> Protocol:
    return load_protocol(Path(elab.__file__).parent / "protocols" / "mtt-viability.yaml")


def test_the_expected_ic50_is_the_guides_pair() -> None:
    protocol = _mtt()
    assert protocol.design is not None
    ic50 = protocol.design.factors[0].expected["ic50"]
    assert (ic50.low, ic50.high, ic50.unit) == (1.98, 10.34, "micromolar")


def test_blanks_get_medium_and_the_vehicle_only_the_vehicle_wells() -> None:
    protocol = _mtt()
    design = protocol.design
    assert design is not None
    blanks = next(c for c in design.controls if c.kind == "blank")
    vehicles = next(c for c in design.controls if c.kind == "vehicle")
    treat = protocol.step("treat")
    text = " ".join((treat.text or "").split())
    assert "blank" in text and "no DMSO" in text
    assert "Vehicle and blank wells get DMSO" not in text
    # the treat step's medium reaches the blank wells and no others
    medium = next(u for u in treat.uses if u.material == "medium")
    _, shown = scaled_use(medium, protocol, "treat")
    assert f"× {blanks.count} wells" in shown
    # the dilution plan's vehicle row is the vehicle control's wells, the blanks' are not in it
    plan = plan_serial(serial_spec_from_protocol(protocol).spec)
    vehicle_rows = [r for r in plan.rows if "vehicle" in r.step and r.per]
    assert vehicle_rows and all(str(vehicles.count) in r.per for r in vehicle_rows)


def test_the_notes_call_one_suspensions_wells_technical_replicates() -> None:
    for name in ("mtt-viability", "western-blot-pfak"):
        protocol = load_protocol(Path(elab.__file__).parent / "protocols" / f"{name}.yaml")
        notes = " ".join((protocol.notes or "").split())
        assert "technical replicates" in notes and "n = 3 counts wells" in notes
        assert "biological replicate wells" not in notes
