"""``elab dose`` for animals: the overage survives rounding; a dosing volume far above good
practice (Diehl et al. 2001: 10 mL/kg by gavage for a mouse) is said on stderr."""

from __future__ import annotations

import json

import pytest
from cli_calls import run
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.dosing import dose_animals


def test_a_tiny_dosing_volume_keeps_its_overage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dose", "50 mg/kg", "--weight", "20", "--dosing-volume",
                          "0.1 mL/kg"], capsys)
    assert code == 0, err
    assert "make 0.0024 mL (1.2 mg), with 20 % overage" in out
    assert err == ""


@pytest.mark.parametrize(("volume", "route"), [("100 mL/kg", "oral"), ("30 mL/kg", "i.p.")])
def test_a_dosing_volume_above_good_practice_is_one_warning(
        volume: str, route: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["dose", "50 mg/kg", "--weight", "20", "--dosing-volume", volume,
                          "--route", route], capsys)
    assert code == 0
    assert "make" in out
    assert len(err.strip().splitlines()) == 1
    assert "warning" in err and "Diehl" in err and route in err


def test_good_practice_volumes_say_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    for volume, route in (("10 mL/kg", "oral"), ("20 mL/kg", "i.p.")):
        code, out, err = run(["dose", "50 mg/kg", "--weight", "20,22", "--dosing-volume",
                              volume, "--route", route, "--json"], capsys)
        assert code == 0 and err == ""
        assert json.loads(out)["dosing_ml_per_kg"] == float(volume.split()[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(15, 40), min_size=1, max_size=8), st.floats(0.05, 20),
       st.floats(0.05, 0.5))
def test_the_total_covers_the_doses_with_their_overage(weights: list[float], volume: float,
                                                       overage: float) -> None:
    plan = dose_animals(50, weights, volume, overage)
    needed = sum(a.volume_ul for a in plan.animals) / 1000 * (1 + overage)
    assert plan.total_ml == pytest.approx(needed, rel=1e-3, abs=1e-6)
