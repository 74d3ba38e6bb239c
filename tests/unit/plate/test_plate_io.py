"""CSV round trip, design → spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    csv_from_layout,
    layout_by_shuffle,
    layout_from_csv,
    spec_from_design,
)
from elab.errors import InputError

DATA = Path(__file__).parent / "data"


def test_csv_round_trip() -> None:
    spec = DesignSpec(
        factors=(Factor("dose", ("1 nM", "10 nM")), Factor("time", ("3 h", "24 h"))),
        replicates=2,
        controls=(Control("DMSO", "vehicle", 2),),
    )
    layout = layout_by_shuffle(spec)
    text = csv_from_layout(layout)
    assert text.splitlines()[0] == "plate,well,condition,dose,time,replicate,control,code"
    back = layout_from_csv(text)
    assert back.plate == layout.plate
    assert back.placements == layout.placements


def test_csv_errors_name_the_line() -> None:
    with pytest.raises(InputError, match="line 2"):
        layout_from_csv("plate,well,condition,replicate\n1,A0,x,1\n")
    with pytest.raises(InputError, match="lacks column"):
        layout_from_csv("well,condition\nA1,x\n")


@pytest.mark.parametrize("code", ["1" * 5000, "=1+1", "A1", ""])
def test_a_code_that_is_no_plate_map_code_orders_by_the_design(code: str) -> None:
    # a 5000-digit code crashed int(); a cell the map never writes is not trusted for order
    text = ("plate,well,condition,dose,replicate,control,code\n"
            f"1,A1,b,b,1,,1\n1,A2,a,a,1,,{code}\n")
    layout = layout_from_csv(text)
    assert layout.order == ("a", "b")


def test_spec_from_design_mapping() -> None:
    design = {
        "unit": "well",
        "plate": 96,
        "factors": [{"name": "dose", "levels": ["0.1 nM", "1 nM"]}],
        "replicates": 3,
        "controls": [{"name": "vehicle", "kind": "vehicle", "count": 3}],
        "vehicle": {"material": "dmso", "final": "0.1 % v/v"},
    }
    spec = spec_from_design(design, seed=3)
    assert spec.plate.size == 96 and spec.replicates == 3 and spec.seed == 3
    assert [c.name for c in spec.conditions()] == ["0.1 nM", "1 nM", "vehicle"]
    with pytest.raises(InputError, match="no plate format"):
        spec_from_design({"factors": []})


@pytest.mark.parametrize("protocol", ["mtt-viability", "combination-synergy", "bca-assay",
                                      "immunofluorescence-ecad", "transwell-migration",
                                      "wound-healing", "western-blot-pfak"])
def test_a_layout_read_back_keeps_its_legend_codes(protocol: str) -> None:
    """The record draws the layout a run kept as CSV: its codes must match the bench sheet's.

    Levels that are words (``vehicle``, ``defactinib``) used to come back sorted, so the
    kept layout's ``1`` was ``defactinib`` where the bench sheet's was ``vehicle``."""
    from elab.domain.plate import text_grid
    from elab.domain.protocol import load_protocol

    root = Path(__file__).resolve().parents[3] / "protocols"
    design = load_protocol(root / f"{protocol}.yaml").design
    layout = layout_by_shuffle(spec_from_design(design, seed=5))
    again = layout_from_csv(csv_from_layout(layout))
    assert text_grid(again) == text_grid(layout)
    assert again.conditions() == layout.conditions()


_WORDS = st.sampled_from(["vehicle", "defactinib", "TGFb", "SB", "Z", "a", "1 nM", "10 nM"])
_KINDS = st.sampled_from(["vehicle", "untreated", "blank", "positive", "negative", "standard"])


@settings(max_examples=60, deadline=None)
@given(levels=st.lists(_WORDS, min_size=1, max_size=5, unique=True),
       controls=st.lists(st.tuples(st.sampled_from(["ctl A", "ctl B", "ctl C", "ctl D"]),
                                   _KINDS), max_size=4, unique_by=lambda c: c[0]),
       seed=st.integers(0, 50))
def test_any_layout_read_back_has_the_codes_and_legend_it_was_written_with(
    levels: list[str], controls: list[tuple[str, str]], seed: int,
) -> None:
    from elab.domain.plate import codes_for, legend_from_layout

    spec = DesignSpec(factors=(Factor("treatment", tuple(levels)),), replicates=2,
                      controls=tuple(Control(n, k, 2) for n, k in controls), seed=seed)
    layout = layout_by_shuffle(spec)
    again = layout_from_csv(csv_from_layout(layout))
    assert codes_for(again) == codes_for(layout)
    assert [(code, c.name) for code, c in legend_from_layout(again)] == [
        (code, c.name) for code, c in legend_from_layout(layout)]
