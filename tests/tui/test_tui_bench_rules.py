"""Pilot tests of the bench rules in the TUI: a timed step done or stopped early asks first,
ctrl+z undoes a slip, readings are named one by one, `elab run` opens the start form, enter
in the search opens a protocol, records go to the data folder, two people share a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from elab.domain.runs import FakeClock
from elab.services.runs import RunService
from elab.tui.app import ElabApp, StartRequest
from elab.tui.confirm import Confirm
from elab.tui.finish import FinishScreen
from elab.tui.run_screen import RunScreen
from elab.tui.start_form import StartForm

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
WESTERN = str(Path(__file__).resolve().parents[2] / "protocols" / "western-blot-emt.yaml")


def text_of(app: ElabApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_done_on_an_incubation_whose_timer_never_ran_asks_first(
    service: RunService,
) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d")  # incubate: 1-2 h, no timer started
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "its timer has not run" in text_of(app, "#question")
        assert "actual not timed" in text_of(app, "#question")
        await pilot.press("n")
        await pilot.pause()
        assert service.state(run).steps["incubate"].state == "current"
        assert service.state(run).deviations == []
        await pilot.press("d", "y")
        await pilot.pause()
        state = service.state(run)
        assert state.steps["incubate"].state == "done"
        assert [(d.note, d.actual) for d in state.deviations] == [
            ("done without its timer: 1 h–2 h not timed", "not timed")
        ]


async def test_stopping_a_timer_early_asks_first(service: RunService, clock: FakeClock) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    clock.advance(minutes=10)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "still has 50 min to go" in text_of(app, "#question")
        await pilot.press("escape")
        await pilot.pause()
        assert service.state(run).timers["incubate"].running
        await pilot.press("d")  # done would stop it early too: the same question
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "Mark incubate done early?" in text_of(app, "#title")
        await pilot.press("n")
        await pilot.pause()
        assert service.state(run).steps["incubate"].state == "current"
        await pilot.press("t", "y")
        await pilot.pause()
        state = service.state(run)
        assert not state.timers["incubate"].running
        assert state.deviations[0].note == "incubation stopped early after 10 min"


async def test_ctrl_z_undoes_a_stray_done(service: RunService) -> None:
    run = service.start(ASSAY)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        table = app.screen.query_one("#steps", DataTable)
        assert str(table.get_row("seed")[3]) == "ana"  # who did it
        await pilot.press("ctrl+z")
        await pilot.pause()
        state = service.state(run)
        assert state.steps["seed"].state == "current"
        assert [e.type for e in state.events][-2:] == ["step_done", "retracted"]
        assert str(table.get_row("seed")[2]) == "current"
        assert str(table.get_row("seed")[3]) == ""


async def test_only_the_readings_out_of_range_are_named(service: RunService) -> None:
    run = service.start(WESTERN)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.selected = "bca"  # type: ignore[attr-defined]
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#value-protein_conc", Input).value = "2; 12; 3"
        await pilot.pause()
        check = str(app.screen.query_one("#check-protein_conc", Static).render())
        assert check.startswith("⚠ 12 mg/mL outside 0.5–10 mg/mL (2 of 3 in range)")
        assert "3 mg/mL" not in check and " 2 mg/mL" not in check
        app.screen.query_one("#value-protein_conc", Input).focus()
        await pilot.press("enter", "enter")  # the second enter confirms the out-of-range one
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        detail = text_of(app, "#detail")
        assert "protein_conc * [mg/mL] expected 0.5–10 mg/mL = 2, 12, 3 mg/mL" in detail
        # six lysates, one reading each: listed with their range, not averaged across lysates
        assert ("2, 12, 3 mg/mL per sample (samples 1–3 of 6 in recorded order; 2–12 mg/mL) "
                "(1 out of range)") in detail
        assert "mean" not in detail


async def test_elab_run_opens_the_start_form_first(service: RunService) -> None:
    app = ElabApp(service, agenda=False, start=StartRequest(ASSAY, variant="extra"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        assert service.list_runs() == []  # nothing starts before the form is accepted
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        [state] = service.list_runs()
        assert state.variant == "extra"


async def test_enter_in_the_search_opens_the_highlighted_protocol(service: RunService) -> None:
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"mtt-viability", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        assert app.screen.protocol.id == "mtt-viability"


async def test_records_go_to_the_data_folder_not_the_working_folder(
    service: RunService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ELAB_RECORDS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    work = tmp_path / "checkout"
    work.mkdir()
    monkeypatch.chdir(work)
    run = service.start(ASSAY)
    service.finish(run, incomplete="only the record is under test")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FinishScreen)
        folder = tmp_path / "data" / "elab" / "records"
        assert str(folder) in text_of(app, "#keys").replace("\n", "")
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (folder / f"{run}.md").is_file()
    assert list(work.iterdir()) == []


async def test_a_second_operator_joins_and_is_named_on_their_steps(service: RunService) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o", *"bo", "enter")
        await pilot.pause()
        assert "you: bo" in text_of(app, "#status")
        await pilot.press("t")  # bo starts the incubation
        await pilot.pause()
        state = service.state(run)
        assert state.operators == ["ana", "bo"]
        assert state.notes[-1].operator == "bo"
        assert state.events[-1].operator == "bo"
        table = app.screen.query_one("#steps", DataTable)
        assert str(table.get_row("seed")[3]) == "ana"


async def test_arrows_in_the_search_choose_which_match_enter_opens(service: RunService) -> None:
    app = ElabApp(service, agenda=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"western")
        await pilot.pause()
        table = app.screen.query_one("#protocols", DataTable)
        first, second = (str(table.get_row_at(i)[0]) for i in range(2))
        await pilot.press("down", "down", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartForm)
        assert app.screen.protocol.id == second != first


XENOGRAFT = str(Path(__file__).resolve().parents[2] / "protocols" / "xenograft-combination.yaml")


async def test_a_tumour_past_the_humane_endpoint_stops_the_screen_and_asks(
    service: RunService,
) -> None:
    run = service.start(XENOGRAFT)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.selected = "calipers"  # type: ignore[attr-defined]
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#value-length", Input).value = "16 mm"
        await pilot.pause()
        app.screen.query_one("#value-length", Input).focus()
        await pilot.press("enter", "enter")  # the second enter confirms the out-of-range one
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        question = text_of(app, "#question")
        assert "length 16 mm at step calipers is past the humane endpoint of 15 mm" in question
        assert "Workman" in question
        await pilot.press("y")
        await pilot.pause()
        await pilot.press(*"euthanised 14:10", "enter")
        await pilot.pause()
        state = service.state(run)
        assert [n.data.text for n in state.notes] == ["euthanised 14:10"]
        assert [d.kind for d in state.deviations] == ["auto"]


async def test_a_value_in_range_raises_no_endpoint_alert(service: RunService) -> None:
    run = service.start(XENOGRAFT)
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.selected = "calipers"  # type: ignore[attr-defined]
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#value-length", Input).value = "9 mm"
        app.screen.query_one("#value-length", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
