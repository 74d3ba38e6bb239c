"""tumour-growth on cohorts of known growth: humane end points, drop-outs, TGI with a CI and
Welch's t-test on ln volume.

Animals grow exponentially from a stated start with a stated rate (treated at half the
control's), so the expected means, TGI and the test statistic are derived in the test from
the generated volumes, and scipy's own Welch test is the reference for the p value.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import ttest_ind

from elab.domain.analysis import load_hook, run_hook

HEADER = "animal,arm,day,length [mm],width [mm]"
DAYS = (0, 7, 14, 21)


def animal_rows(animal: str, arm: str, rate: float, noise: float, rng: np.random.Generator,
                days: tuple[int, ...] = DAYS) -> tuple[list[str], dict[int, float]]:
    """Spherical-ish tumours (L = 1.25 W) growing as V0·exp(rate·day)."""
    rows, volumes = [], {}
    v0 = 120.0 * math.exp(rng.normal(0, noise))
    for d in days:
        v = v0 * math.exp(rate * d + rng.normal(0, noise))
        w = (2 * v / 1.25) ** (1 / 3)
        rows.append(f"{animal},{arm},{d},{1.25 * w!r},{w!r}")
        volumes[d] = 0.5 * (1.25 * w) * w * w
    return rows, volumes


def cohort(noise: float, seed: int = 0) -> tuple[str, dict[str, dict[str, dict[int, float]]]]:
    rng = np.random.default_rng(seed)
    rows: list[str] = []
    vols: dict[str, dict[str, dict[int, float]]] = {"vehicle": {}, "drug": {}}
    for arm, rate in (("vehicle", 0.12), ("drug", 0.06)):
        for i in range(6):
            r, v = animal_rows(f"{arm}{i}", arm, rate, noise, rng)
            rows += r
            vols[arm][f"{arm}{i}"] = v
    return HEADER + "\n" + "\n".join(rows) + "\n", vols


def test_tgi_and_welch_test_match_their_definitions() -> None:
    text, vols = cohort(noise=0.15, seed=3)
    result = run_hook("tumour-growth", text, {"control": "vehicle", "max_volume": "5000"})
    row = next(r for r in result.results if r["arm"] == "drug" and r["day"] == 21)

    def mean(arm: str, day: int) -> float:
        return float(np.mean([v[day] for v in vols[arm].values()]))

    expected = (1 - (mean("drug", 21) - mean("drug", 0))
                / (mean("vehicle", 21) - mean("vehicle", 0))) * 100
    assert row["tgi"]["value"] == pytest.approx(expected, rel=1e-9)
    assert row["tgi"]["unit"] == "%"
    low, high = row["tgi"]["ci95"]
    assert low < expected < high
    ln = {arm: np.log([v[21] for v in vols[arm].values()]) for arm in vols}
    welch = ttest_ind(ln["drug"], ln["vehicle"], equal_var=False)
    assert row["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert row["test"] == "Welch t-test on ln volume"
    assert result.headline[0].startswith("drug vs vehicle, day 21: TGI ")
    again = run_hook("tumour-growth", text, {"control": "vehicle", "max_volume": "5000"})
    assert again.to_json() == result.to_json()  # seeded bootstrap


def test_tgi_ci_collapses_without_spread() -> None:
    text, _ = cohort(noise=0.0)
    result = run_hook("tumour-growth", text, {"control": "vehicle", "max_volume": "5000"})
    row = next(r for r in result.results if r["arm"] == "drug" and r["day"] == 21)
    value = row["tgi"]["value"]
    expected = (1 - (math.exp(0.06 * 21) - 1) / (math.exp(0.12 * 21) - 1)) * 100
    assert value == pytest.approx(expected, rel=1e-9)
    assert row["tgi"]["ci95"] == pytest.approx([value, value], rel=1e-9)


def test_humane_end_point_is_flagged() -> None:
    text = HEADER + "\nm1,vehicle,0,8,6\nm1,vehicle,21,25,22\nm2,vehicle,0,8,6\nm2,vehicle,21,9,7\n"
    result = run_hook("tumour-growth", text, {"control": "vehicle"})
    assert any(w.startswith("animal m1 (vehicle): 6050 mm³ on day 21 exceeds the humane end "
                            "point of 1500 mm³") for w in result.warnings)
    assert not any("m2" in w for w in result.warnings)
    relaxed = run_hook("tumour-growth", text, {"control": "vehicle", "max_volume": "7000 mm^3"})
    assert not any("humane" in w for w in relaxed.warnings)


def test_animal_that_drops_out_is_flagged_and_n_falls() -> None:
    text = HEADER + "\n" + "\n".join([
        "m1,drug,0,8,6", "m1,drug,7,9,7", "m1,drug,14,10,8",
        "m2,drug,0,8,6", "m2,drug,7,9,7",
    ]) + "\n"
    result = run_hook("tumour-growth", text, {"control": "drug"})
    assert any(w.startswith("animal m2 (drug) was last measured on day 7 of 14")
               for w in result.warnings)
    n = {r["day"]: r["n"] for r in result.results}
    assert n == {0.0: 2, 7.0: 2, 14.0: 1}


def test_plot_draws_every_animal() -> None:
    text, vols = cohort(noise=0.1)
    result = run_hook("tumour-growth", text, {"control": "vehicle", "max_volume": "5000"})
    assert set(result.plot_data["animals"]) == set(vols["vehicle"]) | set(vols["drug"])
    assert load_hook("tumour-growth").plot(result).startswith(b"\x89PNG")
