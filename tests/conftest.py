"""Shared fixtures: where the repository, its protocol library and test data are."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from elab.domain.runs import FakeClock
    from elab.services.runs import RunService

# Two shared cores and first-use caches (pint builds its registry on the first new unit)
# make per-example wall-clock deadlines flaky; correctness is what the properties check.
settings.register_profile("elab", deadline=None)
settings.load_profile("elab")

ROOT = Path(__file__).resolve().parents[1]

# Tests never touch the user's own caches or database: both go to a scratch directory
# (subprocesses of `elab` inherit it too).
_SCRATCH = tempfile.mkdtemp(prefix="elab-tests-")
os.environ.setdefault("ELAB_CACHE_DIR", str(Path(_SCRATCH) / "cache"))
os.environ.setdefault("ELAB_DATABASE_URL", f"sqlite:///{Path(_SCRATCH) / 'default.db'}")
os.environ.setdefault("ELAB_SIGNER_DIR", str(Path(_SCRATCH) / "signers"))
os.environ.setdefault("ELAB_NO_DESKTOP_NOTIFY", "1")  # no pop-ups on the developer's desktop
sys.path.insert(0, str(Path(__file__).parent))
PROTOCOLS = ROOT / "protocols"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def protocols_dir() -> Path:
    return PROTOCOLS


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each kind; the same tests run on SQLite and PostgreSQL."""
    from dbfixtures import make_url

    return make_url(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'elab.db'}"


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when a test says so (2026-11-23 09:00 UTC, a Monday)."""
    from elab.domain.runs import FakeClock

    return FakeClock()


@pytest.fixture
def service(sqlite_url: str, clock: FakeClock) -> Iterator[RunService]:
    """A run service on a fresh SQLite database, operator "ana", on the fake clock."""
    from elab.services.runs import RunService

    svc = RunService.open(sqlite_url, operator="ana", clock=clock)
    yield svc
    svc.close()

