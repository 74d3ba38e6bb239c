"""The finish screen says which analyses cannot run and what they need before the run
finishes, and `a` runs them again on the completed run once the input is there."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.finish import FinishScreen

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"


def summary(app: ElabApp) -> str:
    return str(app.screen.query_one("#summary", Static).render()).replace("\n", " ")


async def test_missing_layout_is_said_before_finishing_and_a_runs_the_ic50_later(
    service: RunService,
) -> None:
    run = service.start("mtt-viability")
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FinishScreen)
        before = summary(app)
        assert "ic50 needs the plate layout" in before
        assert "keep it from the bench sheet" in before
        await pilot.press("a")  # not finished yet: nothing is analysed
        await pilot.pause()
        assert service.state(run).analyses == []
        await pilot.press("i", *"layout not kept", "enter")
        await pilot.pause()
        assert service.state(run).state == "completed"
        assert "ic50: not run (ic50 needs the plate layout" in summary(app)
        service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
        await pilot.press("a")
        await pilot.pause()
        analyses = service.state(run).analyses
        assert len(analyses) == 2 and analyses[-1].data.error is None
        after = summary(app)
        assert "run again after completion by ana" in after
        assert "not run" not in after  # the latest result stands in for the failed one
