"""transwell and densitometry: a 0 control or a band below background gives no number, and
says why (review 13c S11).

A control mean of 0 cannot be divided by, and a background-subtracted band at or below 0 is
not a negative amount of protein: both are null with a reason, in the results and the
headline, and blank cells are warned rather than dropped silently.
"""

from __future__ import annotations

from typing import Any

from elab.domain.analysis import run_hook
from elab.domain.analysis.base import AnalysisResult

ZERO_CONTROL = """insert,condition,field,count
i1,control,1,0
i1,control,2,0
i2,control,1,0
i3,drug,1,10
i3,drug,2,12
i4,drug,1,8
"""

BLANK_FIELD = """insert,condition,field,count
i1,control,1,50
i1,control,2,60
i2,drug,1,
i2,drug,2,10
"""

BLOT = """lane,condition,target,intensity
1,DMSO,pERK,1000
1,DMSO,actin,5000
2,DMSO,pERK,1200
2,DMSO,actin,5200
3,drug,pERK,300
3,drug,actin,0
4,drug,pERK,-50
4,drug,actin,4800
5,drug,pERK,
5,drug,actin,5000
"""


def _condition(result: AnalysisResult, name: str) -> dict[str, Any]:
    return next(r for r in result.results if r["kind"] == "condition" and r["condition"] == name)


def test_transwell_zero_control_is_null_with_a_reason_and_a_headline() -> None:
    result = run_hook("transwell", ZERO_CONTROL, {"control": "control"})
    pct = _condition(result, "drug")["pct_of_control"]
    assert pct["value"] is None
    assert "mean is 0" in pct["reason"]
    assert any(h.startswith("drug: % of control not computed") and "mean is 0" in h
               for h in result.headline), result.headline
    assert any("mean is 0" in w for w in result.warnings)


def test_transwell_blank_fields_are_warned() -> None:
    result = run_hook("transwell", BLANK_FIELD, {"control": "control"})
    assert any("i2" in w and "blank" in w for w in result.warnings), result.warnings
    assert _condition(result, "drug")["pct_of_control"]["value"] == 100.0 * 10 / 55


def test_band_below_background_is_not_a_negative_fold() -> None:
    result = run_hook("densitometry", BLOT, {"loading": "actin", "control": "DMSO"})
    drug = _condition(result, "drug")
    assert drug["relative"] is None
    assert "below background" in drug["reason"]
    lane4 = next(r for r in result.results if r["kind"] == "lane" and r["lane"] == "4")
    assert lane4["ratio"] is None and "below background" in lane4["reason"]
    assert not any("×" in h for h in result.headline), result.headline
    assert any("below background" in h for h in result.headline)
    assert any("lane 5" in w and "blank" in w for w in result.warnings), result.warnings
    assert any("lane 3" in w and "actin" in w for w in result.warnings)


def test_densitometry_method_says_how_background_was_handled() -> None:
    result = run_hook("densitometry", BLOT, {"loading": "actin", "control": "DMSO"})
    assert "background" in result.method and "subtract" in result.method


def test_densitometry_zero_control_band_is_null_with_a_reason() -> None:
    blot = "lane,condition,target,intensity\n1,DMSO,pERK,0\n1,DMSO,actin,5000\n" \
           "2,drug,pERK,300\n2,drug,actin,5000\n"
    result = run_hook("densitometry", blot, {"loading": "actin", "control": "DMSO"})
    drug = _condition(result, "drug")
    assert drug["relative"] is None and "DMSO" in drug["reason"]
    assert any("no relative value" in h for h in result.headline)
