"""Shared helpers for the analysis hook tests: data files live in ``data/`` beside them."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data() -> Path:
    return DATA
