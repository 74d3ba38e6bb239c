"""Any table a hook is given ends in a result or one ElabError: never a crash, never NaN in JSON.

Cells are drawn from the awkward values instruments and people produce: empty, NA,
Undetermined, inf, zero, negative, huge and tiny numbers, repeated and empty labels.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.analysis import run_hook
from elab.errors import ElabError

COLUMNS = {
    "ic50": ["dose", "response", "group"],
    "combination-index": ["dose_a", "dose_b", "effect"],
    "ddct": ["sample", "condition", "target", "ct", "well"],
    "wound-closure": ["well", "condition", "time", "area"],
    "transwell": ["insert", "condition", "field", "count"],
    "tumour-growth": ["animal", "arm", "day", "length", "width", "body_weight"],
    "densitometry": ["lane", "condition", "target", "intensity"],
    "flow-frequencies": ["sample", "population", "parent", "count", "condition"],
}
PARAMS = {
    "ddct": {"reference": "g0", "control": "c0"},
    "densitometry": {"loading": "g0", "control": "c0"},
    "tumour-growth": {"control": "c0"},
    "transwell": {"control": "c0"},
}
LABELS = {"group", "sample", "condition", "target", "well", "insert", "field", "animal", "arm",
          "lane", "population", "parent"}
labels = st.sampled_from(["c0", "c1", "g0", "g1", ""])
numbers = st.one_of(
    st.sampled_from(["0", "1", "-1", "1e300", "nan", "", "Undetermined", "inf", "1e-300"]),
    st.floats(0, 100, allow_nan=False).map(repr),
)


@st.composite
def tables(draw: st.DrawFn, hook: str) -> str:
    cols = COLUMNS[hook]
    rows = draw(st.lists(
        st.tuples(*(labels if c in LABELS else numbers for c in cols)), min_size=1, max_size=12
    ))
    return ",".join(cols) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


@pytest.mark.parametrize("hook", sorted(COLUMNS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hooks_never_crash(hook: str, data: st.DataObject) -> None:
    text = data.draw(tables(hook))
    try:
        result = run_hook(hook, text, PARAMS.get(hook))
    except ElabError:
        return
    json.dumps(result.to_json(), allow_nan=False)
