"""The ic50 hook against the R package drc's published fits, plus properties.

Reference values: drc 3.0-6 documentation (DoseResponse/drc on GitHub, docs/reference):
``ED(drm(rootl ~ conc, data = ryegrass, fct = LL.4()), 50, interval = "delta")`` gives
e = 3.05795 (SE 0.18573), and ``confint`` gives b in [2.0121, 3.9523], c in [0.0388, 0.9240],
d in [7.3996, 8.1863], so b = 2.98222, c = 0.48141, d = 7.79296 (midpoints, drc's
summary); ``drm(SLOPE ~ DOSE, CURVE, data = spinach, fct = LL.4())`` prints the 20
coefficients copied below.  The data sets are drcData's ``ryegrass`` and ``spinach``.
Tolerance: estimates within 1e-4 relative (drc's optimiser stops at about that), the
standard error of IC50 within 0.5 % (drc inverts a numerical Hessian, we use J'J).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.analysis import read_table, run_hook
from elab.domain.analysis.logistic import loglogistic
from elab.errors import InputError

REL = 1e-4
DATA = Path(__file__).parent / "data"

SPINACH_LL4 = {  # curve: (b, c, d, e) from drc's LL.4 help page
    "1": (0.519519, -0.016595, 1.879553, 1.794955),
    "2": (0.800796, 0.132589, 0.946000, 0.945530),
    "3": (0.681913, 0.146406, 1.090321, 1.373023),
    "4": (1.844809, 0.079552, 2.153578, 0.197326),
    "5": (1.650758, -0.009066, 1.806283, 0.210793),
}


def test_ryegrass_matches_drc_ll4(data: Path) -> None:
    result = run_hook("ic50", data / "drc_ryegrass.csv")
    (curve,) = result.results
    assert curve["ic50"]["value"] == pytest.approx(3.05795, rel=REL)
    assert curve["ic50"]["unit"] == "mM"
    assert curve["hill"] == pytest.approx(2.98222, rel=REL)
    assert curve["bottom"]["value"] == pytest.approx(0.48141, rel=REL * 5)
    assert curve["top"]["value"] == pytest.approx(7.79296, rel=REL)
    assert curve["n"] == 24
    low, high = curve["ic50"]["ci95"]
    # SE of IC50 by the delta method: IC50 * SE(ln IC50), half-width / t(0.975, 20).
    se = (math.log(high) - math.log(low)) / 2 / 2.085963 * curve["ic50"]["value"]
    assert se == pytest.approx(0.18573, rel=0.005)
    assert result.warnings == []


def test_spinach_five_curves_match_drc(data: Path) -> None:
    result = run_hook("ic50", data / "drc_spinach.csv")
    by_group = {r["group"]: r for r in result.results if r.get("kind") != "comparison"}
    assert set(by_group) == set(SPINACH_LL4)
    for group, (b, c, d, e) in SPINACH_LL4.items():
        got = by_group[group]
        assert got["ic50"]["value"] == pytest.approx(e, rel=REL)
        assert got["hill"] == pytest.approx(b, rel=REL)
        assert got["top"]["value"] == pytest.approx(d, rel=REL)
        assert got["bottom"]["value"] == pytest.approx(c, abs=1e-4)


def test_3pl_fixes_bottom_and_vehicle_normalises(data: Path) -> None:
    result = run_hook(
        "ic50", data / "drc_ryegrass.csv", {"model": "3pl", "bottom": "0", "normalize": "vehicle"}
    )
    (curve,) = result.results
    assert curve["bottom"] == {"value": 0.0, "unit": "%"}
    assert curve["top"]["unit"] == "%"
    assert 2.5 < curve["ic50"]["value"] < 4.0
    assert "Bottom fixed at 0" in result.method


def test_flat_curve_and_few_doses_warn_not_crash() -> None:
    text = "dose,response\n0,1\n1,1.02\n10,0.99\n100,1.01\n0,1.0\n1,0.98\n10,1.01\n100,0.99\n"
    result = run_hook("ic50", text)
    (curve,) = result.results
    assert "distinct doses" in " ".join(result.warnings)
    assert curve["ic50"]["value"] is None
    assert curve["converged"] is False
    assert "distinct doses" in curve["reason"]


def test_ic50_outside_range_warns() -> None:
    doses = [0.1, 0.3, 1, 3, 10, 30]
    rows = [f"{d},{loglogistic(np.array([d]), 0, 100, 1000.0, 1.0)[0]:.6f}" for d in doses]
    result = run_hook("ic50", "dose [uM],response\n" + "\n".join(rows) + "\n")
    assert "outside the tested doses" in " ".join(result.warnings)


def test_vehicle_normalisation_needs_vehicle() -> None:
    with pytest.raises(InputError, match="dose 0"):
        run_hook("ic50", "dose,response\n1,5\n2,4\n3,3\n4,2\n5,1\n", {"normalize": "vehicle"})


@settings(max_examples=25, deadline=None)
@given(
    ic50=st.floats(0.05, 50.0),
    hill=st.floats(0.6, 4.0),
    bottom=st.floats(-5.0, 20.0),
    top=st.floats(60.0, 120.0),
)
def test_noise_free_curves_recover_parameters(
    ic50: float, hill: float, bottom: float, top: float
) -> None:
    doses = np.geomspace(ic50 / 100, ic50 * 100, 9)
    resp = loglogistic(doses, bottom, top, ic50, hill)
    rows = [f"{float(d)!r},{float(r)!r}" for d, r in zip(doses, resp, strict=True)]
    text = "dose [nM],response\n" + "\n".join(rows) + "\n"
    (curve,) = run_hook("ic50", text).results
    assert curve["ic50"]["value"] == pytest.approx(ic50, rel=1e-6)
    assert curve["hill"] == pytest.approx(hill, rel=1e-6)
    assert curve["top"]["value"] == pytest.approx(top, rel=1e-6, abs=1e-6)
    assert curve["bottom"]["value"] == pytest.approx(bottom, rel=1e-6, abs=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_matter(seed: int) -> None:
    lines = (DATA / "drc_spinach.csv").read_text().splitlines()
    body = lines[1:]
    random.Random(seed).shuffle(body)
    shuffled = run_hook("ic50", "\n".join([lines[0], *body]) + "\n")
    original = run_hook("ic50", DATA / "drc_spinach.csv")
    for a, b in zip(original.results, shuffled.results, strict=True):
        if "ic50" in a:
            assert a["ic50"]["value"] == pytest.approx(b["ic50"]["value"], rel=1e-9)


def test_header_units_convert_consistently(data: Path) -> None:
    table = read_table(data / "drc_ryegrass.csv")
    doses = table.numbers("dose")
    resp = table.numbers("response")
    in_um = "dose [uM],response [cm]\n" + "\n".join(
        f"{d * 1000!r},{r!r}" for d, r in zip(doses, resp, strict=True)
    )
    (curve,) = run_hook("ic50", in_um + "\n").results
    assert curve["ic50"]["unit"] == "uM"
    assert curve["ic50"]["value"] == pytest.approx(3057.95, rel=REL)


def test_flat_curve_drifting_to_infinite_ic50_is_a_warning() -> None:
    # A curve that is all noise around 50 can send ln IC50 far beyond the doses: no crash,
    # a null or out-of-range IC50 and the flat-line warning.
    values = [50.3, 49.1, 50.8, 49.7, 50.2, 49.9, 50.6, 49.4, 50.1, 50.0]
    doses = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000]
    text = "dose,response\n" + "\n".join(f"{d},{v}" for d, v in zip(doses, values, strict=True))
    result = run_hook("ic50", text + "\n")
    assert any("flat line" in w for w in result.warnings)


def test_scipy_refit_reaches_the_batch_optimum(data: Path) -> None:
    from elab.domain.analysis.logistic import fit_loglogistic, refit_scipy, starting_values

    table = read_table(data / "drc_ryegrass.csv")
    x = np.array([table.numbers("dose")])
    y = np.array([table.numbers("response")])
    start = starting_values(x, y, np.ones_like(y, dtype=bool))[0]
    params, ok = refit_scipy(x[0], y[0], start)
    assert ok
    assert params == pytest.approx(fit_loglogistic(x, y).params[0], rel=1e-6)
