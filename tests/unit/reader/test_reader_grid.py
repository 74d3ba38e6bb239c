"""elab's own grid reader: CSV, TSV, XLSX, UTF-16 and Windows-1252, flags and several plates."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.reader import grid_from_bytes, guess_format
from elab.errors import InputError

DATA = Path(__file__).parents[2] / "data" / "reader"


def grid_text(values: dict[str, str], cols: int = 12, head: str = "Absorbance 570 nm") -> str:
    rows = 8 if cols == 12 else 16
    lines = [head, "", "," + ",".join(str(c) for c in range(1, cols + 1))]
    for r in string.ascii_uppercase[:rows]:
        lines.append(r + "," + ",".join(values.get(f"{r}{c}", "0.1") for c in range(1, cols + 1)))
    return "\n".join(lines) + "\n"


def test_grid_csv_keeps_values_and_flags() -> None:
    data = grid_from_bytes((DATA / "grid_mtt.csv").read_bytes(), "grid_mtt.csv")
    wells = data.on_plate("1")
    assert len(wells) == 96
    assert wells["B3"].value == 0.06
    assert wells["F2"].value == 0.56
    assert (wells["E4"].value, wells["E4"].flag) == (None, "MISSED")
    assert (wells["A1"].value, wells["A1"].flag) == (None, "OVRFLW")
    assert (data.quantity, data.unit) == ("absorbance", "OD")


def test_latin1_tsv_with_decimal_comma_reads_the_same_numbers() -> None:
    csv_data = grid_from_bytes((DATA / "grid_mtt.csv").read_bytes(), "a.csv")
    tsv_data = grid_from_bytes((DATA / "grid_mtt_latin1.tsv").read_bytes(), "b.tsv")
    assert [r.value for r in tsv_data.readings] == [r.value for r in csv_data.readings]
    assert any("CP1252" in n for n in tsv_data.notes)


def test_utf16_grid_with_and_without_bom() -> None:
    text = (DATA / "grid_mtt.csv").read_text(encoding="utf-8")
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        found = grid_from_bytes(data, "u16.csv")
        assert found.on_plate("1")["F2"].value == 0.56


def test_xlsx_grid() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Luminescence"])
    sheet.append([])
    sheet.append([None, *range(1, 13)])
    for r in "ABCDEFGH":
        sheet.append([r, *[float(c) * 10 for c in range(1, 13)]])
    sheet["D6"] = "OVRFLW"  # plate row C is sheet row 6; plate column 3 is sheet column D
    out = io.BytesIO()
    book.save(out)
    data = grid_from_bytes(out.getvalue(), "plate.xlsx")
    wells = data.on_plate("1")
    assert wells["A12"].value == 120.0
    assert wells["C3"].flag == "OVRFLW"
    assert (data.quantity, data.unit) == ("luminescence", "RLU")


def test_384_well_grid_and_two_plates() -> None:
    one = grid_text({"P24": "7.5"}, cols=24)
    data = grid_from_bytes((one + "\n" + one.replace("7.5", "8.5")).encode(), "two.csv")
    assert data.plates == ("1", "2")
    assert data.on_plate("1")["P24"].value == 7.5
    assert data.on_plate("2")["P24"].value == 8.5
    assert len(data.on_plate("2")) == 384


def test_a_word_that_is_no_flag_is_refused_with_its_well() -> None:
    with pytest.raises(InputError, match=r"well C5: 'abc' is neither a number"):
        grid_from_bytes(grid_text({"C5": "abc"}).encode(), "bad.csv")


def test_no_grid_is_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="no 8x12 or 16x24 grid"):
        grid_from_bytes(b"just,some\ntext,here\n", "x.csv")


def test_binary_junk_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        grid_from_bytes(b"\x00\x01\x02garbage\x00" * 50 + b"\xff", "junk.bin")


def test_a_plain_grid_is_guessed_as_grid() -> None:
    assert guess_format(grid_text({}).encode(), "plain.csv") == "grid"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=96,
                max_size=96))
def test_any_grid_of_numbers_reads_back_exactly(values: list[float]) -> None:
    cells = {f"{r}{c}": repr(v) for (r, c), v in zip(
        ((r, c) for r in "ABCDEFGH" for c in range(1, 13)), values, strict=True)}
    data = grid_from_bytes(grid_text(cells).encode(), "h.csv")
    assert [r.value for r in data.readings] == values
