"""Vendor exports through allotropy (fixtures: allotropy's own MIT-licensed test data, see
tests/data/reader/SOURCE.md); every expected number was read off the file by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.reader import guess_format, reader_data_from_bytes
from elab.errors import InputError, NotFoundError

DATA = Path(__file__).parents[2] / "data" / "reader"


def load(name: str, fmt: str | None = None, read: int | None = None):  # type: ignore[no-untyped-def]
    return reader_data_from_bytes((DATA / name).read_bytes(), name, fmt, read)


@pytest.mark.parametrize(("name", "fmt"), [
    ("gen5_abs450_ovrflw.txt", "agilent-gen5"),
    ("softmax_abs_endpoint_3reads.txt", "moldev-softmax-pro"),
    ("bmg_mars_abs_384.csv", "bmg-mars"),
    ("envision_abs_2plates.csv", "perkin-elmer-envision"),
    ("magellan_od.xlsx", "tecan-magellan"),
    ("skanit_luciferase.xlsx", "thermo-skanit"),
])
def test_the_format_is_guessed(name: str, fmt: str) -> None:
    assert guess_format((DATA / name).read_bytes(), name) == fmt


def test_gen5_values_and_flags() -> None:
    data = load("gen5_abs450_ovrflw.txt")
    assert len(data.plates) == 1  # Gen5 takes the plate's name from the file name
    wells = data.on_plate(data.plates[0])
    assert wells["A1"].value == pytest.approx(2.1)
    assert wells["H12"].value == pytest.approx(2.5)
    assert (wells["A8"].value, wells["A8"].flag) == (None, "OVRFLW")
    assert (wells["D12"].value, wells["D12"].flag) == (None, "MISSED")
    assert (data.quantity, data.unit) == ("absorbance", "OD")
    assert "guessed" in data.notes[0]


def test_gen5_as_utf16_reads_the_same() -> None:
    raw = (DATA / "gen5_abs450_ovrflw.txt").read_bytes()
    utf16 = raw.decode("ascii").encode("utf-16")
    a = reader_data_from_bytes(raw, "g.txt", "agilent-gen5")
    b = reader_data_from_bytes(utf16, "g.txt", "agilent-gen5")
    assert [(r.well, r.value, r.flag) for r in a.readings] == \
        [(r.well, r.value, r.flag) for r in b.readings]


def test_a_windows_1252_vendor_file_is_read() -> None:
    raw = (DATA / "softmax_abs_endpoint_3reads.txt").read_bytes()
    latin = raw.decode("utf-8").encode("cp1252")
    assert latin != raw  # the file's "¡C" is one byte in Windows-1252
    data = reader_data_from_bytes(latin, "s.txt", "MOLDEV_SOFTMAX_PRO", read=2)
    assert data.on_plate("Plate1")["A1"].value == pytest.approx(0.02)


def test_softmax_several_reads_need_a_choice() -> None:
    with pytest.raises(InputError, match=r"3 reads per well .*--read 1\.\.3"):
        load("softmax_abs_endpoint_3reads.txt")
    second = load("softmax_abs_endpoint_3reads.txt", read=2).on_plate("Plate1")
    third = load("softmax_abs_endpoint_3reads.txt", read=3).on_plate("Plate1")
    assert (second["A1"].value, second["A12"].value) == (pytest.approx(0.02), pytest.approx(0.24))
    assert third["A2"].value == pytest.approx(0.06)
    with pytest.raises(InputError, match=r"--read 4 is not one of 1\.\.3"):
        load("softmax_abs_endpoint_3reads.txt", read=4)


def test_bmg_mars_384_partial_plate() -> None:
    wells = load("bmg_mars_abs_384.csv").on_plate("472-0016")
    assert wells["A1"].value == pytest.approx(0.031)
    assert wells["C1"].value == pytest.approx(2.368)
    assert wells["P24"].value == pytest.approx(0.032)
    assert "J1" not in wells


def test_envision_two_plates() -> None:
    data = load("envision_abs_2plates.csv")
    assert data.plates == ("Plate 1", "Plate 2")
    assert data.on_plate("Plate 1")["A1"].value == pytest.approx(0.15)
    assert data.on_plate("Plate 2")["A4"].value == pytest.approx(2.0)


def test_magellan_xlsx() -> None:
    wells = load("magellan_od.xlsx").on_plate("96WEL008")
    assert (wells["A1"].value, wells["B1"].value) == (pytest.approx(0.1462), pytest.approx(0.2118))


def test_skanit_luminescence_in_rlu() -> None:
    data = load("skanit_luciferase.xlsx")
    wells = data.on_plate("Plate 1")
    assert (data.quantity, data.unit) == ("luminescence", "RLU")
    assert (wells["A1"].value, wells["B6"].value) == (pytest.approx(105.4), pytest.approx(58370))


def test_kinetic_files_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="kinetic read") as info:
        load("softmax_fl_kinetic.txt")
    assert "\n" not in str(info.value)


def test_wrong_format_is_one_line_not_a_traceback() -> None:
    with pytest.raises(InputError, match="allotropy could not read it as agilent-gen5") as info:
        load("bmg_mars_abs_384.csv", "agilent-gen5")
    assert "\n" not in str(info.value)


def test_unknown_format_suggests_a_name() -> None:
    with pytest.raises(NotFoundError, match="agilent-gen5"):
        load("gen5_abs450_ovrflw.txt", "agilent-gen")
