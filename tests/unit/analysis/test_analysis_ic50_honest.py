"""The ic50 hook on data sets of known answer: relative vs absolute IC50, 'not reached',
flat and too-few-dose data, blanks and controls, and the comparison of curves.

Every data set is drawn from a stated 4PL model; the expected values are derived from that
model in the test (the dose where it crosses 50 % is found by root finding), never typed in.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq, curve_fit

from elab.domain.analysis import load_hook, run_hook
from elab.domain.analysis.logistic import loglogistic

DOSES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]  # µM, top dose 30


def model_csv(
    bottom: float, top: float, ic50: float, hill: float, *, noise: float = 0.0, seed: int = 1,
    scale: float = 1.0, offset: float = 0.0, group: str = "", reps: int = 3,
) -> list[str]:
    """Rows ``dose,response[,group]`` from the 4PL model, vehicle wells at dose 0."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in [0.0, *DOSES]:
        for _ in range(reps):
            y = float(loglogistic(np.array([d]), bottom, top, ic50, hill)[0])
            y = offset + scale * y + (rng.normal(0, noise) if noise else 0.0)
            rows.append(f"{d!r},{y!r}" + (f",{group}" if group else ""))
    return rows


def crossing(bottom: float, top: float, ic50: float, hill: float, level: float) -> float:
    """The dose where the model equals ``level``, by root finding on the model itself."""
    return float(brentq(
        lambda x: float(loglogistic(np.array([x]), bottom, top, ic50, hill)[0]) - level,
        1e-9, 1e9, xtol=1e-14, rtol=1e-13))


def text(rows: list[str], header: str = "dose [uM],response") -> str:
    return header + "\n" + "\n".join(rows) + "\n"


def test_plateau_at_60_percent_gives_relative_ic50_and_no_absolute() -> None:
    result = run_hook("ic50", text(model_csv(60, 100, 0.5, 1.0)), {"normalize": "vehicle"})
    (curve,) = result.results
    assert curve["ic50"]["value"] == pytest.approx(0.5, rel=1e-6)
    assert curve["absolute_ic50"]["value"] is None
    assert curve["absolute_ic50"]["bound"] == "> 30 uM"
    assert any("50 % of control" in w and "not reached" in w for w in result.warnings)
    assert any("not reached (> 30 µM)" in h for h in result.headline)


def test_3pl_on_a_plateau_warns_that_the_bottom_is_assumed() -> None:
    result = run_hook("ic50", text(model_csv(60, 100, 0.5, 1.0, noise=1.0)),
                      {"normalize": "vehicle", "model": "3pl", "bottom": "0"})
    (curve,) = result.results
    assert curve["absolute_ic50"]["value"] is None
    assert any("assumed plateau" in w for w in result.warnings)


@pytest.mark.parametrize("normalize", ["none", "vehicle"])
def test_curve_that_never_reaches_half_is_not_reached(normalize: str) -> None:
    result = run_hook("ic50", text(model_csv(0, 100, 100.0, 1.0)), {"normalize": normalize})
    (curve,) = result.results
    assert curve["ic50"]["value"] is None
    assert curve["ic50"]["bound"] == "> 30 uM"
    assert curve["absolute_ic50"] == {"value": None, "unit": "uM", "ci95": [None, None],
                                      "bound": "> 30 uM"}
    assert curve["bottom"]["value"] is None
    assert any("outside the tested doses" in w for w in result.warnings)


def test_relative_and_absolute_ic50_differ_when_the_bottom_is_not_zero() -> None:
    bottom, top, ic50, hill = 20.0, 100.0, 1.0, 1.5
    result = run_hook("ic50", text(model_csv(bottom, top, ic50, hill)))
    (curve,) = result.results
    assert curve["ic50"]["value"] == pytest.approx(ic50, rel=1e-6)
    expected = crossing(bottom, top, ic50, hill, 0.5 * top)
    assert curve["absolute_ic50"]["value"] == pytest.approx(expected, rel=1e-6)
    assert expected > ic50 * 1.2  # the two definitions really differ here
    low, high = curve["absolute_ic50"]["ci95"]
    assert low <= curve["absolute_ic50"]["value"] <= high


