"""wellmap layouts read by wellmap's own loader, checked against wellmap's documentation.

The data files in ``data/wellmap/`` follow the examples of wellmap's ``docs/file_format.rst``;
each expectation below is a well list that documentation states.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.plate import Layout, layout_from_wellmap
from elab.errors import InputError

DATA = Path(__file__).parent / "data"
WELLMAP = DATA / "wellmap"


def samples(layout: Layout, key: str = "sample", plate: int = 1) -> dict[str, str]:
    return {p.well: dict(p.levels)[key] for p in layout.on_plate(plate) if key in dict(p.levels)}


def wells_of(layout: Layout, value: str, key: str = "sample") -> list[str]:
    return sorted(well for well, v in samples(layout, key).items() if v == value)


def test_irow_interleaves_a_row_with_its_neighbour() -> None:
    layout = layout_from_wellmap(WELLMAP / "irow.toml")
    # wellmap docs: [irow.A] is A1, B2, A3, B4; [irow.B] is B1, A2, B3, A4.
    assert wells_of(layout, "alpha") == ["A1", "A3", "B2", "B4"]
    assert wells_of(layout, "beta") == ["A2", "A4", "B1", "B3"]
    assert wells_of(layout, "gamma") == ["C1", "C3", "D2", "D4"]
    assert len(layout.placements) == 16


def test_icol_interleaves_a_column_with_its_neighbour() -> None:
    layout = layout_from_wellmap(WELLMAP / "icol.toml")
    assert wells_of(layout, "alpha") == ["A1", "B2", "C1", "D2"]
    assert wells_of(layout, "beta") == ["A2", "B1", "C2", "D1"]
    assert wells_of(layout, "delta") == ["A4", "B3", "C4", "D3"]


def test_an_ellipsis_pattern_steps_over_rows_and_columns() -> None:
    layout = layout_from_wellmap(WELLMAP / "patterns.toml")
    assert sorted(p.well for p in layout) == sorted(
        ["A1", "A3", "A5", "C1", "C3", "C5", "E1", "E3", "E5"])


def test_the_more_specific_group_wins() -> None:
    layout = layout_from_wellmap(WELLMAP / "precedence.toml")
    level = samples(layout, "level")
    assert level["A1"] == "well"
    assert level["B2"] == "block 2x2"  # the smaller block beats the larger
    assert level["C3"] == "block 3x3"
    assert level["A4"] == "row"  # row beats column
    assert level["D1"] == "col"
    assert level["E5"] == "expt"


def test_each_plate_is_numbered_in_file_order() -> None:
    layout = layout_from_wellmap(WELLMAP / "two_plates.toml")
    assert layout.plates == 2
    assert set(samples(layout, "treatment", 1).values()) == {"vehicle"}
    assert set(samples(layout, "treatment", 2).values()) == {"drug"}
    assert len(layout.on_plate(2)) == 6


def test_controls_and_conditions_of_a_timecourse() -> None:
    layout = layout_from_wellmap(WELLMAP / "timecourse.toml")
    grid = layout.grid(1)
    assert grid[(0, 2)].kind == "sample"  # 'no GFP' is a condition, not a control kind
    assert grid[(0, 2)].condition == "no GFP"
    assert dict(grid[(3, 1)].levels) == {
        "sgrna": "ligRNA-", "time": "00:04:20", "primers": "16s"}
    assert grid[(3, 1)].condition == "00:04:20 / 16s"  # the constant sgrna names nothing


def test_an_included_file_applies_below_the_main_one() -> None:
    layout = layout_from_wellmap(WELLMAP / "include_main.toml")
    assert samples(layout) == {"A1": "main", "A2": "base"}


def test_rows_columns_blocks_and_a_blank_control() -> None:
    layout = layout_from_wellmap(DATA / "qpcr.toml")
    grid = layout.grid(1)
    assert layout.plate.size == 96
    assert dict(grid[(0, 0)].levels)["primers"] == "GAPDH"
    assert grid[(0, 0)].replicate == 7
    assert dict(grid[(1, 1)].levels)["template"] == "cDNA 1:100"  # block beats column
    assert dict(grid[(1, 3)].levels)["template"] == "none" and grid[(1, 3)].kind == "blank"
    assert (2, 0) not in grid  # row C is not described


def test_a_wide_layout_takes_the_384_well_plate(tmp_path: Path) -> None:
    path = tmp_path / "wide.toml"
    path.write_text("[well.P24]\nsample = 'corner'\n", encoding="utf-8")
    assert layout_from_wellmap(path).plate.size == 384


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[well.A1\n", "line 1"),
        ("[wel.A1]\nsample = 'x'\n", "No wells defined"),
        ("[expt]\nplate_format = 97\n[well.A1]\nx = 1\n", "unknown plate format"),
        ("[well.A1]\nreplicate = 'first'\n", "not a whole number"),
    ],
)
def test_a_bad_layout_is_one_input_error_naming_the_file(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as caught:
        layout_from_wellmap(path)
    assert str(path) in str(caught.value)
