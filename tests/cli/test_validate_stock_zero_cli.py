"""Review 14b A9: a drug added from its stock where the step declares 0 µM of it.

The page reads "Add 0 µM drug" while 0.5 µL of the 10 mM stock in 500 µL (+ 0.5 µL) puts
10 mM × 0.5 µL / 500.5 µL = 9.99 µM in each well; ``validate --strict`` said the protocol
was valid.  Now it is an error at the use's volume.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_calls import run

PROTOCOL = """\
id: st
title: Stock test
version: "1"
parameters:
  drug_conc: {{default: {conc}}}
materials:
  medium: {{name: medium}}
  drug: {{name: drug, stock: 10 mM, vehicle: dmso}}
  dmso: {{name: DMSO}}
design:
  unit: well
  plate: 24
  factors:
    - {{name: treatment, levels: [vehicle, drug]}}
  replicates: 2
  vehicle: {{material: dmso, final: 0.1 % v/v}}
  working_volume: 500 uL
steps:
  - id: treat
    title: Add $drug_conc drug
    uses:
      - {{material: medium, volume: 500 uL, per: well}}
      - {{material: drug, volume: 0.5 uL, per: well, exclude: [vehicle]}}
      - {{material: dmso, volume: 0.5 uL, per: well, exclude: [drug]}}
"""


def test_a_drug_added_from_its_stock_at_a_declared_zero_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PROTOCOL.format(conc="0 uM"), encoding="utf-8")
    code, out, err = run(["validate", "--strict", str(path)], capsys)
    assert code == 1 and "valid" not in out
    assert err == (f"{path}:23:34: error: step 'treat' adds drug from its 10 mM stock: "
                   "10 mM × 0.5 µL / 500.5 µL = 9.99 µM in each treat well, but $drug_conc "
                   "is 0 µM (a drug declared at 0 is not added: exclude those arms from the "
                   "use, or declare the concentration the wells get) [stock]\n")


def test_a_matching_declared_concentration_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PROTOCOL.format(conc="10 uM"), encoding="utf-8")
    code, out, err = run(["validate", "--strict", str(path)], capsys)
    assert (code, err) == (0, "")
    assert "1 protocol valid" in out
