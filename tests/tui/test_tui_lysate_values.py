"""The value form of a value read once per lysate: it names the lysate an unnamed reading
goes to next, shows each reading beside its lysate, and records a named one for that lysate
whatever the order the tubes are read in."""

from __future__ import annotations

from textual.widgets import Input, Label, Static

from elab.services.runs import RunService
from elab.tui.app import ElabApp


async def test_the_form_names_the_next_lysate_and_takes_a_named_one(
    service: RunService,
) -> None:
    run = service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})
    service.record_values(run, "bca", [("protein_conc", "2 mg/mL")])  # 0.1 nM / 3 h #1
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        app.screen.selected = "bca"  # type: ignore[attr-defined]
        await pilot.press("v")
        await pilot.pause()
        labels = " ".join(str(w.render()) for w in app.screen.query(Label))
        assert "next lysate: 1 nM / 3 h #1" in labels
        field = app.screen.query_one("#value-protein_conc", Input)
        field.value = "DMSO / 3 h #1: 0.8; 1.6"
        await pilot.pause()
        check = " ".join(str(app.screen.query_one("#check-protein_conc", Static).render())
                         .split())
        assert "✓ DMSO / 3 h #1: 0.8 mg/mL, 1 nM / 3 h #1: 1.6 mg/mL" in check
        field.value = "DMSO / 3 h #9: 0.8"
        await pilot.pause()
        check = str(app.screen.query_one("#check-protein_conc", Static).render())
        assert "✗ unknown lysate 'DMSO / 3 h #9'" in check
        field.value = "DMSO / 3 h #1: 0.8; 1.6"
        await pilot.pause()
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
    state = service.state(run)
    assert [(v.sample, v.value) for v in state.current_values()] == [
        ("0.1 nM / 3 h #1", 2.0), ("DMSO / 3 h #1", 0.8), ("1 nM / 3 h #1", 1.6)]
