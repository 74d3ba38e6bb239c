"""``elab schedule plan`` of the library's blots: a washed, HRP-bound membrane is imaged at once.

Review finding 2: from a Monday start the p-FAK membrane was washed on Friday and imaged on
Monday. The protocols hold ECL (and the secondary) to the washes with ``within:`` windows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from cli_calls import run

# (protocol, step handed over, step that must follow it at once)
HANDOFFS = [
    ("western-blot-pfak", "wash-1", "secondary-1"),
    ("western-blot-pfak", "wash-2", "detect-pfak"),
    ("western-blot-pfak", "wash-3", "secondary-2"),
    ("western-blot-pfak", "wash-4", "detect-fak"),
    ("western-blot-emt", "wash-1", "secondary"),
    ("western-blot-emt", "wash-2", "ecl"),
]


def _plan(protocol: str, start: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, datetime]]:
    code, out, err = run(["schedule", "plan", protocol, "--start", start, "--json"], capsys)
    assert code == 0, err
    steps: dict[str, dict[str, datetime]] = {}
    for a in json.loads(out)["activities"]:
        step = a["step"].split(":")[0]
        start_at, end_at = datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"])
        got = steps.setdefault(step, {"start": start_at, "end": end_at})
        got["start"], got["end"] = min(got["start"], start_at), max(got["end"], end_at)
    return steps


@pytest.mark.parametrize("start", ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10",
                                   "2026-12-11"])
@pytest.mark.parametrize("protocol", ["western-blot-pfak", "western-blot-emt"])
def test_a_washed_membrane_goes_on_within_15_minutes(
        protocol: str, start: str, capsys: pytest.CaptureFixture[str]) -> None:
    steps = _plan(protocol, start, capsys)
    for name, before, after in HANDOFFS:
        if name != protocol:
            continue
        gap = steps[after]["start"] - steps[before]["end"]
        assert timedelta(0) <= gap <= timedelta(minutes=15), (before, after, gap)


def test_pfak_from_a_monday_images_before_the_weekend(
        capsys: pytest.CaptureFixture[str]) -> None:
    steps = _plan("western-blot-pfak", "2026-12-07", capsys)
    washed, imaged = steps["wash-2"]["end"], steps["detect-pfak"]["start"]
    assert imaged.date() == washed.date()
    assert imaged.weekday() < 5
    # the imaged membrane may wait in TBST at 4 °C, and is stripped within 3 days
    assert steps["strip"]["start"] - steps["detect-pfak"]["end"] <= timedelta(hours=72)
