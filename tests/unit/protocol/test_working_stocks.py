"""Review 14, R1: the 1000x working stock follows ``--param defactinib_conc``.

A quantity field cannot multiply a parameter, so the stock volume that makes the working
stock is a derived value of the treat step: ``defactinib_conc × 1000 × working_stock_volume
/ defactinib_stock``.  By hand, 20 µL of 1000 × 1 µM = 1 mM from a 10 mM stock takes
1 mM / 10 mM × 20 µL = 2 µL (18 µL DMSO); 5 µM takes 10 µL; 0.1 µM takes 0.2 µL, under
what can be pipetted, so it is flagged (outside 0.5-100 µL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.domain.runs.derived import derived_values
from elab.units import parse_quantity

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"
STEPS = {"wound-healing": "treat", "immunofluorescence-ecad": "grow-treat",
         "western-blot-emt": "treat", "transwell-migration": "pretreat",
         "matrigel-invasion": "pretreat"}


def _values(name: str, conc: str | None) -> dict[str, tuple[float, bool]]:
    protocol = load_protocol(PROTOCOLS / f"{name}.yaml", library=[PROTOCOLS])
    params = {n: p.default for n, p in protocol.parameters.items()}
    if conc is not None:
        params["defactinib_conc"] = parse_quantity(conc)
    derived = derived_values(protocol, params, {})[STEPS[name]]
    return {v.name: (v.values[0], bool(v.outside)) for v in derived}


@pytest.mark.parametrize("name", sorted(STEPS))
@pytest.mark.parametrize(("conc", "stock_ul", "dmso_ul", "flagged"), [
    (None, 2.0, 18.0, False), ("5 uM", 10.0, 10.0, False), ("0.1 uM", 0.2, 19.8, True),
])
def test_the_stock_volume_follows_the_concentration(
    name: str, conc: str | None, stock_ul: float, dmso_ul: float, flagged: bool
) -> None:
    if conc == "0.1 uM" and name in {"immunofluorescence-ecad", "western-blot-emt"}:
        conc = "1 uM"  # their range is 1-5 uM (000); the unflagged default then
        stock_ul, dmso_ul, flagged = 2.0, 18.0, False
    values = _values(name, conc)
    assert values["stock_volume"][0] == pytest.approx(stock_ul)
    assert values["stock_volume"][1] is flagged
    assert values["vehicle_volume"][0] == pytest.approx(dmso_ul)
