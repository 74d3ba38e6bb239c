"""Opening the database: SQLite (WAL, synchronous=FULL, BEGIN IMMEDIATE) or any URL.

SQLite is the embedded default in the user data directory; ``ELAB_DATABASE_URL`` selects
another database (PostgreSQL for a shared lab).  The schema is brought to the newest
Alembic revision on open, so a database made by an older elab upgrades in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from elab.errors import StorageError
from elab.settings import Settings

__all__ = ["HEAD_REVISION", "WRITE_OPTION", "default_url", "migrate", "open_engine", "writing"]

HEAD_REVISION = "0002"
WRITE_OPTION = "elab_write"
_MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    configured = Settings.from_env().database_url
    if configured:
        return configured
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("elab"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'elab.db'}"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A writer takes the write lock at the start, so two appenders queue instead of
        # deadlocking on a lock upgrade; readers never take it.
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def open_engine(url: str | None = None, *, upgrade: bool = True) -> Engine:
    """An engine on ``url`` (default: ELAB_DATABASE_URL or the user's SQLite file)."""
    url = url or default_url()
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 10})
            _sqlite_setup(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        if upgrade:
            migrate(engine)
    except (SQLAlchemyError, DBAPIError, OSError) as exc:
        raise StorageError(f"cannot open the database {_safe(url)}: {_reason(exc)}") from exc
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite), committed on leaving."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except SQLAlchemyError:
            return None
        return str(row[0]) if row else None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (a no-op when it is already there)."""
    if revision == "head" and _current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with writing(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text_ = str(orig if orig is not None else exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__
