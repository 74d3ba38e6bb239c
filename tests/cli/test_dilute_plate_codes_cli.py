"""One code, one dose: the pipetting table of ``elab dilute serial PROTOCOL`` names its wells by
the codes ``elab plate layout PROTOCOL`` prints, so matching "1" to "1" at the bench puts the
dose the plate map means in those wells (the review found them reversed: point 1 the top of the
series, code 1 the lowest dose)."""

from __future__ import annotations

import json
import re

import pytest
from cli_calls import run

from elab.units import convert, parse_quantity


def _out(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(args, capsys)
    assert code == 0, err
    return out


def _legend(text: str) -> dict[str, str]:
    """The plate map's legend as the scientist reads it: code → condition."""
    legend = {}
    for line in text.split("\n\n")[-2].splitlines():
        found = re.fullmatch(r"\s*(\S+)  (.+)", line)
        if found and found[1] not in (".", "~"):
            legend[found[1]] = found[2].strip()
    return legend


def _nm(text: str) -> float:
    q = parse_quantity(text.replace("uM", "µM"))
    value = convert(q.planned, q.unit, "nanomolar")
    assert value is not None
    return value


@pytest.mark.parametrize(("protocol", "wells_per_code"), [
    ("mtt-viability", 1),  # one dose factor: each dose has one code
    ("western-blot-pfak", 3),  # dose × time: each dose is a code on each time point's plate
])
def test_each_code_in_the_pipetting_table_is_that_dose_on_the_plate_map(
    capsys: pytest.CaptureFixture[str], protocol: str, wells_per_code: int,
) -> None:
    legend = _legend(_out(["plate", "layout", protocol, "--seed", "1"], capsys))
    plan = json.loads(_out(["dilute", "serial", protocol, "--json"], capsys))
    wells = [r for r in plan["rows"] if r["step"].startswith("wells ")]
    assert wells and all(r["code"] for r in wells)
    seen = []
    for row in wells:
        codes = row["code"].split(", ")
        assert len(codes) == wells_per_code
        for code in codes:
            dose = legend[code].split(" / ")[0]  # "0.1 nM / 3 h": the dose, then the time
            # the well's final dose is the plate map's (99.9 nM for 100 nM: 2 µL into 2 mL)
            assert _nm(row["final"]) == pytest.approx(_nm(dose), rel=0.002), (code, row)
            seen.append(code)
        # the point is numbered as its code (MTT) or as its dose's place in the design (p-FAK)
        assert row["step"] == f"wells {codes[0]}"
    samples = [c for c in legend if c.isdigit()]
    assert sorted(seen, key=int) == sorted(samples, key=int)  # every dosed code, once
    control = next(r for r in plan["rows"] if r["step"] == "vehicle control")
    assert control["code"].split(", ") == [c for c in legend if c.startswith("v")]
    assert all(legend[c].startswith("DMSO") or legend[c] == "vehicle"
               for c in control["code"].split(", "))


def test_the_series_is_made_from_its_top_under_the_tops_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MTT lists its doses lowest first, so the top (100 µM, code 6) is point 6: made first,
    from the stock, and the table says why the numbers count down."""
    text = _out(["dilute", "serial", "mtt-viability"], capsys)
    lines = text.splitlines()
    first = next(line for line in lines if line.startswith("point "))
    assert first.split()[:3] == ["point", "6", "stock"]
    wells_6 = next(line for line in lines if line.startswith("wells 6"))
    assert "100 µM" in wells_6 and re.match(r"wells 6\s+6\s+working 6\s", wells_6)
    assert any("starts at point 6 (100 µM in the wells)" in line for line in lines)


def test_without_a_protocol_point_1_is_still_the_top(capsys: pytest.CaptureFixture[str]) -> None:
    """No design, no plate map: the series counts from its top, as before, with no code column."""
    plan = json.loads(_out(["dilute", "serial", "--stock", "10mM", "--top", "10uM", "--fold",
                            "3", "--points", "4", "--json"], capsys))
    points = [r for r in plan["rows"] if r["step"].startswith("point ")]
    assert [r["step"] for r in points] == ["point 1", "point 2", "point 3", "point 4"]
    assert all(r["code"] == "" for r in plan["rows"])
    text = _out(["dilute", "serial", "--stock", "10mM", "--top", "10uM", "--points", "4"],
                capsys)
    assert "plate code" not in text
