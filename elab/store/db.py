"""Opening the database: SQLite (WAL, synchronous=FULL, BEGIN IMMEDIATE) or any URL.

SQLite is the embedded default in the user data directory; ``ELAB_DATABASE_URL`` selects
another database (PostgreSQL for a shared lab).  The schema is brought to the newest
Alembic revision on open, so a database made by an older elab upgrades in place.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from elab.errors import StorageError
from elab.settings import Settings

__all__ = ["WRITE_OPTION", "default_url", "head_revision", "migrate", "open_engine", "writing"]

WRITE_OPTION = "elab_write"
_MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    configured = Settings.from_env().database_url
    if configured:
        return configured
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("elab"))
    if not folder.exists():
        # The lab's records are the user's alone: a folder only they can open.
        folder.mkdir(mode=0o700, parents=True)
    return f"sqlite:///{folder / 'elab.db'}"


def _sqlite_file(url: str) -> Path | None:
    """The database file of a plain ``sqlite:///PATH`` URL (None for memory or URI forms)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _read_only_mode(path: Path) -> str | None:
    """``immutable`` on read-only media, ``ro`` for a file we may not write, else None."""
    if not path.exists():
        return None
    if not os.access(path.parent, os.W_OK):
        # No -wal or -shm file can be made beside it: read it as a file nobody changes.
        return "immutable"
    if not os.access(path, os.W_OK):
        return "ro"
    return None


def _create_private(path: Path) -> None:
    """Create a new database file readable by its owner only (SQLite would use 0644)."""
    if path.exists() or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(url: str) -> tuple[Engine, bool]:
    """An engine on a SQLite URL, and whether it is read-only."""
    path = _sqlite_file(url)
    mode = _read_only_mode(path) if path is not None else None
    if path is not None and mode is None:
        _create_private(path)
    if path is not None and mode is not None:
        flag = "immutable=1" if mode == "immutable" else "mode=ro"
        url = f"sqlite:///file:{path.resolve()}?{flag}&uri=true"
    engine = create_engine(url, connect_args={"timeout": 10})
    _sqlite_setup(engine, read_only=mode is not None)
    return engine, mode is not None


def _sqlite_setup(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        if not read_only:
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
    """An engine on ``url`` (default: ELAB_DATABASE_URL or the user's SQLite file).

    A SQLite file this process may not write (read-only media, a colleague's copy) is opened
    read-only, so reading commands (``runs verify``, ``runs status``, ``record``) still work;
    a new file is created 0600.
    """
    url = url or default_url()
    try:
        read_only = False
        if url.startswith("sqlite"):
            engine, read_only = _sqlite_engine(url)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        if upgrade and not read_only:
            migrate(engine)
        elif upgrade and _current_revision(engine) != head_revision():
            raise StorageError(
                f"the database {_safe(url)} is read-only and was made by an older elab; "
                "open it once where it can be written to upgrade it"
            )
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


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration, as Alembic's script directory says (never pinned by hand)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return str(head)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (a no-op when it is already there)."""
    if revision == "head" and _current_revision(engine) == head_revision():
        return
    from alembic import command

    config = _config()
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
