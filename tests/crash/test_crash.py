"""Nothing acknowledged is ever lost: appenders killed with SIGKILL at random moments.

A child process appends notes to one run and prints each sequence number after its commit
returns.  The test kills it at a random moment, again and again (ELAB_CRASH_KILLS times, 50
by default; `make soak` runs 1,000), then checks that every printed event is in the
database, that SQLite's integrity check passes and that the chain verifies.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from elab.domain.runs import verify_chain
from elab.services.runs import RunService

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
CHILD = """
import sys
from elab.services.runs import RunService
service = RunService.open(sys.argv[1], operator="crash")
print("ready", flush=True)
i = 0
while True:
    event = service.note(sys.argv[2], None, f"note {i}")[-1]
    print(event.seq, flush=True)
    i += 1
"""


def _kill_rounds(url: str, run: str, rounds: int, seed: int) -> set[int]:
    rng = random.Random(seed)
    acknowledged: set[int] = set()
    for _ in range(rounds):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, run], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        acknowledged |= {int(line) for line in out.split() if line.isdigit()}
    return acknowledged


def _check(db: Path, url: str, run: str, acknowledged: set[int]) -> None:
    service = RunService.open(url)
    try:
        stored = {e.seq for e in service.events(run)}
        assert acknowledged <= stored, sorted(acknowledged - stored)
        assert verify_chain(service.events(run)) is None
    finally:
        service.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _run(tmp_path: Path, kills: int) -> None:
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"
    service = RunService.open(url, operator="crash")
    run = service.start(PROTOCOL)
    service.close()
    acknowledged = _kill_rounds(url, run, kills, seed=kills)
    assert len(acknowledged) > kills // 2  # the kills really landed during appends
    _check(db, url, run, acknowledged)
    print(f"crash test: {kills} kills, {len(acknowledged)} acknowledged events all present")


def test_sigkill_never_loses_an_acknowledged_event(tmp_path: Path) -> None:
    _run(tmp_path, int(os.environ.get("ELAB_CRASH_KILLS", "50")))


@pytest.mark.slow
def test_soak(tmp_path: Path) -> None:
    _run(tmp_path, int(os.environ.get("ELAB_CRASH_KILLS", "1000")))
