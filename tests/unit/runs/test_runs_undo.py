"""Undo: the operator's own last action, within the window, taken back by a new event."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.runs import FakeClock, fold
from elab.errors import RunStateError
from elab.services.runs import RunService

PROTOCOL = str(Path(__file__).parent / "data" / "assay.yaml")


def test_undo_takes_back_the_whole_action_with_its_deviations(
    service: RunService, clock: FakeClock
) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    clock.advance(seconds=5)  # one action is the events appended at one time stamp
    service.done(run, "incubate")  # no timer: a deviation appended with the done
    assert len(service.state(run).deviations) == 1
    [event] = service.undo(run)
    assert event.type == "retracted" and event.payload["retracts"] == [3, 4]
    state = service.state(run)
    assert state.steps["incubate"].state == "current" and state.deviations == []
    assert [e.type for e in state.events][-3:] == ["deviation", "step_done", "retracted"]
    assert fold(service.events(run)).steps["incubate"].state == "current"  # a fresh fold agrees


def test_a_retracted_value_is_not_counted(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.record_values(run, "measure", [("conc", "2 mg/mL")])
    service.undo(run)
    with pytest.raises(RunStateError, match="required values missing: measure conc"):
        service.finish(run)


def test_after_the_window_undo_points_to_corrections(
    service: RunService, clock: FakeClock
) -> None:
    run = service.start(PROTOCOL)
    service.record_values(run, "measure", [("conc", "2 mg/mL")])
    clock.advance(seconds=119)
    clock.advance(seconds=2)
    with pytest.raises(RunStateError, match=r"older than 2 min .*`elab runs correct`"):
        service.undo(run)
    assert service.state(run).values[0].value == 2.0


def test_undo_takes_back_only_the_operators_own_action(
    service: RunService, sqlite_url: str, clock: FakeClock
) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    bo = RunService.open(sqlite_url, operator="bo", clock=clock)
    try:
        bo.note(run, None, "bo was here")
        service.undo(run)  # ana's done, not bo's later note
        state = service.state(run)
        assert state.steps["seed"].state == "current"
        assert [n.data.text for n in state.notes] == ["bo was here"]
    finally:
        bo.close()


def test_the_record_leaves_out_what_was_undone_and_says_so(
    service: RunService, clock: FakeClock
) -> None:
    from elab.services.record_source import ServiceRunSource
    from elab.services.records import render_record

    run = service.start(PROTOCOL)
    service.done(run, "seed")
    clock.advance(seconds=5)
    service.lot(run, "medium", "WRONG-LOT")
    service.undo(run)
    data, _ = render_record(run, "md", source=ServiceRunSource(service))
    text = data.decode("utf-8")
    assert "retracted (undo): lot_recorded medium WRONG-LOT" in text
    assert text.count("WRONG-LOT") == 1  # only in the line saying it was taken back
