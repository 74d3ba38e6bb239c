"""Step definitions for features/mtt_worked_example.feature: the commands a scientist types.

Every step goes through ``elab`` itself (in-process, as a shell would call it) except the
bench sheet, which is what the run screen shows (``m``) and comes from the same service.
The reader file is made from the layout the feature just wrote, with responses on a known
logistic, so the IC50 it must give is known exactly.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("mtt_worked_example.feature")

BLANK_OD = 0.05
VEHICLE_ABOVE_BLANK = 1.0


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    return {"dir": tmp_path, "capsys": capsys}


def _elab(world: dict[str, Any], *args: str) -> str:
    code, out, err = run(list(args), world["capsys"])
    assert code == 0, err
    return out


def _json(world: dict[str, Any], *args: str) -> Any:
    return json.loads(_elab(world, *args, "--json"))


def _texts(listed: str) -> list[str]:
    return [t.strip() for t in listed.split(",")]


@given(parsers.parse('the protocol "{name}"'))
def the_protocol(world: dict[str, Any], name: str) -> None:
    world["protocol"] = name


@then(parsers.parse("the design has {total:d} wells: {treated:d} treated, {vehicle:d} vehicle "
                    "and {blank:d} blank"))
def design_wells(world: dict[str, Any], total: int, treated: int, vehicle: int,
                 blank: int) -> None:
    shown = _json(world, "show", world["protocol"], "--format", "json")
    assert shown["samples"] == total
    design = shown["protocol"]["design"]
    levels = len(design["factors"][0]["levels"])
    assert levels * design["replicates"] == treated
    kinds = {c["kind"]: c["count"] for c in design["controls"]}
    assert (kinds["vehicle"], kinds["blank"]) == (vehicle, blank)


@when(parsers.parse("I lay out its plate with seed {seed:d}"))
def lay_out(world: dict[str, Any], seed: int) -> None:
    world["layout"] = world["dir"] / "layout.csv"
    _elab(world, "plate", "layout", world["protocol"], "--seed", str(seed), "-o",
          str(world["layout"]))
    with world["layout"].open(encoding="utf-8") as handle:
        world["wells"] = list(csv.DictReader(handle))


@then(parsers.parse('the layout has {total:d} wells on {plates:d} plate, {each:d} at each of '
                    '"{doses}"'))
def layout_has(world: dict[str, Any], total: int, plates: int, each: int, doses: str) -> None:
    wells = [w for w in world["wells"] if w["control"] != "edge"]
    assert len(wells) == total
    assert len({w["plate"] for w in wells}) == plates
    for dose in _texts(doses):
        assert sum(w["dose"] == dose for w in wells) == each, dose


@when("I plan its dilution series")
def plan_series(world: dict[str, Any]) -> None:
    # no --stock, no --well: the design gives both
    world["plan"] = _json(world, "dilute", "serial", world["protocol"])
    world["rows"] = {r["step"]: r for r in world["plan"]["rows"]}


@then(parsers.parse('the series points {top:d} down to {bottom:d} are "{points}"'))
def series_points(world: dict[str, Any], top: int, bottom: int, points: str) -> None:
    rows = world["rows"]
    expected = _texts(points)
    assert [rows[f"point {k}"]["final"] for k in range(top, bottom - 1, -1)] == expected
    first = rows[f"point {top}"]
    assert first["source"] == "stock" and first["note"] == "use as is"
    world["top"] = top


@then(parsers.parse("each point after the first is {take:g} µL of the one before in {dil:g} µL "
                    "of DMSO"))
def series_steps(world: dict[str, Any], take: float, dil: float) -> None:
    top = f"point {world['top']}"
    steps = [r for s, r in world["rows"].items() if s.startswith("point ") and s != top]
    assert len(steps) == 5
    for row in steps:
        assert (row["volume_ul"], row["diluent_ul"]) == (take, dil)
        assert row["diluent"].startswith("DMSO")


@then(parsers.parse("each working solution is {take:g} µL of its point in {medium:g} µL of "
                    "medium, at {pct:g} % DMSO"))
def working_solutions(world: dict[str, Any], take: float, medium: float, pct: float) -> None:
    working = [r for s, r in world["rows"].items() if s.startswith("working")]
    assert len(working) == 7  # six points and the vehicle
    for row in working:
        assert (row["volume_ul"], row["diluent"], row["diluent_ul"]) == (take, "medium", medium)
    assert world["rows"][f"working {world['top']}"]["final"].startswith(f"1 mM ({pct:g} % DMSO")
    assert world["plan"]["figures"]["working_vehicle"] == pytest.approx(pct / 100)


@then(parsers.parse('each well gets {add:g} µL onto {working:g} µL, to the final doses '
                    '"{finals}"'))
def wells_get(world: dict[str, Any], add: float, working: float, finals: str) -> None:
    wells = [r for s, r in world["rows"].items() if s.startswith("wells")]
    assert [r["final"] for r in wells] == _texts(finals)
    for row in wells:
        assert (row["volume_ul"], row["diluent_ul"], row["total_ul"]) == (add, working,
                                                                           add + working)
        assert row["per"] == "each of 3 wells"
    levels_um = [100, 20, 4, 0.8, 0.16, 0.032]
    assert world["plan"]["figures"]["finals"] == pytest.approx(levels_um, rel=1e-9)


@then("the wells of each point carry its code on the plate map")
def wells_coded(world: dict[str, Any]) -> None:
    from elab.domain.plate import codes_for, layout_from_csv
    from elab.units import convert, parse_quantity

    layout = layout_from_csv(world["layout"].read_text(encoding="utf-8"))
    doses = {code: name for name, code in codes_for(layout).items() if code.isdigit()}
    assert sorted(doses) == ["1", "2", "3", "4", "5", "6"]
    for code, dose in doses.items():
        row = world["rows"][f"wells {code}"]
        assert row["code"] == code
        made = parse_quantity(row["final"])
        assert convert(made.planned, made.unit, "micromolar") == pytest.approx(
            float(dose.removesuffix(" uM")), rel=1e-9)
    assert doses["6"] == "100 uM" and world["rows"]["vehicle control"]["code"] == "v1"


@then(parsers.parse("every well holds {pct:g} % DMSO, the {n:d} vehicle wells too"))
def vehicle_everywhere(world: dict[str, Any], pct: float, n: int) -> None:
    assert world["plan"]["figures"]["vehicle_fraction"] == pytest.approx([pct / 100] * 6)
    control = world["rows"]["vehicle control"]
    assert control["final"].startswith(f"{pct:g} % DMSO")
    assert control["per"] == f"each of {n} wells"


@when(parsers.parse('I start a run and open the bench sheet of "{step}"'))
def bench_sheet(world: dict[str, Any], step: str) -> None:
    from elab.services.bench_sheet import step_sheet
    from elab.services.runs import RunService

    world["run"] = _elab(world, "runs", "start", world["protocol"]).strip()
    service = RunService.open(os.environ["ELAB_DATABASE_URL"], operator="ana")
    try:
        world["sheet"] = step_sheet(service.state(world["run"]), step)
    finally:
        service.close()


@then(parsers.parse('the sheet lists "{line}"'))
def sheet_lists(world: dict[str, Any], line: str) -> None:
    assert any(line in shown for _, shown in world["sheet"].materials)


@then("the sheet's pipetting table is the dilution plan")
def sheet_is_plan(world: dict[str, Any]) -> None:
    table = world["sheet"].dilution.splitlines()
    text = _elab(world, "dilute", "serial", world["protocol"]).splitlines()
    assert table == text


@when(parsers.parse("the plate is read with responses following a logistic with IC50 {ic50:g} "
                    "uM"))
def read_plate(world: dict[str, Any], ic50: float) -> None:
    by_well: dict[str, float] = {}
    for w in world["wells"]:
        if w["control"] in ("blank", "edge"):  # medium only, like the blank
            od = BLANK_OD
        elif w["control"] == "vehicle":
            od = BLANK_OD + VEHICLE_ABOVE_BLANK
        else:
            dose_um = float(w["dose"].removesuffix(" uM"))
            od = BLANK_OD + VEHICLE_ABOVE_BLANK / (1 + dose_um / ic50)
        by_well[w["well"]] = od
    lines = ["Plate reader export (grid)", "Reading: Absorbance 570 nm", "",
             "," + ",".join(str(c) for c in range(1, 13))]
    for row in "ABCDEFGH":
        cells = (by_well.get(f"{row}{c}", 0.045) for c in range(1, 13))
        lines.append(row + "," + ",".join(f"{v:.6f}" for v in cells))
    world["reader"] = world["dir"] / "absorbance.csv"
    world["reader"].write_text("\n".join(lines) + "\n", encoding="utf-8")


@when("I import the reader file with the layout")
def import_reader(world: dict[str, Any]) -> None:
    world["tidy"] = _json(world, "import", "reader", str(world["reader"]), "--layout",
                          str(world["layout"]))


@then(parsers.parse("the {n:d} edge wells hold medium only"))
def edge_wells(world: dict[str, Any], n: int) -> None:
    edge = [w for w in world["wells"] if w["control"] == "edge"]
    assert len(edge) == n and {w["condition"] for w in edge} == {"medium"}
    assert {w["well"][0] for w in edge} >= {"A", "H"}


@then(parsers.parse("the blank is {od:g} OD from {n:d} wells"))
def blank_is(world: dict[str, Any], od: float, n: int) -> None:
    (blank,) = world["tidy"]["blanks"]
    assert (blank["value"], blank["wells"]) == (pytest.approx(od), n)


@then(parsers.parse("the {n:d} wells at {dose} have the response {od:g} OD"))
def response_at(world: dict[str, Any], n: int, dose: str, od: float) -> None:
    rows = [r for r in world["tidy"]["rows"] if r["condition"] == dose]
    assert len(rows) == n
    assert [r["response"] for r in rows] == pytest.approx([od] * n, abs=5e-5)


@when("I run ic50 on the reader file with the layout")
def run_ic50(world: dict[str, Any]) -> None:
    world["ic50"] = _json(world, "analyze", "ic50", str(world["reader"]), "--layout",
                          str(world["layout"]), "--param", "normalize=vehicle")


@then(parsers.parse("the IC50 is {value:g} {unit}"))
def ic50_is(world: dict[str, Any], value: float, unit: str) -> None:
    (curve,) = world["ic50"]["results"]
    assert curve["ic50"]["unit"] == unit
    assert curve["ic50"]["value"] == pytest.approx(value, rel=1e-3)


@when("I attach the layout and the reader file to the run and finish it")
def finish_run(world: dict[str, Any]) -> None:
    _elab(world, "runs", "attach", world["run"], "layout", str(world["layout"]))
    _elab(world, "runs", "attach", world["run"], "absorbance", str(world["reader"]))
    _elab(world, "runs", "finish", world["run"], "--incomplete", "--reason",
          "worked example: the bench steps are not followed here")


@then(parsers.parse('the record says "{text}"'))
def record_says(world: dict[str, Any], text: str) -> None:
    assert text in _elab(world, "record", world["run"], "--format", "md")


@then("the IC50 has no warning about the edge wells")
def no_edge_warning(world: dict[str, Any]) -> None:
    assert any(w["control"] == "edge" for w in world["wells"])
    assert not [w for w in world["ic50"]["warnings"] if "edge" in w]


@when("I start a run, attach only the reader file and finish it")
def finish_without_layout(world: dict[str, Any]) -> None:
    world["run"] = _elab(world, "runs", "start", world["protocol"]).strip()
    _elab(world, "runs", "attach", world["run"], "absorbance", str(world["reader"]))
    world["finish"] = _elab(world, "runs", "finish", world["run"], "--incomplete", "--reason",
                            "worked example: the layout was not kept")


@then(parsers.parse('the finish says "{text}"'))
def finish_says(world: dict[str, Any], text: str) -> None:
    assert text in world["finish"]


@when("I attach the layout to the finished run and run its analyses again")
def analyse_again(world: dict[str, Any]) -> None:
    _elab(world, "runs", "attach", world["run"], "layout", str(world["layout"]))
    _elab(world, "runs", "analyze", world["run"])
