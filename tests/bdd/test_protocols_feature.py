"""Step definitions for features/protocols.feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.protocol import StepGraph, load_protocol
from elab.errors import ProtocolErrors
from elab.units import format_duration

DATA = Path(__file__).resolve().parents[1] / "unit" / "protocol" / "data"

scenarios("protocols.feature")

HEADER = """id: feature-test
title: Feature test
version: "1"
materials:
  medium: {name: DMEM with 10 % FBS}
equipment: {}
steps:
"""


@given(parsers.parse('the protocol file "{name}"'), target_fixture="context")
def protocol_file(name: str) -> dict[str, Any]:
    return {"path": DATA / name}


@given("a protocol file with the step", target_fixture="context")
def protocol_with_step(docstring: str, tmp_path: Path) -> dict[str, Any]:
    body = "".join(f"  {line}\n" for line in docstring.splitlines())
    path = tmp_path / "protocol.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    return {"path": path}


@when("I validate it")
def validate(context: dict[str, Any]) -> None:
    try:
        context["protocol"] = load_protocol(context["path"], library=[DATA])
        context["errors"] = []
    except ProtocolErrors as exc:
        context["errors"] = [str(e).replace(f"{context['path'].parent}/", "") for e in exc.errors]


@when("I ask how long it takes")
def timing(context: dict[str, Any]) -> None:
    context["timing"] = StepGraph(load_protocol(context["path"])).timing()


@then("it is valid")
def is_valid(context: dict[str, Any]) -> None:
    assert context["errors"] == []


@then(parsers.parse('I see the error "{message}"'))
def see_error(context: dict[str, Any], message: str) -> None:
    assert message in context["errors"], context["errors"]


@then(parsers.parse('the shortest run takes "{text}"'))
def shortest(context: dict[str, Any], text: str) -> None:
    assert format_duration(context["timing"].min_s) == text


@then(parsers.parse('the hands-on time is "{text}"'))
def hands_on(context: dict[str, Any], text: str) -> None:
    assert format_duration(context["timing"].hands_on_s) == text


@then(parsers.parse('the critical path is "{text}"'))
def critical_path(context: dict[str, Any], text: str) -> None:
    assert " → ".join(context["timing"].critical_path) == text
