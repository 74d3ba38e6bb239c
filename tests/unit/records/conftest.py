"""Fixtures for the record tests."""

from __future__ import annotations

import pytest
from records_sample import sample_record

from elab.domain.records import RunRecord


@pytest.fixture
def record() -> RunRecord:
    return sample_record()
