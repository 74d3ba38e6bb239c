"""Step definitions for features/reader.feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.analysis import load_hook
from elab.domain.analysis.table import table_from_records
from elab.domain.reader import records_from_tidy
from elab.services.reader_import import tidy_from_files

DATA = Path(__file__).resolve().parents[1] / "data" / "reader"

scenarios("reader.feature")


@given(parsers.parse('the reader file "{name}" and the layout "{layout}"'),
       target_fixture="context")
def reader_and_layout(name: str, layout: str) -> dict[str, Any]:
    return {"file": DATA / name, "layout": DATA / layout}


@given(parsers.parse('the reader file "{name}" and a layout with the rows'),
       target_fixture="context")
def reader_and_rows(name: str, docstring: str, tmp_path: Path) -> dict[str, Any]:
    layout = tmp_path / "layout.csv"
    layout.write_text(docstring.strip() + "\n", encoding="utf-8")
    return {"file": DATA / name, "layout": layout}


@when("I import the reader file")
def import_file(context: dict[str, Any]) -> None:
    context["tidy"] = tidy_from_files(context["file"], context["layout"])
    records, _ = records_from_tidy(context["tidy"])
    context["rows"] = {r["well"]: r for r in records}


@then(parsers.parse('the format guessed is "{fmt}"'))
def format_guessed(context: dict[str, Any], fmt: str) -> None:
    assert f"format {fmt} (guessed" in context["tidy"].notes[0]


@then(parsers.parse("the blank of plate {plate:d} is {value:g} OD from {wells:d} wells"))
def blank_is(context: dict[str, Any], plate: int, value: float, wells: int) -> None:
    assert context["tidy"].blanks == ((plate, pytest.approx(value), wells),)


@then(parsers.parse("well {well} at {dose:g} {unit} has the response {value:g} OD"))
def response_is(context: dict[str, Any], well: str, dose: float, unit: str,
                value: float) -> None:
    row = context["rows"][well]
    assert float(row["dose"]) == pytest.approx(dose)
    assert row["response"] == pytest.approx(value)


@then(parsers.parse('well {well} is flagged "{flag}" with no response'))
def flagged(context: dict[str, Any], well: str, flag: str) -> None:
    row = context["rows"][well]
    assert (row["flag"], row["raw"], row["response"]) == (flag, None, None)
    assert any(flag in w and well in w for w in context["tidy"].warnings)


@when("I run ic50 on the reader file")
def run_ic50(context: dict[str, Any]) -> None:
    records, units = records_from_tidy(context["tidy"])
    context["result"] = load_hook("ic50").run(table_from_records(records, units), {})


@then(parsers.parse("the IC50 is {value:g} {unit}"))
def ic50_is(context: dict[str, Any], value: float, unit: str) -> None:
    (curve,) = context["result"].results
    assert curve["ic50"]["value"] == pytest.approx(value, rel=1e-3)
    assert curve["ic50"]["unit"] == unit


@given(parsers.parse('the protocol "{name}"'), target_fixture="context")
def protocol(name: str) -> dict[str, Any]:
    from elab.services.protocol_library import ProtocolLibrary
    from elab.settings import Settings

    return {"protocol": ProtocolLibrary.from_settings(Settings()).load(name)}


@when("I plan its qPCR plate on a 96-well plate")
def plan_96(context: dict[str, Any]) -> None:
    from elab.domain.dilution import MixComponent
    from elab.domain.dilution.qpcr import QpcrDoesNotFit, QpcrSpec, plan_qpcr
    from elab.domain.dilution.qpcr_design import qpcr_inputs_from_protocol

    found = qpcr_inputs_from_protocol(context["protocol"])
    spec = QpcrSpec(found["genes"], found["samples"], found["components"],
                    MixComponent("template (cDNA)", 2.0), no_rt_genes=found["reference"],
                    reference=found["reference"])
    with pytest.raises(QpcrDoesNotFit) as info:
        plan_qpcr(spec)
    context["error"] = info.value


@then(parsers.parse('it is refused because "{text}"'))
def refused(context: dict[str, Any], text: str) -> None:
    assert text in str(context["error"])


@then("the proposal puts GAPDH on both plates and every other gene on one")
def proposal(context: dict[str, Any]) -> None:
    wells = context["error"].proposal.wells
    plates = {g: {w.plate for w in wells if w.gene == g} for g in {w.gene for w in wells}}
    assert plates.pop("GAPDH") == {1, 2}
    assert all(len(p) == 1 for p in plates.values())
