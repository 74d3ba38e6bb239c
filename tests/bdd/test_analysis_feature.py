"""Step definitions for features/analysis.feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from elab.domain.analysis import run_hook

DATA = Path(__file__).resolve().parents[1] / "unit" / "analysis" / "data"

scenarios("analysis.feature")


@given(parsers.parse('the data file "{name}"'), target_fixture="context")
def data_file(name: str) -> dict[str, Any]:
    return {"input": DATA / name}


@given("a data file with the rows", target_fixture="context")
def data_rows(docstring: str) -> dict[str, Any]:
    return {"input": docstring.strip() + "\n"}


@when(parsers.parse('I run the "{hook}" analysis'))
def run_analysis(context: dict[str, Any], hook: str) -> None:
    context["result"] = run_hook(hook, context["input"])


@when(parsers.parse('I run the "{hook}" analysis with reference "{ref}" and control "{ctrl}"'))
def run_ddct(context: dict[str, Any], hook: str, ref: str, ctrl: str) -> None:
    context["result"] = run_hook(hook, context["input"], {"reference": ref, "control": ctrl})


@when(parsers.parse('I run the "{hook}" analysis with reference "{ref}", control "{ctrl}" '
                    'and max_ref_shift {shift}'))
def run_ddct_shift(context: dict[str, Any], hook: str, ref: str, ctrl: str, shift: str) -> None:
    context["result"] = run_hook(hook, context["input"],
                                 {"reference": ref, "control": ctrl, "max_ref_shift": shift})


@then(parsers.parse('{target} in {condition} has no fold change because "{why}"'))
def no_fold(context: dict[str, Any], target: str, condition: str, why: str) -> None:
    row = next(r for r in context["result"].results
               if r["target"] == target and r["condition"] == condition)
    assert row["fold_change"]["value"] is None
    assert row["fold_change"]["ci95"] == [None, None] and row["p_value"] is None
    assert why in row["reason"]


@then(parsers.parse("the IC50 is {value:g} {unit}"))
def ic50_is(context: dict[str, Any], value: float, unit: str) -> None:
    (curve,) = context["result"].results
    assert curve["ic50"]["value"] == pytest.approx(value, rel=5e-4)
    assert curve["ic50"]["unit"] == unit


@then(parsers.parse('the method names "{text}"'))
def method_names(context: dict[str, Any], text: str) -> None:
    assert text in context["result"].method


@then("there are no warnings")
def no_warnings(context: dict[str, Any]) -> None:
    assert context["result"].warnings == []


@then(parsers.parse("{target} in {condition} is {fold:g} fold of {control}"))
def fold_of(context: dict[str, Any], target: str, condition: str, fold: float,
            control: str) -> None:
    row = next(r for r in context["result"].results
               if r["target"] == target and r["condition"] == condition)
    assert row["fold_change"]["value"] == pytest.approx(fold, abs=0.05)


@then(parsers.parse('a warning says "{text}"'))
def warning_says(context: dict[str, Any], text: str) -> None:
    assert any(text in w for w in context["result"].warnings)


@then("the IC50 is not reported")
def ic50_not_reported(context: dict[str, Any]) -> None:
    (curve,) = context["result"].results
    assert curve["ic50"]["value"] is None
    assert curve["converged"] is False


@then(parsers.parse('the absolute IC50 is not reached ("{bound}")'))
def absolute_not_reached(context: dict[str, Any], bound: str) -> None:
    (curve,) = context["result"].results
    assert curve["absolute_ic50"]["value"] is None
    assert curve["absolute_ic50"]["bound"] == bound
    assert curve["ic50"]["value"] is not None


@then(parsers.parse("well {well} closes at {rate:g} {unit} over the times {times} h"))
def wound_rate(context: dict[str, Any], well: str, rate: float, unit: str, times: str) -> None:
    row = next(r for r in context["result"].results
               if r["kind"] == "well" and r["well"] == well)
    assert row["migration_rate"]["value"] == pytest.approx(rate, rel=1e-5)
    assert row["migration_rate"]["unit"] == unit
    assert row["fit_times"] == [float(t) for t in times.split(",")]
