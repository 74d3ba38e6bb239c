"""Event appends through the service layer, and rebuilding a long run's state.

1. Append throughput and p50/p99 latency of `RunService.note` on SQLite with
   synchronous=FULL, beside a bare sqlite3 insert-and-commit loop with the same durability
   settings (WAL, synchronous=FULL) in the same run. Goal: throughput ratio >= 0.5.
   The service's appends move the run's recorded head in the same transaction.
2. Rebuilding the state of a 100,000-event run (fold), with the ratio to fetching the rows
   alone. Goal: under 1 s.
3. Verifying that run as `runs verify` does (chain, recorded head, attachments, signatures),
   with the ratio to fetching the rows alone. Goal: under 1.5 s.

Run: .venv/bin/python benchmarks/events.py
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from elab.domain.runs import FakeClock, fold, make_event
from elab.domain.runs.clock import iso
from elab.services.integrity import run_findings
from elab.services.runs import RunService
from elab.store import EventStore, open_engine

PROTOCOL = Path(__file__).resolve().parents[1] / "tests" / "unit" / "runs" / "data" / "assay.yaml"
APPENDS = 500
LONG_RUN = 100_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_service(folder: Path) -> tuple[float, list[float]]:
    service = RunService.open(f"sqlite:///{folder / 'svc.db'}", operator="bench")
    run = service.start(str(PROTOCOL))
    latencies = []
    start = time.perf_counter()
    for i in range(APPENDS):
        t0 = time.perf_counter()
        service.note(run, None, f"note {i}")
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    service.close()
    return APPENDS / total, latencies


def bench_bare(folder: Path) -> float:
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE events (run_id TEXT, seq INTEGER, payload TEXT, PRIMARY KEY (run_id, seq))"
    )
    start = time.perf_counter()
    for i in range(APPENDS):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?)", ("r", i, json.dumps({"text": f"note {i}"}))
        )
        conn.execute("COMMIT")
    total = time.perf_counter() - start
    conn.close()
    return APPENDS / total


def bench_rebuild(folder: Path) -> tuple[float, float, float]:
    engine = open_engine(f"sqlite:///{folder / 'long.db'}")
    store = EventStore(engine)
    service = RunService(store, FakeClock(), "bench")
    run = service.start(str(PROTOCOL))
    head = store.events(run)[0]
    at = iso(FakeClock().now())
    batch, prev = [], head.hash
    for seq in range(2, LONG_RUN + 1):
        kind, payload = (
            ("note", {"text": f"n{seq}"})
            if seq % 3
            else (
                "value_recorded",
                {
                    "step": "measure",
                    "name": "conc",
                    "value": 1.0,
                    "unit": "milligram / milliliter",
                    "text": "1 mg/mL",
                    "in_range": True,
                },
            )
        )
        event = make_event(run, seq, kind, at, "bench", payload, prev)
        prev = event.hash
        batch.append(event)
    store.append(run, batch, 1)
    fetch_times, fold_times = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        events = store.events(run)
        t1 = time.perf_counter()
        state = fold(events)
        t2 = time.perf_counter()
        fetch_times.append(t1 - t0)
        fold_times.append(t2 - t0)
    assert state.last_seq == LONG_RUN
    verify_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        findings = run_findings(store, run)
        verify_times.append(time.perf_counter() - t0)
    assert findings == []
    engine.dispose()
    return min(fold_times), min(fetch_times), min(verify_times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = bench_bare(folder)
        ours, latencies = bench_service(folder)
        rebuild, fetch, verify = bench_rebuild(folder)
    p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000
    print(
        f"appends: service {ours:.0f}/s (p50 {p50:.2f} ms, p99 {p99:.2f} ms); "
        f"bare sqlite3 {bare:.0f}/s"
    )
    print(f"rebuild {LONG_RUN} events: {rebuild:.3f} s (fetching rows alone {fetch:.3f} s)")
    print(f"verify {LONG_RUN} events: {verify:.3f} s")
    figures = [
        {
            "name": "append_throughput",
            "value": round(ours, 1),
            "unit": "events/s",
            "baseline": round(bare, 1),
            "ratio": round(ours / bare, 3),
            "goal": "ratio >= 0.5",
        },
        {
            "name": "append_latency_p50",
            "value": round(p50, 3),
            "unit": "ms",
            "baseline": round(1000 / bare, 3),
            "ratio": round(p50 / (1000 / bare), 2),
            "goal": "value < 50",
        },
        {
            "name": "append_latency_p99",
            "value": round(p99, 3),
            "unit": "ms",
            "baseline": round(1000 / bare, 3),
            "ratio": round(p99 / (1000 / bare), 2),
            "goal": "value < 100",
        },
        {
            "name": "rebuild_100k_events",
            "value": round(rebuild, 3),
            "unit": "s",
            "baseline": round(fetch, 3),
            "ratio": round(rebuild / fetch, 2),
            "goal": "value < 1",
        },
        {
            "name": "verify_100k_events",
            "value": round(verify, 3),
            "unit": "s",
            "baseline": round(fetch, 3),
            "ratio": round(verify / fetch, 2),
            "goal": "value < 1.5",
        },
    ]
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
