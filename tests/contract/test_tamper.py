"""The tamper suite: each attack on a stored run, tried on SQLite and PostgreSQL alike.

The attacker here can write the database (and, for the key-file attacks, the signer folder).
Each test makes a real run, signs it through the record service, alters the database the way
an attacker would, and checks that ``verify`` names the problem (and, where it matters, that
the record shows the signature invalid).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, insert, select, text, update

from elab.domain.runs import Event, FakeClock, event_hash
from elab.errors import ConflictError, InputError, IntegrityError
from elab.services.record_source import ServiceRunSource
from elab.services.records import build_record, sign_run
from elab.services.runs import RunService
from elab.services.signing import FileSignerStore, add_signer
from elab.store.models import attachments, events, run_heads

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
PASSWORD = "correct horse battery"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def signers(tmp_path: Path) -> FileSignerStore:
    return FileSignerStore(tmp_path / "signers")


@pytest.fixture
def service(db_url: str, signers: FileSignerStore) -> Iterator[RunService]:
    svc = RunService.open(db_url, operator="alice", clock=FakeClock())
    svc.signers = signers
    yield svc
    svc.close()


def _signed_run(service: RunService, signers: FileSignerStore, tmp_path: Path) -> str:
    """A run with values, a deviation, an attachment and a 'performed' signature by alice."""
    if "alice" not in signers.names():
        add_signer("alice", PASSWORD, printed_name="Alice Analyst", now=NOW, store=signers,
                   registry=service.keys)
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.deviate(run, "seed", "medium was cold")
    data = tmp_path / "reader.csv"
    data.write_text("well,od\nA1,0.5\n", encoding="utf-8")
    service.attach(run, "reader", data)
    service.record_values(run, "measure", [("conc", "2.5 mg/mL")])
    _sign(service, signers, run, "performed")
    return run


def _sign(service: RunService, signers: FileSignerStore, run: str, meaning: str) -> None:
    sign_run(run, meaning=meaning, signer="alice", password=PASSWORD,
             source=ServiceRunSource(service), store=signers, now=NOW)


def _kinds(service: RunService, run: str) -> set[str]:
    return {f.kind for f in service.verify(run)}


def _rows(db_url: str, run: str) -> list[dict[str, Any]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            result = conn.execute(
                select(events).where(events.c.run_id == run).order_by(events.c.seq))
            return [dict(r._mapping) for r in result]
    finally:
        engine.dispose()


def _rewrite(db_url: str, run: str, rows: list[dict[str, Any]], *, move_head: bool) -> None:
    """Write ``rows`` back as the run's whole log, re-chained as a careful forger would."""
    prev = "0" * 64
    chained = []
    for seq, row in enumerate(rows, start=1):
        payload = json.loads(row["payload"])
        event = Event(run, seq, row["type"], row["at"], row["operator"], payload, prev)
        digest = event_hash(event)
        chained.append({**row, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            _as_owner(conn)
            conn.execute(delete(events).where(events.c.run_id == run))
            conn.execute(insert(events), chained)
            if move_head:
                conn.execute(update(run_heads).where(run_heads.c.run_id == run)
                             .values(last_seq=len(chained), head_hash=prev))
    finally:
        engine.dispose()


def _as_owner(conn: Any) -> None:
    """The attacker owns the database: on PostgreSQL they switch its triggers off first."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))


def _execute(db_url: str, statement: Any) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            _as_owner(conn)
            conn.execute(statement)
    finally:
        engine.dispose()


def test_an_untouched_signed_run_verifies(service: RunService, signers: FileSignerStore,
                                          tmp_path: Path) -> None:
    run = _signed_run(service, signers, tmp_path)
    assert service.verify(run) == []
    record = build_record(run, ServiceRunSource(service), store=signers)
    assert record.chain.ok and [s.valid for s in record.signatures] == [True]
    assert record.signatures[0].key_sha256 == signers.get("alice").key_sha256


def test_a_nan_value_is_refused_and_saves_nothing(service: RunService) -> None:
    run = service.start(PROTOCOL)
    before = service.last_seq(run)
    for typed in ("nan mg/mL", "inf mg/mL", "1e999 mg/mL"):
        with pytest.raises(InputError):
            service.record_values(run, "measure", [("conc", typed)])
    assert service.last_seq(run) == before


def test_a_payload_edit_is_found_and_voids_the_signature(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    rows = _rows(db_url, run)
    value = next(r for r in rows if r["type"] == "value_recorded")
    _execute(db_url, update(events).where((events.c.run_id == run) & (events.c.seq == value["seq"]))
             .values(payload=value["payload"].replace("2.5", "3.5")))
    found = service.verify(run)
    assert ("chain", value["seq"]) in {(f.kind, f.seq) for f in found}
    assert "signature" in {f.kind for f in found}
    record = build_record(run, ServiceRunSource(service), store=signers)
    assert not record.chain.ok and not record.signatures[0].valid
    assert "no longer verifies" in record.signatures[0].problem


def test_deleting_the_last_events_is_truncation(db_url: str, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.done(run, "incubate")
    last = service.last_seq(run)
    _execute(db_url, delete(events).where((events.c.run_id == run) & (events.c.seq >= last - 1)))
    [finding] = service.verify(run)
    assert finding.kind == "head" and "truncated" in finding.message
    assert finding.seq == last


def test_deleting_a_signature_and_all_after_it_is_truncation(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    service.note(run, None, "after signing")
    signed = next(r["seq"] for r in _rows(db_url, run) if r["type"] == "signed")
    _execute(db_url, delete(events).where((events.c.run_id == run) & (events.c.seq >= signed)))
    assert _kinds(service, run) == {"head"}


def test_a_deleted_middle_event_breaks_the_chain(db_url: str, service: RunService) -> None:
    run = service.start(PROTOCOL)
    service.done(run, "seed")
    service.done(run, "incubate")
    _execute(db_url, delete(events).where((events.c.run_id == run) & (events.c.seq == 2)))
    assert ("chain", 3) in {(f.kind, f.seq) for f in service.verify(run)}


def test_a_dropped_deviation_rechained_with_its_head_voids_the_signature(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    rows = [r for r in _rows(db_url, run) if r["type"] != "deviation"]
    _rewrite(db_url, run, rows, move_head=True)
    found = service.verify(run)
    # The signed head moved down one place: the signature no longer fits where it stands.
    assert [f.kind for f in found] == ["signature"]


def test_a_dropped_deviation_rechained_without_its_head_is_found(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    rows = [r for r in _rows(db_url, run) if r["type"] != "deviation"]
    _rewrite(db_url, run, rows, move_head=False)
    assert "head" in _kinds(service, run)


def test_an_edited_printed_name_rechained_voids_the_signature(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    rows = _rows(db_url, run)
    for row in rows:
        if row["type"] == "signed":
            payload = json.loads(row["payload"])
            payload["printed_name"] = "Bob Boss"
            row["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    _rewrite(db_url, run, rows, move_head=True)
    [finding] = service.verify(run)
    assert finding.kind == "signature" and "does not verify" in finding.message


def test_an_edited_operator_of_the_signed_event_voids_the_signature(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    rows = _rows(db_url, run)
    for row in rows:
        if row["type"] == "signed":
            row["operator"] = "mallory"
    _rewrite(db_url, run, rows, move_head=True)
    [finding] = service.verify(run)
    assert finding.kind == "signature" and "mallory" in finding.message


def test_a_swapped_attachment_is_found_and_never_read(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    digest = next(json.loads(r["payload"])["sha256"] for r in _rows(db_url, run)
                  if r["type"] == "attachment")
    _execute(db_url, update(attachments).where(attachments.c.sha256 == digest)
             .values(content=b"well,od\nA1,0.1\n"))
    found = service.verify(run)
    assert {"attachment", "signature"} <= {f.kind for f in found}
    assert any("'reader'" in f.message for f in found if f.kind == "attachment")
    with pytest.raises(IntegrityError, match="altered"):
        service.attachment(digest)


def test_a_swapped_key_file_is_refused_and_old_signatures_still_hold(
    service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    run = _signed_run(service, signers, tmp_path)
    other = FileSignerStore(tmp_path / "elsewhere")
    add_signer("alice", "another password", printed_name="Alice Analyst", now=NOW, store=other)
    (signers.directory / "alice.json").write_text(
        (other.directory / "alice.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(IntegrityError):
        sign_run(run, meaning="reviewed", signer="alice", password="another password",
                 source=ServiceRunSource(service), store=signers, now=NOW)
    # The old signature still verifies with the registered key; the disagreement is said.
    found = service.verify(run)
    assert [f.kind for f in found] == ["signer"]
    assert "one of them was replaced" in found[0].message


def test_a_deleted_key_file_cannot_be_added_again(
    service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    _signed_run(service, signers, tmp_path)
    (signers.directory / "alice.json").unlink()
    with pytest.raises(ConflictError, match="already registered"):
        add_signer("alice", "another password", printed_name="Alice Analyst", now=NOW,
                   store=signers, registry=service.keys)
    assert "alice" not in signers.names()  # nothing half-made is left behind


def test_a_signature_replayed_on_another_run_does_not_hold(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    first = _signed_run(service, signers, tmp_path)
    second = service.start(PROTOCOL)
    payload = next(json.loads(r["payload"]) for r in _rows(db_url, first) if r["type"] == "signed")
    service.append_signature(second, payload, operator="alice")
    found = service.verify(second)
    assert [f.kind for f in found] == ["signature"]


def test_every_bad_signature_of_every_run_is_named(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    runs = [_signed_run(service, signers, tmp_path) for _ in range(2)]
    for run in runs:
        _sign(service, signers, run, "reviewed")
        rows = _rows(db_url, run)
        for row in rows:
            if row["type"] == "signed":
                payload = json.loads(row["payload"])
                payload["meaning"] = "approved"
                row["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        _rewrite(db_url, run, rows, move_head=True)
    found = service.verify()
    assert sorted((f.run_id, f.kind) for f in found) == sorted(
        (run, "signature") for run in runs for _ in range(2))


def test_a_legacy_nan_event_keeps_every_run_readable(db_url: str, service: RunService) -> None:
    """A log written before NaN was refused (json wrote it, orjson refuses it) still reads."""
    run = service.start(PROTOCOL)
    other = service.start(PROTOCOL)
    head = service.events(run)[-1]
    draft = Event(run, 2, "value_recorded", head.at, "alice",
                  {"step": "measure", "name": "conc", "value": math.nan, "unit": "mg/mL",
                   "text": "nan", "in_range": None}, head.hash)
    legacy = replace(draft, hash=event_hash(draft))
    row = {**{k: v for k, v in legacy.as_dict().items() if k != "payload"},
           "payload": json.dumps(legacy.payload, sort_keys=True, separators=(",", ":"))}
    _execute(db_url, insert(events).values(**row))
    _execute(db_url, update(run_heads).where(run_heads.c.run_id == run)
             .values(last_seq=2, head_hash=legacy.hash))
    assert {s.run_id for s in service.list_runs()} == {run, other}
    assert service.verify() == []


def test_the_rendered_record_never_says_verified_over_altered_data(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    from elab.services.records import render_record

    run = _signed_run(service, signers, tmp_path)
    source = ServiceRunSource(service)
    html, _ = render_record(run, "html", source=source, store=signers)
    fingerprint = signers.get("alice").key_sha256
    assert b"valid, covers the whole run" in html and fingerprint.encode() in html
    rows = _rows(db_url, run)
    value = next(r for r in rows if r["type"] == "value_recorded")
    _execute(db_url, update(events).where((events.c.run_id == run) & (events.c.seq == value["seq"]))
             .values(payload=value["payload"].replace("2.5", "3.5")))
    for kind in ("html", "md"):
        text, record = render_record(run, kind, source=source, store=signers)
        assert not record.chain.ok and b"INVALID" in text
        assert b"valid, covers the whole run" not in text
        assert b"NOT VERIFIED" in text


def test_an_anchor_catches_a_forgery_that_fooled_everything_else(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    """Edit, re-chain, move the head and drop the signatures: only the anchor knows."""
    run = _signed_run(service, signers, tmp_path)
    anchors = service.anchors()
    rows = [r for r in _rows(db_url, run) if r["type"] not in ("deviation", "signed")]
    _rewrite(db_url, run, rows, move_head=True)
    assert service.verify(run) == []  # nothing inside the database can tell
    found = service.check_anchors(anchors, "anchors.jsonl")
    assert [(f.run_id, f.kind) for f in found] == [(run, "anchor")]


def _resign_as_forger(db_url: str, run: str, forged_key: Any) -> None:
    """Re-sign every signed event of ``run`` with ``forged_key`` over the log as it stands."""
    from elab.services.signing import Signature, signature_payload

    rows = _rows(db_url, run)
    _rewrite(db_url, run, rows, move_head=True)
    rows = _rows(db_url, run)
    for row in rows:
        if row["type"] == "signed":
            sig = Signature.from_payload(json.loads(row["payload"]))
            head = next(r for r in rows if r["seq"] == sig.head_seq)
            public = forged_key.public_key().public_bytes_raw()
            import hashlib

            sig = replace(sig, head_hash=head["hash"], key_sha256=hashlib.sha256(public).hexdigest())
            raw = forged_key.sign(signature_payload(
                run, sig.head_seq, sig.head_hash, sig.meaning, sig.signer, sig.at,
                printed_name=sig.printed_name, key_sha256=sig.key_sha256))
            row["payload"] = json.dumps(replace(sig, signature=raw.hex()).to_payload(),
                                        sort_keys=True, separators=(",", ":"))
    _rewrite(db_url, run, rows, move_head=True)


def test_a_key_swapped_in_the_registry_is_found_by_the_key_file_and_by_anchors(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    """The registry is in the database: an attacker can swap alice's key there and re-sign."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from elab.store.models import signers as signers_table

    run = _signed_run(service, signers, tmp_path)
    anchors = service.anchors()
    forged = Ed25519PrivateKey.generate()
    public = forged.public_key().public_bytes_raw()
    _execute(db_url, update(signers_table).where(signers_table.c.name == "alice").values(
        public_key=public.hex(), key_sha256=hashlib.sha256(public).hexdigest()))
    _resign_as_forger(db_url, run, forged)
    found = service.verify(run)
    assert [f.kind for f in found] == ["signer"]
    assert "one of them was replaced" in found[0].message
    keys = [f for f in service.check_anchors(anchors, "a.jsonl") if "alice" in f.message]
    assert keys and "changed since the anchor" in keys[0].message


def test_a_run_deleted_from_the_runs_table_is_still_verified(
    db_url: str, service: RunService
) -> None:
    from elab.store.models import runs as runs_table

    run = service.start(PROTOCOL)
    service.done(run, "seed")
    _execute(db_url, delete(runs_table).where(runs_table.c.id == run))
    found = service.verify()
    assert any(f.run_id == run and "row in the runs table was deleted" in f.message
               for f in found)


def test_a_malformed_row_is_one_damaged_run_not_a_crash(
    db_url: str, service: RunService, signers: FileSignerStore, tmp_path: Path
) -> None:
    bad = _signed_run(service, signers, tmp_path)
    good = service.start(PROTOCOL)
    # SQLite stores text in an integer column as it is; PostgreSQL's types refuse it, so
    # there the head is only made nonsensical.
    odd = "x" if db_url.startswith("sqlite") else -7
    _execute(db_url, update(run_heads).where(run_heads.c.run_id == bad).values(last_seq=odd))
    found = service.verify()
    assert {f.run_id for f in found} == {bad}
    assert good not in {f.run_id for f in found}
