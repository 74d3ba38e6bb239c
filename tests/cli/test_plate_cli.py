"""``elab plate``, ``elab dilute`` and ``elab dose`` from the shell: output, files, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_calls import run

DATA = Path(__file__).parent / "data"
WELLMAP = Path(__file__).parents[1] / "unit" / "plate" / "data" / "qpcr.toml"
MTT = ["--factor", "dose=0.01uM,0.1uM,1uM,10uM", "--replicates", "3",
       "--control", "vehicle:vehicle:3", "--control", "medium only:blank:3"]


def test_layout_prints_grid_and_quality(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", *MTT, "--seed", "3"], capsys)
    assert code == 0, err
    assert "plate 1 (96-well)" in out and "v1" in out and "edge(min/mean)" in out
    assert "violation" not in out


def test_layout_json_and_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for suffix in ("svg", "png", "html", "csv"):
        code, out, err = run(["plate", "layout", *MTT, "--json", "-o",
                              str(tmp_path / f"map.{suffix}")], capsys)
        assert code == 0, err
        data = json.loads(out)
        assert data["violations"] == [] and len(data["wells"]) == 18
    assert (tmp_path / "map.svg").read_text().startswith("<svg")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "<!DOCTYPE html>" in (tmp_path / "map.html").read_text()
    code, out, _ = run(["plate", "show", str(tmp_path / "map.csv"), "--json"], capsys)
    assert code == 0 and len(json.loads(out)["wells"]) == 18


def test_layout_from_a_protocol_design(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", str(DATA / "mtt-design.yaml"), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["violations"] == []
    assert {w["condition"] for w in data["wells"]} == {
        "0.01 uM", "0.1 uM", "1 uM", "10 uM", "vehicle", "medium only"}


def test_show_wellmap(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plate", "show", str(WELLMAP)], capsys)
    assert code == 0 and "GAPDH" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plate", "layout", "--factor", "dose=1nM", "--replicates", "70", "--plates", "1"],
         "needs 70 wells"),
        (["plate", "layout", "--factor", "d=1nM", "--control", "vehicle:2", "--pin",
          "B2=vehicel"], "did you mean 'vehicle'"),
        (["plate", "layout", "--factor", "d=1nM", "--plate", "97"], "unknown plate format"),
        (["plate", "show", "/nonexistent/layout.csv"], "No such file"),
        (["dilute", "serial", "--stock", "1uM", "--top", "10uM"], "weaker than the top"),
        (["dilute", "serial", "--stock", "1mM", "--top", "10uM"], "would hold 1 % DMSO"),
        (["dilute", "serial", "--stock", "10mM", "--top", "10uM", "--add", "0.2uL"],
         "below the pipette minimum of 1 µL"),
        (["dilute", "serial", "--stock", "10mg/mL", "--top", "10uM"], "--stock"),
        (["dilute", "seed", "--count", "1e5", "--cells", "5e4", "--well", "200uL",
          "--wells", "4"], "spin down"),
        (["dose", "50mg/kg", "--weight", "0.1g"], "not an animal's"),
        (["dose", "5mg", "--weight", "20g"], "neither a mg/kg nor a mg/m^2"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert needle in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["plate", "layout", "--factor", "nolevels"], capsys)
    assert code == 2
    code, _, _ = run(["plate", "layout", "--control", "v:vehicle:3", "--edge", "sideways"], capsys)
    assert code == 2
    code, _, err = run(["plate", "layout", "--control", "v:vehicle:3", "--spread", "wide"], capsys)
    assert code == 2 and "'same', 'plates'" in err
    code, _, err = run(["dose", "800mg/m^2", "--height", "170cm", "--weight", "70kg",
                        "--formula", "haycock"], capsys)
    assert code == 2 and "'mosteller', 'dubois'" in err


def test_the_bsa_formula_is_a_choice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["dose", "800mg/m^2", "--height", "170cm", "--weight", "70kg",
                        "--formula", "dubois", "--json"], capsys)
    assert code == 0 and json.loads(out)["formula"] == "dubois"


def test_dilute_and_dose_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["dilute", "serial", "--stock", "10mM", "--top", "10uM", "--json"], capsys)
    assert code == 0 and json.loads(out)["figures"]["intermediate"] is True
    code, out, _ = run(["dilute", "mix", "--reactions", "48", "--json"], capsys)
    assert code == 0 and json.loads(out)["figures"]["made_for"] == pytest.approx(52.8)
    code, out, _ = run(["dilute", "seed", "--count", "8e5/mL", "--viability", "95%", "--cells",
                        "3000-5000", "--well", "100uL", "--wells", "60", "--json"], capsys)
    assert code == 0 and json.loads(out)["figures"]["density_per_ml"] == pytest.approx(4e4)
    code, out, _ = run(["dilute", "ratio", "anti-FAK", "1:1000", "--volume", "5mL"], capsys)
    assert code == 0 and "4.995 mL" in out
    code, out, _ = run(["dilute", "conc", "Matrigel", "--stock", "9.2mg/mL", "--final",
                        "200ug/mL", "--each", "50uL", "--count", "12"], capsys)
    assert code == 0 and "200 µg/mL" in out
    code, out, _ = run(["dose", "50mg/kg", "--weight", "20g,22.4g", "--json"], capsys)
    assert code == 0 and json.loads(out)["animals"][0]["volume_ul"] == 200
    code, out, _ = run(["dose", "800mg/m^2", "--height", "170cm", "--weight", "70kg"], capsys)
    assert code == 0 and "1454.5 mg" in out


def test_dilute_serial_from_a_protocol_design(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dilute", "serial", str(DATA / "mtt-design.yaml"), "--stock", "10mM",
                          "--well", "100uL", "--json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["figures"]["targets"] == pytest.approx([10, 1, 0.1, 0.01])
    assert plan["rows"][-1]["final"] == "0.1 % DMSO"


SPECS = Path(__file__).parents[1] / "unit" / "plate" / "data" / "specs"


def test_layout_from_a_spec_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", "--spec", str(SPECS / "mtt.yaml"), "--json"], capsys)
    assert code == 0, err
    wells = json.loads(out)["wells"]
    assert {w["condition"] for w in wells} >= {"vehicle", "medium only", "0.01 uM"}
    assert any(w["well"] == "B2" and w["condition"] == "vehicle" for w in wells)


def test_a_bad_spec_file_is_located_lines_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["plate", "layout", "--spec", str(SPECS / "typos.yaml")], capsys)
    assert code == 1
    assert f"{SPECS / 'typos.yaml'}:3:18: unknown key 'levls'" in err
    code, _, _ = run(["plate", "layout", "mtt-viability", "--spec", str(SPECS / "mtt.yaml")],
                     capsys)
    assert code == 2


def test_schema_of_the_plate_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "--plate"], capsys)
    assert code == 0 and "PinEntry" in json.loads(out)["$defs"]


PFAK = str(Path(__file__).parents[2] / "protocols" / "western-blot-pfak.yaml")


def test_the_pfak_design_plates_by_time_with_each_time_points_own_vehicle(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(["plate", "layout", PFAK, "-o", str(tmp_path / "pfak.csv")], capsys)
    assert code == 0, err
    assert "plate 9 (6-well) · time 48 h" in out and "violation" not in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "pfak.csv").read_text(encoding="utf-8"))))
    plates: dict[str, set[str]] = {}
    for row in rows:
        plates.setdefault(row["plate"], set()).add(row["time"])
    assert len(plates) == 9 and all(len(times) == 1 for times in plates.values())
    vehicle = [(r["plate"], r["time"]) for r in rows if r["control"] == "vehicle"]
    assert sorted(vehicle) == sorted({(p, next(iter(t))) for p, t in plates.items()})


def test_the_command_line_overrides_the_designs_plates(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", PFAK, "--plate", "96", "--plate-by", "none",
                          "--spread", "same", "--style", "by-column", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["plates"] == 1 and data["violations"] == []
    assert sum(w["kind"] == "vehicle" for w in data["wells"]) == 9


def test_a_blocked_layout_puts_the_dose_series_along_a_row(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", *MTT, "--style", "blocked", "--json"], capsys)
    assert code == 0, err
    wells = {w["well"]: w["condition"] for w in json.loads(out)["wells"]}
    for row in "BCD":
        assert [wells[f"{row}{c}"] for c in range(2, 8)] == [
            "0.01 µM", "0.1 µM", "1 µM", "10 µM", "vehicle", "medium only"]


def test_an_unknown_style_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["plate", "layout", *MTT, "--style", "diagonal"], capsys)
    assert code == 2 and "diagonal" in err


def test_a_control_per_level_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "layout", "--factor", "dose=1nM,10nM", "--factor",
                          "time=3h,24h", "--replicates", "2", "--control",
                          "DMSO:vehicle:1@time", "--plate", "12", "--plate-by", "time",
                          "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    vehicle = {(w["plate"], w["levels"]["time"]) for w in data["wells"] if w["kind"] == "vehicle"}
    assert vehicle == {(1, "3 h"), (2, "24 h")} and data["violations"] == []
    code, _, err = run(["plate", "layout", "--factor", "dose=1nM", "--control", "DMSO@"],
                       capsys)
    assert code == 2 and "NAME[:KIND][:COUNT][@FACTOR]" in err
