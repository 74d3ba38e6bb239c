"""No hook raises on a well-formed table of awkward numbers: it answers null with warnings.

The labels are valid (the reference gene, control and loading band exist), so any exception
would be the analysis failing on numbers a real instrument can produce: NaN and empty cells,
zeros, a single row, columns that are constant, huge (1e29) and tiny (1e-300) values.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.analysis import run_hook

LABELS = {
    "ic50": {"group": lambda i: "AB"[i % 2]},
    "combination-index": {},
    "ddct": {"sample": lambda i: f"s{i // 2 % 3}", "condition": lambda i: f"c{i // 2 % 2}",
             "target": lambda i: f"g{i % 2}"},
    "wound-closure": {"well": lambda i: f"w{i % 3}", "condition": lambda i: f"c{i % 2}"},
    "transwell": {"insert": lambda i: f"i{i % 3}", "condition": lambda i: f"c{i % 2}",
                  "field": lambda i: f"f{i}"},
    "tumour-growth": {"animal": lambda i: f"m{i % 3}", "arm": lambda i: f"c{i % 2}"},
    "densitometry": {"lane": lambda i: str(i // 2 + 1), "condition": lambda i: f"c{i // 2 % 2}",
                     "target": lambda i: f"g{i % 2}"},
    "flow-frequencies": {"sample": lambda i: f"s{i % 2}", "population": lambda i: f"p{i}",
                         "parent": lambda i: f"p{i - 1}" if i else ""},
}
NUMBERS = {
    "ic50": ["dose", "response"],
    "combination-index": ["dose_a", "dose_b", "effect"],
    "ddct": ["ct"],
    "wound-closure": ["time", "area"],
    "transwell": ["count"],
    "tumour-growth": ["day", "length", "width", "body_weight"],
    "densitometry": ["intensity"],
    "flow-frequencies": ["count"],
}
PARAMS = {
    "ddct": {"reference": "g0", "control": "c0"},
    "densitometry": {"loading": "g0", "control": "c0"},
    "tumour-growth": {"control": "c0"},
    "transwell": {"control": "c0"},
}
cells = st.one_of(
    st.sampled_from(["0", "1e-300", "1e29", "nan", "", "1", "2.5", "100", "Undetermined"]),
    st.floats(0, 1e6, allow_nan=False).map(repr),
)


@st.composite
def numeric_tables(draw: st.DrawFn, hook: str) -> str:
    # A single row cannot hold a target beside its reference (ddct) or loading band.
    n = draw(st.integers(2 if hook in ("ddct", "densitometry") else 1, 14))
    names = [*LABELS[hook], *NUMBERS[hook]]
    columns: dict[str, list[str]] = {k: [f(i) for i in range(n)] for k, f in LABELS[hook].items()}
    for name in NUMBERS[hook]:
        if draw(st.booleans()):
            columns[name] = [draw(cells)] * n  # a constant column
        else:
            columns[name] = draw(st.lists(cells, min_size=n, max_size=n))
    rows = [",".join(columns[k][i] for k in names) for i in range(n)]
    return ",".join(names) + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("hook", sorted(LABELS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_hook_raises_on_numbers(hook: str, data: st.DataObject) -> None:
    text = data.draw(numeric_tables(hook))
    result = run_hook(hook, text, PARAMS.get(hook))
    out = result.to_json()
    json.dumps(out, allow_nan=False)
    assert all(isinstance(w, str) for w in out["warnings"])


def test_a_dose_ratio_beyond_floating_point_is_said_not_divided_by() -> None:
    """Found by the test above: 5e-324 / 1e29 underflows to a ratio of 0 (then 1 / 0)."""
    text = ("dose_a,dose_b,effect\n" + "0,0,0\n" * 6 + "5e-324,1e29,0\n" + "0,0,0\n" * 5
            + "5e-324,2.5,0\n")
    out = run_hook("combination-index", text).to_json()
    json.dumps(out, allow_nan=False)
    assert any("dose ratio beyond floating point" in w for w in out["warnings"])
