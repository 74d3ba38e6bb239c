"""Coverage of the confidence intervals the analysis hooks report, by simulation.

Data are drawn from models with known parameters, run through the hooks as a lab would run
them (CSV in, JSON-ready results out), and each reported 95 % interval is checked against the
true value.  Coverage is the share of reported intervals that contain the truth; a method
that reports honestly covers about 95 %.  The baseline of each figure is the method elab used
before (re-implemented below, same data): the plain residual bootstrap of the median-effect
lines, the percentile bootstrap of TGI over animals, and the Wald ratio CI of IC50s beside
the extra-sum-of-squares F test.

1. combination-index: drug A (Dm 10, m 1.2), drug B (Dm 40, m 0.9), a 1:4 mixture with
   CI = 0.6 at fa 0.5; k doses per line spanning Dm/4–4·Dm, fa + N(0, 0.03) (the mean of a
   few wells).  k = 3, 5 and 7.
2. tumour-growth: n mice per arm, volumes V0·exp(k·t) with V0 log-normal (150 mm³, CV 30 %),
   growth rates per animal N(0.12, 0.02) /day (control) and N(0.06, 0.02) (treated), 10 %
   caliper noise; TGI at day 14 (true TGI from the model's mean volumes).  n = 5 and 8.
3. ic50: two 4PL curves (8 doses × 3 wells, SD 5 %), IC50 ratio 1 and 2: coverage of the ratio
   CI, and how often the CI and the F test disagree on "different at 5 %"; four curves with
   one IC50: how often any of the 3 comparisons with the reference is called significant
   (family-wise error; goal ≤ 7 %: Holm's adjustment keeps it at 5 % for exact tests, and the
   F test of a 4PL fit on 24 wells rejects a true null slightly more often than 5 %).

A 3-point median-effect line gets no interval now (one residual degree of freedom); its
figure is the share of experiments given one (goal 0).

Run: ``.venv/bin/python benchmarks/ci_coverage.py`` (about 1.5 minutes on one core; seeded).
The last line is the figures JSON.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np

from elab.domain.analysis import run_hook

REPS_CI = 500
REPS_TGI = 500
REPS_IC50 = 120
REPS_FAMILY = 200  # the family-wise error is a small rate: its binomial SE is 1.6 points
DRAWS = 2000


# --- combination index ---------------------------------------------------------------------

A, B, RATIO = (10.0, 1.2), (40.0, 0.9), 0.25  # (Dm, m); dose_a / dose_b of the mixture
MIX = (3.0, 1.1)  # Dm as the dose of A in the mixture: CI(0.5) = 3/10 + 12/40 = 0.6
TRUE_CI = MIX[0] / A[0] + MIX[0] / RATIO / B[0]


def _fa(dose: np.ndarray, dm: float, m: float) -> np.ndarray:
    r = (dose / dm) ** m
    return np.asarray(r / (1 + r), dtype=float)


def _ci_table(k: int, rng: np.random.Generator) -> tuple[str, list[tuple[np.ndarray, ...]]]:
    rows = []
    lines = []
    for dm, m, make in ((A[0], A[1], lambda d: (d, 0.0)), (B[0], B[1], lambda d: (0.0, d)),
                        (MIX[0], MIX[1], lambda d: (d, d / RATIO))):
        doses = np.geomspace(dm / 4, dm * 4, k)
        fa = _fa(doses, dm, m) + rng.normal(0, 0.03, k)
        lines.append((doses, fa))
        rows += [(*make(d), f) for d, f in zip(doses, fa, strict=True)]
    text = "dose_a [nM],dose_b [nM],effect\n" + "".join(f"{float(a)!r},{float(b)!r},{float(f)!r}\n"
                                                        for a, b, f in rows)
    return text, lines


def _old_line_draws(doses: np.ndarray, fa: np.ndarray, rng: np.random.Generator) -> Any:
    """The plain residual bootstrap elab used before: raw residuals, no rescaling."""
    use = (fa > 1e-9) & (fa < 1 - 1e-9)
    x, y = np.log10(doses[use]), np.log10(fa[use] / (1 - fa[use]))
    if x.size < 3:
        return None
    dx = x - x.mean()
    sxx = float((dx * dx).sum())
    fitted = y.mean() + (dx * (y - y.mean())).sum() / sxx * dx
    ystar = fitted + (y - fitted)[rng.integers(0, x.size, (DRAWS, x.size))]
    slopes = (dx * (ystar - ystar.mean(axis=1, keepdims=True))).sum(axis=1) / sxx
    intercepts = ystar.mean(axis=1) - slopes * x.mean()
    return 10 ** (-intercepts / slopes), slopes


def _old_ci(lines: list[tuple[np.ndarray, ...]], rng: np.random.Generator) -> list[float] | None:
    draws = [_old_line_draws(d, f, rng) for d, f in lines]
    if any(x is None for x in draws):
        return None
    with np.errstate(all="ignore"):
        dx = [dm * (1.0) ** (1 / m) for dm, m in draws]  # fa 0.5: (fa/fu)^(1/m) = 1
        ci = dx[2] / dx[0] + dx[2] / RATIO / dx[1]
    good = ci[np.isfinite(ci)]
    return [float(v) for v in np.percentile(good, [2.5, 97.5])]


def combination_index(k: int) -> tuple[float, float, int]:
    """(coverage after, coverage before, intervals reported after) over REPS_CI datasets."""
    rng = np.random.default_rng(100 + k)
    after = before = reported = 0
    for rep in range(REPS_CI):
        text, lines = _ci_table(k, rng)
        result = run_hook("combination-index", text, {"seed": rep + 1, "bootstrap": DRAWS})
        (ratio,) = [r for r in result.results if r["kind"] == "ratio"]
        low, high = ratio["ci_at_ci95"]["0.5"]
        if low is not None and high is not None:
            reported += 1
            after += low <= TRUE_CI <= high
        old = _old_ci(lines, rng)
        before += old is not None and old[0] <= TRUE_CI <= old[1]
    return (100 * after / max(reported, 1), 100 * before / REPS_CI, reported)


# --- tumour growth -------------------------------------------------------------------------

DAYS = (0.0, 7.0, 14.0)
GROWTH = {"vehicle": (0.12, 0.02), "drug": (0.06, 0.02)}
V0_MEAN, V0_CV, NOISE = 150.0, 0.3, 0.10


def _true_tgi() -> float:
    s2 = math.log(1 + V0_CV**2)
    mean0 = V0_MEAN * math.exp(NOISE**2 / 2)
    t = DAYS[-1]

    def mean_at(arm: str) -> float:
        k, sk = GROWTH[arm]
        return mean0 * math.exp(k * t + (sk * t) ** 2 / 2)

    del s2  # V0 enters through its mean only (independent of the growth rate)
    return (1 - (mean_at("drug") - mean0) / (mean_at("vehicle") - mean0)) * 100


def _tumour_table(n: int, rng: np.random.Generator) -> tuple[str, dict[str, np.ndarray]]:
    s2 = math.log(1 + V0_CV**2)
    lines = ["animal,arm,day,length [mm],width [mm]"]
    volumes = {}
    for arm, (k, sk) in GROWTH.items():
        v0 = V0_MEAN * np.exp(rng.normal(-s2 / 2, math.sqrt(s2), n))
        rate = rng.normal(k, sk, n)
        v = v0[:, None] * np.exp(rate[:, None] * np.array(DAYS)[None, :])
        v = v * np.exp(rng.normal(-NOISE**2 / 2, NOISE, v.shape)) * math.exp(NOISE**2 / 2)
        volumes[arm] = v
        for i in range(n):
            for j, day in enumerate(DAYS):
                width = (2 * v[i, j] / 1.25) ** (1 / 3)
                lines.append(f"{arm}{i},{arm},{day:g},{float(1.25 * width)!r},{float(width)!r}")
    return "\n".join(lines) + "\n", volumes


def _old_tgi_ci(treated: np.ndarray, control: np.ndarray, rng: np.random.Generator) -> Any:
    """The percentile bootstrap over animals elab used before."""
    t = treated[rng.integers(0, len(treated), (DRAWS, len(treated)))]
    c = control[rng.integers(0, len(control), (DRAWS, len(control)))]
    values = (1 - (t[:, :, -1].mean(1) - t[:, :, 0].mean(1))
              / (c[:, :, -1].mean(1) - c[:, :, 0].mean(1))) * 100
    return np.percentile(values[np.isfinite(values)], [2.5, 97.5])


def tumour_growth(n: int) -> tuple[float, float, int]:
    rng = np.random.default_rng(200 + n)
    truth = _true_tgi()
    after = before = reported = 0
    for rep in range(REPS_TGI):
        text, volumes = _tumour_table(n, rng)
        result = run_hook("tumour-growth", text, {"control": "vehicle", "seed": rep + 1,
                                                  "bootstrap": DRAWS})
        row = next(r for r in result.results if r["arm"] == "drug" and r["day"] == DAYS[-1])
        low, high = row["tgi"]["ci95"]
        if low is not None and high is not None:
            reported += 1
            after += low <= truth <= high
        lo, hi = _old_tgi_ci(volumes["drug"], volumes["vehicle"], rng)
        before += lo <= truth <= hi
    return 100 * after / max(reported, 1), 100 * before / REPS_TGI, reported


# --- IC50 comparisons ----------------------------------------------------------------------

IC50_DOSES = np.geomspace(0.01, 100.0, 8)


def _ic50_table(ic50s: dict[str, float], rng: np.random.Generator) -> str:
    rows = ["dose [uM],response,group"]
    for group, ic50 in ic50s.items():
        for d in IC50_DOSES:
            for _ in range(3):
                y = 5 + 95 / (1 + (d / ic50) ** 1.0) + rng.normal(0, 5)
                rows.append(f"{float(d)!r},{float(y)!r},{group}")
    return "\n".join(rows) + "\n"


def _old_ratio_ci(result: Any, name: str) -> Any:
    """Wald CI of the ratio: exp(Δ ln IC50 ± t·sqrt(SE₁² + SE₂²)), t on the summed df."""
    from scipy.stats import t as t_dist

    by = {r["group"]: r for r in result.results if r.get("kind") != "comparison"}
    ref, other = by["A"], by[name]
    se = [math.log(c["ic50"]["ci95"][1] / c["ic50"]["value"])
          / t_dist.ppf(0.975, c["n"] - 4) for c in (ref, other)]
    df = ref["n"] + other["n"] - 8
    q = t_dist.ppf(0.975, df)
    ln_ratio = math.log(other["ic50"]["value"] / ref["ic50"]["value"])
    half = q * math.hypot(*se)
    return math.exp(ln_ratio - half), math.exp(ln_ratio + half)


def ic50_pairs(true_ratio: float) -> dict[str, float]:
    rng = np.random.default_rng(300 + int(true_ratio))
    cover_new = cover_old = disagree_new = disagree_old = done = 0
    for _ in range(REPS_IC50):
        result = run_hook("ic50", _ic50_table({"A": 1.0, "B": true_ratio}, rng))
        rows = [r for r in result.results if r.get("kind") == "comparison"]
        if not rows or rows[0]["ic50_ratio"]["ci95"][0] is None:
            continue
        done += 1
        row = rows[0]
        low, high = row["ic50_ratio"]["ci95"]
        p = row["shared_ic50_test"]["p_value"]
        old = _old_ratio_ci(result, "B")
        cover_new += low <= true_ratio <= high
        cover_old += old[0] <= true_ratio <= old[1]
        disagree_new += (low > 1 or high < 1) != (p < 0.05)
        disagree_old += (old[0] > 1 or old[1] < 1) != (p < 0.05)
    return {"cover_new": 100 * cover_new / done, "cover_old": 100 * cover_old / done,
            "disagree_new": 100 * disagree_new / done, "disagree_old": 100 * disagree_old / done}


def ic50_family(m: int = 3) -> tuple[float, float]:
    """Family-wise error of m comparisons with the reference when every IC50 is the same."""
    rng = np.random.default_rng(400)
    any_adjusted = any_raw = 0
    groups = {"A": 1.0, **{chr(ord("B") + i): 1.0 for i in range(m)}}
    for _ in range(REPS_FAMILY):
        result = run_hook("ic50", _ic50_table(groups, rng))
        rows = [r for r in result.results if r.get("kind") == "comparison" and r["curves"] == 2]
        raw = [r["shared_ic50_test"]["p_value"] for r in rows]
        adjusted = [r["shared_ic50_test"].get("p_holm", p) for r, p in zip(rows, raw,
                                                                           strict=True)]
        any_raw += any(p is not None and p < 0.05 for p in raw)
        any_adjusted += any(p is not None and p < 0.05 for p in adjusted)
    return 100 * any_adjusted / REPS_FAMILY, 100 * any_raw / REPS_FAMILY


def _figure(name: str, after: float, before: float, goal: str) -> dict[str, Any]:
    ratio = round(after / before, 3) if before else (1.0 if after == before else None)
    return {"name": name, "value": round(after, 1), "unit": "%", "baseline": round(before, 1),
            "ratio": ratio, "goal": goal}


def main() -> None:
    start = time.perf_counter()
    figures = []
    print(f"combination-index: true CI at fa 0.5 = {TRUE_CI:g}; {REPS_CI} datasets per row")
    for k in (3, 5, 7):
        after, before, reported = combination_index(k)
        print(f"  {k} points per line: coverage {before:5.1f} % before, {after:5.1f} % after "
              f"({reported} of {REPS_CI} intervals reported after)")
        if reported:
            figures.append(_figure(f"combination-index CI coverage, {k} points per line",
                                   after, before, "value >= 90"))
        else:
            figures.append({"name": f"combination-index CIs reported, {k} points per line",
                            "value": 0, "unit": "%", "baseline": 100, "ratio": 0.0,
                            "goal": "value == 0"})
    print(f"tumour-growth: true TGI at day {DAYS[-1]:g} = {_true_tgi():.2f} %; {REPS_TGI} "
          "datasets per row")
    for n in (5, 8):
        after, before, reported = tumour_growth(n)
        print(f"  {n} animals per arm: coverage {before:5.1f} % before, {after:5.1f} % after "
              f"({reported} of {REPS_TGI} intervals reported after)")
        figures.append(_figure(f"tumour-growth TGI CI coverage, {n} animals per arm",
                               after, before, "value >= 90"))
    print(f"ic50 comparisons: {REPS_IC50} datasets per row")
    for true_ratio in (1.0, 2.0):
        out = ic50_pairs(true_ratio)
        print(f"  true ratio {true_ratio:g}: coverage {out['cover_old']:5.1f} % before, "
              f"{out['cover_new']:5.1f} % after; CI and F test disagree "
              f"{out['disagree_old']:4.1f} % before, {out['disagree_new']:4.1f} % after")
        figures.append(_figure(f"ic50 ratio CI coverage, true ratio {true_ratio:g}",
                               out["cover_new"], out["cover_old"], "value >= 90"))
        figures.append(_figure(f"ic50 ratio CI vs F test disagreement, ratio {true_ratio:g}",
                               out["disagree_new"], out["disagree_old"], "value == 0"))
    adjusted, raw = ic50_family()
    print(f"  4 curves, one IC50 ({REPS_FAMILY} datasets): any of 3 comparisons p < 0.05 in "
          f"{raw:.1f} % unadjusted, {adjusted:.1f} % Holm-adjusted")
    figures.append(_figure("ic50 family-wise error, 3 comparisons", adjusted, raw,
                           "value <= 7"))
    print(f"({time.perf_counter() - start:.0f} s)")
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
