"""Step definitions for features/run.feature (through the run services, as the CLI does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.runs import FakeClock
from elab.services.runs import RunService

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
