"""The quantity language: lab units, ranges, bench words, ratios, and what is refused."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.errors import DimensionError, QuantityError
from elab.units import (
    BENCH_WORDS,
    QRange,
    convert,
    format_duration,
    format_quantity,
    parse_quantity,
    parse_ratio,
    rcf_from_rpm,
    rpm_from_rcf,
)


@pytest.mark.parametrize(
    ("text", "kind", "low", "high", "unit"),
    [
        ("600 uL", "volume", 600, 600, "microliter"),
        ("600 µL", "volume", 600, 600, "microliter"),
        ("600 μL", "volume", 600, 600, "microliter"),
        ("5e4 cells", "cells", 5e4, 5e4, "cell"),
        ("14000 x g", "acceleration", 14000, 14000, "rcf"),
        ("14000 × g", "acceleration", 14000, 14000, "rcf"),
        ("1500 rpm", "speed", 1500, 1500, "revolutions_per_minute"),
        ("12-48 h", "time", 12, 48, "hour"),
        ("20–30 ug", "mass", 20, 30, "microgram"),
        ("12 to 48 h", "time", 12, 48, "hour"),
        (">= 1 h", "time", 1, None, "hour"),
        ("at least 1 h", "time", 1, None, "hour"),
        ("up to 5 min", "time", None, 5, "minute"),
        ("3-5e3 cells/well", "cells_per_well", 3000, 5000, "cell / well"),
        ("37 °C", "temperature", 37, 37, "degree_Celsius"),
        ("37 degC", "temperature", 37, 37, "degree_Celsius"),
        ("-80 °C", "temperature", -80, -80, "degree_Celsius"),
        ("10 % w/v", "concentration", 10, 10, "percent_wv"),
        ("0.1 % v/v", "dimensionless", 0.1, 0.1, "percent_vv"),
        ("10 uM", "molar", 10, 10, "micromolar"),
        ("10 nM", "molar", 10, 10, "nanomolar"),
        ("1 M", "molar", 1, 1, "molar"),
        ("50 mg/kg", "dose", 50, 50, "milligram / kilogram"),
        ("75 mg/m^2", "dose_bsa", 75, 75, "milligram / meter ** 2"),
        ("1e5 cells/mL", "cell_density", 1e5, 1e5, "cell / milliliter"),
        ("10x", "magnification", 10, 10, "magnification"),
        ("0.6 OD", "optical_density", 0.6, 0.6, "OD"),
        ("570 nm", "wavelength", 570, 570, "nanometer"),
        ("200 ug/mL", "concentration", 200, 200, "microgram / milliliter"),
    ],
)
def test_lab_quantities_parse(
    text: str, kind: str, low: float | None, high: float | None, unit: str
) -> None:
    q = parse_quantity(text, kind)
    assert (q.low, q.high, q.unit) == (low, high, unit)


@pytest.mark.parametrize(
    ("word", "low", "high", "unit"),
    [
        ("overnight", 12, 18, "hour"),
        ("RT", 20, 25, "degree_Celsius"),
        ("room temperature", 20, 25, "degree_Celsius"),
        ("on ice", 0, 4, "degree_Celsius"),
    ],
)
def test_bench_words_map_to_documented_ranges(
    word: str, low: float, high: float, unit: str
) -> None:
    q = parse_quantity(word)
    assert (q.low, q.high, q.unit) == (low, high, unit)
    assert BENCH_WORDS[word.lower()] == (low, high, unit)


def test_overnight_is_planned_as_16_hours() -> None:
    assert parse_quantity("overnight", "time").planned == 16


@pytest.mark.parametrize(
    ("text", "kind", "error", "message"),
    [
        ("600 ug", "volume", DimensionError, "'600 ug' is not a volume (a mass)"),
        ("37 min", "temperature", DimensionError, "'37 min' is not a temperature (a duration)"),
        ("37 C", "temperature", QuantityError, "bare 'C' is coulomb"),
        ("48-12 h", "time", QuantityError, "runs backwards"),
        ("-5 uL", "volume", QuantityError, "cannot be negative"),
        ("1e400 uL", None, QuantityError, "too large"),
        ("inf uL", None, QuantityError, "is not a quantity"),
        ("2**1000 uL", None, QuantityError, "is not a unit"),
        ("3 * 4 uL", None, QuantityError, "is not a unit"),
        ("10 furlongs/fortnight/bogus", None, QuantityError, "unknown unit"),
        ("", None, QuantityError, "empty quantity"),
        ("x" * 200, None, QuantityError, "longer than"),
    ],
)
def test_bad_quantities_are_refused(
    text: str, kind: str | None, error: type[Exception], message: str
) -> None:
    with pytest.raises(
        error, match=message.replace("*", r"\*").replace("(", r"\(").replace(")", r"\)")
    ):
        parse_quantity(text, kind)


def test_rcf_and_rpm_are_different_kinds_and_need_a_radius() -> None:
    with pytest.raises(DimensionError):
        convert(1500, "revolutions_per_minute", "rcf")
    assert rcf_from_rpm(13000, 8.5) == pytest.approx(16060, rel=1e-3)
    assert rpm_from_rcf(rcf_from_rpm(13000, 8.5), 8.5) == pytest.approx(13000)


def test_ratios() -> None:
    assert parse_ratio("1:1000").dilution_factor == 1000
    assert parse_ratio("1:1").fraction_first == 0.5
    with pytest.raises(QuantityError):
        parse_ratio("1:0")


def test_conversions_and_formatting() -> None:
    assert convert(1.2, "milligram / milliliter", "microgram / milliliter") == pytest.approx(1200)
    assert convert(37, "degree_Celsius", "kelvin") == pytest.approx(310.15)
    assert format_quantity(600, "microliter") == "600 µL"
    assert format_quantity(14000, "rcf") == "14000 × g"
    assert format_quantity(37, "degree_Celsius") == "37 °C"
    assert format_quantity(5e6, "cell") == "5e6 cells"
    assert str(parse_quantity("12-48 h")) == "12–48 h"
    assert format_duration(90 * 60) == "1 h 30 min"
    assert format_duration(3 * 86400 + 4 * 3600) == "3 d 4 h"
    assert format_duration(None) == "open"


def test_range_contains_in_other_units() -> None:
    r = parse_quantity("0.5-10 mg/mL")
    assert r.contains(1200, "microgram / milliliter")
    assert not r.contains(20, "milligram / milliliter")


@given(st.text(max_size=60))
def test_any_string_is_a_quantity_or_a_quantity_error(text: str) -> None:
    try:
        result = parse_quantity(text)
    except QuantityError:
        return
    assert isinstance(result, QRange)
    for end in (result.low, result.high):
        assert end is None or math.isfinite(end)


@given(
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
    st.sampled_from(["uL", "mL", "h", "min", "cells", "ug/mL", "nM", "x g"]),
)
def test_written_ranges_read_back(a: float, b: float, unit: str) -> None:
    low, high = sorted((a, b))
    q = parse_quantity(f"{low!r}-{high!r} {unit}")
    assert (q.low, q.high) == (low, high)
