"""`elab analyze` says when an interval cannot be given, and how many comparisons were made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run

DATA = Path(__file__).resolve().parents[2] / "tests" / "unit" / "analysis" / "data"


def test_three_point_lines_print_no_ci_and_the_reason(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    rows = ["dose_a [nM],dose_b [nM],effect"]
    for a, b, fa in ((2.5, 0, 0.21), (10, 0, 0.52), (40, 0, 0.83), (0, 10, 0.24),
                     (0, 40, 0.49), (0, 160, 0.74), (0.75, 3, 0.2), (3, 12, 0.5),
                     (12, 48, 0.81)):
        rows.append(f"{a},{b},{fa}")
    path = tmp_path / "ci.csv"
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(["analyze", "combination-index", str(path)], capsys)
    assert code == 0, err
    assert "(no 95 % CI: fewer than 4 points on the line of drug A (3)" in out
    code, out, err = run(["analyze", "combination-index", str(path), "--json"], capsys)
    ratio = next(r for r in json.loads(out)["results"] if r["kind"] == "ratio")
    assert ratio["ci_at_ci95"]["0.5"] == [None, None]
    assert ratio["ci95_reason"].startswith("fewer than 4 points")


def test_ic50_comparison_states_the_correction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "ic50", str(DATA / "ic50_ratio_borderline.csv"),
                          "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert "One comparison: no multiplicity correction." in data["method"]
    (row,) = [r for r in data["results"] if r.get("kind") == "comparison"]
    low, high = row["ic50_ratio"]["ci95"]
    assert (low < 1 < high) == (row["shared_ic50_test"]["p_value"] >= 0.05)
