"""Well algebra: names, indices, formats, edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.plate import FORMATS, PlateFormat, format_from_text, ij_from_well, well_from_ij
from elab.domain.plate.wells import edge_distance, is_edge, neighbours, row_from_name, row_name
from elab.errors import InputError


@pytest.mark.parametrize(("size", "last"), [(6, "B3"), (12, "C4"), (24, "D6"), (48, "F8"),
                                             (96, "H12"), (384, "P24")])
def test_standard_formats_end_where_plates_do(size: int, last: str) -> None:
    fmt = format_from_text(size)
    assert well_from_ij(fmt.rows - 1, fmt.cols - 1) == last
    assert fmt.size == size


def test_any_dimensions_and_spellings() -> None:
    assert format_from_text("5x7") == PlateFormat(5, 7)
    assert format_from_text("96-well") == PlateFormat(8, 12)
    with pytest.raises(InputError, match="unknown plate format"):
        format_from_text("97")


@given(st.integers(0, 60), st.integers(0, 99))
def test_well_round_trip(i: int, j: int) -> None:
    assert ij_from_well(well_from_ij(i, j)) == (i, j)


def test_names() -> None:
    assert ij_from_well("a01") == (0, 0)
    assert ij_from_well("P24") == (15, 23)
    assert row_name(26) == "AA" and row_from_name("AA") == 26
    with pytest.raises(InputError, match="not on a 96-well plate"):
        ij_from_well("I1", format_from_text(96))
    with pytest.raises(InputError, match="not a well name"):
        ij_from_well("A0")


def test_edges_and_neighbours() -> None:
    fmt = format_from_text(96)
    assert edge_distance(0, 5, fmt) == 0 and edge_distance(3, 4, fmt) == 3
    assert is_edge(7, 11, fmt, 1) and not is_edge(1, 1, fmt, 1) and is_edge(1, 1, fmt, 2)
    assert sorted(neighbours(0, 0, fmt)) == [(0, 1), (1, 0)]
    assert set(FORMATS) >= {6, 12, 24, 48, 96, 384}
