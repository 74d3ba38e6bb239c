"""Review 14 R5: western-blot-emt exports membranes A and B together as ``bands`` (β-actin on
each); every target is divided by the β-actin band of its own membrane and lane.

Expected numbers by hand from tests/cli/data/review14/bands.csv (the reviewer's file):
E-cadherin (membrane A) vehicle lanes 1000/2000 = 0.5 and 1100/2100 = 0.52381, defactinib
1500/2000 = 0.75 and 1600/2050 = 0.78049; relative 0.76524 / 0.51190 = 1.4949.
N-cadherin (membrane B) vehicle 900/1000 = 0.9, 950/1050 = 0.90476; defactinib 600/1000 = 0.6,
620/1020 = 0.60784; relative 0.60392 / 0.90238 = 0.66926.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run

BANDS = Path(__file__).resolve().parent / "data" / "review14" / "bands.csv"
ARGS = ["--param", "loading=beta-actin", "--param", "control=vehicle", "--json"]


def analyse(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = run(["analyze", "densitometry", str(path), *ARGS, *extra], capsys)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def conditions(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["condition"], r["target"]): r for r in result["results"]
            if r["kind"] == "condition"}


def test_each_target_over_the_loading_band_of_its_own_membrane(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = analyse(BANDS, capsys)
    lanes = {(r["lane"], r["target"]): r["ratio"] for r in result["results"]
             if r["kind"] == "lane"}
    assert lanes[("1", "E-cadherin")] == pytest.approx(1000 / 2000)  # not 1000/3000
    assert lanes[("1", "N-cadherin")] == pytest.approx(900 / 1000)
    rel = conditions(result)
    assert rel[("defactinib", "E-cadherin")]["relative"]["mean"] == pytest.approx(
        (1500 / 2000 + 1600 / 2050) / (1000 / 2000 + 1100 / 2100), rel=1e-12)
    assert rel[("defactinib", "N-cadherin")]["relative"]["mean"] == pytest.approx(
        (600 / 1000 + 620 / 1020) / (900 / 1000 + 950 / 1050), rel=1e-12)
    assert not [w for w in result["warnings"] if "summed" in w]
    assert "E-cadherin in defactinib: 1.495 × vehicle (SD 0.04211, n = 2 lanes)" \
        in result["headline"]


def test_match_by_membrane_names_each_targets_own_membrane(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = analyse(BANDS, capsys, "--param", "match_by=membrane")
    membrane = {r["target"]: r["membrane"] for r in result["results"]
                if r["kind"] == "condition"}
    assert membrane == {"E-cadherin": "A", "vimentin": "A", "N-cadherin": "B"}
    assert any(h.startswith("N-cadherin in defactinib (membrane B): 0.6693 ×")
               for h in result["headline"])


def test_a_membrane_without_loading_band_gives_null_with_reason(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = BANDS.read_text().splitlines()
    no_b_actin = tmp_path / "bands.csv"
    no_b_actin.write_text("\n".join(x for x in lines if ",B,beta-actin," not in x) + "\n")
    result = analyse(no_b_actin, capsys)
    ncad = conditions(result)[("defactinib", "N-cadherin")]
    assert ncad["relative"] is None
    assert ncad["reason"] == "lane(s) 3, 4: no beta-actin band on membrane B"
    assert conditions(result)[("defactinib", "E-cadherin")]["relative"]["mean"] \
        == pytest.approx(1.4949, abs=1e-4)


def test_two_loading_bands_without_a_membrane_column_are_not_summed(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = [x.split(",") for x in BANDS.read_text().splitlines()]
    flat = tmp_path / "flat.csv"
    flat.write_text("\n".join(",".join(r[:2] + r[3:]) for r in rows) + "\n")
    result = analyse(flat, capsys)
    ecad = conditions(result)[("vehicle", "E-cadherin")]
    assert ecad["ratio"]["mean"] is None and ecad["relative"] is None
    assert "no membrane column" in ecad["reason"]
    assert any("E-cadherin in defactinib: no relative value" in h for h in result["headline"])


def test_a_blank_membrane_beside_filled_ones_is_refused_with_its_row(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Review 14b A2: read as a membrane of its own, a blank cell moved lane 1's targets off
    their loading band and changed the headline without a word."""
    blank = tmp_path / "m1.csv"
    blank.write_text(BANDS.read_text().replace("1,vehicle,A,", "1,vehicle,,"))
    code, out, err = run(["analyze", "densitometry", str(blank), *ARGS], capsys)
    assert code == 1 and out == ""
    assert err == (f"elab: {blank}: row 2: membrane is blank while other rows name one; "
                   "write the membrane the band was imaged on\n")


def test_an_all_blank_membrane_column_is_no_membrane_column(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = [x.split(",") for x in BANDS.read_text().splitlines()]
    blank = tmp_path / "blank.csv"
    blank.write_text("\n".join(",".join(r[:2] + ([""] if n else ["membrane"]) + r[3:])
                               for n, r in enumerate(rows)) + "\n")
    ecad = conditions(analyse(blank, capsys))[("vehicle", "E-cadherin")]
    assert ecad["relative"] is None and "no membrane column" in ecad["reason"]


def test_a_finished_western_blot_emt_run_normalises_per_membrane(sqlite_url: str) -> None:
    import os
    import subprocess
    import sys

    protocol = Path(__file__).resolve().parents[2] / "elab" / "protocols" / "western-blot-emt.yaml"
    env = {**os.environ, "ELAB_DATABASE_URL": sqlite_url, "ELAB_OPERATOR": "ana"}

    def elab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "elab.cli.main", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    run_id = elab("runs", "start", str(protocol)).stdout.strip()
    assert elab("runs", "attach", run_id, "bands", str(BANDS)).returncode == 0
    done = elab("runs", "finish", run_id, "--incomplete", "--reason", "analysis only")
    assert done.returncode == 0, done.stderr
    assert "E-cadherin in defactinib: 1.495 × vehicle" in done.stdout
    assert "given twice; the values are summed" not in done.stdout
