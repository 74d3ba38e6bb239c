"""A recorded value shown again in the value form is a reading to keep or to correct, never
one more reading averaged in; and ``b`` says when a step's hands-on work began."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from elab.domain.runs import FakeClock
from elab.domain.runs.kinds import Corrected, StepStarted
from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.help import KEYS

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


def _text(app: ElabApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_a_changed_recorded_value_is_a_correction_with_its_reason(
    service: RunService,
) -> None:
    run = service.start(PROTOCOL)
    first = service.record_values(run, "measure", [("conc", "2 mg/mL")])[-1].seq
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#steps", DataTable).move_cursor(row=3)  # measure
        await pilot.press("v")
        await pilot.pause()
        field = app.screen.query_one("#value-conc", Input)
        assert field.value == "2 mg/mL"
        assert not app.screen.query_one("#reason", Input).has_class("show")
        field.value = "2.4"
        await pilot.pause()
        assert f"corrects 2 mg/mL (event #{first})" in _text(app, "#check-conc")
        assert app.screen.query_one("#reason", Input).has_class("show")
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "write the reason" in _text(app, "#error")
        assert service.last_seq(run) == first  # nothing recorded without the reason
        assert app.screen.focused is app.screen.query_one("#reason", Input)
        await pilot.press(*"misread the plate", "enter")
        await pilot.pause()
    state = service.state(run)
    current = [(v.value, v.corrects, v.reason) for v in state.current_values()]
    assert current == [(2.4, first, "misread the plate")]  # replaced, not averaged in
    last = service.events(run)[-1].data
    assert isinstance(last, Corrected) and last.text == "2.4 mg/mL"  # the declared unit


async def test_an_unchanged_recorded_value_records_nothing(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.record_values(run, "measure", [("conc", "2 mg/mL")])
    before = service.last_seq(run)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#steps", DataTable).move_cursor(row=3)
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#value-conc", Input).value = "2.000 mg/mL"  # the same value
        await pilot.pause()
        assert not app.screen.query_one("#reason", Input).has_class("show")
        app.screen.query_one("#value-conc", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not app.screen.query("#value-conc")  # the form closed
    assert service.last_seq(run) == before


async def test_b_records_the_start_of_the_step_and_the_record_shows_it(
    service: RunService, clock: FakeClock,
) -> None:
    run = service.start(PROTOCOL)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = " ".join(str(b.binding.description) for b in app.screen.active_bindings.values()
                          if b.binding.show)
        assert "Begin" in footer
        clock.advance(minutes=5)
        await pilot.press("b")
        await pilot.pause()
        assert "started" in _text(app, "#detail")
        clock.advance(minutes=20)
        await pilot.press("d")
        await pilot.pause()
    kinds = [type(e.data) for e in service.events(run)]
    assert kinds.count(StepStarted) == 1
    seed = service.state(run).steps["seed"]
    assert seed.started_at is not None and seed.done_at is not None
    assert (seed.done_at - seed.started_at).total_seconds() == 20 * 60
    md, _ = render_record(run, "md", source=ServiceRunSource(service), clock=clock,
                          timezone="UTC")
    text = md.decode()
    assert "(no start recorded)" not in text.split("Incubate")[0]
    assert "(20 min)" in text
    assert ("Run", "b", "begin: record that the step's hands-on work has started "
            "(its actual start)") in KEYS


async def test_a_value_with_replicates_says_the_field_holds_the_last(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.record_values(run, "measure", [("conc", "2;2.2 mg/mL")])
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#steps", DataTable).move_cursor(row=3)
        await pilot.press("v")
        await pilot.pause()
        labels = " ".join(str(w.render()) for w in app.screen.query("Label"))
        assert "conc (required) [mg/mL], expected 0.5–10 mg/mL; 2 readings, the last shown" in labels
        assert app.screen.query_one("#value-conc", Input).value == "2.2 mg/mL"
