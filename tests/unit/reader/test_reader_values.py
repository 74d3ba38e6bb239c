"""Recorded values from instrument files (NanoDrop, Vi-CELL) through allotropy."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.reader.values import field_values, quantities_from_asm
from elab.errors import InputError
from elab.services.reader_import import record_values_from_file

DATA = Path(__file__).parents[2] / "data" / "reader"


def test_asm_quantities_skip_settings_and_scale_units() -> None:
    asm = {"doc": [{"measurement document": [{
        "device control aggregate document": {"device control document": [
            {"detector wavelength setting": {"value": 260, "unit": "nm"}}]},
        "viable cell density (cell counter)": {"value": 0.69, "unit": "10^6 cells/mL"},
        "ratio": {"value": 2.07, "unit": "(unitless)"},
    }]}]}
    found = quantities_from_asm(asm)
    assert list(found) == ["viable cell density (cell counter)"]
    assert found["viable cell density (cell counter)"] == [(pytest.approx(690000.0),
                                                            "cell / milliliter")]
    assert field_values(found, "cell_density", "cells/mL") == ["690000 cells/mL"]


def test_nanodrop_rna_concentrations_for_a_step() -> None:
    # The file's decimal commas: 704,986 / 686,535 / 710,130 ng/uL.
    values = record_values_from_file(DATA / "nanodrop_eight_rna.txt",
                                     {"rna_conc": "ng/uL", "a260_280": None})
    assert values == [("rna_conc", "704.986 ng/uL"), ("rna_conc", "686.535 ng/uL"),
                      ("rna_conc", "710.13 ng/uL")]


def test_vicell_needs_a_choice_between_two_densities() -> None:
    record = {"cell_density": "cells/mL", "viability": "%"}
    with pytest.raises(InputError, match=r"several quantities in cells/mL .*--take"):
        record_values_from_file(DATA / "vicell_blu_example02.csv", record)
    values = record_values_from_file(
        DATA / "vicell_blu_example02.csv", record,
        take={"cell_density": "viable cell density (cell counter)"})
    assert values[0] == ("cell_density", "690000 cells/mL")  # 0.69 x 10^6/mL
    assert ("viability", "92.03 %") in values


def test_a_file_without_the_steps_values_is_refused() -> None:
    with pytest.raises(InputError, match="holds none of the values"):
        record_values_from_file(DATA / "vicell_blu_example02.csv", {"rna_conc": "ng/uL",
                                                                   "other": "ng/uL"})
