"""``elab dilute serial PROTOCOL``: the design's volumes drive the plan; overrides are said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run


def _plan(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = run(["dilute", "serial", *args, "--json"], capsys)
    assert code == 0, err
    plan: dict[str, object] = json.loads(out)
    return plan


def test_the_mtt_design_needs_no_stock_and_gives_its_doses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = _plan(["mtt-viability"], capsys)
    figures = plan["figures"]
    assert isinstance(figures, dict)
    # 100 mM series point / 100 (intermediate) × 10 µL / (90 + 10) µL = 100 µM, and so on
    assert figures["finals"] == pytest.approx([100, 20, 4, 0.8, 0.16, 0.032], rel=1e-9)
    # 1/100 × 10/100 = 0.1 % DMSO in every well
    assert figures["vehicle_fraction"] == pytest.approx([0.001] * 6, rel=1e-9)
    assert figures["add_ul"] == 10
    assert plan["notes"] == [
        "points are numbered as their wells' codes on the plate map: the series starts at "
        "point 6 (100 µM in the wells), made first, and is diluted down to point 1",
        "each point is diluted 1:100 in medium (the design's intermediate), 10 µL of it per well",
    ]


def test_pfak_plans_six_well_plates_at_their_working_volume(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = _plan(["western-blot-pfak"], capsys)
    rows = plan["rows"]
    assert isinstance(rows, list)
    wells = [r for r in rows if r["step"].startswith(("wells", "vehicle"))]
    assert {r["per"] for r in wells} == {"each of 9 wells"}
    assert {r["total_ul"] for r in wells} == {2002}
    figures = plan["figures"]
    assert isinstance(figures, dict)
    # 100 µM × 2 µL / 2002 µL = 99.9 nM: within 0.1 % of the design's 100 nM
    assert figures["finals"] == pytest.approx([100, 10, 1, 0.1], rel=0.0011)


@pytest.mark.parametrize(("args", "line"), [
    (["--add", "20uL"], "--add 20 uL overrides the design's 10 uL addition"),
    (["--well-volume", "190uL"],
     "--well-volume 190 uL overrides the design's 90 uL working volume"),
    (["--stock", "200mM"], "--stock 200 mM overrides the design's 100 mM stock"),
    (["--well", "200uL"], "--well 200 uL is the final volume: 190 uL in the well + 10 uL added, "
                          "overriding the design's 90 uL working volume"),
])
def test_overrides_are_honoured_and_said(
    capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    plan = _plan(["mtt-viability", *args], capsys)
    notes = plan["notes"]
    assert isinstance(notes, list) and line in notes
    figures = plan["figures"]
    assert isinstance(figures, dict)
    # the route is planned again: the doses and the DMSO stay the design's
    assert figures["finals"] == pytest.approx([100, 20, 4, 0.8, 0.16, 0.032], rel=0.01)
    assert figures["vehicle_fraction"] == pytest.approx([0.001] * 6, rel=0.01)


def test_add_reaches_the_wells(capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan(["mtt-viability", "--add", "20uL"], capsys)
    rows = plan["rows"]
    assert isinstance(rows, list)
    wells = [r for r in rows if r["step"].startswith("wells")]
    # 20 µL onto the design's 90 µL
    assert {(r["volume_ul"], r["diluent_ul"]) for r in wells} == {(20, 90)}


def test_an_override_the_design_cannot_hold_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["dilute", "serial", "western-blot-pfak", "--add", "1uL"], capsys)
    # 1 µL into 2 mL is 0.05 % of the vehicle at most: 0.1 % DMSO cannot be held
    assert code == 1 and out == ""
    assert "cannot be held when 1 µL is added per well" in err and len(err.splitlines()) == 1


DATA = Path(__file__).parent / "data"


def test_a_design_without_volumes_takes_the_plate_default_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = _plan([str(DATA / "mtt-design.yaml"), "--stock", "10mM"], capsys)
    notes = plan["notes"]
    assert isinstance(notes, list)
    assert "working volume 100 uL: the 96-well plate default (the design gives none)" in notes


def test_a_design_without_a_stock_asks_for_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dilute", "serial", str(DATA / "mtt-design.yaml")], capsys)
    assert code == 1 and out == ""
    assert "gives no stock concentration for its doses: give --stock" in err
