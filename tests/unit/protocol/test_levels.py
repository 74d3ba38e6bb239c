"""A design's levels: one dimension per factor, concentrations where dosed, names that exist.

Before, ``0.8 um`` (micrometre) among µM doses validated and silently changed the amounts
(the blank's medium on 6 wells instead of 3, the series and the DMSO gone), an ``exclude:``
naming a level that no longer exists was ignored, and ``elab dilute serial`` said only
"the design has no factor 'dose' whose levels are all concentrations".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.dilution import serial_spec_from_design
from elab.domain.protocol import load_protocol, protocol_from_tree
from elab.domain.protocol.describe import scaled_use
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import InputError, ProtocolErrors

DATA = Path(__file__).parent / "data"
PROTOCOLS = Path(__file__).parents[3] / "elab" / "protocols"


def errors_of(name: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(DATA / name)
    return [str(e).replace(str(DATA) + "/", "") for e in caught.value.errors]


def errors_in(text: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    return [str(e) for e in caught.value.errors]


def test_a_dose_in_micrometres_among_micromolar_is_located_with_the_unit_expected() -> None:
    assert errors_of("dose_unit_typo.yaml") == [
        "dose_unit_typo.yaml:13:25: level '0.8 um' of factor 'dose' is a length (um is "
        "micrometer); the other levels are molar concentrations in uM (did you mean "
        "'0.8 uM'?)"]


def test_an_exclude_naming_a_level_the_design_lacks_is_located() -> None:
    assert errors_of("exclude_unknown_level.yaml") == [
        "exclude_unknown_level.yaml:19:87: exclude: '20 uM' is no level, control or control "
        "kind of the design (did you mean '0.8 uM'?)"]


def test_the_reviewers_mtt_typo_is_one_line_not_a_follow_on_exclude_error() -> None:
    """The exclude: that names ``0.8 uM`` as it should be is the same mistake: one line."""
    text = (PROTOCOLS / "mtt-viability.yaml").read_text(encoding="utf-8").replace(
        "levels: [0.032 uM, 0.16 uM, 0.8 uM,", "levels: [0.032 uM, 0.16 uM, 0.8 um,")
    found = errors_in(text)
    assert found == [
        "p.yaml:47:35: level '0.8 um' of factor 'dose' is a length (um is micrometer); the "
        "other levels are molar concentrations in uM (did you mean '0.8 uM'?)"]


def test_a_word_among_dosed_levels_is_no_concentration() -> None:
    text = (DATA / "dose_unit_typo.yaml").read_text().replace("0.8 um", "vehicle")
    assert errors_in(text) == [
        "p.yaml:13:25: level 'vehicle' of factor 'dose' is not a concentration, but "
        "design.dosing doses defactinib by this factor: each level is a final concentration "
        "in uM, like the others"]


def test_a_regimen_arm_that_is_no_level_is_located() -> None:
    text = (PROTOCOLS / "xenograft-combination.yaml").read_text(encoding="utf-8").replace(
        "arms: [paclitaxel, combination]", "arms: [paclitaxel, combo]")
    found = [e for e in errors_in(text) if "arms:" in e]
    assert len(found) == 1
    assert found[0].endswith("arms: 'combo' is no level of a design factor (did you mean "
                             "'combination'?)")


def test_an_exclude_of_a_bare_level_with_its_unit_leaves_that_level_out() -> None:
    # levels [3, 24, 48] with unit: h; a for_each copy excludes the others as '3 h', '48 h'
    text = """id: t
title: T
version: "1"
materials:
  ripa: {name: RIPA}
design:
  factors:
    - {name: dose, levels: [1 nM, 10 nM]}
    - {name: time, levels: [3, 24, 48], unit: h}
  replicates: 2
  stagger: harvest
steps:
  - {id: treat, title: Treat, hands_on: 10 min}
  - {id: exposure, title: Exposure, for_each: time, incubate: {duration: $time}}
  - id: lyse
    title: Lyse
    for_each: time
    uses:
      - {material: ripa, volume: 100 uL, per: well}
