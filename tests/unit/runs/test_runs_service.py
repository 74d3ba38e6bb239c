"""The run fold, the hash chain and every automatic deviation, on a fake clock."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from elab.domain.runs import FakeClock, fold, verify_chain
from elab.errors import InputError, NotFoundError, RunStateError
from elab.services.runs import RunService, status_json

PROTOCOL = str(Path(__file__).parent / "data" / "assay.yaml")


def deviations(service: RunService, run: str) -> list[tuple[str | None, str, str | None, str | None]]:
    return [(d.step, d.note, d.expected, d.actual) for d in service.state(run).deviations]


def test_start_stores_the_resolved_protocol_and_its_hash(service: RunService) -> None:
    run = service.start(PROTOCOL)
    first = service.events(run)[0]
    assert first.type == "run_started"
    assert first.payload["content"]["id"] == "run-assay"
    assert len(first.payload["sha256"]) == 64
    state = service.state(run)
    assert [s.state for s in state.steps.values()][:2] == ["current", "waiting"]


def test_editing_the_yaml_later_does_not_change_the_run(service: RunService, tmp_path: Path) -> None:
    copy = tmp_path / "assay.yaml"
    copy.write_text(Path(PROTOCOL).read_text())
    run = service.start(str(copy))
    copy.write_text(copy.read_text().replace("title: Seed", "title: Sow"))
    assert service.state(run).protocol.step("seed").title == "Seed"


def test_steps_move_through_done_current_ready(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    state = service.state(run)
    assert state.steps["seed"].state == "done"
    assert state.steps["incubate"].state == "current"
    assert state.steps["treat"].state == "waiting"


def test_timer_remaining_time_comes_from_the_wall_clock(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    clock.advance(minutes=20)
    now = clock.now()
    timer = service.state(run).timers["incubate"]
    assert timer.remaining_s(now) == 40 * 60
    assert timer.remaining_max_s(now) == 100 * 60
    service.pause(run)  # pausing the run does not stop the incubation
    clock.advance(minutes=10)
    assert service.state(run).timers["incubate"].remaining_s(clock.now()) == 30 * 60
    status = status_json(service.state(run), clock.now())
    assert status["state"] == "paused"
    assert status["timers"][0]["remaining_s"] == 1800


def test_incubation_stopped_early_is_a_deviation(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    clock.advance(minutes=30)
    service.timer(run, "incubate", "stop")
    assert deviations(service, run) == [
        ("incubate", "incubation stopped early after 30 min", "1 h–2 h", "30 min")
    ]


def test_incubation_running_over_is_a_deviation(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    clock.advance(hours=3)
    service.done(run, "incubate")  # done stops the timer
    assert deviations(service, run) == [
        ("incubate", "incubation ran over: 3 h", "1 h–2 h", "3 h")
    ]


def test_value_out_of_range_is_recorded_and_becomes_a_deviation(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "measure", [("conc", "12000 ug/mL")])
    state = service.state(run)
    value = state.values[0]
    assert (value.value, value.unit, value.in_range) == (12.0, "milligram / milliliter", False)
    assert deviations(service, run)[-1] == (
        "measure",
        "conc 12 mg/mL is outside 0.5–10 mg/mL",
        "0.5–10 mg/mL",
        "12 mg/mL",
    )


def test_value_in_other_units_is_converted(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.record_values(run, "measure", [("conc", "1200 ug/mL"), ("comment", "cloudy")])
    values = service.state(run).values
    assert (values[0].value, values[0].in_range) == (1.2, True)
    assert values[1].value == "cloudy"


def test_value_of_the_wrong_dimension_is_refused_and_nothing_written(service: RunService) -> None:
    run = service.start(PROTOCOL)
    before = len(service.events(run))
    with pytest.raises(InputError, match="not convert"):
        service.done(run, "measure", [("conc", "5 uL")])
    assert len(service.events(run)) == before


def test_step_done_out_of_order_is_a_deviation(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "incubate")
    assert deviations(service, run)[0][1] == "done out of order: seed not yet done"


def test_step_started_outside_its_window_is_a_deviation(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.done(run, "incubate")
    clock.advance(minutes=12)
    service.done(run, "treat")
    assert deviations(service, run)[-1] == (
        "treat",
        "started 12 min after incubate, outside its window",
        "0–5 min after incubate",
        "12 min",
    )


def test_missing_required_values_at_finish(service: RunService) -> None:
    run = service.start(PROTOCOL)
    state = service.finish(run, incomplete="test: only the finish is under test")
    assert ("measure", "required value conc was not recorded", "conc", "missing") in [
        (d.step, d.note, d.expected, d.actual) for d in state.deviations
    ]
    assert state.state == "completed"
    assert state.analyses[0].data.hook == "transwell"
    assert "transwell reads the attachment 'counts', which the run does not have" in (state.analyses[0].data.error or "")


def test_finish_runs_the_analysis_on_the_attachment(service: RunService, tmp_path: Path) -> None:
    counts = tmp_path / "counts.csv"
    rows = ["insert,condition,field,count"]
    for insert, condition in (("i1", "control"), ("i2", "control"), ("i3", "drug"), ("i4", "drug")):
        rows += [f"{insert},{condition},{f},{100 if condition == 'control' else 40}" for f in range(5)]
    counts.write_text("\n".join(rows) + "\n")
    run = service.start(PROTOCOL)
    service.attach(run, "counts", counts)
    state = service.finish(run, incomplete="test: only the finish is under test")
    result = state.analyses[0].data.result
    assert result is not None
    assert result["hook"] == "transwell"
    assert len(result["results"]) >= 2


def test_manual_deviation_note_lot_and_skip(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.deviate(run, "seed", "used 24-well instead of 12-well")
    service.note(run, None, "hood 2")
    service.lot(run, "medium", "L42", "2027-03-31")
    service.skip(run, "stain", "not needed")
    state = service.state(run)
    assert state.deviations[0].kind == "manual"
    assert state.lots[0].data.lot == "L42"
    assert state.steps["stain"].state == "skipped"
    with pytest.raises(RunStateError, match="not optional"):
        service.skip(run, "seed", "no")
    with pytest.raises(NotFoundError, match="did you mean 'medium'"):
        service.lot(run, "mediun", "L1")
    with pytest.raises(InputError, match="not a date"):
        service.lot(run, "medium", "L1", "next year")


def test_a_step_done_twice_is_refused(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    with pytest.raises(RunStateError, match="already done"):
        service.done(run, "seed")


def test_unknown_step_and_run_suggest_names(service: RunService) -> None:
    run = service.start(PROTOCOL)
    with pytest.raises(NotFoundError, match="did you mean 'seed'"):
        service.done(run, "sede")
    with pytest.raises(NotFoundError, match="unknown run"):
        service.state("nope")


def test_nothing_is_added_to_a_finished_or_aborted_run(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.abort(run, "contaminated")
    with pytest.raises(RunStateError, match="aborted"):
        service.done(run, "seed")


def test_correction_keeps_the_original(service: RunService) -> None:
    run = service.start(PROTOCOL)
    (event,) = [e for e in service.record_values(run, "measure", [("conc", "2 mg/mL")])]
    service.correct(run, event.seq, [("conc", "3 mg/mL")], "misread the display")
    state = service.state(run)
    assert [(v.value, v.corrected_by is None) for v in state.values] == [(2.0, False), (3.0, True)]
    assert state.current_values()[0].reason == "misread the display"


def test_variant_selects_steps(service: RunService) -> None:
    run = service.start(PROTOCOL, variant="extra")
    assert "wash" in service.state(run).steps
    assert "wash" not in service.state(service.start(PROTOCOL)).steps


def test_until_step_timer_counts_up_without_a_deviation(service: RunService, clock: FakeClock) -> None:
    run = service.start(PROTOCOL)
    service.timer(run, "develop", "start")
    clock.advance(minutes=7)
    timer = service.state(run).timers["develop"]
    assert (timer.elapsed_s(clock.now()), timer.max_s) == (420.0, None)
    service.timer(run, "develop", "stop")
    notes = [d.note for d in service.state(run).deviations if d.step == "develop"]
    # the timer started the step before its predecessor was done: "started", not "done"
    assert notes == ["started out of order: stain not yet done"]  # but no incubation deviation


def test_chain_links_every_event(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.done(run, "incubate")
    events = service.events(run)
    assert verify_chain(events) is None
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert fold(events).head_hash == events[-1].hash
