"""A value that has its readings is corrected, not silently averaged with a new one; a
correction takes what ``runs value`` takes and names the event it replaces."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from cli_calls import run

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def mtt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> str:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    code, out, err = run(["runs", "start", "mtt-viability"], capsys)
    assert code == 0, err
    return out.strip()


def _ok(args: list[str], capsys: Capsys) -> str:
    code, out, err = run(args, capsys)
    assert code == 0, err
    return out


def _refused(args: list[str], capsys: Capsys) -> str:
    code, out, err = run(args, capsys)
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, lines
    return lines[0].removeprefix("elab: ")


def _values(run_id: str, capsys: Capsys) -> list[tuple[str, float, str, int | None]]:
    data = json.loads(_ok(["runs", "status", run_id, "--json"], capsys))
    return [(v["name"], v["value"], v["unit"], v["corrected_by"]) for v in data["values"]]


def test_a_second_reading_of_a_complete_value_is_refused_naming_the_correction(
    mtt: str, capsys: Capsys,
) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06 OD"], capsys)
    line = _refused(["runs", "value", mtt, "read", "--value", "blank_od=0.07 OD"], capsys)
    command = f"elab runs correct {mtt} 2 --value 'blank_od=0.07 OD' --reason TEXT"
    assert line == (f"blank_od at read already has its reading (0.06 OD, event #2): replace it "
                    f"with `{command}`, or add --another to record one more reading")
    assert _values(mtt, capsys) == [("blank_od", 0.06, "OD", None)]
    # The command it names, with a reason, replaces the reading: one value, no mean.
    args = shlex.split(command.replace("TEXT", "'read the wrong column'"))[1:]
    _ok(args, capsys)
    assert [v for v in _values(mtt, capsys) if v[3] is None] == [("blank_od", 0.07, "OD", None)]
    shown = _ok(["runs", "status", mtt], capsys)
    assert "value read blank_od: 0.07 OD  [#3]" in shown and "mean" not in shown
    # runs done is held to the same rule.
    line = _refused(["runs", "done", mtt, "read", "--value", "blank_od=0.08"], capsys)
    assert line.startswith("blank_od at read already has its reading (0.07 OD, event #3)")


def test_another_reading_when_the_scientist_says_so(mtt: str, capsys: Capsys) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06 OD"], capsys)
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.07", "--another"], capsys)
    shown = _ok(["runs", "status", mtt], capsys)
    assert "value read blank_od: 0.06, 0.07 OD (mean 0.065, SD 0.007071, n = 2)  [#2, #3]" in shown
    line = _refused(["runs", "value", mtt, "read", "--value", "blank_od=0.08"], capsys)
    assert line.startswith("blank_od at read already has 2 readings (events #2–#3): replace one "
                           f"with `elab runs correct {mtt} SEQ --value blank_od=0.08 --reason")
    assert "--another" in _ok(["runs", "value", "--help"], capsys)


def test_a_correction_takes_a_bare_number_in_the_declared_unit(mtt: str, capsys: Capsys) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06", "--value",
         "vehicle_od=1.2"], capsys)
    _ok(["runs", "correct", mtt, "3", "--value", "vehicle_od=1.06", "--reason", "x"], capsys)
    assert _values(mtt, capsys)[-1] == ("vehicle_od", 1.06, "OD", None)


def test_a_wrong_event_number_says_what_the_event_holds(mtt: str, capsys: Capsys) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06", "--value",
         "vehicle_od=1.2"], capsys)
    line = _refused(["runs", "correct", mtt, "2", "--value", "vehicle_od=1.06", "--reason", "x"],
                    capsys)
    assert line == "event 2 is blank_od, not vehicle_od (vehicle_od is event #3)"
    _ok(["runs", "correct", mtt, "3", "--value", "vehicle_od=1.06", "--reason", "x"], capsys)
    line = _refused(["runs", "correct", mtt, "3", "--value", "vehicle_od=1.1", "--reason", "x"],
                    capsys)
    assert line == "event 3 (vehicle_od) was corrected by event #4; correct that event instead"
    line = _refused(["runs", "correct", mtt, "4", "--value", "vehicle_od=1;1.1", "--reason",
                     "x"], capsys)
    assert line == "a correction replaces one reading; vehicle_od=1;1.1 holds 2"


def test_a_unit_error_names_the_declared_unit_not_a_quantity(mtt: str, capsys: Capsys) -> None:
    line = _refused(["runs", "value", mtt, "seed", "--value", "viability=cell"], capsys)
    assert line.endswith("(expected %)")
    line = _refused(["runs", "value", mtt, "read", "--value", "blank_od=5 uL"], capsys)
    assert line.endswith("(expected OD)")


def test_an_event_that_holds_no_reading_says_so(mtt: str, capsys: Capsys) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "vehicle_od=1.2"], capsys)
    line = _refused(["runs", "correct", mtt, "1", "--value", "vehicle_od=1.06", "--reason", "x"],
                    capsys)
    assert line == "event 1 is not a recorded reading (vehicle_od is event #2)"
    line = _refused(["runs", "correct", mtt, "9", "--value", "vehicle_od=1.06", "--reason", "x"],
                    capsys)
    assert line == f"run {mtt} has no event 9; its last is #2 (vehicle_od is event #2)"


def test_a_correction_with_two_values_is_one_line_and_appends_nothing(
    mtt: str, capsys: Capsys,
) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06"], capsys)
    line = _refused(["runs", "correct", mtt, "2", "--value", "blank_od=0.07", "--value",
                     "blank_od=0.08", "--reason", "x"], capsys)
    assert line == ("a correction replaces one reading: give event 2 one --value, not 2 "
                    "(blank_od=0.07, blank_od=0.08)")
    assert _values(mtt, capsys) == [("blank_od", 0.06, "OD", None)]


def test_undoing_my_reading_bob_corrected_names_his_correction(
    mtt: str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ok(["runs", "value", mtt, "read", "--value", "blank_od=0.06"], capsys)
    monkeypatch.setenv("ELAB_OPERATOR", "bob")
    _ok(["runs", "correct", mtt, "2", "--value", "blank_od=0.07", "--reason", "b"], capsys)
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    line = _refused(["runs", "undo", mtt], capsys)
    assert line == ("undoing value_recorded read blank_od=0.06 OD (#2) would also take back "
                    "bob's correction read blank_od=0.07 OD (#3), which corrects #2; another "
                    "operator's work is never undone: correct #3 instead")
    assert _values(mtt, capsys) == [("blank_od", 0.06, "OD", 3), ("blank_od", 0.07, "OD", None)]
