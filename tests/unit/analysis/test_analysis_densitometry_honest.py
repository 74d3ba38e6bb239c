"""densitometry: controls matched within a grouping factor (time), lanes in gel order.

The blot is generated from stated relative levels (the drug halves the band at 1 h and
quarters it at 24 h, while the control itself doubles between 1 h and 24 h), so the matched
relative values are derived from those levels.
"""

from __future__ import annotations

import pytest

from elab.domain.analysis import run_hook

LEVEL = {("1h", "ctrl"): 1.0, ("1h", "drug"): 0.5, ("24h", "ctrl"): 2.0, ("24h", "drug"): 0.5}


def blot() -> str:
    rows = ["lane,time,condition,target,intensity"]
    lane = 0
    for (time, cond), level in LEVEL.items():
        for loading in (100.0, 120.0):
            lane += 1
            rows.append(f"{lane},{time},{cond},actin,{loading!r}")
            rows.append(f"{lane},{time},{cond},pFAK,{loading * level * 0.3!r}")
    return "\n".join(rows) + "\n"


def test_controls_are_matched_by_time() -> None:
    result = run_hook("densitometry", blot(),
                      {"loading": "actin", "control": "ctrl", "match_by": "time"})
    rel = {(r["time"], r["condition"]): r["relative"]["mean"]
           for r in result.results if r["kind"] == "condition"}
    for (time, cond), level in LEVEL.items():
        assert rel[(time, cond)] == pytest.approx(level / LEVEL[(time, "ctrl")], rel=1e-12)
    assert "matched by time" in result.method
    assert "pFAK in drug (time 24h): 0.25 × ctrl (SD 0, n = 2 lanes)" in result.headline
    unmatched = run_hook("densitometry", blot(), {"loading": "actin", "control": "ctrl"})
    drug = next(r for r in unmatched.results
                if r["kind"] == "condition" and r["condition"] == "drug")
    assert drug["relative"]["mean"] == pytest.approx(0.5 / 1.5, rel=1e-12)  # pooled control


def test_lanes_are_in_numeric_order() -> None:
    result = run_hook("densitometry", blot(), {"loading": "actin", "control": "ctrl"})
    lanes = [r["lane"] for r in result.results if r["kind"] == "lane"]
    assert lanes == [str(n) for n in range(1, 9)]
    rows = ["lane,condition,target,intensity"]
    for lane in (1, 2, 10, 11):
        rows += [f"{lane},ctrl,actin,100", f"{lane},ctrl,pFAK,50"]
    text = "\n".join(rows) + "\n"
    lanes = [r["lane"] for r in run_hook("densitometry", text, {"loading": "actin"}).results
             if r["kind"] == "lane"]
    assert lanes == ["1", "2", "10", "11"]


def test_unknown_matching_column_is_a_did_you_mean() -> None:
    from elab.errors import NotFoundError

    with pytest.raises(NotFoundError, match="time"):
        run_hook("densitometry", blot(), {"loading": "actin", "match_by": "tme"})
