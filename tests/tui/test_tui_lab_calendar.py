"""The TUI plans on the lab calendar of its settings: the home agenda and the records it
writes use the same file (``ELAB_CALENDAR``) as ``elab record`` and ``elab schedule plan``."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.services.runs import RunService
from elab.settings import Settings
from elab.tui.app import ElabApp

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


@pytest.fixture
def bad_calendar(tmp_path: Path) -> Path:
    path = tmp_path / "lab-calendar.yaml"
    path.write_text("hours: {mon: 25:00-26:00}\n")
    return path


async def test_the_home_agenda_plans_on_the_calendar_setting(service: RunService,
                                                             bad_calendar: Path) -> None:
    service.start(ASSAY)
    app = ElabApp(service, settings=Settings(calendar=bad_calendar))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        home.planned_at = float("inf")  # type: ignore[attr-defined]  # no tick plans again
        home.replan()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "lab-calendar.yaml" in home.agenda.problem  # type: ignore[attr-defined]


async def test_a_record_written_from_the_tui_plans_on_the_calendar_setting(
        service: RunService, bad_calendar: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELAB_RECORDS_DIR", str(tmp_path))
    run = service.start(ASSAY)
    service.finish(run, incomplete="test: only the record is under test")
    app = ElabApp(service, run, agenda=False, settings=Settings(calendar=bad_calendar))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
    html = (tmp_path / f"{run}.html").read_text()
    assert "planned times without working hours: " in html and "lab-calendar.yaml" in html
