"""The 95 % interval of TGI: studentized over animals, none where the animals cannot give one.

A percentile bootstrap over 5–8 animals per arm treats their spread as known and covered
76–89 % in simulation (review 13c S7; benchmarks/ci_coverage.py).  The bootstrap-t interval
(Efron & Tibshirani 1993, ch. 12) standardises each redraw by its delta-method standard error;
here it is checked against the delta-method t interval computed by hand on a fixed cohort.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as t_dist

from elab.domain.analysis import run_hook

# Volumes (mm³) of 5 mice per arm on day 0 and day 14; width = (2V/1.25)^(1/3), L = 1.25 W.
VOLUMES = {
    "vehicle": [(150, 780), (120, 510), (170, 1010), (140, 640), (160, 560)],
    "drug": [(145, 330), (155, 420), (130, 260), (165, 300), (150, 470)],
}


def cohort(volumes: dict[str, list[tuple[float, float]]]) -> str:
    lines = ["animal,arm,day,length [mm],width [mm]"]
    for arm, pairs in volumes.items():
        for i, pair in enumerate(pairs):
            for day, v in zip((0, 14), pair, strict=True):
                width = (2 * v / 1.25) ** (1 / 3)
                lines.append(f"{arm}{i},{arm},{day},{1.25 * width!r},{width!r}")
    return "\n".join(lines) + "\n"


def hand_interval(volumes: dict[str, list[tuple[float, float]]]) -> tuple[float, float, float]:
    """TGI and its delta-method t interval (Welch–Satterthwaite df)."""
    growth = {arm: np.array([b - a for a, b in pairs]) for arm, pairs in volumes.items()}
    dt, dc = growth["drug"].mean(), growth["vehicle"].mean()
    vt = growth["drug"].var(ddof=1) / 5
    vc = growth["vehicle"].var(ddof=1) / 5
    r = dt / dc
    terms = (vt / dc**2, r**2 * vc / dc**2)
    df = sum(terms) ** 2 / sum(v**2 / 4 for v in terms)
    half = float(t_dist.ppf(0.975, df)) * math.sqrt(sum(terms)) * 100
    value = (1 - r) * 100
    return value, value - half, value + half


def row_of(result: object, day: float = 14.0) -> dict[str, object]:
    return next(r for r in result.results  # type: ignore[attr-defined]
                if r["arm"] == "drug" and r["day"] == day)


def test_tgi_interval_is_as_wide_as_the_t_interval() -> None:
    result = run_hook("tumour-growth", cohort(VOLUMES), {"control": "vehicle"})
    tgi = row_of(result)["tgi"]
    value, low, high = hand_interval(VOLUMES)
    assert tgi["value"] == pytest.approx(value, rel=1e-9)  # type: ignore[index]
    ours = tgi["ci95"]  # type: ignore[index]
    # A percentile bootstrap of these 5 + 5 mice is about 0.6 of the t interval.
    assert 0.85 < (ours[1] - ours[0]) / (high - low) < 1.5
    assert ours[0] < value < ours[1]
    assert "studentized bootstrap" in result.method


def test_control_growth_within_noise_gives_no_interval_and_says_why() -> None:
    volumes = {
        "vehicle": [(150, 900), (120, 130), (170, 160), (140, 1200), (160, 150)],
        "drug": VOLUMES["drug"],
    }
    result = run_hook("tumour-growth", cohort(volumes), {"control": "vehicle"})
    tgi = row_of(result)["tgi"]
    assert tgi["value"] is not None  # type: ignore[index]
    assert tgi["ci95"] == [None, None]  # type: ignore[index]
    assert "not distinguishable from zero" in tgi["ci_reason"]  # type: ignore[index]
    assert "(no 95 % CI: the control's growth is not distinguishable from zero" \
        in result.headline[0]


def test_two_animals_per_arm_give_a_test_but_no_interval() -> None:
    volumes = {arm: pairs[:2] for arm, pairs in VOLUMES.items()}
    result = run_hook("tumour-growth", cohort(volumes), {"control": "vehicle"})
    row = row_of(result)
    assert row["p_value"] is not None
    assert row["tgi"]["ci95"] == [None, None]  # type: ignore[index]
    assert row["tgi"]["ci_reason"].startswith("2 animal(s) in an arm")  # type: ignore[index]
    assert "at least 3 animals per arm" in result.headline[0]


def test_a_blank_caliper_row_is_left_out_with_a_warning_and_the_method_says_so() -> None:
    lines = cohort(VOLUMES).splitlines()
    lines = [line if not line.startswith("drug0,drug,14,") else "drug0,drug,14,,5.0"
             for line in lines]
    lines.append("drug1,drug,7,,")  # a weighing-only row would carry a body weight
    result = run_hook("tumour-growth", "\n".join(lines) + "\n", {"control": "vehicle"})
    assert row_of(result)["n"] == 4
    assert "2 row(s) with a blank day, length or width left out" in " ".join(result.warnings)
    assert "n counting the animals measured that day (a row with a blank day, length or " \
        "width is left out, with a warning)" in result.method
