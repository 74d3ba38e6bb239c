"""Every `elab runs` command through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


class Elab:
    def __init__(self, url: str) -> None:
        self.env = {**os.environ, "ELAB_DATABASE_URL": url, "ELAB_OPERATOR": "ana"}

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "elab.cli.main", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def fails(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        return lines[0]


@pytest.fixture
def elab(db_url: str) -> Elab:
    return Elab(db_url)


def status(elab: Elab, run: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(elab.ok("runs", "status", run, "--json"))
    return data


def test_a_run_from_start_to_verify(elab: Elab, tmp_path: Path) -> None:
    run = elab.ok("runs", "start", PROTOCOL, "--operator", "bo").strip()
    assert run and "\n" not in run
    elab.ok("runs", "done", run, "seed", "--note", "P5 cells")
    elab.ok("runs", "timer", run, "incubate", "start")
    data = status(elab, run)
    assert data["state"] == "running"
    assert data["timers"][0]["step"] == "incubate"  # type: ignore[index]
    assert 3590 < data["timers"][0]["remaining_s"] <= 3600  # type: ignore[index]
    out = elab.ok("runs", "timer", run, "incubate", "stop")
    assert "deviation (auto) at incubate: incubation stopped early" in out
    elab.ok("runs", "done", run, "incubate")
    out = elab.ok("runs", "done", run, "measure", "--value", "conc=20 mg/mL")
    assert "conc 20 mg/mL is outside 0.5–10 mg/mL" in out
    elab.ok("runs", "skip", run, "stain", "--note", "not today")
    elab.ok("runs", "deviate", run, "treat", "--note", "treated late")
    elab.ok("runs", "note", run, "treat", "plate 2 edge dried")
    elab.ok("runs", "note", run, "general note")
    elab.ok("runs", "lot", run, "medium", "LOT-7", "--expiry", "2027-02-01")
    data_file = tmp_path / "counts.csv"
    data_file.write_text("insert,condition,field,count\ni1,control,1,10\n")
    assert "sha256" in elab.ok("runs", "attach", run, "counts", str(data_file))
    shown = elab.ok("runs", "status", run).splitlines()
    assert any(line.startswith("  attachment counts: counts.csv (") for line in shown)
    assert "  lot medium: LOT-7, expires 2027-02-01" in shown
    values = status(elab, run)["values"]
    seq = values[0]["seq"]  # type: ignore[index]
    elab.ok("runs", "correct", run, str(seq), "--value", "conc=2 mg/mL", "--reason", "typo")
    elab.ok("runs", "pause", run)
    assert status(elab, run)["state"] == "paused"
    elab.ok("runs", "resume", run)
    refused = elab.fails("runs", "finish", run)
    assert "steps not done: treat, develop" in refused
    elab.ok("runs", "done", run, "treat")
    elab.ok("runs", "done", run, "develop")
    out = elab.ok("runs", "finish", run)
    assert "completed" in out
    final = status(elab, run)
    assert final["state"] == "completed"
    steps = {s["id"]: s["state"] for s in final["steps"]}  # type: ignore[union-attr]
    assert steps["seed"] == "done" and steps["stain"] == "skipped"
    kinds = {(d["kind"], d["step"]) for d in final["deviations"]}  # type: ignore[union-attr]
    assert ("manual", "treat") in kinds and ("auto", "measure") in kinds
    listed = json.loads(elab.ok("runs", "list", "--json"))
    assert listed[0]["run"] == run and listed[0]["operators"] == ["bo", "ana"]
    assert "chain intact" in elab.ok("runs", "verify", run)
    assert json.loads(elab.ok("runs", "verify", "--json"))["ok"] is True


def test_bad_input_is_one_line_and_exit_1(elab: Elab, tmp_path: Path) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    before = status(elab, run)["last_seq"]
    assert elab.fails("runs", "done", "nope", "seed").startswith("elab: unknown run 'nope'")
    assert "did you mean 'seed'" in elab.fails("runs", "done", run, "sed")
    assert "cannot convert" in elab.fails("runs", "done", run, "measure", "--value", "conc=3 uL")
    elab.ok("runs", "done", run, "seed")
    assert elab.fails("runs", "done", run, "seed") == "elab: step seed is already done"
    assert elab.fails("runs", "skip", run, "incubate", "--note", "x").endswith("cannot be skipped")
    elab.ok("runs", "abort", run)
    assert "is aborted" in elab.fails("runs", "note", run, "late")
    assert status(elab, run)["last_seq"] == before + 2  # the done and the abort only


def test_unreadable_attachment_is_refused(elab: Elab, tmp_path: Path) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    line = elab.fails("runs", "attach", run, "x", str(tmp_path / "missing.csv"))
    assert line == f"elab: {tmp_path / 'missing.csv'}: No such file or directory"


def test_usage_errors_exit_2(elab: Elab) -> None:
    assert elab("runs", "timer", "r", "s", "pause").returncode == 2
    assert elab("runs", "done").returncode == 2


def test_tampered_run_fails_verify_naming_the_event(elab: Elab, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    run = elab.ok("runs", "start", PROTOCOL).strip()
    elab.ok("runs", "done", run, "seed")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET operator = 'mallory' WHERE run_id = :r AND seq = 2"), {"r": run}
        )
    engine.dispose()
    result = elab("runs", "verify")
    assert result.returncode == 1
    assert result.stderr.strip() == f"elab: run {run} event 2: content does not match its hash"


def test_a_timed_step_done_without_its_timer_is_a_deviation(elab: Elab) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    elab.ok("runs", "done", run, "seed")
    out = elab.ok("runs", "done", run, "incubate")
    assert "deviation (auto) at incubate: done without its timer: 1 h–2 h not timed" in out
    [dev] = status(elab, run)["deviations"]  # type: ignore[misc]
    assert (dev["expected"], dev["actual"]) == ("1 h–2 h", "not timed")


def test_finish_is_refused_until_complete_or_finished_incomplete_with_a_reason(
    elab: Elab,
) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    elab.ok("runs", "done", run, "seed")
    line = elab.fails("runs", "finish", run)
    assert "steps not done: incubate, treat, measure, develop" in line
    assert "required values missing: measure conc" in line
    assert "--incomplete --reason" in line
    assert status(elab, run)["state"] == "running"
    assert elab("runs", "finish", run, "--incomplete").returncode == 2  # a reason is needed
    elab.ok("runs", "finish", run, "--incomplete", "--reason", "incubator failed")
    final = status(elab, run)
    assert final["state"] == "completed"
    notes = [d["note"] for d in final["deviations"]]  # type: ignore[union-attr]
    assert notes == [
        "step incubate was not done",
        "step treat was not done",
        "step measure was not done",
        "step develop was not done",
        "required value conc was not recorded",
    ]


def test_undo_retracts_the_last_action_and_the_log_keeps_both(elab: Elab) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    elab.ok("runs", "done", run, "seed")
    out = elab.ok("runs", "undo", run)
    assert out.startswith("retracted step_done seed (#2)")
    data = status(elab, run)
    steps = {s["id"]: s["state"] for s in data["steps"]}  # type: ignore[union-attr]
    assert steps["seed"] == "current"
    assert data["last_seq"] == 3  # the done stays in the log, the retraction follows it
    assert data["retractions"] == [  # type: ignore[comparison-overlap]
        {"seq": 3, "retracts": [2], "what": "step_done seed (#2)", "operator": "ana"}
    ]
    assert "retracted by ana: step_done seed (#2)" in elab.ok("runs", "status", run)
    elab.ok("runs", "value", run, "measure", "--value", "conc=2 mg/mL")
    elab.ok("runs", "undo", run)
    assert status(elab, run)["values"] == []
    assert "nothing to undo" in elab.fails("runs", "undo", run)
    elab.ok("runs", "done", run, "seed", "--operator", "bo")
    assert "ana has nothing to undo" in elab.fails("runs", "undo", run)  # not bo's action
    assert status(elab, run)["steps"][0]["by"] == "bo"  # type: ignore[index]
    assert "[x] seed" in elab.ok("runs", "status", run).split("Seed (bo)")[0]
    assert "chain intact" in elab.ok("runs", "verify", run)


def test_several_readings_from_the_shell(elab: Elab) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    out = elab.ok("runs", "value", run, "measure", "--value", "conc=2;12;3 mg/mL")
    deviations = [line for line in out.splitlines() if line.startswith("deviation")]
    assert deviations == ["deviation (auto) at measure: conc 12 mg/mL is outside 0.5–10 mg/mL"]
    values = status(elab, run)["values"]
    assert [v["value"] for v in values] == [2.0, 12.0, 3.0]  # type: ignore[union-attr]
    shown = elab.ok("runs", "status", run)
    assert "measure conc: 2, 12, 3 mg/mL (mean 5.667, SD 5.508, n = 3)" in shown


def test_an_expired_lot_is_a_deviation_at_entry(elab: Elab) -> None:
    run = elab.ok("runs", "start", PROTOCOL).strip()
    result = elab("runs", "lot", run, "medium", "M-1", "--expiry", "2025-01-31")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "elab: warning: lot M-1 of medium expired on 2025-01-31"
    assert "deviation (auto): lot M-1 of medium expired on 2025-01-31" in result.stdout
    result = elab("runs", "lot", run, "antibody", "A-1", "--expiry", "2099-01-31")
    assert result.returncode == 0 and result.stderr == ""
    assert len(status(elab, run)["deviations"]) == 1  # type: ignore[arg-type]


def test_a_required_lot_is_missing_at_finish_like_a_value(elab: Elab, tmp_path: Path) -> None:
    text = Path(PROTOCOL).read_text(encoding="utf-8")
    protocol = tmp_path / "lots.yaml"
    protocol.write_text(
        text.replace("medium: {name: Medium}", "medium: {name: Medium, lot: required}"),
        encoding="utf-8",
    )
    run = elab.ok("runs", "start", str(protocol)).strip()
    line = elab.fails("runs", "finish", run)
    assert "lots missing: medium (do them, or finish with --incomplete --reason TEXT)" in line
    elab.ok("runs", "lot", run, "medium", "M-2")
    assert "lots missing" not in elab.fails("runs", "finish", run)


def test_elab_run_refuses_bad_input_before_the_screen_opens(elab: Elab) -> None:
    assert elab.fails("run", "no-such-protocol") == "elab: unknown protocol 'no-such-protocol'"
    line = elab.fails("run", PROTOCOL, "--variant", "extr")
    assert line == "elab: unknown variant 'extr' (did you mean 'extra'?)"
    assert json.loads(elab.ok("runs", "list", "--json")) == []  # nothing was started
