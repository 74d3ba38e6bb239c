"""The bench TUI: start-up, key-press latency and idle CPU.

1. Time from creating the app to the first painted home screen with 200 protocols in the
   library and 50 runs in the database (library index warm, as on every launch after the
   first), beside an empty Textual app's start-up in the same run. Goal: under 1 s.
2. p95 key-press-to-update latency on the run screen of a 100-step protocol: moving the
   cursor (redraws the step detail) and marking steps done (appends to the event log and
   redraws the step list), each beside the same keys on a bare DataTable app, Pilot's own
   round trip. Goal: elab adds under 50 ms.
3. CPU used while idle on a run screen with 10 running timers, over 5 s. Goal: under 5 % of
   a core.

Run: .venv/bin/python benchmarks/tui.py
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "protocols" / "mtt-viability.yaml"


def make_library(folder: Path, count: int = 200) -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"bench-{i:03d}.yaml").write_text(
            text.replace("id: mtt-viability", f"id: bench-{i:03d}"), encoding="utf-8"
        )


def make_long_protocol(path: Path, steps: int = 100) -> None:
    """A 100-step protocol: the run screen must stay responsive at this length."""
    lines = ["id: long-protocol", "title: A protocol of 100 steps", 'version: "1"', "steps:"]
    for i in range(steps):
        lines += [
            f"  - id: step-{i:03d}",
            f"    title: Step {i} of a long protocol",
            "    text: >",
            "      " + "Pipette, mix, wait and write down what happened. " * 6,
            "    hands_on: 5 min",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def empty_app_start() -> float:
    from textual.app import App
    from textual.widgets import Static

    class Empty(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Static("hello")

    start = time.perf_counter()
    async with Empty().run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        return time.perf_counter() - start


async def home_start(service: object) -> float:
    from elab.tui.app import ElabApp

    start = time.perf_counter()
    app = ElabApp(service)  # type: ignore[arg-type]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - start
        assert app.screen.query_one("#protocols").row_count >= 200  # type: ignore[attr-defined]
        return elapsed


async def keypress_latency(service: object, run: str, keys: list[str]) -> list[float]:
    from elab.tui.app import ElabApp

    app = ElabApp(service, run, agenda=False)  # type: ignore[arg-type]
    latencies = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in keys:
            t0 = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            latencies.append(time.perf_counter() - t0)
    return latencies


def cursor_keys() -> list[str]:
    return ["down" if (i // 6) % 2 == 0 else "up" for i in range(60)]


async def bare_table_latency(keys: list[str]) -> list[float]:
    """The same key presses on a bare DataTable app: Pilot's own round trip, the floor."""
    from textual.app import App
    from textual.widgets import DataTable, Static

    class Bare(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield DataTable(cursor_type="row")
            yield Static("", id="detail")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("step", "state")
            for i in range(100):
                table.add_row(f"step-{i}", "waiting")
            table.focus()

        def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
            self.query_one("#detail", Static).update(f"row {event.cursor_row}")

    latencies = []
    async with Bare().run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in keys:
            t0 = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            latencies.append(time.perf_counter() - t0)
    return latencies


async def idle_cpu(service: object, run: str, seconds: float = 5.0) -> float:
    from elab.tui.app import ElabApp

    app = ElabApp(service, run)  # type: ignore[arg-type]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await asyncio.sleep(1.0)  # start-up work done: measure the idle screen
        c0, t0 = cpu_seconds(), time.perf_counter()
        await asyncio.sleep(seconds)
        return (cpu_seconds() - c0) / (time.perf_counter() - t0)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="elab-bench-tui-"))
    library = tmp / "library"
    library.mkdir()
    make_library(library)
    os.environ["ELAB_PROTOCOLS"] = str(library)
    os.environ["ELAB_CACHE_DIR"] = str(tmp / "cache")
    from elab.services.library import index_path, load_library
    from elab.services.protocol_library import ProtocolLibrary
    from elab.services.runs import RunService
    from elab.settings import Settings

    settings = Settings.from_env()
    load_library(ProtocolLibrary.from_settings(settings), index_path(settings))  # builds the index
    service = RunService.open(f"sqlite:///{tmp / 'tui.db'}", operator="bench")
    for _ in range(50):
        service.start("mtt-viability")
    long_file = tmp / "long-protocol.yaml"
    make_long_protocol(long_file)
    long_run = service.start(str(long_file))
    timed_run = service.start(str(ROOT / "protocols" / "western-blot-pfak.yaml"))
    steps = [s for s in service.state(timed_run).graph.order if s != "quantify"][:10]
    for step in steps:
        service.timer(timed_run, step, "start")
    baseline = min(asyncio.run(empty_app_start()) for _ in range(3))
    startup = min(asyncio.run(home_start(service)) for _ in range(3))
    keys = cursor_keys() + ["d"] * 40  # move about, then mark 40 steps done
    latencies = sorted(asyncio.run(keypress_latency(service, long_run, keys)))
    floor = sorted(asyncio.run(bare_table_latency(keys)))
    p95_total = latencies[int(0.95 * len(latencies)) - 1]
    floor_p95 = floor[int(0.95 * len(floor)) - 1]
    p95 = max(0.0, p95_total - floor_p95)  # what elab adds to Pilot's own round trip
    done = sum(1 for s in service.state(long_run).steps.values() if s.state == "done")
    assert done == 40, done
    idle = asyncio.run(idle_cpu(service, timed_run))
    service.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"home with 200 protocols and 50 runs: {startup:.3f} s (empty Textual app {baseline:.3f} s)"
    )
    print(
        f"100-step run, key press p95 round trip {p95_total * 1000:.1f} ms; bare DataTable app"
        f" {floor_p95 * 1000:.1f} ms; elab adds {p95 * 1000:.1f} ms"
    )
    print(f"idle CPU with 10 timers: {idle * 100:.2f} % of a core")
    figures = [
        {
            "name": "tui_startup_home",
            "value": round(startup, 3),
            "unit": "s",
            "baseline": round(baseline, 3),
            "ratio": round(startup / baseline, 2),
            "goal": "value < 1",
        },
        {
            "name": "tui_keypress_p95_added",
            "value": round(p95 * 1000, 2),
            "unit": "ms",
            "baseline": round(floor_p95 * 1000, 1),
            "ratio": round(p95_total / floor_p95, 3),
            "goal": "value < 50",
        },
        {
            "name": "tui_idle_cpu_10_timers",
            "value": round(idle * 100, 2),
            "unit": "% of a core",
            "baseline": round(baseline, 3),
            "ratio": None,
            "goal": "value < 5",
        },
    ]
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
