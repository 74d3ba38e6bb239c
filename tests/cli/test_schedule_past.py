"""``elab schedule plan --start`` before today: planned, but said in one line on stderr."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cli_calls import run


def test_a_start_in_the_past_is_one_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schedule", "plan", "bca-assay", "--start", "2020-01-06"], capsys)
    assert code == 0
    assert "Mon 06 Jan 2020" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "warning" in lines[0] and "before today" in lines[0]


def test_a_start_after_today_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    later = (date.today() + timedelta(days=2)).isoformat()
    code, _, err = run(["schedule", "plan", "bca-assay", "--start", later], capsys)
    assert code == 0 and "before today" not in err
