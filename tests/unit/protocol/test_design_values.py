"""The design's numbers and names, each a located line (review 13b, items 7 and 8).

Before: ``addition: 0 uL`` crashed ``elab validate`` with a ZeroDivisionError and ``runs
start`` took the file; ``final: 1 mM`` on the vehicle printed an unlocated "cannot convert";
a null level printed pydantic's three lines and a NUL byte two lines at 1:1; a dosing
``material:`` or ``step:`` naming nothing, ``series_stock: 100 uL``, equal levels, a range
as a level, ``expected: {ic5: ...}`` and a derive ``per: lysat`` all validated.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.protocol import load_document, protocol_from_content, protocol_from_tree
from elab.domain.protocol.describe import describe_json, describe_text
from elab.domain.protocol.science import science_findings
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ElabError, ProtocolErrors

PROTOCOLS = Path(__file__).resolve().parents[3] / "elab" / "protocols"
MTT = (PROTOCOLS / "mtt-viability.yaml").read_text(encoding="utf-8")
PFAK = (PROTOCOLS / "western-blot-pfak.yaml").read_text(encoding="utf-8")


def edited(text: str, old: str, new: str) -> str:
    assert old in text  # the edit must change something, or the test proves nothing
    return text.replace(old, new, 1)


def errors_in(text: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    return [str(e) for e in caught.value.errors]


# ----------------------------------------------------------------------------- item 7


def test_an_addition_of_nothing_is_located_not_a_division_by_zero() -> None:
    assert errors_in(edited(MTT, "addition: 10 uL", "addition: 0 uL")) == [
        "p.yaml:61:17: dosing of defactinib: addition must be more than 0 µL (the volume of "
        "each series point pipetted into a well)"]


def test_a_step_adding_nothing_is_a_science_error_not_a_crash() -> None:
    text = edited(MTT, "      addition: 10 uL\n", "")
    text = edited(text, "- {material: defactinib,", "- {material: defactinib, volume: 0 uL,")
    protocol = protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    found = [str(f) for f in science_findings(protocol, load_yaml(text, "p.yaml"), "p.yaml")
             if f.check == "vehicle"]
    assert found == ["p.yaml:95:40: error: defactinib: an addition of 0 µL puts none of the "
                     "series in the well (it must be more than 0 µL) [vehicle]"]


@pytest.mark.parametrize("working", ["0 uL", "0-50 uL"])
def test_a_working_volume_of_nothing_is_one_located_line(working: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         ) -> None:
    """Before: the file loaded and `elab validate` printed three science errors, each a
    consequence (a dose 10-fold off, a 1 % vehicle, the seeding volume), none the cause."""
    from cli_calls import run

    text = edited(MTT, "working_volume: 90 uL", f"working_volume: {working}")
    line = (f"p.yaml:55:19: working_volume {working} must be more than 0 µL (the volume in "
            "each well before the additions, which every dose and the vehicle's fraction are "
            "computed for)")
    assert errors_in(text) == [line]
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["validate", str(path)], capsys)
    assert (code, err.splitlines()) == (1, [line.replace("p.yaml", str(path), 1)])


@pytest.mark.parametrize(("final", "kind"), [("0.1 uL", "a volume"),
                                             ("1 mM", "a molar concentration")])
def test_a_vehicle_final_that_is_no_fraction_names_the_kind_expected(final: str,
                                                                       kind: str) -> None:
    assert errors_in(edited(MTT, "final: 0.1 % v/v", f"final: {final}")) == [
        f"p.yaml:54:36: vehicle (dmso): final {final} is {kind}; it is the vehicle's fraction "
        "of the well (such as 0.1 %)"]


def test_a_vehicle_at_nothing_is_located() -> None:
    assert errors_in(edited(MTT, "final: 0.1 % v/v", "final: 0 % v/v")) == [
        "p.yaml:54:36: vehicle (dmso): final 0 % v/v puts none of it in the well; give its "
        "fraction (such as 0.1 %), or leave vehicle: out"]


@pytest.mark.parametrize(("text", "old", "new", "where"), [
    (PFAK, "control: DMSO", "control: ~", "307:43"),
    (MTT, "{name: vehicle, kind: vehicle, count: 3}", "{name: ~, kind: vehicle, count: 3}",
     "51:14"),
])
def test_an_empty_value_is_one_line_not_one_per_type_it_could_be(text: str, old: str,
                                                                   new: str,
                                                                   where: str) -> None:
    assert errors_in(edited(text, old, new)) == [
        f"p.yaml:{where}: empty value: write one here (a key left empty is null)"]


def test_an_empty_level_is_one_located_line() -> None:
    assert errors_in(edited(MTT, "levels: [0.032 uM,", "levels: [~,")) == [
        "p.yaml:47:16: a level cannot be empty (write its value, such as 10 nM or DMSO)"]


def test_a_bad_level_is_one_line_without_the_exclude_that_names_it_rightly() -> None:
    assert errors_in(edited(MTT, "levels: [0.032 uM,", "levels: [nan uM,")) == [
        "p.yaml:47:16: level 'nan uM' of factor 'dose' is not a concentration, but "
        "design.dosing doses defactinib by this factor: each level is a final concentration "
        "in uM, like the others"]


def test_an_exclude_typo_beside_good_levels_is_still_reported() -> None:
    text = edited(MTT, "exclude: [0.032 uM,", "exclude: [0.033 uM,")
    assert errors_in(text) == [
        "p.yaml:101:19: exclude: '0.033 uM' is no level, control or control kind of the "
        "design (did you mean '0.032 uM'?)"]


def test_a_nul_byte_is_one_line_at_its_place() -> None:
    text = edited(MTT, "title: MTT", "title: M\x00TT")
    with pytest.raises(ProtocolErrors) as caught:
        load_yaml(text, "p.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "p.yaml:3:9: character U+0000 is not allowed in a protocol file (YAML allows no "
        "control character but tab, newline and carriage return)"]


_DESIGN = """\
id: t
title: T
version: "1"
materials:
  drug: {{name: drug, stock: 10 mM}}
  dmso: {{name: DMSO}}
