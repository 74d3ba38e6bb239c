"""The arms of a time course in a run: each time point its own step with its own timer.

The p-FAK western blot treats all wells at once; its 3, 24 and 48 h exposures then run
side by side, and the run screen shows the three timers, each named for its time point and
counting down its own length.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp

PFAK = str(Path(__file__).resolve().parents[2] / "protocols" / "western-blot-pfak.yaml")
ARMS = ("exposure.3h", "exposure.24h", "exposure.48h")


def timers_text(app: ElabApp) -> str:
    return str(app.screen.query_one("#timers", Static).render())


def treated(service: RunService) -> str:
    run = service.start(PFAK)
    for step in ("seed", "attach", "treat"):
        service.done(run, step)
    return run


def test_after_the_treatment_each_time_point_is_ready_with_its_own_length(
        service: RunService) -> None:
    run = treated(service)
    state = service.state(run)
    assert all(state.steps[arm].state in ("current", "ready") for arm in ARMS)
    assert state.steps["lyse.3h"].state == "waiting"
    for arm in ARMS:
        service.timer(run, arm, "start")
    state = service.state(run)
    assert {s: state.timers[s].min_s for s in ARMS} == {
        "exposure.3h": 3 * 3600, "exposure.24h": 24 * 3600, "exposure.48h": 48 * 3600}


async def test_three_arm_timers_run_at_once_each_labelled(service: RunService,
                                                          clock: FakeClock) -> None:
    run = treated(service)
    for arm in ARMS:
        service.timer(run, arm, "start")
    app = ElabApp(service, run)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        clock.advance(minutes=60)
        app.screen.draw_timers()  # type: ignore[attr-defined]
        await pilot.pause()
        lines = [line for line in timers_text(app).splitlines() if line.strip()]
        shown = {arm: next(line for line in lines if line.split()[0] == arm) for arm in ARMS}
        assert "2 h left" in shown["exposure.3h"]
        assert "23 h left" in shown["exposure.24h"]
        assert "47 h left" in shown["exposure.48h"]
        # a timer that ends on another day says which
        started = service.state(run).timers["exposure.48h"].started_at
        ends = (started + timedelta(hours=48)).astimezone().strftime("%a %H:%M")
        assert shown["exposure.48h"].endswith(f"ends {ends}")
        assert shown["exposure.3h"].endswith(
            (started + timedelta(hours=3)).astimezone().strftime("ends %H:%M"))
        # the 3 h arm ends first; the others keep running
        clock.advance(minutes=121)
        app.screen.draw_timers()  # type: ignore[attr-defined]
        await pilot.pause()
        assert "exposure.3h" in str(app.screen.query_one("#alert", Static).render())
        service.done(run, "exposure.3h")
        state = service.state(run)
        assert state.timers["exposure.24h"].running and state.timers["exposure.48h"].running
        assert state.steps["lyse.3h"].state in ("current", "ready")
