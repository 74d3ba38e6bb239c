"""Rules a scientist meets while following a run from the shell: a step is not closed short
of its required readings without saying so, and a thermocycler program is timed like an
incubation (a cDNA step's 1 min spin does not hide its 2 h 15 min program)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_calls import run

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def qpcr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> str:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    return _ok(["runs", "start", "qrt-pcr-emt", "--variant", "sybr"], capsys).strip()


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


def _status(run_id: str, capsys: Capsys) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_ok(["runs", "status", run_id, "--json"], capsys))
    return data


def _step_state(data: dict[str, Any], step: str) -> str:
    return str(next(s["state"] for s in data["steps"] if s["id"] == step))


def test_done_with_one_of_six_rna_readings_is_refused_naming_what_is_missing(
    qpcr: str, capsys: Capsys,
) -> None:
    line = _refused(["runs", "done", qpcr, "quantify-rna", "--value", "rna_conc=250 ng/uL"],
                    capsys)
    assert line == (
        "quantify-rna still needs its required readings: rna_conc 1 of 6 readings (5 to go). "
        f"Record them with `elab runs done {qpcr} quantify-rna --value "
        "'rna_conc=R2;R3;R4;R5;R6'`, or, if they cannot be had, mark it done without them "
        "with --incomplete --reason TEXT (logs a deviation)")
    data = _status(qpcr, capsys)
    assert _step_state(data, "quantify-rna") != "done" and data["values"] == []
    # The six readings in one go are what it asks for.
    _ok(["runs", "done", qpcr, "quantify-rna", "--value",
         "rna_conc=250;310;280;265;300;295 ng/uL"], capsys)
    data = _status(qpcr, capsys)
    assert _step_state(data, "quantify-rna") == "done"
    assert [d["note"] for d in data["deviations"]
            if "rna_conc" in d["note"]] == []


def test_done_without_them_needs_a_reason_and_logs_the_shortfall_once(
    qpcr: str, capsys: Capsys,
) -> None:
    code, _, err = run(["runs", "done", qpcr, "quantify-rna", "--incomplete"], capsys)
    assert code == 2 and "--incomplete needs --reason TEXT" in err
    out = _ok(["runs", "done", qpcr, "quantify-rna", "--value", "rna_conc=250 ng/uL",
               "--incomplete", "--reason", "RNA 2-6 lost in the spin"], capsys)
    note = ("required value rna_conc: 1 of 6 recorded; marked done without them: "
            "RNA 2-6 lost in the spin")
    assert f"deviation (auto) at quantify-rna: {note}" in out
    data = _status(qpcr, capsys)
    assert [(d["kind"], d["note"]) for d in data["deviations"]
            if d["step"] == "quantify-rna" and "rna_conc" in d["note"]] == [("auto", note)]
    # The finish does not ask about it again: only the steps not done are named.
    line = _refused(["runs", "finish", qpcr], capsys)
    assert line.startswith("run ") and "steps not done: treat, extract, cdna" in line
    assert "rna_conc" not in line


def test_incomplete_on_a_step_with_all_its_readings_is_refused(qpcr: str, capsys: Capsys) -> None:
    line = _refused(["runs", "done", qpcr, "treat", "--incomplete", "--reason", "x"], capsys)
    assert line == "treat has all its required readings: mark it done without --incomplete"


def test_a_per_sample_value_names_the_samples_still_without_a_reading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys,
) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    run_id = _ok(["runs", "start", "western-blot-pfak"], capsys).strip()
    line = _refused(["runs", "done", run_id, "bca", "--value",
                     "protein_conc=0.1 nM / 3 h #1: 1.8 mg/mL"], capsys)
    assert line.startswith(
        "bca still needs its required readings: protein_conc 1 of 45 lysates (none yet for "
        "1 nM / 3 h #1, 10 nM / 3 h #1, 100 nM / 3 h #1, ")
    assert " and 38 more)" in line
    assert f"`elab runs done {run_id} bca --value 'protein_conc=1 nM / 3 h #1: VALUE'`" in line


def test_a_text_value_required_once_says_it_is_not_recorded(qpcr: str, capsys: Capsys) -> None:
    line = _refused(["runs", "done", qpcr, "melt-curve"], capsys)
    assert line.startswith("melt-curve still needs its required readings: single_peak not "
                           f"recorded. Record them with `elab runs done {qpcr} melt-curve "
                           "--value single_peak=VALUE`")


def test_a_thermocycler_program_done_untimed_is_a_deviation_like_run_qpcr(
    qpcr: str, capsys: Capsys,
) -> None:
    out = _ok(["runs", "done", qpcr, "cdna"], capsys)
    # 10 + 120 + 5 min of program and the 1 min spin: the step's passive time.
    assert "deviation (auto) at cdna: done without its timer: 2 h 16 min not timed" in out
    out = _ok(["runs", "done", qpcr, "run-qpcr"], capsys)
    assert "deviation (auto) at run-qpcr: done without its timer: 1 h not timed" in out


def test_the_timer_of_a_program_step_counts_its_program(qpcr: str, capsys: Capsys) -> None:
    _ok(["runs", "timer", qpcr, "cdna", "start"], capsys)
    [timer] = _status(qpcr, capsys)["timers"]
    assert timer["step"] == "cdna" and 136 * 60 - 5 < timer["remaining_s"] <= 136 * 60