design:
  plate: 96
  factors:
    - {{name: dose, levels: [{levels}]}}
  controls:
    - {{name: vehicle, kind: vehicle, count: 1}}
  vehicle: {{material: dmso, final: {final} %}}
  working_volume: {working} uL
  dosing:
    - {{material: drug, factor: dose, series_stock: {stock} mM, addition: {addition} uL,
       step: treat}}
steps:
  - id: treat
    title: Treat
    uses:
      - {{material: drug, per: well, volume: {use} uL, exclude: [vehicle]}}
      - {{material: dmso, per: well, exclude: [vehicle]}}
"""

_NUMBER = st.sampled_from([0, 0.0001, 0.5, 1, 10, 90, 1e6, 1e300])


@settings(max_examples=60, deadline=None)
@given(addition=_NUMBER, working=_NUMBER, stock=_NUMBER, use=_NUMBER, final=_NUMBER,
       levels=st.lists(st.sampled_from(["0 uM", "0.1 uM", "1 uM", "100 nM", "1e300 uM"]),
                       min_size=1, max_size=4))
def test_no_design_numbers_crash_validation(addition: float, working: float, stock: float,
                                            use: float, final: float,
                                            levels: list[str]) -> None:
    """Whatever the numbers, validating and the science checks give located lines, and a
    run's stored copy of such a file is shown (or refused in words), never a crash."""
    text = _DESIGN.format(addition=addition, working=working, stock=stock, use=use,
                          final=final, levels=", ".join(levels))
    tree = load_yaml(text, "p.yaml")
    try:
        protocol = protocol_from_tree(tree, "p.yaml")
    except ProtocolErrors as exc:
        assert all(str(e).startswith("p.yaml:") for e in exc.errors)
    else:
        for finding in science_findings(protocol, tree, "p.yaml"):
            assert str(finding).startswith("p.yaml:")
    try:
        stored = protocol_from_content(tree)
        assert describe_text(stored).startswith("T (t v1)")
        assert describe_json(stored)["id"] == "t"
    except ElabError as exc:
        assert str(exc)


