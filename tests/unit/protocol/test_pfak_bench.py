"""The library's p-FAK blot at the bench: a ladder lane on every gel, one membrane per gel,
antibody solutions for every membrane, and a phospho-safe blocking buffer (review findings
8 and 12)."""

from __future__ import annotations

import math
from pathlib import Path

import elab
from elab.domain.protocol import Protocol, load_protocol
from elab.domain.protocol.derive import antibody_volumes

LANES_PER_GEL = 15  # 15-well 1.5 mm mini gel, as the protocol's gel material says
LADDER_LANES = 1


def _pfak() -> Protocol:
    return load_protocol(Path(elab.__file__).parent / "protocols" / "western-blot-pfak.yaml")


def _amount(protocol: Protocol, step: str, material: str) -> float:
    use = next(u for u in protocol.step(step).uses if u.material == material)
    assert use.amount is not None
    return use.amount.planned


def test_every_gel_has_a_ladder_lane_and_the_lysates_fit() -> None:
    protocol = _pfak()
    assert protocol.design is not None
    lysates = protocol.design.sample_count
    gels = _amount(protocol, "electrophoresis", "gel")
    assert "15-well" in protocol.materials["gel"].name
    assert gels == math.ceil(lysates / (LANES_PER_GEL - LADDER_LANES)) == 4
    assert any(u.material == "ladder" for u in protocol.step("electrophoresis").uses)


def test_one_membrane_per_gel_and_antibodies_for_every_membrane() -> None:
    protocol = _pfak()
    gels = _amount(protocol, "electrophoresis", "gel")
    assert _amount(protocol, "transfer", "pvdf") == gels
    for step in protocol.steps:
        if step.solution is not None:
            assert step.solution.count == gels, step.id
            for volume in antibody_volumes(step, protocol):
                assert volume.count == gels
    totals = {v.material: v.total for v in antibody_volumes(protocol.step("primary-pfak"),
                                                            protocol)}
    assert totals == {"anti_pfak": 40.0 / 1000}  # 10 mL / 1000 × 4 membranes, in mL


def test_the_phospho_antibody_is_blocked_and_diluted_in_bsa() -> None:
    protocol = _pfak()
    diluent = protocol.step("primary-pfak").solution
    assert diluent is not None and diluent.diluent == "blocking"
    name = protocol.materials["blocking"].name
    assert "BSA" in name and "milk" not in name


def test_the_emt_blot_blocks_its_phospho_membrane_in_bsa() -> None:
    protocol = load_protocol(Path(elab.__file__).parent / "protocols" / "western-blot-emt.yaml")
    assert any(u.material == "anti_pfak" for u in protocol.step("primary").uses)
    name = protocol.materials["blocking"].name
    assert "BSA" in name and "milk" not in name
