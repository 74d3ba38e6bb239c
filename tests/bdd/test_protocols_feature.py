"""Step definitions for features/protocols.feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.protocol import StepGraph, load_protocol
from elab.errors import ProtocolErrors
from elab.units import format_duration

DATA = Path(__file__).resolve().parents[1] / "unit" / "protocol" / "data"
LIBRARY = Path(__file__).resolve().parents[2] / "protocols"

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


def _library_file(tmp_path: Path, name: str, old: str, new: str) -> dict[str, Any]:
    text = (LIBRARY / f"{name}.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return {"paths": [path]}


@given(parsers.parse('the library protocol "{name}" with "{old}" removed'),
       target_fixture="context")
def library_with_removed(name: str, old: str, tmp_path: Path) -> dict[str, Any]:
    return _library_file(tmp_path, name, old.replace('\\"', '"'), "")


@given(parsers.parse('the library protocol "{name}" with "{old}" changed to "{new}"'),
       target_fixture="context")
def library_with_changed(name: str, old: str, new: str, tmp_path: Path) -> dict[str, Any]:
    return _library_file(tmp_path, name, old, new)


@given("every library protocol", target_fixture="context")
def whole_library() -> dict[str, Any]:
    return {"paths": sorted(LIBRARY.glob("*.yaml"))}


@when("I review its science")
def review(context: dict[str, Any]) -> None:
    from elab.domain.analysis import available_hooks
    from elab.domain.protocol import load_document, protocol_from_tree
    from elab.domain.protocol.science import science_findings

    found = []
    for path in context["paths"]:
        document = load_document(path, library=[LIBRARY])
        protocol = protocol_from_tree(document.tree, document.path)
        found += science_findings(protocol, document.tree, document.path, available_hooks())
    context["findings"] = found


@then(parsers.parse('I see a "{check}" error saying "{text}"'))
def see_finding(context: dict[str, Any], check: str, text: str) -> None:
    assert any(f.check == check and f.severity == "error" and text in f.message
               for f in context["findings"]), [str(f) for f in context["findings"]]


@then("there is nothing to report")
def nothing(context: dict[str, Any]) -> None:
    assert [str(f) for f in context["findings"]] == []
