"""A run's derived values from parameters and readings: numbers, "needs X", never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.protocol import Protocol, load_protocol
from elab.domain.runs.derived import DerivedValue, derived_values
from elab.units import QRange

TEXT = """\
id: derived-run
title: Derived values in a run
version: "1"
parameters:
  protein_per_lane: {default: 20-30 ug}
steps:
  - id: bca
    title: BCA
    record:
      protein_conc: {unit: mg/mL, count: 3}
  - id: load
    title: Load
    derive:
      loading_volume: {expr: protein_per_lane / protein_conc, unit: uL, per: lysate}
      mean_volume: {expr: protein_per_lane / protein_conc, unit: uL}
"""


@pytest.fixture(scope="module")
def protocol(tmp_path_factory: pytest.TempPathFactory) -> Protocol:
    path: Path = tmp_path_factory.mktemp("derived") / "derived-run.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return load_protocol(path)


def values_of(protocol: Protocol, readings: list[tuple[float | str, str]],
              amount: float = 20.0) -> dict[str, DerivedValue]:
    params = {"protein_per_lane": QRange(amount, amount, "microgram")}
    out = derived_values(protocol, params, {"protein_conc": readings})
    return {v.name: v for v in out["load"]}


def test_per_lysate_and_mean(protocol: Protocol) -> None:
    got = values_of(protocol, [(2.0, "milligram / milliliter"), (4.0, "milligram / milliliter")])
    per, mean = got["loading_volume"], got["mean_volume"]
    assert per.values == (10.0, 5.0)
    assert per.missing == 1 and per.needs == ("protein_conc",)
    assert mean.values[0] == pytest.approx(20 / 3)  # 20 µg / mean 3 mg/mL  # mean 3 mg/mL


def test_readings_in_another_unit_are_converted(protocol: Protocol) -> None:
    got = values_of(protocol, [(2000.0, "microgram / milliliter")])
    assert got["loading_volume"].values[0] == pytest.approx(10.0)


def test_a_zero_reading_is_a_problem_not_a_crash(protocol: Protocol) -> None:
    got = values_of(protocol, [(0.0, "milligram / milliliter")])
    value = got["loading_volume"]
    assert "division by zero" in value.problem
    assert value.text().startswith("cannot compute: division by zero")


def test_nothing_recorded_needs_the_reading(protocol: Protocol) -> None:
    got = values_of(protocol, [])
    assert got["loading_volume"].text() == "needs protein_conc"


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5)),
                max_size=6),
       st.floats(min_value=0, max_value=1e300))
def test_any_readings_give_values_or_reasons(protocol: Protocol, raw: list[float | str],
                                             amount: float) -> None:
    got = values_of(protocol, [(r, "milligram / milliliter") for r in raw], amount)
    for value in got.values():
        text = value.text()
        assert text
        assert value.values or value.needs or value.problem


@pytest.mark.parametrize("conc", [1.6, 3.2, 1.3, 2.7, 0.9, 5.5])
def test_loading_and_water_shown_add_up_to_the_sample_volume(conc: float) -> None:
    """The review saw 15.62 µL of lysate beside 8.375 µL of water: shown to the same
    thousandth, the two parts of each lane visibly make the 24 µL sample."""
    from decimal import Decimal

    pfak = load_protocol(Path(__file__).resolve().parents[3] / "protocols"
                         / "western-blot-pfak.yaml")
    params = {"protein_per_lane": QRange(20, 30, "microgram"),
              "sample_volume": QRange(24, 24, "microliter")}
    out = {v.name: v for v in derived_values(
        pfak, params, {"protein_conc": [(conc, "milligram / milliliter")]})["denature"]}

    def shown(name: str) -> Decimal:
        return Decimal(out[name].text().split(" µL")[0])

    assert shown("loading_volume") + shown("water_volume") == 24
    if conc == 1.6:
        assert (out["loading_volume"].text().split(" µL")[0],
                out["water_volume"].text().split(" µL")[0]) == ("15.625", "8.375")


CHAINED = {
    "stock_volume": "{expr: drug_conc * 1000 * working_volume / stock_conc, unit: uL}",
    "dmso_volume": "{expr: working_volume - stock_volume, unit: uL}",
    "half_dmso": "{expr: dmso_volume / 2, unit: uL}",
}


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(list(CHAINED)))
def test_values_that_use_each_other_compute_in_any_written_order(
        tmp_path: Path, order: list[str]) -> None:
    """A run's stored copy lists derived values sorted by name; each is still computed
    after the values it uses, and shown in the order the step lists them."""
    lines = "\n".join(f"      {name}: {CHAINED[name]}" for name in order)
    path = tmp_path / "chained.yaml"
    path.write_text(f"""\
id: chained
title: Chained
version: "1"
parameters:
  drug_conc: {{default: 1 uM}}
  working_volume: {{default: 20 uL}}
steps:
  - id: thaw
    title: Thaw
    record:
      stock_conc: {{unit: mM}}
  - id: mix
    title: Mix
    derive:
{lines}
""", encoding="utf-8")
    protocol = load_protocol(path)
    params = {"drug_conc": QRange(1.0, 1.0, "micromolar"),
              "working_volume": QRange(20.0, 20.0, "microliter")}
    waiting = derived_values(protocol, params, {})["mix"]
    assert [(v.name, v.needs) for v in waiting] == [(n, ("stock_conc",)) for n in order]
    got = derived_values(protocol, params, {"stock_conc": [(10.0, "millimolar")]})["mix"]
    assert [v.name for v in got] == order
    assert {v.name: v.values for v in got} == {
        "stock_volume": (2.0,), "dmso_volume": (18.0,), "half_dmso": (9.0,)}
