"""Step definitions for features/pfak.feature: the p-FAK western blot from BCA to record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.runs import FakeClock
from elab.domain.runs.derived import DerivedValue, SampleValue, derived_for_run
from elab.errors import ElabError
from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService
from elab.tui.text import step_detail

scenarios("pfak.feature")


@pytest.fixture
def lab(tmp_path: Path) -> Any:
    clock = FakeClock()
    service = RunService.open(f"sqlite:///{tmp_path / 'lab.db'}", "ana", clock)
    yield {"service": service, "tmp": tmp_path}
    service.close()


@given("a fresh lab database")
def fresh_database(lab: dict[str, Any]) -> None:
    assert lab["service"].list_runs() == []


@given(parsers.parse('I started a run of "{protocol}" with {amount:d} ug of protein per lane'))
def started(lab: dict[str, Any], protocol: str, amount: int) -> None:
    lab["run"] = lab["service"].start(protocol, {"protein_per_lane": f"{amount} ug"})


@when(parsers.parse('the BCA step records "{value}"'))
def bca_records(lab: dict[str, Any], value: str) -> None:
    name, _, text = value.partition("=")
    try:
        lab["service"].record_values(lab["run"], "bca", [(name, text)])
    except ElabError as exc:
        lab["refused"] = str(exc)


@when(parsers.parse('the reading of lysate "{lysate}" is corrected to "{value}"'))
def corrected(lab: dict[str, Any], lysate: str, value: str) -> None:
    state = lab["service"].state(lab["run"])
    (seq,) = [v.seq for v in state.current_values() if v.sample == lysate]
    lab["service"].correct(lab["run"], seq, [("protein_conc", value)], "misread")


@then(parsers.parse('it is refused with "{text}"'))
def refused(lab: dict[str, Any], text: str) -> None:
    assert text in lab.get("refused", ""), lab.get("refused")


@then("no protein_conc reading is recorded")
def nothing_recorded(lab: dict[str, Any]) -> None:
    assert lab["service"].state(lab["run"]).current_values() == []


def lysate_volume(lab: dict[str, Any], name: str, lysate: str) -> SampleValue:
    return next(s for s in derived(lab, name).samples if s.sample == lysate)


@then(parsers.parse('lysate "{lysate}" loads {loading:g} µL with {water:g} µL of water'))
def lysate_loads(lab: dict[str, Any], lysate: str, loading: float, water: float) -> None:
    assert lysate_volume(lab, "loading_volume", lysate).value == pytest.approx(loading)
    assert lysate_volume(lab, "water_volume", lysate).value == pytest.approx(water)


@then(parsers.parse('lysate "{lysate}" has no loading volume because "{reason}"'))
def no_volume(lab: dict[str, Any], lysate: str, reason: str) -> None:
    for name in ("loading_volume", "water_volume"):
        value = lysate_volume(lab, name, lysate)
        assert (value.value, value.reason) == (None, reason)


def derived(lab: dict[str, Any], name: str) -> DerivedValue:
    values = derived_for_run(lab["service"].state(lab["run"]))["denature"]
    return next(v for v in values if v.name == name)


def numbers(text: str) -> list[float]:
    return [float(n) for n in text.removesuffix(" µL").split(", ")]


@then(parsers.parse("the loading volumes of the lysates are {volumes}"))
def loading_volumes(lab: dict[str, Any], volumes: str) -> None:
    value = derived(lab, "loading_volume")
    assert value.unit == "microliter"
    assert list(value.values) == pytest.approx(numbers(volumes))


@then(parsers.parse("the water volumes of the lysates are {volumes}"))
def water_volumes(lab: dict[str, Any], volumes: str) -> None:
    assert list(derived(lab, "water_volume").values) == pytest.approx(numbers(volumes))


@then(parsers.parse('lysate "{lysate}" is flagged outside {allowed}'))
def flagged(lab: dict[str, Any], lysate: str, allowed: str) -> None:
    for name in ("loading_volume", "water_volume"):
        value = derived(lab, name)
        assert [s.sample for s in value.samples if s.outside] == [lysate]
        assert f"outside {allowed}: {lysate}" in value.text()


@then(parsers.parse('the "{step}" step shows "{text}"'))
def step_shows(lab: dict[str, Any], step: str, text: str) -> None:
    shown = " ".join(step_detail(lab["service"].state(lab["run"]), step).plain.split())
    assert text in shown, shown


@when(parsers.parse('I attach the band intensities as "{name}"'))
def attach_bands(lab: dict[str, Any], name: str, docstring: str) -> None:
    path = lab["tmp"] / "bands.csv"
    path.write_text(docstring.strip() + "\n", encoding="utf-8")
    lab["service"].attach(lab["run"], name, path)


@when(parsers.parse('I finish the run incomplete because "{reason}"'))
def finish(lab: dict[str, Any], reason: str) -> None:
    lab["service"].finish(lab["run"], incomplete=reason)
    data, record = render_record(lab["run"], "md", source=ServiceRunSource(lab["service"]))
    lab["record"], lab["record_text"] = record, " ".join(data.decode().split())


@then(parsers.parse('the densitometry gives {target} in "{condition}" at {time} at {value:g} '
                    'of "{control}"'))
def densitometry(lab: dict[str, Any], target: str, condition: str, time: str, value: float,
                 control: str) -> None:
    (logged,) = lab["service"].state(lab["run"]).analyses
    analysis = logged.data
    assert analysis.hook == "densitometry" and analysis.error is None, analysis
    assert analysis.result is not None
    rows = analysis.result["results"]
    row = next(r for r in rows if r.get("kind") == "condition" and r["time"] == time
               and r["condition"] == condition and r["target"] == target)
    assert row["relative"]["mean"] == pytest.approx(value)
    control_row = next(r for r in rows if r.get("kind") == "condition" and r["time"] == time
                       and r["condition"] == control and r["target"] == target)
    assert control_row["relative"]["mean"] == pytest.approx(1.0)


@then(parsers.parse('the record shows "{text}"'))
def record_shows(lab: dict[str, Any], text: str) -> None:
    assert text in lab["record_text"], text
