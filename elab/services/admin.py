"""A shared PostgreSQL lab database where identity is the database's, not a typed name.

``elab admin init`` (run once by the database's administrator) makes a group role,
``elab_person``, that may read the log and add to it and nothing else: SELECT and INSERT
on the log tables, no UPDATE, DELETE or TRUNCATE anywhere, and only SELECT on the run heads,
which the database moves itself (migration 0003's trigger).  Each person gets a login role
in that group; the same trigger refuses an event whose operator is not the logged-in role,
so a person cannot write in someone else's name, nor rewrite what was written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from elab.errors import InputError, StorageError

__all__ = ["PERSON_ROLE", "Person", "init_lab_database", "init_roles", "session_person"]

PERSON_ROLE = "elab_person"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_APPEND_ONLY = ("events", "runs", "attachments", "signers")
_READ_ONLY = ("run_heads", "alembic_version")
# Summaries are derived from the log for listing, never evidence: a person keeps them current.
_DERIVED = ("run_summaries",)
_ALL = (*_APPEND_ONLY, *_READ_ONLY, *_DERIVED)


@dataclass(frozen=True)
class Person:
    """A person's login role and the password they log in with."""

    name: str
    password: str


_SIGNER_GUARD = """
CREATE OR REPLACE FUNCTION elab_signer_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF pg_has_role(session_user, 'elab_person', 'MEMBER')
               AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
       AND NEW.name <> session_user::text THEN
        RAISE EXCEPTION 'signer % is not the database user %', NEW.name, session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$
"""


def init_lab_database(people: Sequence[Person], url: str | None = None) -> list[str]:
    """:func:`init_roles` on the configured database (ELAB_DATABASE_URL)."""
    from elab.store import open_engine

    engine = open_engine(url)
    try:
        return init_roles(engine, people)
    finally:
        engine.dispose()


def init_roles(engine: Engine, people: Sequence[Person]) -> list[str]:
    """Create (or bring up to date) the group role, its grants and each person's role.

    Returns what was done, a line each.  Refuses anything but PostgreSQL.
    """
    if engine.dialect.name != "postgresql":
        raise InputError("elab admin init is for a PostgreSQL lab database; SQLite is "
                         "single-user and needs no roles")
    for person in people:
        if not _ROLE_NAME.match(person.name):
            raise InputError(f"person {person.name!r}: a role name is lower-case letters, "
                             "digits and '_', starting with a letter")
    from psycopg import sql

    done: list[str] = []
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if not _role_exists(cursor, PERSON_ROLE):
            cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(PERSON_ROLE)))
            done.append(f"created group role {PERSON_ROLE}")
        tables = sql.SQL(", ").join(sql.Identifier(t) for t in _ALL)
        group = sql.Identifier(PERSON_ROLE)
        cursor.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(tables, group))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(group))
        cursor.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in _APPEND_ONLY), group))
        cursor.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in _READ_ONLY), group))
        cursor.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in _DERIVED), group))
        cursor.execute(_SIGNER_GUARD)
        cursor.execute("DROP TRIGGER IF EXISTS elab_signer_guard ON signers")
        cursor.execute("CREATE TRIGGER elab_signer_guard BEFORE INSERT ON signers "
                       "FOR EACH ROW EXECUTE FUNCTION elab_signer_guard()")
        done.append(f"{PERSON_ROLE}: SELECT and INSERT on {', '.join(_APPEND_ONLY)}; "
                    f"SELECT on {', '.join(_READ_ONLY)}; no UPDATE, DELETE or TRUNCATE")
        for person in people:
            verb = "ALTER" if _role_exists(cursor, person.name) else "CREATE"
            cursor.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(person.name), sql.Literal(person.password)))
            cursor.execute(sql.SQL("GRANT {} TO {}").format(group, sql.Identifier(person.name)))
            done.append(f"{'updated' if verb == 'ALTER' else 'created'} login role "
                        f"{person.name} in {PERSON_ROLE}")
    return done


def _role_exists(cursor: Any, name: str) -> bool:
    execute = cursor.execute
    execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
    return cursor.fetchone() is not None


def session_person(engine: Engine) -> str | None:
    """The logged-in person's role when the database gives identity, else None."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT session_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :g) "
                "AND pg_has_role(session_user, :g, 'MEMBER') "
                "AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"),
                {"g": PERSON_ROLE}).first()
    except Exception as exc:  # a database that cannot say who we are: say so, once
        raise StorageError(f"cannot ask the database who is logged in: {exc}") from exc
    if row is None or not row[1]:
        return None
    return str(row[0])
