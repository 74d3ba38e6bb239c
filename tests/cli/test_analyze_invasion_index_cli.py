"""Review 14 R7: matrigel-invasion's uncoated reference inserts give each treatment's invasion
index (cells through Matrigel / cells through an uncoated insert of the same drug), and are
never a condition compared with the coated vehicle ("uncoated vehicle: 250 % of vehicle").

By hand from tests/cli/data/review14/counts.csv (five fields per insert, consecutive counts):
insert means vehicle 55, 60, 65 → 60; defactinib 25, 30, 35 → 30; uncoated vehicle 145, 150,
155 → 150; uncoated defactinib 115, 120, 125 → 120.  Index vehicle 60/150 = 40 %, defactinib
30/120 = 25 %, 25/40 = 62.5 % of the vehicle index; defactinib coated 30/60 = 50 % of vehicle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
COUNTS = ROOT / "tests" / "cli" / "data" / "review14" / "counts.csv"
INVASION = str(ROOT / "elab" / "protocols" / "matrigel-invasion.yaml")


def analyse(capsys: pytest.CaptureFixture[str], *params: str) -> dict[str, Any]:
    args = [a for p in params for a in ("--param", p)]
    code, out, err = run(["analyze", "transwell", str(COUNTS), *args, "--json"], capsys)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_uncoated_inserts_give_the_invasion_index_not_a_percent_of_vehicle(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = analyse(capsys, "control=vehicle")
    index = {r["condition"]: r for r in result["results"] if r["kind"] == "invasion_index"}
    assert index["vehicle"]["index"]["value"] == pytest.approx(100 * 60 / 150, rel=1e-12)
    assert index["defactinib"]["index"]["value"] == pytest.approx(100 * 30 / 120, rel=1e-12)
    assert index["defactinib"]["index_pct_of_control"]["value"] == pytest.approx(62.5)
    assert index["defactinib"]["reference"] == "uncoated defactinib"
    compared = {r["condition"] for r in result["results"] if r["kind"] == "condition"}
    assert compared == {"vehicle", "defactinib"}
    assert not [h for h in result["headline"] if h.startswith("uncoated")]
    assert "defactinib: 50 % of vehicle (n = 3 inserts)" in result["headline"]
    assert any(h.startswith("invasion index vehicle: 40 % (60 / 150 cells per field")
               for h in result["headline"])


def test_references_named_by_parameter_pair_by_name_or_as_written(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    renamed = tmp_path / "counts.csv"
    renamed.write_text(COUNTS.read_text().replace("uncoated vehicle", "bare insert vehicle")
                       .replace("uncoated defactinib", "no matrix"))
    code, out, err = run(["analyze", "transwell", str(renamed), "--param", "control=vehicle",
                          "--param", "reference=bare insert vehicle, no matrix=defactinib",
                          "--json"], capsys)
    assert code == 0, err
    index = {r["condition"]: r["index"]["value"] for r in json.loads(out)["results"]
             if r["kind"] == "invasion_index"}
    assert index == pytest.approx({"vehicle": 40.0, "defactinib": 25.0})


@pytest.mark.parametrize(("reference", "message"), [
    ("uncoated vehicle=vehicle, uncoated defactinib=vehicle",
     "'vehicle' is given 2 references ('uncoated vehicle', 'uncoated defactinib'); give each "
     "coated condition one, as reference=NAME=CONDITION"),
    ("vehicle=vehicle", "reference 'vehicle' is paired with itself; write "
     "reference=UNCOATED=COATED (uncoated vehicle=vehicle)"),
    ("uncoated vehicle=vehicle, uncoated vehicle=defactinib",
     "reference 'uncoated vehicle' is given twice (vehicle, defactinib); give it once"),
])
def test_contradictory_references_are_refused(
        capsys: pytest.CaptureFixture[str], reference: str, message: str) -> None:
    """Review 14b A5: two references for one condition gave it two indexes (40 % and 50 %)
    and defactinib none, without a word; a reference paired with itself lost the control."""
    code, out, err = run(["analyze", "transwell", str(COUNTS), "--param", "control=vehicle",
                          "--param", f"reference={reference}", "--json"], capsys)
    assert (code, out, err) == (1, "", f"elab: {message}\n")


def test_uncoated_inserts_with_no_cells_give_no_index_with_the_reason(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = COUNTS.read_text().splitlines()
    zero = tmp_path / "counts.csv"
    zero.write_text("\n".join(
        ",".join([*x.split(",")[:3], "0"]) if ",uncoated defactinib," in x else x
        for x in lines) + "\n")
    code, out, err = run(["analyze", "transwell", str(zero), "--json"], capsys)
    assert code == 0, err
    [row] = [r for r in json.loads(out)["results"]
             if r["kind"] == "invasion_index" and r["condition"] == "defactinib"]
    assert row["index"]["value"] is None
    assert "no cells crossed the uncoated defactinib inserts" in row["index"]["reason"]


def test_a_finished_invasion_run_reports_the_index_from_its_design(sqlite_url: str) -> None:
    from elab.domain.protocol import load_protocol
    from elab.services.analysis_design import design_params

    protocol = load_protocol(Path(INVASION))
    assert design_params(protocol, "transwell", {"control": "vehicle"})["reference"] \
        == "uncoated vehicle, uncoated defactinib"
    env = {**os.environ, "ELAB_DATABASE_URL": sqlite_url, "ELAB_OPERATOR": "ana"}

    def elab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "elab.cli.main", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    run_id = elab("runs", "start", INVASION).stdout.strip()
    assert elab("runs", "attach", run_id, "counts", str(COUNTS)).returncode == 0
    done = elab("runs", "finish", run_id, "--incomplete", "--reason", "analysis only")
    assert done.returncode == 0, done.stderr
    assert "invasion index defactinib: 25 %" in done.stdout
    assert "uncoated vehicle: 250 %" not in done.stdout
