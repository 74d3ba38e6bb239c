"""tumour-growth: one animal per arm, a control that did not grow, and a last day most
controls dropped out of give no confident number (review 13c S7).
"""

from __future__ import annotations

from typing import Any

from elab.domain.analysis import run_hook
from elab.domain.analysis.base import AnalysisResult

ONE = """animal,arm,day,length [mm],width [mm]
v1,vehicle,0,7,6
v1,vehicle,7,9,8
v1,vehicle,14,12,10
d1,drug,0,7,6
d1,drug,7,7.5,6.5
d1,drug,14,8,7
"""

FLAT = """animal,arm,day,length [mm],width [mm]
v1,vehicle,0,7,6
v1,vehicle,14,7.1,6
v2,vehicle,0,7,6
v2,vehicle,14,6.9,6
d1,drug,0,7,6
d1,drug,14,8,7
d2,drug,0,7,6
d2,drug,14,7.5,6.5
"""

DROP = """animal,arm,day,length [mm],width [mm]
v1,vehicle,0,7,6
v1,vehicle,7,10,9
v1,vehicle,14,14,12
v2,vehicle,0,7,6
v2,vehicle,7,13,12
v3,vehicle,0,7,6
v3,vehicle,7,13,12
d1,drug,0,7,6
d1,drug,7,8,7
d1,drug,14,9,8
d2,drug,0,7,6
d2,drug,7,8,7
d2,drug,14,9,8
d3,drug,0,7,6
d3,drug,7,8,7
"""


def _row(result: AnalysisResult, arm: str, day: float) -> dict[str, Any]:
    return next(r for r in result.results if r["arm"] == arm and r["day"] == day)


def test_one_animal_per_arm_gives_no_test_and_a_warning() -> None:
    result = run_hook("tumour-growth", ONE, {"control": "vehicle"})
    row = _row(result, "drug", 14.0)
    assert row["test"] is None and row["p_value"] is None
    assert row["tgi"]["ci95"] == [None, None]
    assert "at least 2 animals" in row["test_reason"]
    assert any("no test or CI" in w for w in result.warnings)
    assert "no test or CI" in result.headline[0]


def test_flat_control_gives_tgi_null_with_the_reason() -> None:
    result = run_hook("tumour-growth", FLAT, {"control": "vehicle"})
    row = _row(result, "drug", 14.0)
    assert row["tgi"]["value"] is None
    assert "did not grow" in row["tgi_reason"]
    assert "TGI not computed (the control vehicle did not grow" in result.headline[0]


def test_headline_day_is_not_one_most_controls_dropped_out_of() -> None:
    result = run_hook("tumour-growth", DROP, {"control": "vehicle"})
    assert result.headline[0].startswith("drug vs vehicle, day 7: ")
    assert any("headline reports day 7, not day 14" in w for w in result.warnings)
    assert _row(result, "drug", 14.0)["tgi"]["value"] is not None  # still in the results


GONE = """animal,arm,day,length [mm],width [mm]
v1,vehicle,0,7.8,6.2
v1,vehicle,14,13.5,10.8
v2,vehicle,0,7.2,5.8
v2,vehicle,14,11.7,9.3
v3,vehicle,0,8.1,6.5
v3,vehicle,14,14.7,11.7
d1,drug,0,7.7,6.1
d1,drug,14,0,0
d2,drug,0,7.9,6.3
d2,drug,14,0,0
d3,drug,0,7.4,5.9
d3,drug,14,0,0
"""


def test_tumours_at_zero_give_the_reason_for_no_p_value() -> None:
    """Review 14b A10: every drug tumour at 0 mm³ gave p null, the test named and no word
    why; ln 0 is undefined, which the row, the warnings and the headline now say."""
    result = run_hook("tumour-growth", GONE, {"control": "vehicle"})
    row = _row(result, "drug", 14.0)
    assert row["p_value"] is None and row["tgi"]["value"] is not None
    reason = "tumours at 0 mm³ in drug; ln 0 is undefined, so there is no t-test on ln volume"
    assert row["p_reason"] == reason
    assert result.warnings == [f"drug vs vehicle, day 14: no p value: {reason}"]
    assert f"(no p value: {reason})" in result.headline[0]
