"""Shared fixtures: where the repository, its protocol library and test data are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ROOT / "protocols"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def protocols_dir() -> Path:
    return PROTOCOLS
