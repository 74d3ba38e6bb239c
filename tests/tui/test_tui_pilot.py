"""The bench TUI driven with Textual's Pilot: every action lands in the event log."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.run_screen import RunScreen

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


def screen_text(app: ElabApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_done_and_timer_from_the_keyboard(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        await pilot.press("d")
        await pilot.pause()
        assert service.state(run).steps["seed"].state == "done"
        await pilot.press("t")
        await pilot.pause()
        assert service.state(run).timers["incubate"].running
        clock.advance(minutes=30)
        app.screen.draw_timers()  # type: ignore[attr-defined]
        assert "30 min left" in screen_text(app, "#timers")


async def test_several_timers_and_the_alert(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    service.timer(run, "develop", "start")
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        timers = screen_text(app, "#timers")
        assert "incubate" in timers and "stopwatch" in timers
        clock.advance(minutes=61)
        app.screen.draw_timers()  # type: ignore[attr-defined]
        await pilot.pause()
        assert "TIMER DONE: incubate" in screen_text(app, "#alert")
        assert app.screen.query_one("#alert").has_class("show")
        await pilot.press("a")
        await pilot.pause()
        assert not app.screen.query_one("#alert").has_class("show")


async def test_value_entry_explains_a_wrong_unit_inline(service: RunService) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#steps", DataTable)
        table.move_cursor(row=3)  # measure
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        await pilot.press(*"5 uL")
        await pilot.pause()
        check = str(app.screen.query_one("#check-conc", Static).render())
        assert "cannot convert" in check
        await pilot.press("enter")
        await pilot.pause()
        assert "Fix first: conc" in str(app.screen.query_one("#error", Static).render())
        assert service.state(run).values == []
        app.screen.query_one("#value-conc", Input).value = "1200 ug/mL"
        await pilot.pause()
        assert "✓ 1.2 mg/mL" in str(app.screen.query_one("#check-conc", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert [v.value for v in service.state(run).values] == [1.2]


async def test_out_of_range_value_needs_confirming_and_logs_a_deviation(
    service: RunService,
) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#steps", DataTable).move_cursor(row=3)
        await pilot.press("v", *"20 mg/mL")
        await pilot.pause()
        assert "outside 0.5–10 mg/mL" in str(app.screen.query_one("#check-conc", Static).render())
        app.screen.query_one("#note", Input).value = "sample was concentrated"
        app.screen.query_one("#value-conc", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert service.state(run).values == []  # first enter only asks to confirm
        await pilot.press("enter")
        await pilot.pause()
        state = service.state(run)
        assert [(v.value, v.in_range) for v in state.values] == [(20.0, False)]
        notes = [d.note for d in state.deviations]
        assert "sample was concentrated" in notes and len(notes) == 2


async def test_deviation_pause_resume_and_finish(service: RunService) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"used the wrong plate", "enter")
        await pilot.pause()
        assert service.state(run).deviations[0].note == "used the wrong plate"
        await pilot.press("p")
        await pilot.pause()
        assert service.state(run).state == "paused"
        assert "[PAUSED]" in screen_text(app, "#status")
        await pilot.press("p")
        await pilot.pause()
        assert service.state(run).state == "running"
        await pilot.press("f")
        await pilot.pause()
        assert service.state(run).state == "running"  # f opens the finish screen only
        await pilot.press("enter")
        await pilot.pause()
        assert service.state(run).state == "running"  # not complete: enter does not finish
        assert "steps not done: seed, incubate" in screen_text(app, "#summary")
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*"plate contaminated", "enter")
        await pilot.pause()
        state = service.state(run)
        assert state.state == "completed"
        assert any("required value conc" in d.note for d in state.deviations)
        assert any(n.data.text == "finished incomplete: plate contaminated" for n in state.notes)


async def test_events_from_the_cli_appear(service: RunService) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        other = RunService.open(str(service.store.engine.url), operator="bo")
        other.done(run, "seed")
        other.close()
        app.screen.tick()  # type: ignore[attr-defined]
        await pilot.pause()
        table = app.screen.query_one("#steps", DataTable)
        assert str(table.get_row("seed")[2]) == "done"


async def test_markup_in_protocol_text_and_notes_is_shown_as_text(
    service: RunService, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        'id: hostile\ntitle: "[bold]Hostile[/] [link=http://x]t[/link]"\nversion: "1"\n'
        "steps:\n  - {id: a, title: \"[red]A[/]\", text: \"[/] unbalanced [b\"}\n"
    )
    run = service.start(str(hostile))
    service.note(run, "a", "[blink]note[/blink]")
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        detail = screen_text(app, "#detail")
        assert "[red]A[/]" in detail and "[/] unbalanced [b" in detail
        assert "[blink]note[/blink]" in detail


async def test_home_lists_the_library_and_filters(service: RunService) -> None:
    app = ElabApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#protocols", DataTable)
        assert table.row_count >= 14
        await pilot.press("slash", *"western")
        await pilot.pause()
        shown = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert shown == {"western-blot-emt", "western-blot-pfak", "bca-assay"}  # bca by its tag


async def test_resume_after_the_app_is_closed(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("d", "t")
        await pilot.pause()
    clock.advance(minutes=45)
    again = ElabApp(service, run)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "15 min left" in screen_text(again, "#timers")
        table = again.screen.query_one("#steps", DataTable)
        assert str(table.get_row("seed")[2]) == "done"


async def test_several_readings_in_one_field(service: RunService, tmp_path: Path) -> None:
    """Six lysates, six protein concentrations: `;` between readings, bare numbers in mg/mL."""
    run = service.start(str(Path(__file__).resolve().parents[2] / "protocols"
                            / "western-blot-emt.yaml"))
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.selected = "bca"  # type: ignore[attr-defined]
        await pilot.press("v")
        await pilot.pause()
        assert "6 readings" in " ".join(str(w.render()) for w in app.screen.query("Label"))
        app.screen.query_one("#value-protein_conc", Input).value = "2.1; 1.8; 2000 ug/mL"
        await pilot.pause()
        check = str(app.screen.query_one("#check-protein_conc", Static).render())
        assert "✓ 2.1 mg/mL, 1.8 mg/mL, 2 mg/mL" in check
        app.screen.query_one("#value-protein_conc", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    state = service.state(run)
    assert [v.value for v in state.values] == [2.1, 1.8, 2.0]
    finished = service.finish(run, incomplete="only the readings are under test")
    assert any(d.note == "required value protein_conc: 3 of 6 recorded"
               for d in finished.deviations)