def test_noisy_absolute_ic50_ci_covers_the_truth() -> None:
    bottom, top, ic50, hill = 10.0, 100.0, 2.0, 1.2
    result = run_hook("ic50", text(model_csv(bottom, top, ic50, hill, noise=2.0, seed=5)))
    (curve,) = result.results
    low, high = curve["absolute_ic50"]["ci95"]
    assert low < crossing(bottom, top, ic50, hill, 50.0) < high
    low, high = curve["ic50"]["ci95"]
    assert low < ic50 < high


def test_identical_responses_give_null_and_not_converged() -> None:
    rows = [f"{d},0.8" for d in [0, *DOSES] for _ in range(2)]
    result = run_hook("ic50", text(rows))
    (curve,) = result.results
    assert curve["ic50"]["value"] is None
    assert curve["absolute_ic50"]["value"] is None
    assert curve["converged"] is False
    assert "identical" in curve["reason"]


def test_flat_noisy_response_gives_null_with_reason() -> None:
    rng = np.random.default_rng(3)
    rows = [f"{d},{50 + rng.normal(0, 2)!r}" for d in [0, *DOSES] for _ in range(3)]
    result = run_hook("ic50", text(rows))
    (curve,) = result.results
    assert curve["ic50"]["value"] is None
    assert curve["converged"] is False
    assert "flat line" in curve["reason"]
    assert "no estimate (not significantly different from a flat line" in result.headline[0]


def test_one_dose_gives_null_not_a_millimolar_ic50() -> None:
    rows = ["0,1.0", "0,1.02", "0,0.98", "10,0.5", "10,0.52", "10,0.48"]
    result = run_hook("ic50", text(rows))
    (curve,) = result.results
    assert curve["ic50"]["value"] is None
    assert curve["converged"] is False
    assert "2 distinct doses" in curve["reason"]


def test_blank_wells_and_blank_parameter_are_subtracted() -> None:
    ic50, hill, background = 1.5, 1.2, 0.05
    rows = model_csv(0.0, 1.0, ic50, hill, offset=background)
    with_wells = text([r + "," for r in rows] + [f",{background!r},blank"] * 3,
                      header="dose [uM],response,control")
    for result in (
        run_hook("ic50", with_wells),
        run_hook("ic50", text(rows), {"blank": str(background)}),
    ):
        (curve,) = result.results
        assert curve["absolute_ic50"]["value"] == pytest.approx(ic50, rel=1e-6)
        assert curve["bottom"]["value"] == pytest.approx(0.0, abs=1e-6)
        assert "subtracted" in result.method
    unblanked = run_hook("ic50", text(rows)).results[0]
    assert unblanked["absolute_ic50"]["value"] > ic50 * 1.05  # background biases it
    assert "No blank was subtracted" in run_hook("ic50", text(rows)).method


def test_full_kill_control_defines_zero_percent() -> None:
    # Signal 0.1 at full kill, 1.0 untreated; the drug's plateau sits at 20 % of the range.
    bottom, ic50, hill = 0.2, 0.8, 1.0
    rows = [r + "," for r in model_csv(bottom, 1.0, ic50, hill, scale=0.9, offset=0.1)]
    rows += ["5000,0.1,positive"] * 3 + [",0.7,negative"] * 2
    result = run_hook("ic50", text(rows, header="dose [uM],response,control"),
                      {"normalize": "vehicle"})
    (curve,) = result.results
    assert curve["top"]["value"] == 100.0  # held at 100 % when normalised
    assert curve["bottom"]["value"] == pytest.approx(100 * bottom, rel=1e-6)
    expected = crossing(bottom, 1.0, ic50, hill, 0.5)
    assert curve["absolute_ic50"]["value"] == pytest.approx(expected, rel=1e-6)
    assert "Top fixed at 100 %" in result.method
    assert "2 wells with control kind 'negative' left out" in result.warnings[0]


def test_medium_filled_edge_wells_are_left_out_without_a_warning() -> None:
    # `edge: medium` in a design writes control kind `edge` for the outer ring: expected
    # wells, never part of a curve; a kind elab does not know (`standard`) still warns.
    rows = [r + "," for r in model_csv(0.0, 1.0, 1.5, 1.2)]
    plain = run_hook("ic50", text(rows, header="dose [uM],response,control"))
    edged = run_hook("ic50", text(rows + [",0.05,edge"] * 36 + [",0.4,standard"] * 2,
                                  header="dose [uM],response,control"))
    assert not any("edge" in w for w in edged.warnings)
    assert [w for w in edged.warnings if "standard" in w] == [
        "2 wells with control kind 'standard' left out (not vehicle, blank or positive)"]
    assert edged.results[0]["ic50"] == plain.results[0]["ic50"]
    assert edged.results[0]["n"] == plain.results[0]["n"]


