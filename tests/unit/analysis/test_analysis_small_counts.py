"""wound-closure and flow-frequencies: a rate from 2 images and a frequency over a handful
of events are warned, not reported as if measured well (review 13c S12).
"""

from __future__ import annotations

from elab.domain.analysis import run_hook

# A 1 % rise at 12 h ends the linear phase after 2 images; 4 later images are left out.
WOUND = """well,condition,time [h],area [um^2]
A1,ctrl,0,1000000
A1,ctrl,6,800000
A1,ctrl,12,810000
A1,ctrl,18,600000
A1,ctrl,24,400000
A1,ctrl,30,200000
"""

FLOW = """sample,condition,population,parent,count
s1,ctrl,Live,,10000
s1,ctrl,CD45+,Live,5000
s1,ctrl,CD3+,CD45+,1000
s1,ctrl,CD8+,CD3+,400
s4,drug,Live,,8000
s4,drug,CD45+,Live,2000
s4,drug,CD3+,CD45+,2
s4,drug,CD8+,CD3+,1
"""


def test_rate_from_two_images_is_warned() -> None:
    result = run_hook("wound-closure", WOUND)
    (well,) = [r for r in result.results if r["kind"] == "well"]
    assert well["fit_times"] == [0.0, 6.0]
    assert any("well A1: the linear phase rests on 2 images (0–6 h)" in w
               and "4 later image(s)" in w for w in result.warnings), result.warnings


def test_frequency_of_a_tiny_parent_is_warned_with_the_threshold() -> None:
    result = run_hook("flow-frequencies", FLOW)
    tiny = [w for w in result.warnings if "only 2 events" in w]
    assert len(tiny) == 1 and "s4" in tiny[0] and "< 100" in tiny[0] and "Poisson" in tiny[0]
    assert not any(w.startswith("s1") for w in result.warnings)
    assert "100 events" in result.method
    stricter = run_hook("flow-frequencies", FLOW, {"min_parent": 6000})
    assert any("s1: 'CD3+' is 20 % of 'CD45+'" in w for w in stricter.warnings)


def test_rate_mixing_a_well_without_time_zero_is_warned() -> None:
    text = ("well,condition,time [h],area [um^2]\n"
            "B1,drug,0,1000000\nB1,drug,12,900000\nB1,drug,24,800000\n"
            "B2,drug,12,900000\nB2,drug,24,800000\n")
    result = run_hook("wound-closure", text)
    (cond,) = [r for r in result.results if r["kind"] == "condition"]
    assert cond["migration_rate"]["n"] == 2 and cond["closure_rate"]["n"] == 1
    assert any(w.startswith("drug: migration_rate averages 2 wells, 1 of them (B2)")
               for w in result.warnings), result.warnings
