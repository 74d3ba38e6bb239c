"""Review 14 R15: flow-frequencies carries a headline like every other hook (docs/analysis.md
"What every result carries"): one sentence per end gate of the lineage and condition.

By hand from tests/cli/data/review14/gates.csv: vehicle Treg 420/2100 = 440/2200 = 460/2300 =
20 % of CD4+ and 420/21000 = 440/22000 = 460/23000 = 2 % of CD45+; defactinib Treg
315/3150 = 10 % of CD4+, 315/21000 = 1.5 % of CD45+; CD8+ 1680/4200 = 40 % of CD3+ with
1680/21000 = 8 % of CD45+ (vehicle) and 2520/21000 = 12 % (defactinib); every sample of a
condition gives the same frequency, so SD 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run

GATES = Path(__file__).resolve().parent / "data" / "review14" / "gates.csv"


def test_flow_frequencies_headline_names_each_end_gate_per_condition(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "flow-frequencies", str(GATES), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["headline"] == [
        "CD8+ in defactinib: 40 % of CD3+ (SD 0), 12 % of CD45+ (SD 0); n = 3 samples",
        "CD8+ in vehicle: 40 % of CD3+ (SD 0), 8 % of CD45+ (SD 0); n = 3 samples",
        "Treg in defactinib: 10 % of CD4+ (SD 0), 1.5 % of CD45+ (SD 0); n = 3 samples",
        "Treg in vehicle: 20 % of CD4+ (SD 0), 2 % of CD45+ (SD 0); n = 3 samples",
    ]


def test_a_gate_whose_parent_has_no_events_says_so(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = ["sample,population,parent,count", "s1,Live,,1000", "s1,CD45+,Live,0",
            "s1,CD3+,CD45+,0"]
    path = tmp_path / "gates.csv"
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(["analyze", "flow-frequencies", str(path), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["headline"] == [
        "CD3+ (all samples): no frequency (its parent gate has no count or 0 events in "
        "every sample)"]
