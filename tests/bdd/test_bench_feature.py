"""Step definitions for features/bench.feature, driving the TUI with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from textual.widgets import DataTable, Static

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp

scenarios("bench.feature")


class Bench:
    """The TUI in a Pilot on one long-lived task (Textual keeps context variables per task);
    each scenario step hands it a command and waits for it."""

    def __init__(self, service: RunService, run: str) -> None:
        self.service = service
        self.run = run
        self.app = ElabApp(service, run)
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[Any, asyncio.Future[None]]] = asyncio.Queue()
        self.task = self.loop.create_task(self._drive())
        self.do(lambda pilot: pilot.pause())

    async def _drive(self) -> None:
        async with self.app.run_test(size=(100, 30)) as pilot:
            while True:
                command, done = await self.queue.get()
                if command is None:
                    done.set_result(None)
                    return
                try:
                    await command(pilot)
                    await pilot.pause()
                    done.set_result(None)
                except Exception as exc:  # handed back to the step that asked
                    done.set_exception(exc)

    def do(self, command: Any) -> None:
        done: asyncio.Future[None] = self.loop.create_future()
        self.queue.put_nowait((command, done))
        self.loop.run_until_complete(done)

    def select(self, step: str) -> None:
        async def move(pilot: Any) -> None:
            table = self.app.screen.query_one("#steps", DataTable)
            table.move_cursor(row=table.get_row_index(step))

        self.do(move)

    def press(self, *keys: str) -> None:
        self.do(lambda pilot: pilot.press(*keys))

    def text(self, widget: str) -> str:
        return str(self.app.screen.query_one(widget, Static).render())

    def close(self) -> None:
        self.do(None)
        self.loop.run_until_complete(self.task)
        self.loop.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bench(sqlite_url: str, clock: FakeClock) -> Iterator[dict[str, Any]]:
    service = RunService.open(sqlite_url, "ana", clock)
    holder: dict[str, Any] = {"service": service}
    yield holder
    if "bench" in holder:
        holder["bench"].close()
    service.close()


@given("a transwell run open on the bench screen")
def open_run(bench: dict[str, Any]) -> None:
    service = bench["service"]
    run = service.start("transwell-migration")
    bench["bench"] = Bench(service, run)


@when(parsers.parse('I start the timer of "{step}"'))
def start_timer(bench: dict[str, Any], step: str) -> None:
    bench["bench"].select(step)
    bench["bench"].press("t")


@when(parsers.parse('I mark "{step}" done'))
def mark_done(bench: dict[str, Any], step: str) -> None:
    bench["bench"].select(step)
    bench["bench"].press("d")


@when(parsers.parse("{minutes:d} minutes pass"))
def minutes_pass(bench: dict[str, Any], clock: FakeClock, minutes: int) -> None:
    clock.advance(minutes=minutes)

    async def redraw(pilot: Any) -> None:
        pilot.app.screen.draw_timers()

    bench["bench"].do(redraw)


@then(parsers.parse("the screen shows {count:d} running timers"))
def running_timers(bench: dict[str, Any], count: int) -> None:
    lines = [line for line in bench["bench"].text("#timers").splitlines() if line.strip()]
    assert len(lines) == count, lines


@then(parsers.parse('the screen says the timer of "{step}" is done'))
def timer_done(bench: dict[str, Any], step: str) -> None:
    assert f"TIMER DONE: {step}" in bench["bench"].text("#alert")


@then(parsers.parse('step "{step}" is done'))
def step_done(bench: dict[str, Any], step: str) -> None:
    assert bench["service"].state(bench["bench"].run).steps[step].state == "done"


@then(parsers.parse('step "{step}" still has its timer running'))
def still_running(bench: dict[str, Any], step: str) -> None:
    assert bench["service"].state(bench["bench"].run).timers[step].running
    assert step in bench["bench"].text("#timers")
