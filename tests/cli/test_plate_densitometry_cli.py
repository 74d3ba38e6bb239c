"""From the p-FAK layout to densitometry: each time point's lanes against its own DMSO."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_calls import run

PFAK = str(Path(__file__).parents[2] / "protocols" / "western-blot-pfak.yaml")
PFAK_OF = {"0.1 nM": 0.7, "1 nM": 0.6, "10 nM": 0.4, "100 nM": 0.2, "": 0.8}
DRIFT = {"3 h": 1.0, "24 h": 1.5, "48 h": 2.0}  # the vehicle itself changes over time


def test_bands_joined_with_the_layout_are_normalised_to_the_time_matched_vehicle(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    code, _, err = run(["plate", "layout", PFAK, "--seed", "5", "-o", str(layout)], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(layout.read_text(encoding="utf-8"))))
    bands = ["lane,plate,well,target,intensity"]
    for lane, row in enumerate(rows, start=1):
        pfak = PFAK_OF[row["dose"]] * DRIFT[row["time"]] * 1000
        bands += [f"{lane},{row['plate']},{row['well']},total FAK,1000",
                  f"{lane},{row['plate']},{row['well']},p-FAK,{pfak!r}"]
    data = tmp_path / "bands.csv"
    data.write_text("\n".join(bands) + "\n", encoding="utf-8")
    code, out, err = run(["analyze", "densitometry", str(data), "--layout", str(layout),
                          "--param", "loading=total FAK", "--param", "control=DMSO",
                          "--param", "match_by=time", "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    relative = {(r["time"], r["condition"]): r["relative"]["mean"]
                for r in result["results"] if r["kind"] == "condition"}
    assert len(relative) == 15  # 4 doses and DMSO at each of 3 times
    assert {time for time, _ in relative} == {"3 h", "24 h", "48 h"}  # as the layout writes
    assert "p-FAK in 10 nM (time 24 h): 0.5 × DMSO (SD 0, n = 3 lanes)" in result["headline"]
    for (time, condition), value in relative.items():
        dose = "" if condition == "DMSO" else condition
        assert value == pytest.approx(PFAK_OF[dose] / 0.8, rel=1e-9), (time, condition)
