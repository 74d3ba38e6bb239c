"""The science checks: each one trips on a protocol that makes the mistake, at its line.

The protocols are the library's own files with one of the review's mistakes put back, so
each test reads as "this is what the file said before, and this is what validate says".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_document, protocol_from_tree
from elab.domain.protocol.science import Finding, science_findings

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"
HOOKS = ["combination-index", "ddct", "densitometry", "flow-cytometry", "flow-frequencies",
         "ic50", "transwell", "tumour-growth", "wound-closure"]


def findings(tmp_path: Path, name: str, old: str = "", new: str = "",
             *more: tuple[str, str]) -> list[Finding]:
    text = (PROTOCOLS / f"{name}.yaml").read_text(encoding="utf-8")
    for was, now in ((old, new), *more) if old else more:
        assert was in text, was
        text = text.replace(was, now)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    document = load_document(path, library=[PROTOCOLS])
    protocol = protocol_from_tree(document.tree, document.path)
    return science_findings(protocol, document.tree, document.path, HOOKS)


def line_of(tmp_path: Path, name: str, needle: str) -> int:
    text = (tmp_path / f"{name}.yaml").read_text(encoding="utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def only(found: list[Finding], check: str) -> list[Finding]:
    return [f for f in found if f.check == check]


@pytest.mark.parametrize("path", sorted(PROTOCOLS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_library_has_no_findings(path: Path, tmp_path: Path) -> None:
    document = load_document(path, library=[PROTOCOLS])
    protocol = protocol_from_tree(document.tree, document.path)
    assert science_findings(protocol, document.tree, document.path, HOOKS) == []


def test_one_percent_dmso_against_the_designs_tenth_is_an_error_with_the_arithmetic(
    tmp_path: Path,
) -> None:
    found = only(findings(tmp_path, "mtt-viability",
                          "      intermediate: \"1:100\"\n", ""), "vehicle")
    messages = [f.message for f in found if f.severity == "error"]
    assert any("(10 µL) / 100 µL" in m and "= 10 % v/v" in m and "0.1 % v/v" in m
               for m in messages), messages
    # the step no longer writes the volume: the error points at the design's addition
    line = line_of(tmp_path, "mtt-viability", "addition: 10 uL")
    assert {f.location.line for f in found} == {line}


def test_the_stock_added_directly_gives_10_um_not_100_nm(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "western-blot-pfak", "series_stock: 100 uM, ", ""),
                 "vehicle")
    (error,) = found
    assert error.severity == "error"
    assert "10 mM × 2 µL / 2002 µL = 9.99 µM in the well" in error.message
    assert "top dose of 'dose' is 100 nM" in error.message
    assert "intermediate dilution" in error.message


def test_an_addition_under_half_a_microlitre_asks_for_an_intermediate(tmp_path: Path) -> None:
    found = findings(tmp_path, "western-blot-pfak", "addition: 2 uL", "addition: 0.2 uL")
    warnings = [f for f in only(found, "vehicle") if f.severity == "warning"]
    assert warnings and "0.2 µL per well cannot be pipetted" in warnings[0].message


def test_a_seeded_volume_other_than_the_working_volume_is_an_error_at_the_seed(
    tmp_path: Path,
) -> None:
    """100 µL seeded where the design computes the doses for 90 µL: every dose 9 % off."""
    found = only(findings(tmp_path, "mtt-viability", "{material: medium, volume: 90 uL",
                          "{material: medium, volume: 100 uL"), "volumes")
    (error,) = found
    assert error.severity == "error"
    assert "put 100 µL in each well" in error.message
    assert "working_volume is 90 µL" in error.message
    assert error.location.line == line_of(tmp_path, "mtt-viability", "volume: 100 uL, per: well")


def test_without_a_working_volume_the_plate_default_is_checked(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "mtt-viability", "  working_volume: 90 uL\n", ""),
                 "volumes")
    (error,) = found
    assert "the 96-well plate default is 100 µL" in error.message


@pytest.mark.parametrize(("name", "old", "new", "says"), [
    # the "defactinib 1 µL × 24 wells" next to a plan adding 10 µL
    ("mtt-viability", "{material: defactinib, per: well}",
     "{material: defactinib, volume: 1 uL, per: well}", "adds 1 µL of the series (defactinib)"),
    ("western-blot-pfak", "{material: dmso, per: well}",
     "{material: dmso, volume: 20 uL, per: well}", "adds 20 µL of the vehicle (dmso)"),
])
def test_a_dosing_step_adding_another_volume_is_an_error_at_its_line(
    tmp_path: Path, name: str, old: str, new: str, says: str
) -> None:
    found = only(findings(tmp_path, name, old, new), "volumes")
    (error,) = found
    assert error.severity == "error" and says in error.message
    assert error.location.line == line_of(tmp_path, name, new)


def test_a_dosing_step_writing_the_designs_volume_is_accepted(tmp_path: Path) -> None:
    found = findings(tmp_path, "mtt-viability", "{material: defactinib, per: well}",
                     "{material: defactinib, volume: 10 uL, per: well}")
    assert found == []


def test_two_markers_on_one_detector_are_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "flow-cytometry-til", "fluorochrome: BV421}",
                          "fluorochrome: Alexa Fluor 647}"), "spectra")
    (error,) = found
    assert error.severity == "error"
    assert "foxp3 (Alexa Fluor 647) and cd8 (APC) are both collected in R670/30" in error.message
    assert error.location.line == line_of(tmp_path, "flow-cytometry-til", "anti-FoxP3")


def test_a_heavy_spillover_pair_and_an_unknown_dye_are_warnings(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "flow-cytometry-til", "fluorochrome: BV605}",
                          "fluorochrome: PE-CF594}"), "spectra")
    assert [f.severity for f in found] == ["warning"]
    assert "known heavy spillover pair" in found[0].message
    unknown = only(findings(tmp_path, "flow-cytometry-til", "fluorochrome: BV605}",
                            "fluorochrome: Glowbright 999}"), "spectra")
    assert [f.severity for f in unknown] == ["warning"]
    assert "not in the spectra table" in unknown[0].message


def test_the_guide_panel_fits_the_3_laser_analyser_only_without_bv605(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "flow-cytometry-til", "cytometer: 4-laser",
                          "cytometer: 3-laser"), "spectra")
    assert any("BV605 has no detector on the 3-laser analyser" in f.message for f in found)


def test_an_unused_material_equipment_and_parameter_are_warnings(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "xenograft-combination", "    equipment: [hood]\n", ""),
                 "unused")
    assert [f.message for f in found] == ["equipment 'hood' is declared but no step books it"]
    assert found[0].location.line == line_of(tmp_path, "xenograft-combination", "  hood:")


def test_a_parameter_nothing_refers_to_changes_nothing(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "mtt-viability", "  mtt_time:",
                          "  wavelength: {default: 570 nm}\n  mtt_time:"), "unused")
    assert [f.message for f in found] == [
        "parameter 'wavelength' changes nothing: no step, design or analysis refers to"
        " $wavelength"]


def test_doses_that_stop_below_the_reported_ic50s_are_flagged(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "mtt-viability",
                          # the levels and the blank's exclude: list that names them
                          "0.032 uM, 0.16 uM, 0.8 uM, 4 uM, 20 uM, 100 uM",
                          "0.1 nM, 1 nM, 10 nM, 100 nM, 1 uM, 10 uM"), "coverage")
    (warning,) = found
    assert "5 below and 0 above the expected ic50 1.98-10.34 µM" in warning.message.replace(
        "–", "-")
    assert warning.location.line == line_of(tmp_path, "mtt-viability", "expected: {ic50")


def test_bid_doses_seven_hours_apart_are_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "clinical-combination-regimen", 'at: ["08:00", "20:00"]',
                          'at: ["08:00", "15:00"]'), "regimen")
    (error,) = found
    assert "7 h, 17 h apart; BID needs 10-14 h" in error.message


def test_a_regimen_that_ignores_the_cycles_parameter_is_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "clinical-combination-regimen",
                          "cycles: $cycles, dose: 200 mg", "cycles: 6, dose: 200 mg"), "regimen")
    (error,) = found
    assert "step 'defactinib': cycles: 6, while other regimens follow $cycles" in error.message
    assert error.location.line == line_of(tmp_path, "clinical-combination-regimen",
                                          "dose: 200 mg, route: oral")


def test_a_window_after_a_regimen_on_other_days_is_a_warning_at_the_after(
        tmp_path: Path) -> None:
    # the same days pair each day's doses; other days run the window from the last dose
    found = only(findings(tmp_path, "clinical-combination-regimen",
                          "regimen: {days: [1, 8, 15], cycle: 28 d, cycles: $cycles, "
                          "dose: $gemcitabine_dose",
                          "regimen: {days: [2, 9, 16], cycle: 28 d, cycles: $cycles, "
                          "dose: $gemcitabine_dose"), "regimen")
    (warning,) = found
    assert warning.severity == "warning"
    assert "follows regimen 'nab-paclitaxel' within 0–30 min, but on other days" in \
        warning.message
    assert warning.location.line == line_of(tmp_path, "clinical-combination-regimen",
                                            "{step: nab-paclitaxel, within: 30 min}")


def test_oral_days_that_do_not_fill_the_cycle_are_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "clinical-combination-regimen",
                          "oral_days_off: {default: 7 d", "oral_days_off: {default: 5 d"),
                 "regimen")
    assert {f.message for f in found} == {
        "step 'defactinib': 21 days on + 5 days off = 26 days, but the cycle is 28 days",
        "step 'avutometinib': 21 days on + 5 days off = 26 days, but the cycle is 28 days"}


def test_a_per_animal_amount_in_a_repeated_step_is_counted_once_per_animal(
    tmp_path: Path,
) -> None:
    found = only(findings(tmp_path, "xenograft-combination", "    hands_on: 1-1.5 h\n",
                          "    hands_on: 2 min\n    repeat: {times: 32}\n"), "regimen")
    (error,) = found
    assert "mice 1 per animal × 32 animals × 32 repeats = 1024" in error.message


def test_an_animal_study_without_humane_endpoints_is_an_error(tmp_path: Path) -> None:
    text = (PROTOCOLS / "xenograft-combination.yaml").read_text(encoding="utf-8")
    block = text[text.index("  humane_endpoints:"):text.index("steps:")]
    found = only(findings(tmp_path, "xenograft-combination", block, ""), "in-vivo")
    assert [f.message[:40] for f in found] == ["an animal study must declare design.huma"]


def test_record_ranges_past_the_endpoint_are_errors(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "xenograft-combination", "tumour_weight: {unit: mg, range: 0-1500 mg}",
                          "tumour_weight: {unit: mg, range: 0-3000 mg}"), "in-vivo")
    (error,) = found
    assert "goes past the humane endpoint" in error.message
    assert error.location.line == line_of(tmp_path, "xenograft-combination", "tumour_weight")


def test_a_weight_loss_range_past_its_endpoint_is_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "xenograft-combination", "weight_loss: {unit: \"%\", range: 0-20 %",
                          "weight_loss: {unit: \"%\", range: 0-30 %"), "in-vivo")
    (error,) = found
    assert "range 0–30% goes past the humane endpoint 20%" in error.message


def test_an_unknown_hook_and_an_unknown_control_are_errors(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "western-blot-pfak", "control: DMSO,",
                          "control: DMSO at 24 h,"), "analysis")
    (error,) = found
    assert "control 'DMSO at 24 h' is neither a control nor a factor level" in error.message
    found = only(findings(tmp_path, "wound-healing", "hook: wound-closure", "hook: elisa"),
                 "analysis")
    assert "analysis hook 'elisa' is not installed" in found[0].message


def test_a_vehicle_arm_never_dosed_is_an_error(tmp_path: Path) -> None:
    text = (PROTOCOLS / "xenograft-combination.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: dose-oral-vehicle")
    block = text[start:text.index("  - id: dose-paclitaxel")]
    text = text.replace(block, "").replace("dose-oral-vehicle, ", "")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "xenograft-combination.yaml").write_text(text, encoding="utf-8")
    document = load_document(tmp_path / "src" / "xenograft-combination.yaml",
                             library=[PROTOCOLS])
    protocol = protocol_from_tree(document.tree, document.path)
    found = only(science_findings(protocol, document.tree, document.path, HOOKS), "controls")
    (error,) = found
    assert "arm(s) paclitaxel, vehicle get no matching 'oral_vehicle'" in error.message


def test_vehicle_controls_must_be_time_matched(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "western-blot-pfak", "count: 3, for_each: time}",
                          "count: 3}"), "controls")
    (error,) = found
    assert "none at 3 h, 24 h, 48 h of factor 'time' (cross the vehicle control with it: for_each: time)" in error.message


def test_a_vehicle_without_a_vehicle_control_is_an_error(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "mtt-viability",
                          "    - {name: vehicle, kind: vehicle, count: 3}\n", "",
                          ("100 uM, vehicle]", "100 uM]")), "controls")
    assert [f.severity for f in found] == ["error"]


# Review 14, R1 and R2: a drug added by volume in a step's uses (no design.dosing).
WOUND_WS = ("{material: defactinib_1000x, volume: 0.5 uL, per: well, exclude: [vehicle],"
            " note: premixed into the medium}")
WOUND_DMSO = ("{material: dmso, volume: 0.5 uL, per: well, exclude: [defactinib],"
              " note: premixed into the medium}")


def test_the_10_mm_stock_added_per_well_is_10_um_not_the_declared_1_um(tmp_path: Path) -> None:
    """wound-healing 1.1: 0.5 µL of the 10 mM stock into 500 µL medium (+ 0.5 µL DMSO):
    10000 µM × 0.5 µL / 501 µL = 9.98 µM, against $defactinib_conc = 1 µM."""
    old = "{material: defactinib, volume: 0.5 uL, per: well, exclude: [vehicle]}"
    found = only(findings(tmp_path, "wound-healing", WOUND_WS, old,
                          (WOUND_DMSO, "{material: dmso, volume: 0.5 uL, per: well}")),
                 "stock")
    (error,) = found
    assert error.severity == "error"
    assert "10 mM × 0.5 µL / 501 µL = 9.98 µM" in error.message
    assert "$defactinib_conc is 1 µM" in error.message
    assert error.location.line == line_of(tmp_path, "wound-healing", old)


def test_dmso_in_every_well_beside_a_dmso_stock_is_unequal_vehicle(tmp_path: Path) -> None:
    """Drug wells: 0.5 µL working stock (in DMSO) + 0.5 µL DMSO = 1 µL in 501 µL = 0.2 %;
    vehicle wells 0.5 µL in 500.5 µL = 0.1 %."""
    old = "{material: dmso, volume: 0.5 uL, per: well}"
    found = only(findings(tmp_path, "wound-healing", WOUND_DMSO, old), "vehicle-arms")
    (error,) = found
    assert "defactinib gets 1 µL in 501 µL = 0.2 % v/v" in error.message
    assert "vehicle 0.5 µL in 500.5 µL = 0.1 % v/v" in error.message
    assert error.location.line == line_of(tmp_path, "wound-healing", old)


def test_the_immunofluorescence_stock_and_vehicle_mistakes_are_found(tmp_path: Path) -> None:
    """IF 1.1: the 10 mM stock on the 500 µL coverslip wells, DMSO on every coverslip."""
    drug = "{material: defactinib, volume: 0.5 uL, per: coverslip, exclude: [vehicle]}"
    dmso = "{material: dmso, volume: 0.5 uL, per: coverslip}"
    found = findings(
        tmp_path, "immunofluorescence-ecad",
        "{material: defactinib_1000x, volume: 0.5 uL, per: coverslip, exclude: [vehicle,"
        " secondary only], note: 1000x into 500 uL}", drug,
        ("{material: dmso, volume: 0.5 uL, per: coverslip, exclude: [defactinib],"
         " note: into 500 uL}", dmso))
    stock, arms = only(found, "stock"), only(found, "vehicle-arms")
    assert [f.location.line for f in stock] == [
        line_of(tmp_path, "immunofluorescence-ecad", drug)]
    assert "= 9.98 µM in each grow-treat well" in stock[0].message
    assert [f.location.line for f in arms] == [
        line_of(tmp_path, "immunofluorescence-ecad", dmso)]


def test_the_secondary_only_coverslip_given_drug_and_dmso_is_unequal(tmp_path: Path) -> None:
    found = only(findings(tmp_path, "immunofluorescence-ecad",
                          "exclude: [vehicle, secondary only]", "exclude: [vehicle]"),
                 "vehicle-arms")
    (error,) = found
    assert "secondary only gets 1 µL in 501 µL = 0.2 % v/v" in error.message


def test_the_western_blot_stock_into_2_ml_is_found(tmp_path: Path) -> None:
    """10000 µM × 2 µL / (2000 µL working volume + 2 µL) = 9.99 µM, not 1 µM."""
    old = "{material: defactinib, volume: 2 uL, per: sample, exclude: [vehicle]}"
    found = only(findings(tmp_path, "western-blot-emt",
                          "{material: defactinib_1000x, volume: 2 uL, per: sample,"
                          " exclude: [vehicle]}", old), "stock")
    (error,) = found
    assert "10 mM × 2 µL / 2002 µL = 9.99 µM" in error.message
    assert error.location.line == line_of(tmp_path, "western-blot-emt", old)


def test_a_stock_volume_giving_the_declared_concentration_is_accepted(tmp_path: Path) -> None:
    """0.05 µL of 10 mM into 500.05 µL is 1.0 µM: the arithmetic, not the word, decides
    (the pipetting is another matter)."""
    found = only(findings(tmp_path, "wound-healing", WOUND_WS,
                          "{material: defactinib, volume: 0.05 uL, per: well,"
                          " exclude: [vehicle]}"), "stock")
    assert found == []


def test_equal_vehicle_in_every_arm_but_not_the_designs_is_an_error(tmp_path: Path) -> None:
    """1 µL of working stock or DMSO per 500 µL well: 1 / 501 = 0.2 % in both arms."""
    found = only(findings(tmp_path, "wound-healing",
                          "{material: defactinib_1000x, volume: 0.5 uL",
                          "{material: defactinib_1000x, volume: 1 uL",
                          ("{material: dmso, volume: 0.5 uL", "{material: dmso, volume: 1 uL")),
                 "vehicle-arms")
    (error,) = found
    assert "gives every arm 1 µL in 501 µL = 0.2 % v/v of dmso" in error.message
    assert "the design says 0.1 % v/v" in error.message


WOUND_OLD_DRUG = ("{material: defactinib, volume: 0.5 uL, per: well, exclude: [vehicle],"
                  " note: premixed into the medium}")


def test_a_concentration_stated_in_the_text_is_what_the_stock_is_checked_against(
    tmp_path: Path,
) -> None:
    """No parameter: the text's "1 uM defactinib"; 10000 µM × 0.5 / 500.5 = 9.99 µM."""
    text = "Medium with 1 uM defactinib from a 1000x DMSO stock."
    found = only(findings(tmp_path, "wound-healing", WOUND_WS, WOUND_OLD_DRUG,
                          ("Make $working_stock_volume of 1000x $defactinib_conc in DMSO",
                           text)), "stock")
    (error,) = found
    assert "= 9.99 µM in each treat well" in error.message
    assert "but the step's text ('1 uM defactinib') is 1 µM" in error.message


def test_the_concentration_levels_the_use_reaches_are_checked(tmp_path: Path) -> None:
    """A design whose levels are the doses: the 0.5 µL of 10 mM reaches the 1 µM wells."""
    found = only(findings(
        tmp_path, "wound-healing", WOUND_WS,
        WOUND_OLD_DRUG.replace("exclude: [vehicle]", "exclude: [0 uM]"),
        ("levels: [vehicle, defactinib]", "levels: [0 uM, 1 uM]"),
        ("exclude: [defactinib]", "exclude: [1 uM]"),
        ("$defactinib_conc in DMSO", "in DMSO")), "stock")
    assert [f.message.split(" but ")[1].split(" (")[0] for f in found] == [
        "level '1 uM' of factor 'treatment' is 1 µM"]
