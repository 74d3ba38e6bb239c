"""``ELAB_CALENDAR``: one lab calendar for ``schedule plan`` and ``record`` unless a command
is given ``--calendar``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run

MTT = str(Path(__file__).resolve().parents[1] / "unit" / "schedule" / "data" / "protocols"
          / "mtt-viability.yaml")


def test_schedule_plan_uses_the_calendar_setting_unless_given_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lab, other = tmp_path / "lab.yaml", tmp_path / "other.yaml"
    lab.write_text("timezone: Asia/Tokyo\n")
    other.write_text("timezone: America/Chicago\n")
    monkeypatch.setenv("ELAB_CALENDAR", str(lab))
    code, out, err = run(["schedule", "plan", MTT, "--start", "2026-11-30", "--json",
                          "--time-limit", "2"], capsys)
    assert code == 0, err
    assert json.loads(out)["timezone"] == "Asia/Tokyo"
    code, out, err = run(["schedule", "plan", MTT, "--start", "2026-11-30", "--json",
                          "--time-limit", "2", "--calendar", str(other)], capsys)
    assert code == 0, err
    assert json.loads(out)["timezone"] == "America/Chicago"
