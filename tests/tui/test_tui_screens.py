"""Pilot tests of the start form, the finish screen, the bench sheet, the due list and the
attach key: each drives the screen from the keyboard and checks the event log behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.bench import BenchSheetScreen
from elab.tui.finish import FinishScreen
from elab.tui.start_form import StartForm

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


def text_of(app: ElabApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_start_form_checks_each_parameter_as_it_is_typed(service: RunService) -> None:
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"mtt-viability", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        field = app.screen.query_one("#param-treatment_time", Input)
        assert field.value == "96 h"
        assert "allowed 24–120 h" in str(app.screen.query(".hint").first().render())
        field.value = "96 mL"
        await pilot.pause()
        assert "96 mL" in text_of(app, "#problem-treatment_time")
        await pilot.press("enter")
        await pilot.pause()
        assert "Fix first: treatment_time" in text_of(app, "#problems")
        assert service.list_runs() == []
        field.value = "200 h"
        await pilot.pause()
        assert "outside the allowed range 24–120 h" in text_of(app, "#problem-treatment_time")
        field.value = "48 h"
        await pilot.pause()
        assert text_of(app, "#problem-treatment_time") == ""
        await pilot.press("enter")
        await pilot.pause()
        [state] = service.list_runs()
        assert state.params == {"treatment_time": "48 h"}
        assert app.screen.__class__.__name__ == "RunScreen"


async def test_start_form_offers_the_variants(service: RunService) -> None:
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        home.ask_to_start(ASSAY)  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        from textual.widgets import Select

        app.screen.query_one("#variant", Select).value = "extra"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [state] = service.list_runs()
        assert state.variant == "extra"
        assert "wash" in state.graph.order


async def test_cancelled_start_form_starts_nothing(service: RunService) -> None:
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.ask_to_start(ASSAY)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert service.list_runs() == []


async def test_finish_lists_what_is_missing_then_writes_the_record(
    service: RunService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELAB_RECORDS_DIR", str(tmp_path))
    run = service.start(ASSAY)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FinishScreen)
        summary = text_of(app, "#summary")
        assert "measure: required value conc was not recorded" in summary
        assert "steps not done: incubate, treat, measure, develop" in summary
        assert "Timers still running: incubate" in summary
        assert service.state(run).state == "running"  # f alone never finishes
        await pilot.press("enter")
        await pilot.pause()
        assert service.state(run).state == "running"  # nor enter, while it is incomplete
        await pilot.press("i", *"reader broke", "enter")
        await pilot.pause()
        assert service.state(run).state == "completed"
        summary = text_of(app, "#summary")
        assert "transwell: not run" in summary  # no counts attached: said, not hidden
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        html = (tmp_path / f"{run}.html").read_text()
        assert "Run assay" in html and "required value conc was not recorded" in html


async def test_bench_sheet_proposes_a_plate_and_keeps_it(service: RunService) -> None:
    run = service.start("mtt-viability")
    service.done(run, "seed")
    service.done(run, "attach")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, BenchSheetScreen)
        sheet = text_of(app, "#sheet")
        assert "proposed from the design" in sheet
        assert "plate 1 (96-well)" in sheet
        # 10 µL of the 1:100 intermediate into the 18 drug wells (not vehicle or blank wells)
        assert "10 µL of the dose series (1:100 in medium) × 18 wells + 10 % overage = 198 µL" in (
            " ".join(sheet.split()))
        assert "6-point 5-fold series" in sheet
        await pilot.press("k")
        await pilot.pause()
        [attached] = service.state(run).attachments
        assert attached.data.name == "layout"
        kept = service.attachment(attached.data.sha256).decode()
        assert kept.count("\n") >= 24  # every sample well is in the CSV
        await pilot.press("escape", "m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "recorded in this run" in text_of(app, "#sheet")


async def test_attach_key_stores_a_file(service: RunService, tmp_path: Path) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text("insert,condition,field,count\n1,ctrl,1,10\n")
    run = service.start(ASSAY)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("u", *f"counts {counts}", "enter")
        await pilot.pause()
        [attached] = service.state(run).attachments
        assert attached.data.name == "counts" and attached.data.filename == "counts.csv"


async def test_home_lists_what_is_due_across_runs(service: RunService, clock: FakeClock) -> None:
    first = service.start(ASSAY)
    service.done(first, "seed")
    service.timer(first, "incubate", "start")
    second = service.start(ASSAY)
    service.done(second, "seed")
    service.done(second, "incubate")
    clock.advance(seconds=600)  # the 5 min window of the second run's treat step has closed
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#due", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][1:3] == [second, "treat"], rows
        assert rows[0][0].endswith("overdue") and "closed" in rows[0][3]
        assert [first, "incubate"] in [r[1:3] for r in rows]


async def test_markup_in_parameters_and_variants_is_shown_as_text(
    service: RunService, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(
        "id: odd\ntitle: '[bold]Odd[/] title'\nversion: '1'\n"
        "variants: {x: '[link=http://e.org]click[/link] [/]'}\n"
        "parameters:\n  t: {default: 1 h, range: 1-2 h, description: '[red]hot[/] [/]'}\n"
        "steps:\n  - {id: s, title: '[/] step', hands_on: 5 min}\n"
    )
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.ask_to_start(str(odd))  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        labels = " ".join(str(w.render()) for w in app.screen.query("Label"))
        assert "[bold]Odd[/] title" in labels and "[red]hot[/] [/]" in labels
        app.screen.query_one("#param-t", Input).value = "[/]"
        await pilot.pause()
        assert "[/]" in text_of(app, "#problem-t")
        await pilot.press("escape")
        await pilot.pause()


async def test_the_plan_panel_says_it_is_coming_until_the_first_plan_is_in(
        service: RunService) -> None:
    # With a run under way and nothing due, the panel said "nothing due; no active runs
    # today" while the first plan was being solved.
    service.start(ASSAY)
    app = ElabApp(service)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        table = home.query_one("#due", DataTable)

        def cells() -> str:
            return " | ".join(str(c) for k in range(table.row_count) for c in table.get_row_at(k))

        home.planned_for = ()  # type: ignore[attr-defined]  # a tick started the first plan
        home.fill_due()  # type: ignore[attr-defined]
        assert "planning today's work…" in cells() and "nothing due" not in cells()
        home.planned_at = float("inf")  # type: ignore[attr-defined]  # no tick plans again
        home.replan()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "planning today's work…" not in cells() and "nothing due" not in cells()
        assert home.agenda.lines  # type: ignore[attr-defined]


async def test_on_a_sunday_the_plan_panel_shows_mondays_work(
        service: RunService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opened on a Sunday with runs under way, the panel said "nothing due; no active runs
    # today": the runs were active, and Monday's work was planned but not shown.
    monkeypatch.setenv("TZ", "UTC")
    clock.advance(days=6)  # Sunday 29 Nov 09:00
    service.start("western-blot-emt")
    app = ElabApp(service)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        home.planned_at = float("inf")  # type: ignore[attr-defined]  # no tick plans again
        home.replan()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = home.query_one("#due", DataTable)
        cells = " | ".join(str(c) for k in range(table.row_count) for c in table.get_row_at(k))
        assert "Mon 30 Nov" in cells and "next work (none today)" in cells
        assert "no active runs" not in cells


async def test_bench_sheet_shows_the_pfak_plates_by_time_and_the_command_that_prints_them(
        service: RunService) -> None:
    from elab.services.plates import run_seed

    run = service.start("western-blot-pfak")
    service.done(run, "seed")
    service.done(run, "attach")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        sheet = text_of(app, "#sheet")
        assert "plate 4 (6-well) · time 24 h" in sheet and "plate 10" not in sheet
        assert f"elab plate layout western-blot-pfak --seed {run_seed(run)}" in sheet
