"""ic50: an incomplete curve (no dose near the bottom plateau) is warned and its extrapolated
bottom is not reported as a fact; an absolute IC50 without a CI says why (review 13c S8, S9).

GraphPad's curve-fitting guide: when the data do not define the bottom plateau the fit
extrapolates it, and the midpoint (relative IC50) rests on that extrapolation.
"""

from __future__ import annotations

from pathlib import Path

from elab.domain.analysis import run_hook

DOSES = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0]  # µM


def incomplete_csv(bottom: float = 0.0, top: float = 100.0, ic50: float = 20.0) -> str:
    """A 4PL curve (hill 1) whose midpoint is near the top dose: it ends at 40 % of vehicle."""
    rows = ["dose [uM],response"]
    for d in [0.0, *DOSES]:
        y = top if d == 0 else bottom + (top - bottom) / (1 + d / ic50)
        rows += [f"{d!r},{y!r}"] * 2
    return "\n".join(rows) + "\n"


def test_incomplete_curve_warns_and_does_not_report_the_bottom() -> None:
    result = run_hook("ic50", incomplete_csv())
    (row,) = result.results
    assert row["bottom"]["value"] is None
    assert "not defined by the data" in row["bottom"]["reason"]
    assert any("bottom plateau is not defined by the data" in w and "GraphPad" in w
               for w in result.warnings), result.warnings
    assert "bottom plateau not defined by the data" in result.headline[0]


def test_complete_curve_keeps_its_bottom() -> None:
    result = run_hook("ic50", incomplete_csv(ic50=1.0))  # ends at 3 % of the span
    (row,) = result.results
    assert row["bottom"]["value"] is not None
    assert not any("plateau" in w for w in result.warnings), result.warnings


def test_absolute_ic50_without_ci_says_why(data: Path) -> None:
    result = run_hook("ic50", (data / "ic50_noisy.csv").read_text())
    (row,) = result.results
    absolute = row["absolute_ic50"]
    assert absolute["value"] is not None and absolute["ci95"] == [None, None]
    assert "standard error" in absolute["ci_reason"]
    assert "(no CI: " in result.headline[0]
    assert any("has no 95 % CI" in w for w in result.warnings)
