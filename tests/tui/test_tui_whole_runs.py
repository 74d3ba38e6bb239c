"""Whole runs from the keyboard alone: every step of the western blot and of the transwell
assay done in the TUI, timers run on the passive steps, values typed with units, the data
file attached, the run finished and its analysis shown, the record written.

The keys are the ones a scientist presses; the assertions read the event log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_data import bands_csv, transwell_csv
from textual.widgets import Input, Static

from elab.domain.runs import FakeClock
from elab.domain.runs.actions import planned_seconds
from elab.services.runs import RunService
from elab.tui.app import ElabApp
from elab.tui.finish import FinishScreen
from elab.tui.value_form import ValueForm

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


def typical(spec_range: str | None, unit: str | None, kind: str | None, type_: str) -> str:
    """A value inside the declared range, written with its unit as a person would."""
    if type_ == "number":
        return "10"
    if type_ == "text":
        return "as expected"
    from elab.units import parse_quantity

    assert spec_range is not None
    q = parse_quantity(spec_range)
    value = q.planned
    return f"{value:g} {unit or q.unit}"


@pytest.mark.parametrize(
    ("protocol", "attachment", "data"),
    [
        ("western-blot-emt", "bands", bands_csv("beta-actin", "vehicle")),
        ("transwell-migration", "counts", transwell_csv()),
    ],
)
async def test_every_step_from_the_keyboard(
    protocol: str, attachment: str, data: str, service: RunService, clock: FakeClock,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ELAB_RECORDS_DIR", str(tmp_path))
    csv = tmp_path / f"{attachment}.csv"
    csv.write_text(data + "\n")
    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    more = {"western-blot-emt": ("fak_bands", bands_csv("total FAK", "vehicle"))}
    uploads = [(attachment, csv)]
    if protocol in more:  # the EMT blot's FAK membrane is its second analysis input
        name, text = more[protocol]
        (tmp_path / f"{name}.csv").write_text(text + "\n")
        uploads.append((name, tmp_path / f"{name}.csv"))
    app = ElabApp(service, run, agenda=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for name, path in uploads:
            await pilot.press("u", *f"{name} {path}", "enter")
            await pilot.pause()
        for sid in service.state(run).graph.order:
            state = service.state(run)
            if state.steps[sid].state in ("done", "skipped"):
                continue
            step = state.protocol.step(sid)
            screen = app.screen
            screen.selected = sid  # type: ignore[attr-defined]
            if step.record:
                await pilot.press("v")
                await pilot.pause()
                assert isinstance(app.screen, ValueForm)
                for name, spec in step.record.items():
                    text = typical(spec.range.text if spec.range else None, spec.unit,
                                   spec.kind, spec.type)
                    readings = "; ".join([text] * spec.count)  # six lysates: six readings
                    app.screen.query_one(f"#value-{name}", Input).value = readings
                await pilot.pause()
                app.screen.query_one(Input).focus()
                await pilot.press("enter")
                await pilot.pause()
                assert not isinstance(app.screen, ValueForm), str(
                    app.screen.query_one("#error", Static).render())
            low, high = planned_seconds(step)
            if low or high:
                screen.selected = sid  # type: ignore[attr-defined]
                await pilot.press("t")
                await pilot.pause()
                clock.advance(seconds=low + 1)
                screen.selected = sid  # type: ignore[attr-defined]
                await pilot.press("t")
                await pilot.pause()
            screen.selected = sid  # type: ignore[attr-defined]
            await pilot.press("d")
            await pilot.pause()
            assert service.state(run).steps[sid].state == "done", sid
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FinishScreen)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "Every step is done and every required value recorded." in summary
        await pilot.press("enter")
        await pilot.pause()
        state = service.state(run)
        assert state.state == "completed"
        assert state.deviations == [], [d.note for d in state.deviations]
        assert len(state.analyses) == len(uploads)
        assert all(a.data.error is None for a in state.analyses), state.analyses
        analysis = state.analyses[0].data
        assert analysis.result is not None
        summary = str(app.screen.query_one("#summary", Static).render())
        assert f"{analysis.hook}: {len(analysis.result['results'])} result row(s)" in summary
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        record = (tmp_path / f"{run}.md").read_text()
        assert analysis.hook in record
