"""Step definitions for features/plates.feature, through the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("plates.feature")

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


@pytest.fixture
def plates() -> dict[str, Any]:
    return {}


@given(parsers.parse('the protocol "{name}"'))
def the_protocol(plates: dict[str, Any], name: str) -> None:
    plates["protocol"] = str(PROTOCOLS / f"{name}.yaml")


def _lay_out(plates: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path,
             *extra: str) -> None:
    out = tmp_path / "layout.csv"
    code, text, err = run(["plate", "layout", plates["protocol"], *extra, "-o", str(out)],
                          capsys)
    assert code == 0, err
    assert "violation" not in text
    plates["rows"] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


@when(parsers.parse("I lay out its plates with seed {seed:d}"))
def lay_out_seeded(plates: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path,
                   seed: int) -> None:
    _lay_out(plates, capsys, tmp_path, "--seed", str(seed))


@when("I lay out its plates in the blocked style")
def lay_out_blocked(plates: dict[str, Any], capsys: pytest.CaptureFixture[str],
                    tmp_path: Path) -> None:
    _lay_out(plates, capsys, tmp_path, "--style", "blocked")


def _by_plate(plates: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in plates["rows"]:
        out.setdefault(row["plate"], []).append(row)
    return out


@then(parsers.parse("there are {count:d} plates of {wells:d} wells"))
def plate_count(plates: dict[str, Any], count: int, wells: int) -> None:
    by_plate = _by_plate(plates)
    assert len(by_plate) == count
    assert all(len(rows) <= wells for rows in by_plate.values())


@then("every plate holds one time point: its four doses and its own DMSO well")
def one_time_point(plates: dict[str, Any]) -> None:
    for rows in _by_plate(plates).values():
        (time,) = {r["time"] for r in rows}
        assert sorted(r["dose"] for r in rows if not r["control"]) == [
            "0.1 nM", "1 nM", "10 nM", "100 nM"]
        assert [r["condition"] for r in rows if r["control"] == "vehicle"] == [
            f"DMSO / {time}"]


@then("the layout CSV gives every DMSO row its time point")
def dmso_rows(plates: dict[str, Any]) -> None:
    vehicle = [r for r in plates["rows"] if r["control"] == "vehicle"]
    assert len(vehicle) == 9
    assert all(r["time"] and r["condition"] == f"DMSO / {r['time']}" for r in vehicle)


@then(parsers.parse("rows B, C and D read {conditions} from column 2"))
def blocked_rows(plates: dict[str, Any], conditions: str) -> None:
    wanted = [c.strip().replace("µ", "u") for c in conditions.split(",")]  # as the file spells
    at = {r["well"]: r["condition"].replace("µ", "u") for r in plates["rows"]}
    for row in "BCD":
        assert [at.get(f"{row}{col}") for col in range(2, 2 + len(wanted))] == wanted


@then("the outer ring is filled with medium")
def ring(plates: dict[str, Any]) -> None:
    edge = {r["well"] for r in plates["rows"] if r["control"] == "edge"}
    assert len(edge) == 36 and {"A1", "H12", "D1", "D12"} <= edge
