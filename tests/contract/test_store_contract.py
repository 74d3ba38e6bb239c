"""The storage contract, run on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import disk_full_after
from sqlalchemy import create_engine, select, text, update

from elab.domain.runs import FakeClock, make_event, verify_chain
from elab.errors import ConflictError, StorageError
from elab.services.runs import RunService
from elab.store import EventStore, open_engine
from elab.store.db import migrate
from elab.store.models import events as events_table
from elab.store.repository import Head

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


@pytest.fixture
def service(db_url: str) -> Iterator[RunService]:
    svc = RunService.open(db_url, operator="ana", clock=FakeClock())
    yield svc
    svc.close()


def test_append_then_read_back(service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed", note="ok")
    kinds = [e.type for e in service.events(run)]
    assert kinds == ["run_started", "note", "step_done"]
    assert service.store.last_seq(run) == 3
    assert service.store.run_ids() == [run]


def test_a_stale_append_is_a_conflict_and_writes_nothing(service: RunService) -> None:
    run = service.start(PROTOCOL)
    head = service.events(run)[-1]
    event = make_event(run, 2, "note", head.at, "ana", {"text": "x"}, head.hash)
    service.store.append(run, [event], expected_last=1)
    with pytest.raises(ConflictError):
        service.store.append(run, [event], expected_last=1)
    assert len(service.events(run)) == 2


def test_unique_run_and_seq_back_the_conflict(db_url: str, service: RunService) -> None:
    run = service.start(PROTOCOL)
    head = service.events(run)[-1]
    event = make_event(run, 1, "note", head.at, "ana", {"text": "x"}, head.hash)
    with pytest.raises(ConflictError):
        service.store.append(run, [event], expected_last=0)  # seq 1 exists already


def test_a_write_failure_saves_nothing(service: RunService, monkeypatch: pytest.MonkeyPatch) -> None:
    run = service.start(PROTOCOL)
    before = service.events(run)

    # The events' rows are written, then the disk fills: the transaction must undo them.
    with (disk_full_after(service.store.engine, "INSERT INTO events"),
          pytest.raises(StorageError, match=r"nothing was saved: .*No space left")):
        service.done(run, "seed", [], "a note")
    assert service.events(run) == before
    assert verify_chain(service.events(run)) is None


@pytest.mark.parametrize("column", ["payload", "at", "hash", "operator", "prev_hash"])
def test_flipping_one_byte_in_any_event_is_caught(db_url: str, service: RunService, column: str) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed", note="n")
    service.done(run, "incubate")
    count = len(service.events(run))
    engine = create_engine(db_url)
    try:
        for seq in range(1, count + 1):
            with engine.begin() as conn:
                where = (events_table.c.run_id == run) & (events_table.c.seq == seq)
                original = conn.execute(select(events_table.c[column]).where(where)).scalar_one()
                flipped = _flip(original)
                conn.execute(update(events_table).where(where).values({column: flipped}))
            problems = service.verify(run)
            # The chain names the flipped event; a flipped last hash also leaves the log's
            # end apart from its recorded head, which names the same event.
            assert problems[0].kind == "chain" and {p.seq for p in problems} == {seq}, (column, seq)
            with engine.begin() as conn:
                conn.execute(update(events_table).where(where).values({column: original}))
        assert service.verify(run) == []
    finally:
        engine.dispose()


def _flip(value: str) -> str:
    index = len(value) // 2
    char = value[index]
    replacement = "1" if char != "1" else "2"
    return value[:index] + replacement + value[index + 1 :]


def test_removing_or_reordering_an_event_is_caught(db_url: str, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.done(run, "incubate")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE run_id = :r AND seq = 2"), {"r": run})
        assert [p.seq for p in service.verify(run)] == [3]
    finally:
        engine.dispose()


def test_an_old_database_upgrades_in_place(db_url: str) -> None:
    engine = open_engine(db_url, upgrade=False)
    try:
        migrate(engine, "0001")
        store = EventStore(engine)
        first = make_event("old-run", 1, "note", "2026-01-01T00:00:00.000000Z", "x", {}, "0" * 64)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO runs VALUES ('old-run', 'p', '2026-01-01')"))
            conn.execute(
                text("INSERT INTO events VALUES ('old-run', 1, 'note', :at, 'x', '{}', :prev, :h)"),
                {"at": first.at, "prev": first.prev_hash, "h": first.hash},
            )
        migrate(engine, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
            conn.execute(text("SELECT count(*) FROM attachments")).scalar()
        assert store.events("old-run") == [first]
        # The run made before heads were recorded gets the head its log had at the upgrade.
        assert store.head("old-run") == Head("old-run", 1, first.hash)
    finally:
        engine.dispose()


def test_attachments_are_stored_once_by_content(service: RunService, tmp_path: Path) -> None:
    run = service.start(PROTOCOL)
    data = tmp_path / "reader.csv"
    data.write_text("dose,response\n1,2\n")
    first = service.attach(run, "reader", data)[-1].payload
    second = service.attach(run, "reader-again", data)[-1].payload
    assert first["sha256"] == second["sha256"]
    assert service.store.attachment(first["sha256"]) == data.read_bytes()


def _append_notes(url: str, run: str, n: int, who: str) -> None:
    service = RunService.open(url, operator=who)
    try:
        for i in range(n):
            service.note(run, None, f"{who} {i}")
    finally:
        service.close()


def test_concurrent_appenders_never_fork_the_chain(db_url: str, service: RunService) -> None:
    run = service.start(PROTOCOL)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_notes, args=(db_url, run, 15, f"w{i}")) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    events = service.events(run)
    assert len(events) == 1 + 3 * 15
    assert [e.seq for e in events] == list(range(1, 47))
    assert verify_chain(events) is None


def test_a_corrupt_database_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "elab.cli.main", "runs", "list"],
        capture_output=True,
        text=True,
        env={**_env(), "ELAB_DATABASE_URL": f"sqlite:///{bad}"},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("elab: cannot open the database")
    assert "Traceback" not in result.stderr


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
