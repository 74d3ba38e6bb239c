"""Factors against each other (note 13: "equal levels across two factors are not checked").

Equal levels across factors are no mistake by themselves (combination-synergy doses both
drugs from 0; its conditions are ``0 uM / 0 nM``...), so they stay valid.  Refused, each a
located line, where before every one validated: a drug dosed by two factors (a well asked
for ``160 nM / 0.16 uM`` of it), condition names that collide through a ``/`` in a level,
and factor names that collide with each other or with a column of the layout file (a
factor ``condition`` wrote two ``condition`` columns that read back wrong).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate import spec_from_design
from elab.domain.protocol import protocol_from_content, protocol_from_tree
from elab.domain.protocol.samples import sample_key, sample_names
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ProtocolErrors

SYNERGY = (Path(__file__).resolve().parents[3] / "elab" / "protocols" /
           "combination-synergy.yaml").read_text(encoding="utf-8")

TWO = """\
id: t
title: T
version: "1"
materials:
  drug: {{name: drug, stock: 10 mM}}
design:
  plate: 96
  factors:
    - {{name: {a}, levels: [{levels_a}]}}
    - {{name: {b}, levels: [{levels_b}]}}
  controls:
    - {{name: untreated, kind: untreated, count: 1}}
steps:
  - id: treat
    title: Treat
"""


def errors_in(text: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    return [str(e) for e in caught.value.errors]


def two(a: str = "pre", b: str = "post", levels_a: str = "x, y", levels_b: str = "p, q") -> str:
    return TWO.format(a=a, b=b, levels_a=levels_a, levels_b=levels_b)


def test_equal_levels_in_two_factors_are_valid_when_names_stay_apart() -> None:
    # 0 uM beside 0 nM (the synergy matrix), the same durations before and after
    protocol_from_tree(load_yaml(SYNERGY, "s.yaml"), "s.yaml")
    loaded = protocol_from_tree(load_yaml(two(levels_a="1 h, 2 h", levels_b="60 min, 2 h"),
                                          "p.yaml"), "p.yaml")
    names = sample_names(loaded.design)
    assert "1 h / 60 min #1" in names and "2 h / 2 h #1" in names
    assert len({sample_key(n) for n in names}) == len(names)


def test_a_drug_dosed_by_two_factors_is_refused_at_the_second() -> None:
    text = SYNERGY.replace("{material: paclitaxel, factor: paclitaxel,",
                           "{material: defactinib, factor: paclitaxel,", 1)
    assert text != SYNERGY
    line = next(n for n, row in enumerate(text.splitlines(), 1)
                if "{material: defactinib, factor: paclitaxel," in row)
    assert errors_in(text) == [
        f"p.yaml:{line}:38: dosing: defactinib is dosed by factor 'defactinib' already; dosed by "
        "'paclitaxel' too, the design crosses the drug with itself and asks each well for "
        "two concentrations of it ('0 uM / 30 nM'); one factor gives all of a drug's "
        "concentrations"]


def test_levels_whose_conditions_join_into_one_name_are_refused() -> None:
    assert errors_in(two(levels_a="vehicle, vehicle/TGFb", levels_b="TGFb/SB, SB")) == [
        "p.yaml:9:37: level 'vehicle/TGFb' of factor 'pre': condition 'vehicle/TGFb / SB' "
        "is named as condition 'vehicle / TGFb/SB' once case and spaces are ignored (a "
        "condition's levels are joined by '/'); readings and the layout name a sample by its "
        "condition, so write the level without '/'"]


def test_a_slash_that_joins_into_no_other_name_is_valid() -> None:
    protocol_from_tree(load_yaml(two(levels_a="5 mg/kg, 10 mg/kg", levels_b="1 d, 7 d"),
                                 "p.yaml"), "p.yaml")


@pytest.mark.parametrize(("a", "b", "line"), [
    ("time", "Time", "p.yaml:10:14: factor 'Time' is factor 'time' once case and spaces are "
     "ignored; the layout names a column after each factor, so give each factor a name of "
     "its own"),
    ("condition", "time", "p.yaml:9:14: factor 'condition' is named like the layout file's "
     "column 'condition' (every layout file has plate, well, condition, replicate, control "
     "and code beside a column per factor); give the factor another name"),
    ("dose", "Replicate", "p.yaml:10:14: factor 'Replicate' is named like the layout file's "
     "column 'replicate' (every layout file has plate, well, condition, replicate, control "
     "and code beside a column per factor); give the factor another name"),
])
def test_factor_names_that_collide_are_located(a: str, b: str, line: str) -> None:
    assert errors_in(two(a=a, b=b)) == [line]


def test_a_run_stored_before_the_checks_still_reopens() -> None:
    tree = load_yaml(two(a="condition", levels_a="vehicle, vehicle/TGFb",
                         levels_b="TGFb/SB, SB"), "p.yaml")
    assert protocol_from_content(tree).design is not None


_LEVEL = st.sampled_from(["a", "b", "a/b", "b/c", "c", "A", "1 nM", "1nM", "0.001 uM",
                          "x / y", "y"])


@settings(max_examples=150, deadline=None)
@given(levels_a=st.lists(_LEVEL, min_size=1, max_size=4, unique=True),
       levels_b=st.lists(_LEVEL, min_size=1, max_size=4, unique=True))
def test_a_valid_design_never_names_two_conditions_alike(levels_a: list[str],
                                                        levels_b: list[str]) -> None:
    """Whatever the levels of two factors: refused in located lines, or every condition
    and every sample has a name of its own (case and spaces ignored)."""
    quoted = [", ".join(f"'{v}'" for v in levels) for levels in (levels_a, levels_b)]
    text = two(levels_a=quoted[0], levels_b=quoted[1])
    try:
        loaded = protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    except ProtocolErrors as exc:
        assert all(str(e).startswith("p.yaml:") for e in exc.errors)
        return
    assert loaded.design is not None
    conditions = [c.name for c in spec_from_design(loaded.design, plate=96).conditions()]
    assert len({sample_key(c) for c in conditions}) == len(conditions)
    names = sample_names(loaded.design)
    assert len(names) == loaded.design.sample_count
    assert len({sample_key(n) for n in names}) == len(names)
