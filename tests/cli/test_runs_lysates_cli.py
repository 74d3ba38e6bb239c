"""``elab runs value`` for a value read once per lysate: a reading names its lysate (or takes
the next), the command says whose it was and which lysate is next; an unknown lysate is one
line on stderr and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run


@pytest.fixture
def run_id(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> str:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    code, out, err = run(["runs", "start", "western-blot-pfak", "--param",
                          "protein_per_lane=20ug"], capsys)
    assert code == 0, err
    return out.strip()


def test_a_named_reading_says_its_lysate_and_the_next(
    capsys: pytest.CaptureFixture[str], run_id: str,
) -> None:
    code, out, err = run(["runs", "value", run_id, "bca", "--value",
                          "protein_conc=1 nM / 3 h #1: 1.6 mg/mL"], capsys)
    assert code == 0, err
    assert out.splitlines() == ["protein_conc for 1 nM / 3 h #1: 1.6 mg/mL",
                                "saved 1 event (last #2)",
                                "next lysate for protein_conc: 0.1 nM / 3 h #1"]
    code, out, err = run(["runs", "value", run_id, "bca", "--value", "protein_conc=2"], capsys)
    assert code == 0, err
    assert "protein_conc for 0.1 nM / 3 h #1: 2 mg/mL" in out
    code, out, _ = run(["runs", "status", run_id, "--json"], capsys)
    status = json.loads(out)
    assert [(v["sample"], v["value"]) for v in status["values"]] == [
        ("1 nM / 3 h #1", 1.6), ("0.1 nM / 3 h #1", 2.0)]
    loading = status["derived"][0]
    assert loading["values"][:3] == [10.0, 12.5, None]  # 20 µg / 2, / 1.6 mg/mL; not read


def test_an_unknown_lysate_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], run_id: str,
) -> None:
    code, out, err = run(["runs", "value", run_id, "bca", "--value",
                          "protein_conc=DMSO / 3 h #4: 2 mg/mL"], capsys)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "unknown lysate 'DMSO / 3 h #4' (did you mean" in err
    code, out, _ = run(["runs", "status", run_id, "--json"], capsys)
    assert json.loads(out)["values"] == []


def test_runs_done_takes_named_readings_too(
    capsys: pytest.CaptureFixture[str], run_id: str,
) -> None:
    code, out, err = run(["runs", "done", run_id, "bca", "--value",
                          "protein_conc=DMSO / 48 h #3: 2; DMSO / 48 h #2: 4",
                          "--incomplete", "--reason", "the other lysates are read tomorrow"],
                         capsys)
    assert code == 0, err
    assert "protein_conc for DMSO / 48 h #3: 2 mg/mL" in out
    code, out, _ = run(["runs", "status", run_id], capsys)
    assert ("denature lysate DMSO / 48 h #2: protein_conc 4 mg/mL → loading_volume 5 µL, "
            "water_volume 19 µL") in out


def _one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(args, capsys)
    assert code == 1 and out == "", (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, lines
    return lines[0].removeprefix("elab: ")


def test_a_lysate_that_has_its_reading_gives_the_whole_correction_to_type(
    capsys: pytest.CaptureFixture[str], run_id: str,
) -> None:
    run(["runs", "value", run_id, "bca", "--value", "protein_conc=DMSO / 3 h #2: 1.9"], capsys)
    line = _one_line(["runs", "value", run_id, "bca", "--value",
                      "protein_conc=DMSO / 3 h #2: 1.7"], capsys)
    assert line == ("lysate DMSO / 3 h #2 already has its protein_conc reading (#2); put it "
                    f"right with `elab runs correct {run_id} 2 --value 'protein_conc=DMSO / "
                    "3 h #2: 1.7 mg/mL' --reason TEXT`")
    code, _, err = run(["runs", "correct", run_id, "2", "--value",
                        "protein_conc=DMSO / 3 h #2: 1.7 mg/mL", "--reason", "misread"], capsys)
    assert code == 0, err  # the command as given works


def test_a_lysate_named_without_a_value_is_named_in_the_refusal(
    capsys: pytest.CaptureFixture[str], run_id: str,
) -> None:
    line = _one_line(["runs", "value", run_id, "bca", "--value", "protein_conc=DMSO / 3 h #2:"],
                     capsys)
    assert line == ("value protein_conc for DMSO / 3 h #2 is empty: give it as "
                    "'protein_conc=DMSO / 3 h #2: VALUE'")


def test_undoing_a_move_onto_a_lysate_read_since_is_one_line_and_appends_nothing(
    capsys: pytest.CaptureFixture[str], run_id: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    run(["runs", "value", run_id, "bca", "--value", "protein_conc=DMSO / 3 h #1: 1.8"], capsys)
    code, _, err = run(["runs", "correct", run_id, "2", "--value",
                        "protein_conc=DMSO / 3 h #2: 1.8", "--reason", "wrong tube"], capsys)
    assert code == 0, err
    monkeypatch.setenv("ELAB_OPERATOR", "bob")
    run(["runs", "value", run_id, "bca", "--value", "protein_conc=DMSO / 3 h #1: 3.0"], capsys)
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    line = _one_line(["runs", "undo", run_id], capsys)
    assert line.endswith("would give lysate DMSO / 3 h #1 two protein_conc readings "
                         "(#2 by ana and #4 by bob); correct #4 instead")
    code, out, _ = run(["runs", "status", run_id, "--json"], capsys)
    status = json.loads(out)
    assert status["retractions"] == [] and status["last_seq"] == 4  # nothing appended
    assert [(v["sample"], v["corrected_by"]) for v in status["values"]] == [
        ("DMSO / 3 h #1", 3), ("DMSO / 3 h #2", None), ("DMSO / 3 h #1", None)]
