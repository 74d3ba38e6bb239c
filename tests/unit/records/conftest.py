"""Fixtures for the record tests."""

from __future__ import annotations

import pytest
from records_sample import sample_record

from elab.domain.records import RunRecord


@pytest.fixture(autouse=True)
def _utc_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records show UTC alone here, whatever zone the machine running the tests is in."""
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def record() -> RunRecord:
    return sample_record()
