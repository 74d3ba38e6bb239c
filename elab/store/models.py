"""The tables. Events are only ever inserted: unique on (run_id, seq), never updated."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text

__all__ = ["attachments", "events", "metadata", "runs"]

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("protocol_id", String(120), nullable=False),
    Column("created_at", String(32), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("at", String(32), nullable=False),
    Column("operator", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)
