"""Database URLs for tests: a fresh SQLite file, and the PostgreSQL test database.

PostgreSQL comes from ELAB_TEST_DATABASE_URL (`.ci/run` and `make pg` set it up).  A test
that needs it fails loudly when it is missing: the storage contract is only tested when it
runs on both databases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

TABLES = ("events", "runs", "attachments", "run_heads", "signers", "run_summaries", "alembic_version")


def postgres_url() -> str:
    url = os.environ.get("ELAB_TEST_DATABASE_URL")
    if not url:
        pytest.fail(
            "ELAB_TEST_DATABASE_URL is not set: run `eval \"$(make -s pg)\"` (or .ci/run) so the "
            "storage tests can run on PostgreSQL too"
        )
    return url


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    except Exception as exc:
        pytest.fail(f"PostgreSQL test database at ELAB_TEST_DATABASE_URL is unreachable: {exc}")
    finally:
        engine.dispose()


def make_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'elab.db'}"
    url = postgres_url()
    reset_postgres(url)
    return url


@contextmanager
def disk_full_after(engine: Engine, statement: str) -> Iterator[None]:
    """The disk fills right after the database runs a statement containing ``statement``.

    Through SQLAlchemy's public event hooks, so a test fails a write mid-transaction without
    reaching into the store's private methods.
    """
    from sqlalchemy import event

    def full(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if statement in sql:
            raise OSError(28, "No space left on device")

    event.listen(engine, "after_cursor_execute", full)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", full)