def _shared_rss(curves: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The shared-IC50 model fitted independently with curve_fit (the test's own reference)."""
    x = np.concatenate([d for d, _ in curves])
    y = np.concatenate([r for _, r in curves])
    which = np.concatenate([np.full(len(d), i) for i, (d, _) in enumerate(curves)])

    def f(_: np.ndarray, le: float, *p: float) -> np.ndarray:
        out = np.empty_like(y)
        for i in range(len(curves)):
            b, t, h = p[3 * i: 3 * i + 3]
            out[which == i] = loglogistic(x[which == i], b, t, math.exp(le), h)
        return out

    p0 = [0.0] + [10.0, 100.0, 1.0] * len(curves)
    popt, _ = curve_fit(f, x, y, p0=p0, maxfev=20000)
    return float(np.sum((f(x, *popt) - y) ** 2))


def test_two_curves_compared_by_f_test_and_ratio() -> None:
    from scipy.stats import f as f_dist

    a = model_csv(5, 100, 1.0, 1.0, noise=2.0, seed=11, group="A")
    b = model_csv(5, 100, 4.0, 1.0, noise=2.0, seed=12, group="B")
    result = run_hook("ic50", text(a + b, header="dose [uM],response,group"))
    curves = {r["group"]: r for r in result.results}
    cmp_row = curves["B vs A"]
    ratio = cmp_row["ic50_ratio"]
    assert ratio["value"] == pytest.approx(curves["B"]["ic50"]["value"]
                                           / curves["A"]["ic50"]["value"], rel=1e-9)
    assert ratio["ci95"][0] < 4.0 < ratio["ci95"][1]
    # The F test from an independent fit of the shared-IC50 model.
    data = []
    for rows in (a, b):
        arr = np.array([[float(v) for v in r.split(",")[:2]] for r in rows])
        data.append((arr[:, 0], arr[:, 1]))
    rss_sep = 0.0
    for d, r in data:
        popt, _ = curve_fit(lambda x, b_, t, e, h: loglogistic(x, b_, t, e, h), d, r,
                            p0=[5, 100, 1, 1], maxfev=20000)
        rss_sep += float(np.sum((loglogistic(d, *popt) - r) ** 2))
    df_sep = sum(len(d) for d, _ in data) - 8
    f_stat = (_shared_rss(data) - rss_sep) / 1 / (rss_sep / df_sep)
    test = cmp_row["shared_ic50_test"]
    assert test["f"] == pytest.approx(f_stat, rel=1e-4)
    assert test["p_value"] == pytest.approx(float(f_dist.sf(f_stat, 1, df_sep)), rel=1e-3)
    assert test["p_value"] < 0.001
    assert any(h.startswith("IC50 ratio B vs A") for h in result.headline)


def test_three_curves_with_one_ic50_share_it() -> None:
    rows = []
    for seed, (g, top) in enumerate((("A", 100.0), ("B", 90.0), ("C", 110.0))):
        rows += model_csv(0, top, 2.0, 1.0, group=g, noise=2.0, seed=seed)
    result = run_hook("ic50", text(rows, header="dose [uM],response,group"),
                      {"reference": "B"})
    by = {r["group"]: r for r in result.results}
    assert set(by) >= {"all curves", "A vs B", "C vs B"}
    assert by["all curves"]["shared_ic50_test"]["df"] == [2, 81 - 12]
    assert by["all curves"]["shared_ic50_test"]["p_value"] > 0.05
    low, high = by["A vs B"]["ic50_ratio"]["ci95"]
    assert low < 1.0 < high


def test_plot_marks_ic50_and_labels_percent_of_vehicle() -> None:
    hook = load_hook("ic50")
    result = run_hook("ic50", text(model_csv(0, 100, 1.0, 1.0, noise=1.0)),
                      {"normalize": "vehicle"})
    assert result.plot_data["response_label"] == "% of vehicle"
    png = hook.plot(result)
    assert png.startswith(b"\x89PNG")
    raw = run_hook("ic50", text(model_csv(0, 100, 1.0, 1.0, noise=1.0)))
    assert raw.plot_data["response_label"] == "response (as measured)"