"""
    protocol = protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    total, shown = scaled_use(protocol.step("lyse.24h").uses[0], protocol)
    assert total is not None and total.planned == pytest.approx(400)  # 2 doses × 2 at 24 h
    assert "× 4 samples" in shown


def test_the_dilution_planner_names_the_level_that_is_no_concentration() -> None:
    design = {"factors": [{"name": "dose", "levels": ["1 uM", "0.8 um", "10 uM"]}]}
    with pytest.raises(InputError) as caught:
        serial_spec_from_design(design, "10 mM", 100.0)
    assert str(caught.value) == ("factor 'dose' is no dose series: level '0.8 um' is no "
                                 "single concentration")


_CONCENTRATIONS = ["nM", "uM", "mM", "ug/mL", "ng/mL"]
_OTHERS = {"um": "a length", "nm": "a length", "mm": "a length", "h": "a duration",
           "mL": "a volume", "mg": "a mass", "ug": "a mass"}


@given(st.lists(st.sampled_from(["0.1", "1", "2.5", "10", "40"]), min_size=2, max_size=6,
                unique=True),
       st.sampled_from(["nM", "uM", "mM"]), st.data())
def test_one_level_of_another_dimension_is_refused_at_that_level(
        numbers: list[str], unit: str, data: st.DataObject) -> None:
    odd_at = data.draw(st.integers(0, len(numbers) - 1))
    odd = data.draw(st.sampled_from(sorted(_OTHERS)))
    levels = [f"{n} {odd if i == odd_at else unit}" for i, n in enumerate(numbers)]
    text = (DATA / "exclude_unknown_level.yaml").read_text().replace(
        "[0.16 uM, 0.8 uM, 4 uM]", "[" + ", ".join(levels) + "]").replace(
        "exclude: [0.16 uM, 0.8 uM, 4 uM, 20 uM, vehicle]", "exclude: [vehicle]")
    if len(numbers) == 2 and odd_at == 0:
        # a tie: the first level sets the dimension, so the other one is the odd one
        odd_at, expected_what = 1, "a molar concentration"
    else:
        expected_what = _OTHERS[odd]
    (message,) = errors_in(text)
    assert message.startswith("p.yaml:10:")
    assert f"level {levels[odd_at]!r} of factor 'dose' is {expected_what}" in message


@given(st.lists(st.tuples(st.sampled_from(["0.1", "1", "10", "250"]),
                          st.sampled_from(["nM", "uM", "mM"])), min_size=1, max_size=6,
                unique=True))
def test_levels_in_molar_units_of_any_prefix_validate(levels: list[tuple[str, str]]) -> None:
    written = ", ".join(f"{n} {u}" for n, u in levels)
    text = (DATA / "exclude_unknown_level.yaml").read_text().replace(
        "[0.16 uM, 0.8 uM, 4 uM]", f"[{written}]").replace(
        "exclude: [0.16 uM, 0.8 uM, 4 uM, 20 uM, vehicle]", "exclude: [vehicle, blank]")
    protocol = protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    assert protocol.design is not None
    assert len(protocol.design.factors[0].levels) == len(levels)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz uM0123456789.", min_size=1, max_size=10))
def test_every_exclude_name_is_a_level_a_control_or_refused_at_its_place(name: str) -> None:
    known = {"0.16 uM", "0.8 uM", "4 uM", "vehicle", "medium only", "blank"}
    text = (DATA / "exclude_unknown_level.yaml").read_text().replace(
        "exclude: [0.16 uM, 0.8 uM, 4 uM, 20 uM, vehicle]", f'exclude: ["{name}"]')
    tree = load_yaml(text, "p.yaml")
    if name in known:
        protocol_from_tree(tree, "p.yaml")
        return
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(tree, "p.yaml")
    assert [str(e).split(": exclude: ")[0] for e in caught.value.errors] == ["p.yaml:19:64"]
    assert f"exclude: {name!r} is no level" in str(caught.value)
