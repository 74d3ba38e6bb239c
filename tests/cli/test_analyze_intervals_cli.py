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


VIA = Path(__file__).resolve().parent / "data" / "review14" / "via.csv"
TUMOURS = "animal,arm,day,length [mm],width [mm]\n" + "".join(
    f"{arm}{n},{arm},{day},{8 + day / 7 + n / 10},{6 + n / 10}\n"
    for arm in ("vehicle", "drug") for n in (1, 2, 3) for day in (0, 14))


@pytest.mark.parametrize("hook", ["combination-index", "tumour-growth"])
@pytest.mark.parametrize("redraws", ["0", "-5", "1", "99", "100001", "100000000"])
def test_bootstrap_redraws_outside_their_bounds_are_a_usage_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, hook: str, redraws: str) -> None:
    """Review 14b A11: 0, -5 and 1 redraws were quietly raised to 100; 100,000,000 ran for
    minutes.  Both are the command line's mistake, so exit 2 with the bounds."""
    data, extra = VIA, []
    if hook == "tumour-growth":
        data, extra = tmp_path / "tumours.csv", ["--param", "control=vehicle"]
        data.write_text(TUMOURS)
    code, out, err = run(["analyze", hook, str(data), *extra, "--param",
                          f"bootstrap={redraws}"], capsys)
    assert (code, out) == (2, "")
    assert err == f"elab: parameter bootstrap takes 100 to 100000, not {redraws}\n"


def test_bootstrap_redraws_at_their_bounds_are_taken(capsys: pytest.CaptureFixture[str]) -> None:
    for redraws in ("100", "100000"):
        code, out, err = run(["analyze", "combination-index", str(VIA), "--param",
                              f"bootstrap={redraws}", "--json"], capsys)
        assert code == 0, err
        assert f"{redraws} redraws" in json.loads(out)["method"]
