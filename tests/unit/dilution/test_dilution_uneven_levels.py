"""Dose levels the design writes rounded (30, 10, 3, 1 nM) are what the plan makes, each
point diluted from the one above by its own step; a 0 level is the vehicle (review 14 R9)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.dilution import SerialSpec, plan_serial, serial_spec_from_design
from elab.errors import InputError


@settings(max_examples=80, deadline=None)
@given(
    top=st.floats(1.0, 1000.0), fold=st.sampled_from([2.0, 3.0, 3.16, 5.0, 10.0]),
    jitter=st.lists(st.floats(0.9, 1.1), min_size=1, max_size=6),
)
def test_the_wells_get_the_levels_as_written(top: float, fold: float,
                                             jitter: list[float]) -> None:
    levels = [top]
    for j in jitter:
        levels.append(levels[-1] / (fold * j))
    spec = SerialSpec(stock=top * 10_000, top=top, unit="nanomolar", fold=fold,
                      points=len(levels), well_ul=100, add_ul=10, vehicle_fraction=0.001,
                      levels=tuple(levels))
    finals = plan_serial(spec).figures["finals"]
    assert finals == pytest.approx(levels, rel=0.01)


def test_a_zero_level_is_the_vehicle_not_a_point() -> None:
    design = {
        "factors": [{"name": "paclitaxel", "levels": ["0 nM", "1 nM", "3 nM", "10 nM", "30 nM"]},
                    {"name": "cells", "levels": ["A", "B"]}],
        "replicates": 3,
        "vehicle": {"material": "DMSO", "final": "0.1 % v/v"},
    }
    spec = serial_spec_from_design(design, "1 mM", 100)
    assert (spec.top, spec.points, spec.levels) == (30, 4, (30, 10, 3, 1))
    assert spec.wells == 6 and spec.control_wells == 6  # the 0 nM level of both lines x 3


def test_levels_far_from_one_fold_are_no_series() -> None:
    with pytest.raises(InputError, match="not a serial dilution"):
        serial_spec_from_design({"factors": [{"name": "d", "levels": ["0 nM", "1 nM", "2 nM",
                                                                       "10 nM"]}]}, "1 mM", 100)
