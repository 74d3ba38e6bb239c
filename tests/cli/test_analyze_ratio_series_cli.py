"""Review 14 R4: combination-index on the protocol's exact, rounded levels (0–33 µM × 0–30 nM)
gives the Chou–Talalay CI of the constant-ratio diagonal, whose ratios 0.4, 0.4, 0.37 and
0.367:1 differ only by the rounding; a matrix with no constant-ratio series says so plainly.

The expected CI is worked in the test with numpy alone (not the hook's code): median-effect
lines by least squares of log(fa/fu) on log dose for each drug and for the diagonal, its points
moved onto the ray of the geometric-mean ratio (x = √(a·b·R)), CI = d1/Dx1 + (d1/R)/Dx2.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_calls import run

VIA = Path(__file__).resolve().parent / "data" / "review14" / "via.csv"


def analyse(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run(["analyze", "combination-index", str(path), "--json",
                          "--param", "bootstrap=200"], capsys)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def _line(x: list[float], fa: list[float]) -> tuple[float, float]:
    f = np.array(fa)
    m, c = np.polyfit(np.log(x), np.log(f / (1 - f)), 1)
    return float(m), math.exp(-c / m)


def _dx(line: tuple[float, float], fa: float) -> float:
    m, dm = line
    return dm * (fa / (1 - fa)) ** (1 / m)


def hand_ci_of_diagonal() -> tuple[float, float]:
    wells: dict[tuple[float, float], list[float]] = defaultdict(list)
    with VIA.open() as fh:
        for row in csv.DictReader(fh):
            wells[(float(row["dose_a [uM]"]), float(row["dose_b [nM]"]))].append(
                1 - float(row["viability"]))
    fa = {k: sum(v) / len(v) for k, v in wells.items()}
    a_alone = sorted((a, f) for (a, b), f in fa.items() if b == 0 and a > 0)
    b_alone = sorted((b, f) for (a, b), f in fa.items() if a == 0 and b > 0)
    line_a = _line(*map(list, zip(*a_alone, strict=True)))
    line_b = _line(*map(list, zip(*b_alone, strict=True)))
    diagonal = [(0.4, 1.0), (1.2, 3.0), (3.7, 10.0), (11.0, 30.0)]
    ratio = float(f"{math.exp(np.mean([math.log(a / b) for a, b in diagonal])):.3g}")
    mix = _line([math.sqrt(a * b * ratio) for a, b in diagonal], [fa[p] for p in diagonal])
    d1 = _dx(mix, 0.5)
    return ratio, d1 / _dx(line_a, 0.5) + (d1 / ratio) / _dx(line_b, 0.5)


def test_rounded_levels_still_give_the_ci_of_the_constant_ratio_diagonal(
        capsys: pytest.CaptureFixture[str]) -> None:
    ratio, ci = hand_ci_of_diagonal()
    assert ratio == 0.384
    result = analyse(VIA, capsys)
    series = {r["ratio"]: r for r in result["results"] if r["kind"] == "ratio"}
    diagonal = series["0.384:1"]
    assert diagonal["n"] == 4
    assert diagonal["ci_at"]["0.5"] == pytest.approx(ci, rel=1e-9)
    assert diagonal["ratio_range"] == pytest.approx([11 / 30, 0.4])
    assert [(p["dose_a"], p["dose_b"]) for p in diagonal["points"]] == [
        (0.4, 1.0), (1.2, 3.0), (3.7, 10.0), (11.0, 30.0)]  # as measured, not moved
    assert any(h.startswith("CI at fa 0.5, ratio 0.384:1: 0.8505") for h in result["headline"])
    assert any("0.367–0.4:1 (rounded levels)" in w for w in result["warnings"])


def test_a_matrix_without_a_constant_ratio_says_so_and_what_would_give_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A 2-fold (1, 2, 4) against B 3-fold (1, 3, 9): no two combinations within 15 % of one
    # ratio (1/9, 2/9, 1/3, 4/9, 2/3, 1, 4/3, 2, 4). fa by Bliss independence of two
    # median-effect drugs (Dm 2 and 3, m 1), so every fa lies strictly between 0 and 1.
    rows = ["dose_a,dose_b,effect"]
    for a in (0, 1, 2, 4):
        for b in (0, 1, 3, 9):
            fa, fb = a / (a + 2), b / (b + 3)
            rows.append(f"{a},{b},{fa + fb - fa * fb!r}")
    path = tmp_path / "matrix.csv"
    path.write_text("\n".join(rows) + "\n")
    result = analyse(path, capsys)
    assert not [r for r in result["results"] if r["kind"] == "ratio"]
    [warning] = [w for w in result["warnings"] if w.startswith("no constant-ratio series")]
    assert "A design with one fixed A:B ratio" in warning
    assert "CI at fa 0.5: no estimate (no constant-ratio series of 3 or more combinations)" \
        in result["headline"]
