"""The analyze --json contract on every built-in hook: estimates are {"value", "unit"}
(null, never NaN), warnings and headline are lists of sentences.

Inputs are the library protocols' sample data (tests/sample_data.py) with their params.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sample_data import (
    bands_csv,
    ddct_csv,
    flow_csv,
    ic50_csv,
    synergy_csv,
    transwell_csv,
    tumour_csv,
    wound_csv,
)

from elab.domain.analysis import run_hook

CASES: dict[str, tuple[Callable[[], str], dict[str, str]]] = {
    "ic50": (ic50_csv, {"model": "4pl", "normalize": "vehicle"}),
    "combination-index": (synergy_csv, {}),
    "ddct": (ddct_csv, {"reference": "GAPDH", "control": "vehicle"}),
    "transwell": (transwell_csv, {"control": "vehicle"}),
    "wound-closure": (wound_csv, {}),
    "tumour-growth": (tumour_csv, {"control": "vehicle"}),
    "densitometry": (lambda: bands_csv("beta-actin", "vehicle"),
                     {"loading": "beta-actin", "control": "vehicle"}),
    "flow-frequencies": (flow_csv, {}),
}
ESTIMATES = ("ic50", "fold_change", "tgi", "volume", "dm", "pct_of_control", "pct_parent",
             "pct_lineage", "body_weight")


def _is_quantity(value: Any) -> bool:
    """{"value", "unit"}, or a summary over replicates {"mean", "sd", "sem", "n", "unit"}."""
    if not (isinstance(value, dict) and isinstance(value.get("unit"), str)):
        return False
    number = value["value"] if "value" in value else value.get("mean")
    return number is None or isinstance(number, int | float)


@pytest.mark.parametrize("hook", sorted(CASES))
def test_estimates_are_values_with_units(hook: str) -> None:
    make, params = CASES[hook]
    data = json.loads(json.dumps(run_hook(hook, make(), params).to_json(), allow_nan=False))
    assert all(isinstance(w, str) for w in data["warnings"])
    assert all(isinstance(h, str) for h in data["headline"])
    checked = 0
    for row in data["results"]:
        for key, value in row.items():
            if any(name in key for name in ESTIMATES) and not key.endswith(("_basis", "_range")):
                assert _is_quantity(value), (key, value)
                checked += 1
            if key.endswith("rate") and isinstance(value, dict):
                assert "unit" in value and ("value" in value or "mean" in value), (key, value)
                checked += 1
    assert checked > 0 or hook == "densitometry"  # band ratios are plain summaries


@pytest.mark.parametrize("hook", ["ic50", "ddct", "combination-index", "tumour-growth",
                                  "wound-closure", "densitometry", "transwell"])
def test_main_hooks_have_a_headline(hook: str) -> None:
    make, params = CASES[hook]
    assert run_hook(hook, make(), params).headline
