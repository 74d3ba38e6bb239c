"""Readings joined with a layout: blanks, flags, units in the headers, plates matched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate.csvio import layout_from_csv
from elab.domain.reader import (
    ReaderData,
    Reading,
    csv_from_tidy,
    grid_from_bytes,
    records_from_tidy,
    tidy_from_reader,
)
from elab.errors import InputError

DATA = Path(__file__).parents[2] / "data" / "reader"


def mtt():  # type: ignore[no-untyped-def]
    data = grid_from_bytes((DATA / "grid_mtt.csv").read_bytes(), "grid_mtt.csv")
    layout = layout_from_csv((DATA / "grid_mtt_layout.csv").read_text())
    return tidy_from_reader(data, layout, "grid_mtt.csv")


def test_blank_mean_is_subtracted_and_said() -> None:
    tidy = mtt()
    records, _ = records_from_tidy(tidy)
    by_well = {r["well"]: r for r in records}
    assert tidy.blanks == ((1, pytest.approx(0.06), 3),)
    assert by_well["C2"]["response"] == pytest.approx(1.0)  # 1.06 - 0.06
    assert by_well["F3"]["response"] == pytest.approx(0.5)  # 0.56 - 0.06
    assert any("blank 0.06 OD (mean of 3 blank wells) subtracted" in n for n in tidy.notes)


def test_one_row_per_layout_well_with_units_in_the_header() -> None:
    text = csv_from_tidy(mtt())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 21
    assert list(rows[0]) == ["plate", "well", "condition", "dose [uM]", "replicate", "control",
                             "raw [OD]", "blank [OD]", "response [OD]", "flag"]
    e2 = next(r for r in rows if r["well"] == "E2")
    assert (e2["condition"], e2["dose [uM]"]) == ("100 nM", "0.1")  # 100 nM in uM
    b2 = next(r for r in rows if r["well"] == "B2")
    assert b2["response [OD]"] == "-0.01"


def test_flagged_wells_stay_with_no_value_and_a_warning() -> None:
    tidy = mtt()
    e4 = next(r for r in tidy.rows if r.placement.well == "E4")
    assert (e4.raw, e4.response, e4.flag) == (None, None, "MISSED")
    assert tidy.warnings == ("1 well MISSED (E4@1): no value, left out of the analysis",)


def test_layout_cells_neutralised_against_csv_injection_are_read_back() -> None:
    layout = layout_from_csv("plate,well,condition,dose,replicate,control\n"
                             "1,A1,'=cmd,1 uM,1,\n1,A2,blank,,1,blank\n")
    data = ReaderData("grid", "absorbance", "OD",
                      (Reading("1", "A1", 0.5), Reading("1", "A2", 0.1)), ("1",))
    text = csv_from_tidy(tidy_from_reader(data, layout, "x"))
    assert "'=cmd" in text  # written back neutralised, never as a bare formula
    assert "\n1,A1,'=cmd,1,1,,0.5,0.1,0.4,\n" in text


def test_more_plates_in_the_file_than_in_the_layout_need_a_choice() -> None:
    layout = layout_from_csv("plate,well,condition,replicate,control\n1,A1,x,1,\n1,A2,b,1,blank\n")
    data = ReaderData("grid", "absorbance", "OD",
                      (Reading("P1", "A1", 0.5), Reading("P1", "A2", 0.1),
                       Reading("P2", "A1", 0.9), Reading("P2", "A2", 0.2)), ("P1", "P2"))
    with pytest.raises(InputError, match=r"holds 2 plates \(P1, P2\) and the layout 1"):
        tidy_from_reader(data, layout, "two.csv")
    chosen = tidy_from_reader(data, layout, "two.csv", plate="P2")
    assert [r.response for r in chosen.rows] == [pytest.approx(0.7), pytest.approx(0.0)]
    by_index = tidy_from_reader(data, layout, "two.csv", plate="2")
    assert by_index.rows == chosen.rows


def test_two_plates_each_with_its_own_blank() -> None:
    layout = layout_from_csv("plate,well,condition,replicate,control\n"
                             "1,A1,x,1,\n1,A2,b,1,blank\n2,A1,x,1,\n2,A2,b,1,blank\n")
    data = ReaderData("grid", "absorbance", "OD",
                      (Reading("1", "A1", 0.5), Reading("1", "A2", 0.1),
                       Reading("2", "A1", 0.9), Reading("2", "A2", 0.3)), ("1", "2"))
    tidy = tidy_from_reader(data, layout, "two.csv")
    assert [round(r.response or 0, 9) for r in tidy.rows] == [0.4, 0.0, 0.6, 0.0]


def test_a_file_that_reads_none_of_the_layout_wells_is_refused() -> None:
    layout = layout_from_csv("plate,well,condition,replicate,control\n1,H12,x,1,\n")
    data = ReaderData("grid", "absorbance", "OD", (Reading("1", "A1", 0.5),), ("1",))
    with pytest.raises(InputError, match="no reading in any well"):
        tidy_from_reader(data, layout, "f.csv")


def test_no_blank_wells_means_nothing_subtracted_and_said() -> None:
    layout = layout_from_csv("plate,well,condition,replicate,control\n1,A1,x,1,\n")
    data = ReaderData("grid", "absorbance", "OD", (Reading("1", "A1", 0.5),), ("1",))
    tidy = tidy_from_reader(data, layout, "f.csv")
    assert tidy.rows[0].response == 0.5
    assert any("no blank wells" in n for n in tidy.notes)


def _blank_and_well(blanks: list[float], well: float) -> list[dict[str, str]]:
    """The tidy CSV of three blank wells and one edge well, as text cells."""
    layout = layout_from_csv("plate,well,condition,dose,replicate,control\n"
                             "1,A1,medium,,0,edge\n1,B2,blank,,1,blank\n"
                             "1,B3,blank,,2,blank\n1,B4,blank,,3,blank\n")
    readings = (Reading("1", "A1", well),
                *(Reading("1", w, b) for w, b in zip(("B2", "B3", "B4"), blanks, strict=True)))
    text = csv_from_tidy(tidy_from_reader(ReaderData("grid", "absorbance", "OD", readings,
                                                     ("1",)), layout, "x"))
    return list(csv.DictReader(io.StringIO(text)))


def test_a_well_reading_the_blank_is_written_as_zero_not_float_noise() -> None:
    # 0.045 - mean(0.045, 0.045, 0.045) is -6.9e-18 in binary floating point.
    rows = _blank_and_well([0.045, 0.045, 0.045], 0.045)
    assert [r["response [OD]"] for r in rows] == ["0", "0", "0", "0"]
    assert rows[0]["blank [OD]"] == "0.045"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40000), st.integers(0, 40000))
def test_responses_are_the_exact_decimal_differences_of_the_readings(well: int, blank: int,
                                                                     ) -> None:
    # Readings with 4 decimals, as readers print OD: the written response is the exact
    # decimal difference (0.3 - 0.1 is 0.2, not 0.19999999999999998 nor a 1e-17 tail).
    from decimal import Decimal

    row = _blank_and_well([blank / 10000] * 3, well / 10000)[0]
    assert Decimal(row["response [OD]"]) == (Decimal(well) - Decimal(blank)) / 10000
