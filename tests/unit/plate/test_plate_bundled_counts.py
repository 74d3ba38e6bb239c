"""Every bundled protocol with a plate: the layout lays exactly the wells `elab show` and the
materials count (review 14 R3: 98 laid against 94 counted), and no control kind the protocol
validates with is refused (R8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.plate import allocate, spec_from_design
from elab.domain.protocol.loader import load_protocol

PROTOCOLS = Path(__file__).parents[3] / "elab" / "protocols"
PLATED = [p for p in sorted(PROTOCOLS.glob("*.yaml"))
          if (d := load_protocol(p).design) is not None and d.plate is not None]


def test_the_plated_protocols_are_found() -> None:
    assert {"combination-synergy", "matrigel-invasion", "mtt-viability"} <= {
        p.stem for p in PLATED}


@pytest.mark.parametrize("path", PLATED, ids=lambda p: p.stem)
def test_the_layout_holds_the_wells_the_design_counts(path: Path) -> None:
    design = load_protocol(path).design
    assert design is not None
    plates = allocate(spec_from_design(design))
    assert sum(sum(p.counts.values()) for p in plates) == design.sample_count
