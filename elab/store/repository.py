"""The event store: append-only, one transaction per append, conflicts refused.

Appends name the sequence number they expect to follow; a writer that lost the race gets
a :class:`~elab.errors.ConflictError` (the unique key on ``(run_id, seq)`` backs this up on
every database) and the service re-reads the run and tries again.  Any failure inside the
transaction rolls the whole append back: nothing half-written is ever visible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from elab.domain.runs.events import Event, StoredEvent, canonical_json
from elab.errors import ConflictError, InputError, StorageError
from elab.errors import IntegrityError as TamperError
from elab.store.db import writing
from elab.store.models import attachments, events, run_heads, run_summaries, runs, signers

__all__ = ["MAX_ATTACHMENT_BYTES", "EventStore", "Head", "RegisteredKey", "parse_payload"]

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Head:
    """A run's head as recorded at its last append."""

    run_id: str
    last_seq: int
    head_hash: str


@dataclass(frozen=True)
class RegisteredKey:
    """A signer's public key as registered in the database."""

    name: str
    printed_name: str
    public_key: str
    key_sha256: str
    created_at: str


def _row(event: Event) -> dict[str, Any]:
    try:
        payload = canonical_json(event.payload)
    except ValueError:
        raise InputError(
            f"run {event.run_id} event {event.seq}: a number is not finite; nothing was saved"
        ) from None
    return {
        "run_id": event.run_id,
        "seq": event.seq,
        "type": event.type,
        "at": event.at,
        "operator": event.operator,
        "payload": payload,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


# Built once: an append runs these every time, and building a statement per call cost as
# much as the rest of the append's Python (SQLAlchemy caches the compiled form per object).
_MOVE_HEAD = (
    update(run_heads)
    .where((run_heads.c.run_id == bindparam("b_run"))
           & (run_heads.c.last_seq == bindparam("b_expected")))
    .values(last_seq=bindparam("b_seq"), head_hash=bindparam("b_hash"))
)
_UPDATE_SUMMARY = (
    update(run_summaries)
    .where(run_summaries.c.run_id == bindparam("b_run_id"))
    .values({c.name: bindparam(f"b_{c.name}") for c in run_summaries.c if c.name != "run_id"})
)


def _database_keeps_heads(conn: Connection) -> bool:
    """PostgreSQL moves heads in a trigger (see migration 0003); SQLite leaves it to us."""
    return conn.dialect.name == "postgresql"


def parse_payload(raw: str) -> dict[str, Any]:
    """The stored payload; unreadable JSON is kept as text so the chain check names it."""
    try:
        # orjson parses a long run's 100,000 payloads about seven times faster than json;
        # writing and hashing stay on json's canonical encoding.
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # A log written before non-finite numbers were refused may hold NaN, which only
        # json reads; reading it keeps that run (and every other) readable and verifiable.
        try:
            value = json.loads(raw)
        except ValueError:
            return {"__unreadable__": raw}
    return value if isinstance(value, dict) else {"__unreadable__": raw}


class EventStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read the database: {_reason(exc)}") from exc

    def create_run(
        self, first: Event, protocol_id: str, summary: dict[str, Any] | None = None
    ) -> None:
        """Store a new run with its ``run_started`` event (and summary), all or nothing."""
        try:
            with writing(self.engine) as conn:
                conn.execute(
                    insert(runs).values(
                        id=first.run_id, protocol_id=protocol_id, created_at=first.at
                    )
                )
                self._insert(conn, [first])
                if not _database_keeps_heads(conn):
                    conn.execute(
                        insert(run_heads).values(
                            run_id=first.run_id, last_seq=first.seq, head_hash=first.hash
                        )
                    )
                if summary is not None:
                    self._put_summary(conn, summary)
        except IntegrityError as exc:
            raise ConflictError(f"run {first.run_id} already exists") from exc
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"nothing was saved: {_reason(exc)}") from exc

    def append(
        self,
        run_id: str,
        new: Sequence[Event],
        expected_last: int,
        blobs: Sequence[bytes] = (),
        summary: dict[str, Any] | None = None,
    ) -> None:
        """Append ``new`` after event ``expected_last``, with attachment blobs and the run's
        new summary, atomically."""
        if not new or new[0].seq != expected_last + 1:
            raise ConflictError(f"run {run_id}: events must follow event {expected_last}")
        try:
            with writing(self.engine) as conn:
                # No read of the last sequence number: the unique (run_id, seq) key refuses
                # event expected_last + 1 when another writer stored it first.
                for blob in blobs:
                    self._put_blob(conn, blob)
                self._insert(conn, new)
                if not _database_keeps_heads(conn):
                    self._move_head(conn, run_id, expected_last, new[-1])
                if summary is not None:
                    self._put_summary(conn, summary)
        except (ConflictError, InputError):
            raise
        except IntegrityError as exc:
            raise ConflictError(f"run {run_id}: another writer appended first") from exc
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"nothing was saved: {_reason(exc)}") from exc

    def _put_summary(self, conn: Connection, row: dict[str, Any]) -> None:
        done = conn.execute(_UPDATE_SUMMARY, {f"b_{k}": v for k, v in row.items()}).rowcount
        if done == 0:
            conn.execute(insert(run_summaries), [row])

    def put_summaries(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store summaries made again from their logs (one transaction)."""
        try:
            with writing(self.engine) as conn:
                for row in rows:
                    self._put_summary(conn, row)
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"nothing was saved: {_reason(exc)}") from exc

    def stale_summaries(self) -> list[str]:
        """Runs whose summary is missing or behind their recorded head."""
        query = (
            select(run_heads.c.run_id)
            .outerjoin(run_summaries, run_summaries.c.run_id == run_heads.c.run_id)
            .where((run_summaries.c.run_id.is_(None))
                   | (run_summaries.c.last_seq != run_heads.c.last_seq))
        )
        with self._reading() as conn:
            return [str(r[0]) for r in conn.execute(query)]

    def summaries(
        self, *, active: bool = False, limit: int | None = None, since: str | None = None
    ) -> list[dict[str, Any]]:
        """Summaries, active runs first, then the newest; ``since`` an ISO time."""
        c = run_summaries.c
        query = select(run_summaries)
        if active:
            query = query.where(c.state.in_(("running", "paused")))
        if since:
            query = query.where(c.started_at >= since)
        is_active = c.state.in_(("running", "paused"))
        query = query.order_by(is_active.desc(), c.started_at.desc(), c.run_id)
        if limit is not None:
            query = query.limit(limit)
        with self._reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def _insert(self, conn: Connection, new: Sequence[Event]) -> None:
        conn.execute(insert(events), [_row(e) for e in new])

    def _move_head(self, conn: Connection, run_id: str, expected_last: int, head: Event) -> None:
        """Move the run's recorded head on; it must still be where this writer read it."""
        moved = conn.execute(
            _MOVE_HEAD,
            {"b_run": run_id, "b_expected": expected_last, "b_seq": head.seq, "b_hash": head.hash},
        ).rowcount
        if moved == 1:
            return
        if conn.execute(select(run_heads.c.run_id).where(run_heads.c.run_id == run_id)).first():
            raise ConflictError(f"run {run_id}: its recorded head is not event {expected_last}")
        conn.execute(
            insert(run_heads).values(run_id=run_id, last_seq=head.seq, head_hash=head.hash)
        )

    def _put_blob(self, conn: Connection, blob: bytes) -> str:
        digest = hashlib.sha256(blob).hexdigest()
        exists = conn.execute(
            select(attachments.c.sha256).where(attachments.c.sha256 == digest)
        ).first()
        if exists is None:
            conn.execute(insert(attachments).values(sha256=digest, size=len(blob), content=blob))
        return digest

    def events(self, run_id: str, after: int = 0) -> list[Event]:
        """The run's events in order (those after sequence number ``after``)."""
        # Plain tuples and positional construction: a long run has 100,000 events to read.
        return [
            Event(run_id, seq, kind, at, operator, parse_payload(payload), prev, digest)
            for _, seq, kind, at, operator, payload, prev, digest in self._rows(run_id, after)
        ]

    def stored_events(self, run_id: str) -> list[StoredEvent]:
        """The run's events exactly as stored (payload as its JSON text), for verification."""
        return [StoredEvent(*row) for row in self._rows(run_id, 0)]

    def _rows(self, run_id: str, after: int) -> list[tuple[Any, ...]]:
        with self._reading() as conn:
            # The driver's own cursor: a long run's 100,000 rows in half the time of a Core
            # select, which matters for `runs verify` of every run in a lab's database.
            marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            return [
                (run_id, *row)
                for row in conn.exec_driver_sql(
                    "SELECT seq, type, at, operator, payload, prev_hash, hash FROM events "
                    f"WHERE run_id = {marker} AND seq > {marker} ORDER BY seq",
                    (run_id, after),
                )
            ]

    def last_seq(self, run_id: str) -> int:
        with self._reading() as conn:
            value = conn.execute(
                select(func.max(events.c.seq)).where(events.c.run_id == run_id)
            ).scalar()
        return int(value or 0)

    def run_ids(self) -> list[str]:
        with self._reading() as conn:
            return [r[0] for r in conn.execute(select(runs.c.id).order_by(runs.c.created_at))]

    def every_run_id(self) -> list[str]:
        """Every run id any table holds, for verification: deleting a run's row from ``runs``
        must not hide its events (or its head) from ``runs verify``."""
        listed = self.run_ids()
        with self._reading() as conn:
            others = {str(r[0]) for r in conn.execute(select(events.c.run_id).distinct())}
            others |= {str(r[0]) for r in conn.execute(select(run_heads.c.run_id))}
        return listed + sorted(others - set(listed))

    def is_listed(self, run_id: str) -> bool:
        with self._reading() as conn:
            return conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is not None

    def attachment(self, sha256: str) -> bytes:
        """The attachment's bytes, hashed again: bytes that do not match are never returned."""
        with self._reading() as conn:
            row = conn.execute(
                select(attachments.c.content).where(attachments.c.sha256 == sha256)
            ).first()
        if row is None:
            raise StorageError(f"attachment {sha256[:12]} is missing from the database")
        if not isinstance(row[0], bytes | bytearray | memoryview):
            raise TamperError(f"attachment {sha256[:12]} is not stored as bytes")
        blob = bytes(row[0])
        if hashlib.sha256(blob).hexdigest() != sha256:
            raise TamperError(
                f"attachment {sha256[:12]} was altered: its bytes no longer match its SHA-256"
            )
        return blob

    def attachment_problem(self, sha256: str) -> str:
        """Why the stored attachment cannot be trusted ("" when its bytes match its hash)."""
        try:
            self.attachment(sha256)
        except (StorageError, TamperError) as exc:
            return str(exc)
        return ""

    def head(self, run_id: str) -> Head | None:
        with self._reading() as conn:
            row = conn.execute(
                select(run_heads.c.last_seq, run_heads.c.head_hash).where(
                    run_heads.c.run_id == run_id
                )
            ).first()
        return None if row is None else Head(run_id, int(row[0]), str(row[1]))

    def heads(self) -> list[Head]:
        """Every run's recorded head, in the order the runs were created."""
        query = (
            select(runs.c.id, run_heads.c.last_seq, run_heads.c.head_hash)
            .join(run_heads, run_heads.c.run_id == runs.c.id)
            .order_by(runs.c.created_at, runs.c.id)
        )
        with self._reading() as conn:
            return [Head(str(r), int(s), str(h)) for r, s, h in conn.execute(query)]

    def register_key(self, key: RegisteredKey) -> None:
        """Register a signer's public key; a name is registered once and never replaced."""
        try:
            with writing(self.engine) as conn:
                conn.execute(insert(signers).values(
                    name=key.name, printed_name=key.printed_name, public_key=key.public_key,
                    key_sha256=key.key_sha256, created_at=key.created_at,
                ))
        except IntegrityError as exc:
            raise ConflictError(
                f"signer {key.name!r} is already registered in this database"
            ) from exc
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"nothing was saved: {_reason(exc)}") from exc

    def registered_keys(self) -> list[RegisteredKey]:
        with self._reading() as conn:
            rows = conn.execute(
                select(signers.c.name, signers.c.printed_name, signers.c.public_key,
                       signers.c.key_sha256, signers.c.created_at).order_by(signers.c.name)
            ).all()
        return [RegisteredKey(*(str(v) for v in row)) for row in rows]

    def registered_key(self, name: str) -> RegisteredKey | None:
        with self._reading() as conn:
            row = conn.execute(
                select(signers.c.name, signers.c.printed_name, signers.c.public_key,
                       signers.c.key_sha256, signers.c.created_at).where(signers.c.name == name)
            ).first()
        return None if row is None else RegisteredKey(*(str(v) for v in row))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
