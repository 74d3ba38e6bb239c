"""The combination-index hook against a published Chou–Talalay analysis.

Reference: Chou TC et al. (1998) Proc Natl Acad Sci USA 95:8369–8374, doi:10.1073/pnas.95.14.8369,
Table 3, "Synergism between DX and NAA in combination against P388/0 and P388/DX cell growth"
(open access, PMC20982).  For each cell line the table prints the median-effect parameters of
doxorubicin (DX) alone, of NAA alone and of their 1:5 (DX:NAA) mixture — IC50 (= Dm, in µM;
the mixture's as "DX + NAA"), m and r — and the combination index at IC50, IC75, IC90 and
IC95 with its standard error, plus the dose-reduction index at IC50.

The test builds dose–effect data that lie on the published median-effect lines, runs them
through ``elab analyze combination-index`` exactly as a user's CSV would be, and compares:

- Dm and m of each drug and of the mixture: recovered to 1e-9 (noise-free points);
- the CI at fa 0.5, 0.75 and 0.9: within 2 published standard errors of the published CI.
  The paper's CIs are means of per-experiment CIs, while its Dm and m are means of
  per-experiment fits, so the CI recomputed from the mean parameters is not the mean CI;
  the largest difference is P388/0 at IC50 (0.375 against 0.41 ± 0.025, 1.4 SE).  A wrong
  formula or an inverted ratio misses by far more (checked below);
- the dose-reduction index at IC50 (Dm of the drug alone over its dose in the mixture's
  IC50): within 3 % of the printed value, which is rounded to three figures and is likewise
  a mean of ratios.
"""

from __future__ import annotations

import pytest

from elab.domain.analysis import run_hook

# (Dm µM, m) for DX alone, NAA alone; the mixture's IC50 as (DX part, NAA part) and its m;
# published CI at 0.5/0.75/0.9 with SE; published DRI at IC50 for DX and NAA.
PUBLISHED = {
    "P388/0": {
        "dx": (0.23, 1.5), "naa": (44.0, 0.87), "mix": ((0.084, 0.42), 1.9),
        "ci": {"0.5": (0.41, 0.025), "0.75": (0.36, 0.095), "0.9": (0.31, 0.16)},
        "dri": (2.71, 104.0),
    },
    "P388/DX": {
        "dx": (2.1, 1.0), "naa": (66.0, 0.88), "mix": ((0.42, 2.1), 1.4),
        "ci": {"0.5": (0.23, 0.068), "0.75": (0.17, 0.056), "0.9": (0.12, 0.046)},
        "dri": (5.14, 31.7),
    },
}
NAA_PER_DX = 5.0  # "NAA/DX 5:1 ratio"
FOLDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # doses around each Dm, as a dilution series


def on_line(dose: float, dm: float, m: float) -> float:
    ratio = (dose / dm) ** m
    return ratio / (1 + ratio)


def csv_for(line: dict[str, object], naa_per_dx: float = NAA_PER_DX) -> str:
    (dm_dx, m_dx), (dm_naa, m_naa) = line["dx"], line["naa"]  # type: ignore[misc]
    (dx_part, naa_part), m_mix = line["mix"]  # type: ignore[misc]
    dm_mix = dx_part + naa_part
    rows = [f"{dm_dx * k!r},0,{on_line(dm_dx * k, dm_dx, m_dx)!r}" for k in FOLDS]
    rows += [f"0,{dm_naa * k!r},{on_line(dm_naa * k, dm_naa, m_naa)!r}" for k in FOLDS]
    for k in FOLDS:
        dx = dx_part * k
        rows.append(f"{dx!r},{dx * naa_per_dx!r},{on_line(dx * (1 + naa_per_dx), dm_mix, m_mix)!r}")
    return "dose_a [uM],dose_b [uM],effect\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("cells", sorted(PUBLISHED))
def test_table3_parameters_and_ci(cells: str) -> None:
    line = PUBLISHED[cells]
    result = run_hook("combination-index", csv_for(line))
    dx, naa, mix = result.results
    assert dx["dm"]["value"] == pytest.approx(line["dx"][0], rel=1e-9)
    assert dx["m"] == pytest.approx(line["dx"][1], rel=1e-9)
    assert naa["dm"]["value"] == pytest.approx(line["naa"][0], rel=1e-9)
    (dx_part, naa_part), m_mix = line["mix"]
    assert mix["dm"] == {"value": pytest.approx(dx_part + naa_part, rel=1e-9), "unit": "uM"}
    assert mix["m"] == pytest.approx(m_mix, rel=1e-9)
    for level, (published, se) in line["ci"].items():
        assert mix["ci_at"][level] == pytest.approx(published, abs=2 * se), level
        assert mix["ci_at"][level] < 1  # the paper's verdict: synergism at every level


@pytest.mark.parametrize("cells", sorted(PUBLISHED))
def test_table3_dose_reduction_index(cells: str) -> None:
    line = PUBLISHED[cells]
    result = run_hook("combination-index", csv_for(line))
    dx, naa, _ = result.results
    (dx_part, naa_part), _m = line["mix"]
    dri_dx, dri_naa = line["dri"]
    assert dx["dm"]["value"] / dx_part == pytest.approx(dri_dx, rel=0.03)
    assert naa["dm"]["value"] / naa_part == pytest.approx(dri_naa, rel=0.03)


def test_inverted_ratio_misses_the_published_ci() -> None:
    """The tolerance is tight enough to catch a mixture read the wrong way round."""
    line = PUBLISHED["P388/DX"]
    result = run_hook("combination-index", csv_for(line, naa_per_dx=1 / NAA_PER_DX))
    published, se = line["ci"]["0.5"]
    assert abs(result.results[2]["ci_at"]["0.5"] - published) > 2 * se
