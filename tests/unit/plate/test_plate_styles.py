"""Ordered layouts (``blocked``, ``by-column``): every condition placed its number of times,
no well twice, and in a blocked layout each series contiguous along a row, replicates in the
rows below, so a multichannel pipette moves from dose to dose."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    Layout,
    check_layout,
    format_from_text,
    layout_by_style,
    series_factor,
    text_grid,
)
from elab.errors import InputError

DOSES = ("0.01 uM", "0.1 uM", "1 uM", "10 uM", "100 uM", "1 mM")
TIMES = ("3 h", "24 h", "48 h")


@st.composite
def designs(draw: st.DrawFn) -> DesignSpec:
    """Designs that fit their plates, whose longest series fits a row of usable wells."""
    wells = draw(st.sampled_from([6, 24, 96, 384]))
    small = wells < 96  # a 6-well plate holds 2 per-plate controls and a condition beside them
    doses = Factor("dose", DOSES[: draw(st.integers(1, 6))])
    timed = draw(st.booleans())
    factors = (doses, Factor("time", TIMES[: draw(st.integers(1, 3))])) if timed else (doses,)
    controls = []
    if draw(st.booleans()):
        crossed = ("time",) if timed and draw(st.booleans()) else ()
        most = 4 if crossed or not small else 1
        controls.append(Control("vehicle", "vehicle", draw(st.integers(1, most)), crossed))
    if draw(st.booleans()):
        controls.append(Control("blank", "blank", draw(st.integers(1, 1 if small else 4))))
    plate_by = "time" if timed and draw(st.booleans()) else None
    if plate_by and any(not c.for_each for c in controls if c.kind == "vehicle"):
        controls = [Control(c.name, c.kind, c.count, ("time",)) if c.kind == "vehicle" else c
                    for c in controls]
    rings = [None, "medium", "use"] if not small else [None, "use"]  # small plates: all edge
    return DesignSpec(
        factors=factors,
        replicates=draw(st.integers(1, 3 if small else 4)),
        controls=tuple(controls),
        plate=format_from_text(wells),
        edge=draw(st.sampled_from(rings)),
        spread=draw(st.sampled_from(["same", "plates"])),
        plate_by=plate_by,
        style=draw(st.sampled_from(["blocked", "by-column"])),
    )


def usable_rows(spec: DesignSpec) -> int:
    return spec.plate.rows - 2 * spec.edge_ring


def tallest(spec: DesignSpec) -> int:
    return max([spec.replicates, *(c.count for c in spec.controls)])


def fits_a_row(spec: DesignSpec) -> bool:
    """Its replicates fit a column and its longest series (doses and controls) a row: only
    a series wider than the plate wraps."""
    widest = len(spec.factors[0].levels) + len(spec.controls)
    return (tallest(spec) <= usable_rows(spec)
            and widest <= spec.plate.cols - 2 * spec.edge_ring)


def expected_counts(spec: DesignSpec, layout: Layout) -> Counter[str]:
    want: Counter[str] = Counter()
    for cond, n in spec.placed_items():
        want[cond.name] += n
    for ctl in spec.plate_controls():
        want[ctl.name] += ctl.count * layout.plates
    return want


@settings(max_examples=80, deadline=None)
@given(designs())
def test_every_condition_is_placed_its_number_of_times_in_distinct_wells(
        spec: DesignSpec) -> None:
    layout = layout_by_style(spec)
    placed = [p for p in layout if p.kind != "edge"]
    assert Counter(p.condition for p in placed) == expected_counts(spec, layout)
    spots = [(p.plate, p.well) for p in layout]
    assert len(spots) == len(set(spots))  # no well twice
    assert check_layout(layout, spec) == []


@settings(max_examples=80, deadline=None)
@given(designs().filter(lambda s: s.style == "blocked" and fits_a_row(s)))
def test_a_blocked_series_runs_along_one_row_band_with_replicates_side_by_side(
        spec: DesignSpec) -> None:
    layout = layout_by_style(spec)
    along = series_factor(spec)
    series: dict[tuple[int, tuple[tuple[str, str], ...]], list[tuple[int, int, str]]] = (
        defaultdict(list))
    for p in layout:
        if p.kind == "sample":
            rest = tuple((f, v) for f, v in p.levels if f != along)
            series[(p.plate, rest)].append((*p.ij(), dict(p.levels).get(along or "", "")))
    levels = dict((f.name, f.levels) for f in spec.factors)
    by_column = {int(n.split(":")[0].split()[1]) for n in layout.notes if "too full" in n}
    for (plate, _), cells in series.items():
        if plate in by_column:  # a plate too full for rows of bands, and the note says so
            continue
        by_cond: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, j, level in cells:
            by_cond[level].append((i, j))
        columns = []
        for level in sorted(by_cond, key=lambda v: levels[along].index(v) if along else 0):
            wells = by_cond[level]
            (col,) = {j for _, j in wells}  # a condition's replicates share one column
            rows = sorted(i for i, _ in wells)
            assert rows == list(range(rows[0], rows[0] + len(rows)))  # side by side
            columns.append((col, rows[0]))
        # dose after dose in neighbouring columns of the same rows
        assert len({top for _, top in columns}) == 1
        cols = [c for c, _ in columns]
        assert cols == list(range(cols[0], cols[0] + len(cols)))


def test_the_mtt_plate_blocked_reads_as_a_bench_would_pipette_it() -> None:
    spec = DesignSpec((Factor("dose", DOSES),), 3,
                      (Control("vehicle", "vehicle", 3), Control("medium", "blank", 3)),
                      style="blocked")
    grid = text_grid(layout_by_style(spec), legend=False).splitlines()
    assert grid[3:6] == [
        "B  .  1  2  3  4  5  6 v1 b1  .  .  .",
        "C  .  1  2  3  4  5  6 v1 b1  .  .  .",
        "D  .  1  2  3  4  5  6 v1 b1  .  .  .",
    ]


def test_by_column_fills_each_column_top_down_in_design_order() -> None:
    spec = DesignSpec((Factor("dose", DOSES[:2]),), 3, (Control("vehicle", "vehicle", 2),),
                      format_from_text(24), style="by-column")
    layout = layout_by_style(spec)
    order = [p.condition for p in sorted(layout, key=lambda p: (p.ij()[1], p.ij()[0]))]
    assert order == ["0.01 uM"] * 3 + ["0.1 uM"] * 3 + ["vehicle"] * 2
    assert [p.well for p in layout if p.condition == "0.01 uM"] == ["A1", "B1", "C1"]


def test_a_plate_too_full_for_blocked_rows_is_laid_out_by_column_and_says_so() -> None:
    spec = DesignSpec((Factor("dose", DOSES[:5]), Factor("time", TIMES[:2])), 4,
                      (Control("vehicle", "vehicle", 1),), style="blocked")
    layout = layout_by_style(spec)
    assert "plate 1: too full for blocked rows, laid out by column" in layout.notes
    assert check_layout(layout, spec) == []


def test_pins_need_the_randomised_style() -> None:
    from elab.domain.plate import Pin

    with pytest.raises(InputError, match="randomised"):
        DesignSpec((Factor("dose", DOSES),), 1, (), pins=(Pin("1 uM", "B2"),), style="blocked")
