"""``elab schedule plan|ics`` from the shell: agenda, JSON contract, files, bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from cli_calls import run

PROTOCOLS = Path(__file__).resolve().parents[1] / "unit" / "schedule" / "data" / "protocols"
TRANSWELL = str(PROTOCOLS / "transwell-migration.yaml")
WESTERN = str(PROTOCOLS / "western-blot.yaml")
MTT = str(PROTOCOLS / "mtt-viability.yaml")


@pytest.fixture
def calendar(tmp_path: Path) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text(
        "timezone: Europe/Berlin\n"
        "bookings:\n"
        "  - {equipment: microscope, start: 2026-12-01 09:00, end: 2026-12-01 12:00,"
        " note: core facility}\n"
    )
    return path


def test_plan_prints_a_day_by_day_agenda(capsys: pytest.CaptureFixture[str],
                                         calendar: Path) -> None:
    code, out, err = run(["schedule", "plan", TRANSWELL, WESTERN, "--start", "2026-11-30",
                          "--calendar", str(calendar)], capsys)
    assert code == 0, err
    assert "Mon 30 Nov 2026" in out and "Tue 01 Dec 2026" in out
    assert "Seed cells into inserts" in out
    assert "out-of-hours hands-on 0 min" in out


def test_plan_json_contract(capsys: pytest.CaptureFixture[str], calendar: Path,
                            tmp_path: Path) -> None:
    gantt = tmp_path / "plan.html"
    code, out, err = run(["schedule", "plan", TRANSWELL, WESTERN, MTT, WESTERN, "--start",
                          "2026-11-30", "--calendar", str(calendar), "--json", "--gantt",
                          str(gantt)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["out_of_hours_hands_on_min"] == 0
    assert data["makespan_h"] > 24
    runs = {a["run"] for a in data["activities"]}
    assert runs == {"transwell-migration", "western-blot-1", "western-blot-2", "mtt-viability"}
    for a in data["activities"]:
        assert set(a) >= {"run", "step", "start", "end", "hands_on", "equipment"}
        assert a.get("person") == ("operator" if a["hands_on"] else None)
        start = datetime.fromisoformat(a["start"])
        assert start.utcoffset() is not None
        if a["hands_on"]:
            assert 9 <= start.hour < 17 and start.weekday() < 5
    count = next(a for a in data["activities"] if a["step"] == "count")
    assert datetime.fromisoformat(count["start"]) >= datetime.fromisoformat(
        "2026-12-01T12:00:00+01:00") or count["start"] < "2026-12-01"
    assert "<svg" in gantt.read_text()


def test_plan_png_gantt(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                        calendar: Path) -> None:
    png = tmp_path / "plan.png"
    code, _, err = run(["schedule", "plan", TRANSWELL, "--start", "2026-11-30", "--calendar",
                        str(calendar), "--gantt", str(png)], capsys)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ics_writes_events_in_the_lab_time_zone(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path, calendar: Path) -> None:
    from icalendar import Calendar

    target = tmp_path / "plan.ics"
    code, out, err = run(["schedule", "ics", TRANSWELL, "--start", "2026-11-30", "--calendar",
                          str(calendar), "-o", str(target), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["events"] >= 6
    parsed = Calendar.from_ical(target.read_bytes())
    events = list(parsed.walk("VEVENT"))
    seed = next(e for e in events if "Seed cells" in str(e["SUMMARY"]))
    start = seed.decoded("DTSTART")
    assert seed["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start.hour >= 9 and start.date().isoformat() == "2026-11-30"
    assert str(seed["SUMMARY"]).startswith("operator: ")
    incubate = next(e for e in events if "co2_incubator booked" in str(e["SUMMARY"]))
    alarms = list(incubate.walk("VALARM"))
    assert alarms and alarms[0]["TRIGGER"].params.get("RELATED") == "END"
    assert list(parsed.walk("VTIMEZONE"))


@pytest.mark.parametrize(
    ("extra", "calendar_text", "message"),
    [
        ([], "hours: {sat: closed}\n", "no working hours"),
        ([], "bookings:\n  - {equipment: plate_raeder, start: 2026-12-01 09:00,"
             " end: 2026-12-01 10:00}\n", "unknown equipment 'plate_raeder'"),
        (["@2020-01-06T09:00"], "", "in the past"),
        ([], "hours: {mon: 09:00-09:10, tue: 09:00-09:10}\n", "longer than any working day"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, extra: list[str],
                                              calendar_text: str, message: str) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(calendar_text or "timezone: Europe/Berlin\n")
    spec = TRANSWELL + (extra[0] if extra else "")
    code, _out, err = run(["schedule", "plan", spec, "--start", "2026-11-30", "--calendar",
                          str(path)], capsys)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_infeasible_plan_explains_itself(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text("timezone: Europe/Berlin\nhours: {fri: 09:00-17:00}\n")
    code, _, err = run(["schedule", "plan", TRANSWELL, "--start", "2026-12-04",
                        "--calendar", str(path), "--horizon-days", "7"], capsys)
    assert code == 1
    # only one Friday in the plan, and counting comes a day after seeding
    assert "no schedule exists" in err and "7-day plan" in err
    assert "step 'count' (45 min) of transwell-migration" in err


def test_people_and_a_named_person_from_the_shell(capsys: pytest.CaptureFixture[str],
                                                 calendar: Path, tmp_path: Path) -> None:
    svg = tmp_path / "plan.svg"
    code, out, err = run(["schedule", "plan", TRANSWELL, WESTERN, MTT, "--start", "2026-11-30",
                          "--calendar", str(calendar), "--people", "2", "--person",
                          "mtt-viability=ana", "--json", "--gantt", str(svg)], capsys)
    assert code == 0, err
    data = json.loads(out)
    who = {a["run"]: a["person"] for a in data["activities"] if a["hands_on"]}
    assert who["mtt-viability"] == "ana"
    assert {who["transwell-migration"], who["western-blot"]} <= {"person-1", "person-2"}
    assert ">ana<" in svg.read_text() and "Seed cells into inserts" in svg.read_text()


@pytest.mark.parametrize("args", [["--person", "nobody=ana"], ["--person", "no-equals"]])
def test_a_bad_person_is_refused(capsys: pytest.CaptureFixture[str], calendar: Path,
                                 args: list[str]) -> None:
    code, _, err = run(["schedule", "plan", TRANSWELL, "--start", "2026-11-30",
                        "--calendar", str(calendar), *args], capsys)
    assert code in (1, 2) and "--person" in err


def test_schema_of_the_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schema", "--calendar"], capsys)
    assert code == 0, err
    assert "people" in json.loads(out)["properties"]
