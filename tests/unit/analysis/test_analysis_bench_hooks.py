"""wound-closure, transwell, tumour-growth, densitometry and flow-frequencies on worked examples.

These hooks are arithmetic on published formulas, so each known answer is worked by hand in
the test from the formula named in the hook's method (Tomayko & Reynolds 1989 for the
0.5·L·W² volume; the TGI formula of the issue; % closure (A0 − At)/A0; % of parent).
Tolerance: 1e-9 relative (exact arithmetic up to rounding).
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.analysis import load_hook, run_hook
from elab.errors import DimensionError, InputError

TOL = 1e-9

WOUND = """well,condition,time [h],area [um^2]
A1,ctrl,0,1000
A1,ctrl,12,600
A1,ctrl,24,200
A2,ctrl,0,800
A2,ctrl,12,500
A2,ctrl,24,200
B1,drug,0,1000
B1,drug,12,900
B1,drug,24,800
"""


def kinds(result: object, kind: str) -> list[dict[str, object]]:
    return [r for r in result.results if r.get("kind") == kind]  # type: ignore[attr-defined]


def test_wound_closure_by_hand() -> None:
    result = run_hook("wound-closure", WOUND)
    cond_time = {(r["condition"], r["time"]["value"]): r for r in kinds(result, "condition_time")}
    # ctrl at 24 h: A1 80 %, A2 75 % → mean 77.5, SD 3.5355
    s = cond_time[("ctrl", 24.0)]["closure_pct"]
    assert s["mean"] == pytest.approx(77.5, rel=TOL)
    assert s["sd"] == pytest.approx(math.sqrt(12.5), rel=TOL)
    rates = {r["condition"]: r["migration_rate"] for r in kinds(result, "condition")}
    # A1 slope −800/24, A2 −600/24 → rates 33.33 and 25 um^2/h; drug 200/24.
    assert rates["ctrl"]["mean"] == pytest.approx((800 / 24 + 600 / 24) / 2, rel=TOL)
    assert rates["ctrl"]["unit"] == "um^2/h"
    assert rates["drug"]["mean"] == pytest.approx(200 / 24, rel=TOL)


def test_wound_time_in_minutes_converts_to_hours() -> None:
    text = WOUND.replace("time [h]", "time [min]").replace(",12,", ",720,").replace(",24,", ",1440,")
    result = run_hook("wound-closure", text)
    rates = {r["condition"]: r["migration_rate"] for r in kinds(result, "condition")}
    assert rates["drug"]["mean"] == pytest.approx(200 / 24, rel=TOL)


def test_wound_time_in_wrong_unit_is_refused() -> None:
    with pytest.raises(DimensionError, match="time"):
        run_hook("wound-closure", WOUND.replace("time [h]", "time [mL]"))


def test_transwell_by_hand() -> None:
    text = "insert,condition,field,count\n" + "\n".join(
        f"{i},{c},{f},{n}"
        for i, c, counts in (("i1", "control", (10, 20)), ("i2", "control", (30, 40)),
                             ("i3", "siRNA", (5, 5)), ("i4", "siRNA", (15, 15)))
        for f, n in enumerate(counts)
    )
    result = run_hook("transwell", text + "\n")
    conds = {r["condition"]: r for r in kinds(result, "condition")}
    # control inserts 15 and 35 → 25 ± 14.142; siRNA 5 and 15 → 10; 40 % of control.
    assert conds["control"]["cells_per_field"]["mean"] == pytest.approx(25.0)
    assert conds["control"]["cells_per_field"]["sd"] == pytest.approx(math.sqrt(200))
    assert conds["control"]["cells_per_field"]["sem"] == pytest.approx(10.0)
    assert conds["siRNA"]["pct_of_control"] == {"value": pytest.approx(40.0), "unit": "%"}


TUMOUR = """animal,arm,day,length [mm],width [mm],body_weight [g]
m1,vehicle,0,10,8,20
m1,vehicle,7,12,10,21
m2,vehicle,0,8,10,20
m2,vehicle,7,14,10,22
m3,drug,0,10,8,20
m3,drug,7,10,9,15
m4,drug,0,10,8,20
m4,drug,7,11,8,19
"""


def test_tumour_growth_by_hand() -> None:
    result = run_hook("tumour-growth", TUMOUR, {"control": "vehicle"})
    rows = {(r["arm"], r["day"]): r for r in result.results}
    # Day 0: every tumour 0.5·10·8² = 320 mm³ (m2 has L and W swapped).
    assert rows[("vehicle", 0.0)]["mean_volume"] == {"value": pytest.approx(320.0), "unit": "mm^3"}
    # Day 7 vehicle: 600 and 700 → 650, SEM 50; drug: 405 and 352 → 378.5.
    assert rows[("vehicle", 7.0)]["mean_volume"]["value"] == pytest.approx(650.0)
    assert rows[("vehicle", 7.0)]["sem"]["value"] == pytest.approx(50.0)
    assert rows[("drug", 7.0)]["mean_volume"]["value"] == pytest.approx(378.5)
    # TGI = (1 − (378.5 − 320)/(650 − 320)) × 100
    assert rows[("drug", 7.0)]["tgi"]["value"] == pytest.approx((1 - 58.5 / 330) * 100, rel=TOL)
    assert rows[("vehicle", 7.0)]["tgi"]["value"] is None
    joined = " ".join(result.warnings)
    assert "animal m3 (drug) lost 25.0 %" in joined
    assert "m4" not in joined
    assert "swapped" in joined
    assert load_hook("tumour-growth").plot(result).startswith(b"\x89PNG")


def test_tumour_lengths_in_cm_convert() -> None:
    text = TUMOUR.replace("length [mm],width [mm]", "length [cm],width [cm]")
    lines = text.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        a, arm, d, ln, w, bw = line.split(",")
        out.append(f"{a},{arm},{d},{float(ln) / 10},{float(w) / 10},{bw}")
    result = run_hook("tumour-growth", "\n".join(out) + "\n", {"control": "vehicle"})
    assert result.results[0]["mean_volume"]["value"] == pytest.approx(320.0, rel=TOL)


def test_densitometry_by_hand() -> None:
    text = """lane,condition,target,intensity
