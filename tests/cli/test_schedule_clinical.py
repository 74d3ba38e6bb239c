"""``elab schedule plan`` of the bundled clinical regimen: the RECIST clock.

RECIST 1.1 (Eisenhauer et al. 2009) wants the baseline scan at most 4 weeks before
treatment; the guide (004) scans every 8 weeks on treatment, so the first scan is at week 8
after cycle 1 day 1, not on it and not 8 weeks before it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from cli_calls import run


def _starts(capsys: pytest.CaptureFixture[str]) -> dict[str, datetime]:
    code, out, err = run(["schedule", "plan", "clinical-combination-regimen", "--start",
                          "2026-12-07", "--json"], capsys)
    assert code == 0, err
    return {a["step"]: datetime.fromisoformat(a["start"]) for a in json.loads(out)["activities"]}


def test_cycle_1_day_1_comes_within_28_days_of_the_baseline_scan(
        capsys: pytest.CaptureFixture[str]) -> None:
    starts = _starts(capsys)
    c1d1 = min(t for step, t in starts.items() if step.startswith("gemcitabine@C1D1"))
    assert timedelta(0) < c1d1 - starts["screening"] <= timedelta(days=28)
    first_dose = min(t for step, t in starts.items() if step.startswith("defactinib@"))
    assert first_dose.date() == c1d1.date()


def test_recist_scans_come_every_8_weeks_from_cycle_1_day_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    starts = _starts(capsys)
    c1d1 = starts["gemcitabine@C1D1"].date()
    scans = sorted(t.date() for step, t in starts.items() if step.startswith("imaging@"))
    assert [(d - c1d1).days for d in scans] == [56, 112, 168]