# ----------------------------------------------------------------------------- item 8


def test_a_dosing_material_naming_nothing_is_located_with_a_suggestion() -> None:
    text = edited(PFAK, "{material: defactinib, factor: dose", "{material: defactinb, factor: dose")
    assert errors_in(text) == [
        "p.yaml:104:18: dosing: undeclared material 'defactinb' (did you mean 'defactinib'?)"]


def test_a_dosing_step_naming_nothing_is_located_with_a_suggestion() -> None:
    text = edited(PFAK, "addition: 2 uL, step: treat}", "addition: 2 uL, step: treet}")
    assert errors_in(text) == [
        "p.yaml:104:88: dosing: unknown step 'treet' (did you mean 'treat'?)"]


def test_a_series_stock_that_is_a_volume_is_located() -> None:
    assert errors_in(edited(MTT, "series_stock: 100 mM", "series_stock: 100 uL")) == [
        "p.yaml:59:21: dosing of defactinib: series_stock 100 uL is a volume; it is a "
        "concentration (such as 10 mM)"]


@pytest.mark.parametrize(("levels", "col", "level", "first"), [
    ("[0.16 uM, 0.16 uM,", 25, "0.16 uM", "0.16 uM"),
    ("[160 nM, 0.16 uM,", 24, "0.16 uM", "160 nM"),
    ("[0.16uM, 0.16 uM,", 24, "0.16 uM", "0.16uM"),
])
def test_a_level_written_twice_is_located_at_the_second(levels: str, col: int, level: str,
                                                         first: str) -> None:
    assert errors_in(edited(MTT, "[0.032 uM, 0.16 uM,", levels)) == [
        f"p.yaml:47:{col}: level '{level}' of factor 'dose' is the same as level '{first}'; "
        "each level is one condition, written once"]


def test_a_range_as_a_dose_level_is_located() -> None:
    assert errors_in(edited(MTT, "levels: [0.032 uM,", "levels: [0.032-0.1 uM,")) == [
        "p.yaml:47:16: level '0.032-0.1 uM' of factor 'dose' is a range; a level is one value "
        "each sample is given (write each value as a level of its own)"]


def test_an_unknown_expected_key_is_located_with_a_suggestion() -> None:
    assert errors_in(edited(MTT, "expected: {ic50:", "expected: {ic5:")) == [
        "p.yaml:48:18: expected: unknown key 'ic5' (did you mean 'ic50'?); a factor's "
        "expected potency is one of ic50, ec50, gi50, lc50, ic90, ec90, ki, kd"]


def test_a_derive_per_typo_is_located_with_a_suggestion() -> None:
    assert errors_in(edited(PFAK, "        per: lysate", "        per: lysat")) == [
        "p.yaml:171:14: derive 'loading_volume': per: 'lysat' is nothing its values are read "
        "per (did you mean 'lysate'?); the recorded values are read per lysate"]


# ----------------------------------------------------------------------------- stored runs


@pytest.mark.parametrize(("text", "old", "new"), [
    (MTT, "addition: 10 uL", "addition: 0 uL"),
    (MTT, "working_volume: 90 uL", "working_volume: 0 uL"),
    (MTT, "series_stock: 100 mM", "series_stock: 100 uL"),
    (MTT, "[0.032 uM, 0.16 uM,", "[0.16 uM, 0.16 uM,"),
    (PFAK, "{material: defactinib, factor: dose", "{material: defactinb, factor: dose"),
    (PFAK, "        per: lysate", "        per: lysat"),
])
def test_a_run_stored_before_these_checks_still_reopens(text: str, old: str, new: str,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(edited(text, old, new), encoding="utf-8")
    with pytest.raises(ProtocolErrors):  # the file as written is refused...
        protocol_from_tree(load_document(path).tree, str(path))
    # ...but the copy a run stored of it, before the check existed, reopens
    assert protocol_from_content(load_document(path).content).design is not None
