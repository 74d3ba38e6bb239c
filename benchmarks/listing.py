"""Listing a lab's history: the TUI home and `runs list` with 10,000 completed runs.

A lab keeps years of runs. With 10,000 completed runs and 20 active ones in one SQLite
database (made in bulk, as they would be after years of use, each with the summary elab
writes with every append):

1. `elab runs list --active` (in-process, after interpreter start-up): goal under 0.3 s.
2. The TUI home's first paint with its runs table filled: goal under 1 s.
3. Baseline, in the same run: listing as elab did before summaries, folding every run's
   log (`[service.state(r) for r in run_ids]`).

Run: .venv/bin/python benchmarks/listing.py
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "tests" / "unit" / "runs" / "data" / "assay.yaml"
COMPLETED = 10_000
ACTIVE = 20


def make_database(url: str) -> list[str]:
    """10,020 runs written in bulk: a template run's events and summary, run ids changed."""
    from sqlalchemy import insert

    from elab.domain.runs import FakeClock, fold, make_event
    from elab.domain.runs.clock import iso
    from elab.domain.runs.summary import summarize
    from elab.services.runs import RunService
    from elab.store.db import writing
    from elab.store.models import events, run_heads, run_summaries, runs

    clock = FakeClock()
    service = RunService.open(url, operator="bench", clock=clock)
    template = service.start(str(PROTOCOL))
    started = service.events(template)[0]
    rows: dict[str, list[dict[str, object]]] = {"runs": [], "events": [], "heads": [],
                                                "summaries": []}
    ids = []
    for n in range(COMPLETED + ACTIVE):
        rid = f"20200101-{n:012x}"
        ids.append(rid)
        at = iso(clock.now())
        first = make_event(rid, 1, "run_started", at, "bench", started.payload, "0" * 64)
        chain = [first]
        if n < COMPLETED:
            chain.append(make_event(rid, 2, "completed", at, "bench", {}, first.hash))
        state = fold(chain)
        rows["runs"].append({"id": rid, "protocol_id": "run-assay", "created_at": at})
        rows["events"] += [{**e.as_dict(), "payload": json.dumps(e.payload, sort_keys=True,
                                                                   separators=(",", ":"),
                                                                   ensure_ascii=False)}
                           for e in chain]
        rows["heads"].append({"run_id": rid, "last_seq": chain[-1].seq,
                              "head_hash": chain[-1].hash})
        rows["summaries"].append(summarize(state).to_row())
        clock.advance(minutes=30)
    with writing(service.store.engine) as conn:
        conn.execute(insert(runs), rows["runs"])
        conn.execute(insert(events), rows["events"])
        conn.execute(insert(run_heads), rows["heads"])
        conn.execute(insert(run_summaries), rows["summaries"])
    service.close()
    return ids


def list_active(url: str) -> tuple[float, int]:
    from elab.cli.main import main

    os.environ["ELAB_DATABASE_URL"] = url
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main(["runs", "list", "--active", "--json"])
    return time.perf_counter() - start, len(json.loads(out.getvalue()))


async def home_first_paint(url: str) -> tuple[float, int]:
    from elab.services.runs import RunService
    from elab.tui.app import ElabApp

    service = RunService.open(url, operator="bench")
    start = time.perf_counter()
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - start
        shown = app.screen.query_one("#runs").row_count  # type: ignore[attr-defined]
    service.close()
    return elapsed, shown


def fold_everything(url: str) -> float:
    from elab.services.runs import RunService

    service = RunService.open(url, operator="bench")
    start = time.perf_counter()
    states = [service.state(r) for r in service.run_ids()]
    elapsed = time.perf_counter() - start
    assert len(states) == COMPLETED + ACTIVE + 1
    service.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'lab.db'}"
        made = time.perf_counter()
        make_database(url)
        print(f"made {COMPLETED} completed and {ACTIVE + 1} active runs in "
              f"{time.perf_counter() - made:.1f} s")
        active_s, active = list_active(url)
        paint_s, shown = asyncio.run(home_first_paint(url))
        baseline = fold_everything(url)
    print(f"runs list --active: {active_s:.3f} s ({active} runs); home first paint "
          f"{paint_s:.3f} s ({shown} rows); folding every run as before: {baseline:.2f} s")
    figures = [
        {"name": "runs_list_active_10k", "value": round(active_s, 3), "unit": "s",
         "baseline": round(baseline, 3), "ratio": round(active_s / baseline, 4),
         "goal": "value < 0.3"},
        {"name": "home_first_paint_10k", "value": round(paint_s, 3), "unit": "s",
         "baseline": round(baseline, 3), "ratio": round(paint_s / baseline, 4),
         "goal": "value < 1"},
    ]
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
