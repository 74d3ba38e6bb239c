"""`elab schedule plan RUN`: a run under way is replanned from now, its done steps kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


def elab(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELAB_DATABASE_URL": url, "ELAB_OPERATOR": "ana", "TZ": "UTC"}
    return subprocess.run([sys.executable, "-m", "elab.cli.main", *args], capture_output=True,
                          text=True, env=env, timeout=180)


def test_a_run_under_way_is_planned_without_its_done_steps(sqlite_url: str) -> None:
    run = elab(sqlite_url, "runs", "start", "western-blot-emt").stdout.strip()
    assert elab(sqlite_url, "runs", "done", run, "treat").returncode == 0
    today = date.today().isoformat()
    result = elab(sqlite_url, "schedule", "plan", run, "mtt-viability", "--start", today,
                  "--json", "--time-limit", "5", "--allow-out-of-hours")  # any hour of CI
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    mine = [a for a in plan["activities"] if a["run"] == run]
    steps = {a["step"] for a in mine}
    assert "treat" not in steps and "wash-pbs" in steps
    assert {a["run"] for a in plan["activities"]} == {run, "mtt-viability"}
    assert plan["violations"] == []


def test_a_finished_run_has_nothing_to_plan(sqlite_url: str) -> None:
    run = elab(sqlite_url, "runs", "start", "mtt-viability").stdout.strip()
    elab(sqlite_url, "runs", "finish", run, "--incomplete", "--reason", "test")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = elab(sqlite_url, "schedule", "plan", run, "--start", tomorrow)
    assert result.returncode == 1
    assert result.stderr.strip() == f"elab: run {run} is completed: nothing is left to plan"


def test_an_unknown_run_id_is_one_line(sqlite_url: str) -> None:
    result = elab(sqlite_url, "schedule", "plan", "20990101-abcdef", "--start", "2099-01-01")
    assert result.returncode == 1
    assert "unknown run '20990101-abcdef'" in result.stderr
    assert "Traceback" not in result.stderr