1,ctrl,actin,100
1,ctrl,pFAK,50
2,ctrl,actin,200
2,ctrl,pFAK,100
3,drug,actin,100
3,drug,pFAK,20
4,drug,actin,100
4,drug,pFAK,30
"""
    result = run_hook("densitometry", text, {"loading": "actin", "control": "ctrl"})
    conds = {r["condition"]: r for r in kinds(result, "condition")}
    assert conds["ctrl"]["ratio"]["mean"] == pytest.approx(0.5)
    assert conds["drug"]["relative"]["mean"] == pytest.approx(0.5)  # 0.25 / 0.5
    assert conds["drug"]["relative"]["sd"] == pytest.approx(math.sqrt(0.02))
    with pytest.raises(InputError):
        run_hook("densitometry", text, {"control": "ctrl"})


def test_flow_frequencies_by_hand() -> None:
    text = """sample,condition,population,parent,count
s1,ctrl,Live,,10000
s1,ctrl,CD45+,Live,5000
s1,ctrl,CD3+,CD45+,2000
s1,ctrl,CD8+,CD3+,500
s2,ctrl,Live,,8000
s2,ctrl,CD45+,Live,4000
s2,ctrl,CD3+,CD45+,1000
s2,ctrl,CD8+,CD3+,500
"""
    result = run_hook("flow-frequencies", text)
    gates = {(r["sample"], r["population"]): r for r in kinds(result, "gate")}
    assert gates[("s1", "CD8+")]["pct_parent"] == {"value": pytest.approx(25.0), "unit": "%"}
    assert gates[("s1", "CD8+")]["pct_lineage"]["value"] == pytest.approx(10.0)
    assert gates[("s1", "Live")]["pct_lineage"]["value"] is None
    assert gates[("s2", "CD3+")]["pct_lineage"]["value"] == pytest.approx(25.0)
    cond = {r["population"]: r for r in kinds(result, "condition")}
    assert cond["CD3+"]["pct_lineage"]["mean"] == pytest.approx(32.5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_matter(seed: int) -> None:
    for hook, text, params in (("wound-closure", WOUND, {}),
                               ("tumour-growth", TUMOUR, {"control": "vehicle"})):
        lines = text.splitlines()
        body = lines[1:]
        random.Random(seed).shuffle(body)
        shuffled = run_hook(hook, "\n".join([lines[0], *body]) + "\n", params).to_json()
        assert shuffled == run_hook(hook, text, params).to_json()


@pytest.mark.parametrize(
    ("hook", "text", "params"),
    [
        ("wound-closure", WOUND, {}),
        ("tumour-growth", TUMOUR, {"control": "vehicle"}),
        ("transwell", "insert,condition,field,count\ni1,control,1,10\ni2,control,1,12\n"
                      "i3,drug,1,4\n", {}),
        ("densitometry", "lane,condition,target,intensity\n1,ctrl,actin,100\n1,ctrl,p,50\n"
                         "2,drug,actin,100\n2,drug,p,20\n", {"loading": "actin"}),
    ],
)
def test_plots_are_png(hook: str, text: str, params: dict[str, str]) -> None:
    result = run_hook(hook, text, params)
    assert load_hook(hook).plot(result).startswith(b"\x89PNG")
