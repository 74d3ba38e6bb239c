"""Step definitions for features/run.feature (through the run services, as the CLI does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.runs import FakeClock
from elab.errors import InputError
from elab.services.runs import RunService, status_json

scenarios("run.feature")


@given("a fresh lab database", target_fixture="lab")
def fresh_database(tmp_path: Path) -> dict[str, Any]:
    clock = FakeClock()
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    return {"url": url, "clock": clock, "service": RunService.open(url, "ana", clock)}


@given(parsers.parse('I started a run of "{protocol}"'))
def started(lab: dict[str, Any], protocol: str) -> None:
    lab["run"] = lab["service"].start(protocol)


@when(parsers.parse('I mark "{step}" done'))
def mark_done(lab: dict[str, Any], step: str) -> None:
    lab["service"].done(lab["run"], step)


@when(parsers.parse('I mark "{step}" done with "{value}"'))
def mark_done_with(lab: dict[str, Any], step: str, value: str) -> None:
    name, _, text = value.partition("=")
    lab["service"].done(lab["run"], step, [(name, text)])


@when(parsers.parse('I start the timer of "{step}"'))
def start_timer(lab: dict[str, Any], step: str) -> None:
    lab["service"].timer(lab["run"], step, "start")


@when(parsers.parse("{hours:d} hours pass"))
def time_passes(lab: dict[str, Any], hours: int) -> None:
    lab["clock"].advance(hours=hours)


@when("I close the terminal and open a new one")
def reopen(lab: dict[str, Any]) -> None:
    lab["service"].close()
    lab["service"] = RunService.open(lab["url"], "ana", lab["clock"])


@then(parsers.parse('step "{step}" is {state}'))
def step_state(lab: dict[str, Any], step: str, state: str) -> None:
    assert lab["service"].state(lab["run"]).steps[step].state == state


@then("the run has no deviations")
def no_deviations(lab: dict[str, Any]) -> None:
    assert lab["service"].state(lab["run"]).deviations == []


@then(parsers.parse('the run has a deviation at "{step}" saying "{note}"'))
def has_deviation(lab: dict[str, Any], step: str, note: str) -> None:
    found = [(d.step, d.note) for d in lab["service"].state(lab["run"]).deviations]
    assert (step, note) in found, found


@then(parsers.parse('the timer of "{step}" has {hours:d} hours left'))
def timer_left(lab: dict[str, Any], step: str, hours: int) -> None:
    timer = lab["service"].state(lab["run"]).timers[step]
    assert timer.remaining_s(lab["clock"].now()) == hours * 3600


@when(parsers.parse('I record "{value}" at "{step}"'))
def record_value(lab: dict[str, Any], value: str, step: str) -> None:
    name, _, text = value.partition("=")
    lab["service"].record_values(lab["run"], step, [(name, text)])


@then(parsers.parse('recording "{value}" at "{step}" again is refused with "{message}"'))
def record_refused(lab: dict[str, Any], value: str, step: str, message: str) -> None:
    name, _, text = value.partition("=")
    before = lab["service"].last_seq(lab["run"])
    with pytest.raises(InputError) as refused:
        lab["service"].record_values(lab["run"], step, [(name, text)])
    assert message in str(refused.value) and "elab runs correct" in str(refused.value)
    assert lab["service"].last_seq(lab["run"]) == before


@when(parsers.parse('I correct the "{name}" reading to "{text}" because "{reason}"'))
def correct_reading(lab: dict[str, Any], name: str, text: str, reason: str) -> None:
    state = lab["service"].state(lab["run"])
    (seq,) = [v.seq for v in state.current_values() if v.name == name]
    lab["service"].correct(lab["run"], seq, [(name, text)], reason)


@when(parsers.parse('I record another reading "{value}" at "{step}"'))
def record_another(lab: dict[str, Any], value: str, step: str) -> None:
    name, _, text = value.partition("=")
    lab["service"].record_values(lab["run"], step, [(name, text)], another=True)


@then(parsers.parse('"{step}" shows "{name}" as "{text}"'))
def shows_readings(lab: dict[str, Any], step: str, name: str, text: str) -> None:
    state = lab["service"].state(lab["run"])
    lines = {(r["step"], r["name"]): r["text"]
             for r in status_json(state, lab["clock"].now())["readings"]}
    assert lines[(step, name)] == text
