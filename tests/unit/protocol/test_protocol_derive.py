"""``derive:`` and ``solution:`` are checked when the protocol loads: names, units, volumes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.protocol import Protocol, load_protocol
from elab.domain.protocol.derive import antibody_volumes
from elab.errors import ProtocolErrors

BASE = """\
id: derive-test
title: Derived values
version: "1"
parameters:
  protein_per_lane: {default: 20 ug}
  sample_volume: {default: 24 uL}
materials:
  antibody: {name: anti-FAK, dilution: "1:1000"}
  blocking: {name: blocking buffer}
steps:
  - id: bca
    title: BCA
    record:
      protein_conc: {unit: mg/mL, count: 3}
      comment: {type: text}
  - id: load
    title: Load
    derive:
      loading_volume: {expr: "EXPR", unit: UNIT, per: lysate}
  - id: primary
    title: Primary
    solution: {volume: 10 mL, per: membrane, count: 3, diluent: blocking}
    uses:
      - {material: antibody, volume: VOLUME}
"""


def load(tmp_path: Path, expr: str = "protein_per_lane / protein_conc", unit: str = "uL",
         volume: str = "30 uL") -> Protocol:
    path = tmp_path / "derive-test.yaml"
    path.write_text(BASE.replace("EXPR", expr).replace("UNIT", unit).replace("VOLUME", volume),
                    encoding="utf-8")
    return load_protocol(path)


def errors(tmp_path: Path, **kwargs: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        load(tmp_path, **kwargs)
    return [str(e).split("derive-test.yaml:", 1)[1] for e in caught.value.errors]


def test_a_sound_protocol_loads(tmp_path: Path) -> None:
    protocol = load(tmp_path)
    assert protocol.step("load").derive["loading_volume"].per == "lysate"


def test_unknown_name_is_located_with_a_suggestion(tmp_path: Path) -> None:
    assert errors(tmp_path, expr="protein_per_lane / protein_con") == [
        "19:30: derive 'loading_volume': unknown name 'protein_con' in "
        "'protein_per_lane / protein_con' (did you mean 'protein_conc' or 'protein_per_lane'?)"]


def test_unit_mismatch_is_located_at_the_unit(tmp_path: Path) -> None:
    (message,) = errors(tmp_path, expr="protein_per_lane * protein_conc")
    assert message.startswith("19:71: derive 'loading_volume': 'protein_per_lane * protein_conc'"
                              " gives µg·mg/mL")
    assert message.endswith("not convertible to uL")


def test_adding_a_mass_to_a_volume_is_refused(tmp_path: Path) -> None:
    (message,) = errors(tmp_path, expr="protein_per_lane + sample_volume")
    assert "cannot add µg and µL in 'protein_per_lane + sample_volume'" in message


def test_attribute_access_is_refused_at_load(tmp_path: Path) -> None:
    (message,) = errors(tmp_path, expr="protein_conc.real")
    assert "attribute access is not allowed" in message
    assert "at character 1 of the expression" in message


def test_text_values_cannot_be_computed_with(tmp_path: Path) -> None:
    (message,) = errors(tmp_path, expr="comment / protein_conc")
    assert "'comment' is recorded as text, not a quantity" in message


def test_a_derived_value_cannot_use_itself(tmp_path: Path) -> None:
    assert errors(tmp_path, expr="loading_volume * 2") == [
        "19:30: derive 'loading_volume': 'loading_volume' uses itself; a derived value is "
        "computed from parameters, recorded values and other derived values"]


CHAIN = """\
id: derive-test
title: Derived values that use each other
version: "1"
parameters:
  total: {default: 20 uL}
steps:
  - id: mix
    title: Mix
    derive:
      first: {expr: "FIRST", unit: uL}
      second: {expr: "SECOND", unit: uL}
      third: {expr: total - second, unit: uL}
"""


def chain(tmp_path: Path, first: str, second: str) -> Protocol:
    path = tmp_path / "derive-test.yaml"
    path.write_text(CHAIN.replace("FIRST", first).replace("SECOND", second), encoding="utf-8")
    return load_protocol(path)


def test_a_value_may_use_one_written_below_it(tmp_path: Path) -> None:
    """What a derived value means does not depend on where it is written: a run's stored
    copy lists them in sorted order, and must load as the file did."""
    protocol = chain(tmp_path, "total - third", "total / 4")
    assert list(protocol.step("mix").derive) == ["first", "second", "third"]


def test_values_that_use_each_other_in_a_circle_are_refused_at_each(tmp_path: Path) -> None:
    with pytest.raises(ProtocolErrors) as caught:
        chain(tmp_path, "total - third", "total - first")
    shown = [str(e).split("derive-test.yaml:", 1)[1] for e in caught.value.errors]
    assert shown == [
        f"{where}: derive {name!r}: derived values use each other in a circle "
        f"({circle}); one of them must be computed from parameters or recorded values alone"
        for name, where, circle in [  # each at its expression
            ("first", "10:21", "first → third → second → first"),
            ("second", "11:22", "second → first → third → second"),
            ("third", "12:21", "third → second → first → third")]]


def test_written_antibody_volume_must_match_the_dilution(tmp_path: Path) -> None:
    assert errors(tmp_path, volume="50 uL") == [
        "24:38: antibody: 1:1000 of 10 mL × 3 membranes is 30 µL, but the use says 50 µL "
        "(leave volume: out to have it computed)"]


def test_antibody_volume_per_membrane(tmp_path: Path) -> None:
    protocol = load(tmp_path)
    (volume,) = antibody_volumes(protocol.step("primary"), protocol)
    assert volume.line() == ("anti-FAK 1:1000: 10 µL per membrane in 10 mL blocking buffer "
                             "× 3 membranes = 30 µL")


def test_the_bundled_pfak_protocol_derives_its_loading_volumes() -> None:
    import elab

    protocol = load_protocol(Path(elab.__file__).parent / "protocols" / "western-blot-pfak.yaml")
    derive = protocol.step("denature").derive
    assert derive["loading_volume"].expr == "protein_per_lane / protein_conc"
    lines = [v.line() for v in antibody_volumes(protocol.step("primary-pfak"), protocol)]
    assert lines == ["rabbit anti-p-FAK (Tyr397) 1:1000: 10 µL per membrane in 10 mL "
                     "5 % BSA in TBST × 4 membranes = 40 µL"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_expression_in_a_file_loads_or_is_a_located_error(tmp_path: Path, expr: str) -> None:
    path = tmp_path / "derive-test.yaml"
    text = BASE.replace('"EXPR"', json.dumps(expr)).replace("UNIT", "uL").replace("VOLUME",
                                                                                  "30 uL")
    path.write_text(text, encoding="utf-8")
    try:
        load_protocol(path)
    except ProtocolErrors as caught:
        assert all(e.location is not None and e.location.line >= 1 for e in caught.errors)


def test_validating_derived_values_needs_no_pint_once_units_are_known(tmp_path: Path) -> None:
    """The dimension check reads pint's answers from the unit-facts cache, so `elab validate`
    stays fast: a second process validating the same file never imports pint."""
    import subprocess
    import sys

    path = tmp_path / "derive-test.yaml"
    load(tmp_path)  # writes the file
    script = ("import sys; from elab.domain.protocol import load_protocol; "
              f"load_protocol({str(path)!r}); print('pint' in sys.modules)")
    env = {**os.environ, "ELAB_CACHE_DIR": str(tmp_path / "cache"), "ELAB_UNIT_CACHE": "on"}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env, timeout=120) for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]
