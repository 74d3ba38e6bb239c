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


def test_each_infusion_day_runs_counts_then_nab_paclitaxel_then_gemcitabine(
        capsys: pytest.CaptureFixture[str]) -> None:
    # blood counts within a day before the infusion; MPACT (Von Hoff 2013): nab-paclitaxel,
    # then gemcitabine within 30 min of its end
    code, out, err = run(["schedule", "plan", "clinical-combination-regimen", "--start",
                          "2026-12-07", "--json"], capsys)
    assert code == 0, err
    spans = {a["step"]: (datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"]))
             for a in json.loads(out)["activities"]}
    days = [s.split("@")[1] for s in spans if s.startswith("gemcitabine@")]
    assert len(days) == 18
    for day in days:
        counts, nab, gem = (spans[f"{s}@{day}"]
                            for s in ("blood-counts", "nab-paclitaxel", "gemcitabine"))
        assert counts[1] <= nab[0] <= counts[1] + timedelta(days=1)
        assert nab[1] <= gem[0] <= nab[1] + timedelta(minutes=30)
