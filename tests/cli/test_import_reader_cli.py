"""``elab import reader`` and ``elab analyze ic50 READER_FILE --layout`` from the shell."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
GRID, LAYOUT = str(DATA / "grid_mtt.csv"), str(DATA / "grid_mtt_layout.csv")


def test_import_writes_the_tidy_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "tidy.csv"
    code, out, err = run(["import", "reader", GRID, "--layout", LAYOUT, "-o", str(out_file)],
                         capsys)
    assert code == 0, err
    assert "21 wells written" in out
    assert "format grid (guessed" in out
    assert "blank 0.06 OD (mean of 3 blank wells) subtracted" in out
    rows = list(csv.DictReader(out_file.read_text(encoding="utf-8").splitlines()))
    g2 = next(r for r in rows if r["well"] == "G2")
    assert (g2["dose [uM]"], g2["raw [OD]"], g2["response [OD]"]) == ("10", "0.150909", "0.090909")


def test_import_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["import", "reader", GRID, "--layout", LAYOUT, "--format", "grid",
                          "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["unit"] == "OD"
    assert data["blanks"] == [{"plate": 1, "value": pytest.approx(0.06), "wells": 3}]
    assert data["units"]["dose"] == "uM"
    assert len(data["rows"]) == 21
    assert data["warnings"] == ["1 well MISSED (E4@1): no value, left out of the analysis"]


def test_ic50_in_one_step_from_the_reader_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "ic50", GRID, "--layout", LAYOUT, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)["results"][0]
    # The grid was made from 0.06 + 1/(1 + dose/1 uM): IC50 1 uM, Hill slope 1.
    assert result["ic50"]["value"] == pytest.approx(1.0, rel=1e-3)
    assert result["ic50"]["unit"] == "uM"
    assert result["hill"] == pytest.approx(1.0, rel=1e-3)


def test_ic50_from_a_vendor_file_with_format(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text("plate,well,condition,dose,replicate,control\n"
                      "1,A1,medium,,1,blank\n1,A2,medium,,2,blank\n"
                      + "".join(f"1,B{c},{d} uM,{d} uM,1,\n"
                                for c, d in zip(range(1, 7), (0.1, 0.3, 1, 3, 10, 30),
                                                strict=True)), encoding="utf-8")
    code, out, err = run(["analyze", "ic50", str(DATA / "magellan_od.xlsx"), "--layout",
                          str(layout), "--format", "tecan-magellan", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["hook"] == "ic50"
    assert any("blank" in n and "subtracted" in n for n in data["import"]["notes"])


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "agilent-gen5"], "allotropy could not read it as agilent-gen5"),
    (["--format", "nosuch"], "nosuch"),
])
def test_bad_input_is_one_line_exit_1(capsys: pytest.CaptureFixture[str], args: list[str],
                                      message: str) -> None:
    code, _, err = run(["import", "reader", GRID, "--layout", LAYOUT, *args], capsys)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_directory_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["import", "reader", str(tmp_path), "--layout", LAYOUT], capsys)
    assert code == 1
    assert "directory" in err


def test_multi_read_file_names_the_option(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    layout = tmp_path / "l.csv"
    layout.write_text("plate,well,condition,replicate,control\n1,A1,x,1,\n", encoding="utf-8")
    code, _, err = run(["import", "reader", str(DATA / "softmax_abs_endpoint_3reads.txt"),
                        "--layout", str(layout)], capsys)
    assert code == 1 and "--read 1..3" in err
    code, out, err = run(["import", "reader", str(DATA / "softmax_abs_endpoint_3reads.txt"),
                          "--layout", str(layout), "--read", "3", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["rows"][0]["raw"] == pytest.approx(0.03)


def test_a_per_well_table_is_still_joined_as_a_table(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    readings = tmp_path / "wells.csv"
    readings.write_text("well,od\nB2,0.05\n", encoding="utf-8")
    code, _, err = run(["analyze", "ic50", str(readings), "--layout", LAYOUT], capsys)
    assert code == 1
    assert "needs a column 'response'" in err  # not "cannot tell which reader wrote it"


def test_ddct_straight_from_a_quantstudio_export(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "ddct", str(DATA / "quantstudio_comparative_ct.txt"),
                          "-p", "reference=GAPDH", "-p", "control=Liver", "--json"], capsys)
    assert code == 0, err
    lung = next(r for r in json.loads(out)["results"] if r["condition"] == "Lung")
    # By hand: Lung dCt = mean(30.155, 30.2, 30.093) - mean(32.884, 32.937) = -2.76117;
    # Liver dCt = mean(29.799, 29.773) - mean(32.546, 33.074) = -3.024; ddCt = 0.26283;
    # fold = 2^-0.26283 = 0.8334.
    assert lung["fold_change"]["value"] == pytest.approx(0.8334, abs=1e-4)


def test_import_qpcr_writes_the_ct_table(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    out_file = tmp_path / "ct.csv"
    code, out, err = run(["import", "qpcr", str(DATA / "quantstudio_comparative_ct.txt"),
                          "--condition", "Lung=treated", "-o", str(out_file)], capsys)
    assert code == 0, err
    assert "9 wells written" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "position,sample,condition,target,ct,role"
    assert "D1,Lung,treated,TGF-B,30.155,unknown" in lines
