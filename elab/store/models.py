"""The tables. Events are only ever inserted: unique on (run_id, seq), never updated.

``run_heads`` is the one table rows of which change: each append moves its run's head on in
the same transaction, so the log and its head always agree unless someone edits the database.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, Text

__all__ = [
    "attachments",
    "events",
    "metadata",
    "run_heads",
    "run_summaries",
    "runs",
    "signers",
]

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

run_heads = Table(
    "run_heads",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("last_seq", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

signers = Table(
    "signers",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("printed_name", String(200), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("key_sha256", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
)

# Derived from the log, written with each append; never evidence (see domain/runs/summary.py).
run_summaries = Table(
    "run_summaries",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("protocol_id", String(120), nullable=False),
    Column("title", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("ended_at", String(32), nullable=False),
    Column("operators", Text, nullable=False),
    Column("current_step", String(200), nullable=False),
    Column("timers", Text, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("problem", Text, nullable=False),
)
