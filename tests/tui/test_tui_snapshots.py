"""SVG snapshots of the screens, on a fixed clock and run id so they are stable.

The home, run and finish screens are drawn at 80×24, the smallest terminal a bench laptop
opens: state, current step and key hints must all be on it.  Each test also asserts the
state behind the picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
Snap = Callable[..., bool]


@pytest.fixture
def service(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunService]:
    monkeypatch.setattr("elab.services.runs.secrets.token_hex", lambda n: "abc123")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("ELAB_RECORDS_DIR", "/lab/records")  # shown on the finish screen
    svc = RunService.open(sqlite_url, operator="ana", clock=FakeClock())
    yield svc
    svc.close()


def test_run_screen_with_three_timers(snap_compare: Snap, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    service.timer(run, "develop", "start")
    service.timer(run, "treat", "start")
    assert sum(t.running for t in service.state(run).timers.values()) == 3
    assert snap_compare(ElabApp(service, run, agenda=False), terminal_size=(80, 24))


def test_value_entry_error(snap_compare: Snap, service: RunService) -> None:
    run = service.start(PROTOCOL)

    async def enter_wrong_unit(pilot: Any) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#steps").move_cursor(row=3)
        await pilot.press("v", *"5 uL", "enter")
        await pilot.pause()

    assert snap_compare(ElabApp(service, run), run_before=enter_wrong_unit, terminal_size=(100, 30))
    assert service.state(run).values == []


def test_finish_screen(snap_compare: Snap, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    press = ["f", "i", *"reader broke", "enter"]
    assert snap_compare(ElabApp(service, run, agenda=False), press=press, terminal_size=(80, 24))
    assert service.state(run).state == "completed"


def test_finish_screen_of_an_incomplete_run(snap_compare: Snap, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    assert snap_compare(ElabApp(service, run, agenda=False), press=["f", "enter"],
                        terminal_size=(80, 24))
    assert service.state(run).state == "running"  # enter does not finish an incomplete run


def test_home_screen(snap_compare: Snap, service: RunService) -> None:
    service.start(PROTOCOL)
    # Filtered to one protocol, so adding to the library does not change the picture.

    async def search_and_plan(pilot: Any) -> None:
        await pilot.press("slash", *"viability mtt")
        pilot.app.screen.query_one("#search").cursor_blink = False  # the wait below spans a blink
        home = pilot.app.screen
        # Plan now, as the first 2 s tick would, without waiting; that tick, which a slow
        # moment lets the wait below reach, must not start a plan that cancels this one.
        home.planned_at = time.monotonic()
        home.replan()
        await pilot.app.workers.wait_for_complete()  # today's plan is solved off the UI thread
        await pilot.pause()
        assert home.has_plan and home.agenda.lines

    assert snap_compare(ElabApp(service), run_before=search_and_plan, terminal_size=(80, 24))


def test_run_screen_in_the_light_theme(snap_compare: Snap, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    service.deviate(run, "seed", "plate dropped [bold]")
    app = ElabApp(service, run, agenda=False)
    assert snap_compare(app, press=["ctrl+t"], terminal_size=(80, 24))
    assert app.theme == "textual-light"
