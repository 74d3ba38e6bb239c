"""`elab runs finish` saying what an analysis lacks, and `elab runs analyze` running it again
on the completed run once it is there (the MTT IC50 of a plate-reader export needs the
plate layout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
MTT = str(ROOT / "protocols" / "mtt-viability.yaml")


def elab(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ELAB_DATABASE_URL": url, "ELAB_OPERATOR": "ana"}
    return subprocess.run([sys.executable, "-m", "elab.cli.main", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_finish_says_the_layout_is_missing_and_analyze_runs_it_later(sqlite_url: str) -> None:
    run = elab(sqlite_url, "runs", "start", MTT).stdout.strip()
    elab(sqlite_url, "runs", "attach", run, "absorbance", str(DATA / "grid_mtt.csv"))
    refused = elab(sqlite_url, "runs", "finish", run)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()  # one line: what is missing, layout included
    assert "is not complete" in line and "ic50 needs the plate layout" in line

    finished = elab(sqlite_url, "runs", "finish", run, "--incomplete", "--reason", "no layout")
    assert finished.returncode == 0, finished.stderr
    assert "analysis ic50: not run: ic50 needs the plate layout" in finished.stdout
    assert f"elab runs attach {run} layout FILE" in finished.stdout
    assert f"run it again once that is put right: elab runs analyze {run} ic50" in finished.stdout
    assert "cells, the header" not in finished.stdout

    early = elab(sqlite_url, "runs", "analyze", run)
    assert early.returncode == 1 and "ic50 needs the plate layout" in early.stderr
    assert len(early.stderr.strip().splitlines()) == 1

    elab(sqlite_url, "runs", "attach", run, "layout", str(DATA / "grid_mtt_layout.csv"))
    again = elab(sqlite_url, "runs", "analyze", run, "ic50")
    assert again.returncode == 0, again.stderr
    assert "analysis ic50 (#" in again.stdout and "after completion, ana)" in again.stdout
    assert "IC50" in again.stdout
    status = json.loads(elab(sqlite_url, "runs", "status", run, "--json").stdout)
    assert [a["error"] is None for a in status["analyses"]] == [False, True]
    assert [a["after_completion"] for a in status["analyses"]] == [False, True]
    assert status["analyses"][1]["operator"] == "ana"
    assert status["analyses"][1]["seq"] > status["analyses"][0]["seq"]

    record = elab(sqlite_url, "record", run, "--format", "md").stdout
    assert "Run again after completion" in record
    value = elab(sqlite_url, "runs", "value", run, "read", "--value", "blank_od=0.06 OD")
    assert value.returncode == 1
    assert "elab runs analyze" in value.stderr and "elab runs note" in value.stderr


def test_analyze_names_unknown_analyses_and_needs_a_completed_run(sqlite_url: str) -> None:
    run = elab(sqlite_url, "runs", "start", MTT).stdout.strip()
    running = elab(sqlite_url, "runs", "analyze", run)
    assert running.returncode == 1 and "its analyses run when it finishes" in running.stderr
    elab(sqlite_url, "runs", "finish", run, "--incomplete", "--reason", "x")
    unknown = elab(sqlite_url, "runs", "analyze", run, "ic5")
    assert unknown.returncode == 1 and "its analyses: ic50" in unknown.stderr
