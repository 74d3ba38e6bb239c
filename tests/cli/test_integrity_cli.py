"""Integrity from the shell: odd numbers, oversized input, anchors, every problem named."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from cli_calls import run

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("ELAB_SIGNER_DIR", str(tmp_path / "signers"))
    monkeypatch.setenv("ELAB_OPERATOR", "ana")
    return tmp_path


def _start(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run(["runs", "start", ASSAY], capsys)
    assert code == 0
    return out.strip()


@pytest.mark.parametrize("text", ["nan mg/mL", "inf mg/mL", "1e999 mg/mL", "1e300 Yg/yL"])
def test_non_finite_values_are_one_line_and_save_nothing(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rid = _start(capsys)
    code, _, err = run(["runs", "value", rid, "measure", "--value", f"conc={text}"], capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    code, out, _ = run(["runs", "list", "--json"], capsys)
    assert code == 0 and [r["run"] for r in json.loads(out)] == [rid]
    assert run(["runs", "verify"], capsys)[0] == 0


def test_an_attachment_from_stdin_is_bounded(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 MB piped in: refused at the 50 MB limit while reading, nothing saved."""
    rid = _start(capsys)
    big = io.BytesIO(b"x" * 60_000_000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(big))
    code, _, err = run(["runs", "attach", rid, "big", "-"], capsys)
    assert code == 1 and "more than the 52428800 byte attachment limit" in err
    assert big.tell() <= 52_428_801 + 65_536  # it stopped reading at the limit
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"well,od\nA1,0.5\n")))
    code, out, _ = run(["runs", "attach", rid, "small", "-"], capsys)
    assert code == 0 and "15 bytes" in out
    code, out, _ = run(["runs", "status", rid, "--json"], capsys)
    assert [a["name"] for a in json.loads(out)["attachments"]] == ["small"]


def test_a_device_is_never_attached(capsys: pytest.CaptureFixture[str]) -> None:
    rid = _start(capsys)
    code, _, err = run(["runs", "attach", rid, "noise", "/dev/urandom"], capsys)
    assert code == 1 and "not a regular file" in err


def test_a_long_note_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    rid = _start(capsys)
    code, _, err = run(["runs", "note", rid, "x" * 70_000], capsys)
    assert code == 1 and "limit is 65536 bytes" in err


def _rechain(db: Path) -> None:
    """Edit one event and re-chain the log and its head, as a careful forger would."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT run_id, seq, type, at, operator, payload FROM events "
                        "ORDER BY run_id, seq").fetchall()
    conn.execute("UPDATE events SET payload = replace(payload, 'seed', 'SEED') WHERE seq = 2")
    prev = "0" * 64
    for run_id, seq, kind, at, operator, payload in rows:
        body = {"run_id": run_id, "seq": seq, "type": kind, "at": at, "operator": operator,
                "payload": json.loads(payload.replace("seed", "SEED") if seq == 2 else payload),
                "prev_hash": prev}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                           ensure_ascii=False).encode()).hexdigest()
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE run_id = ? AND seq = ?",
                     (prev, digest, run_id, seq))
        prev = digest
    conn.execute("UPDATE run_heads SET head_hash = ?", (prev,))
    conn.commit()
    conn.close()


def test_anchors_catch_a_forgery_rechained_after_the_export(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rid = _start(capsys)
    assert run(["runs", "done", rid, "seed"], capsys)[0] == 0
    anchors = home / "anchors.jsonl"
    assert run(["runs", "anchor", "-o", str(anchors)], capsys)[0] == 0
    assert json.loads(anchors.read_text().splitlines()[0])["run"] == rid
    assert run(["runs", "verify", "--anchors", str(anchors)], capsys)[0] == 0
    _rechain(home / "elab.db")
    assert run(["runs", "verify"], capsys)[0] == 0  # nothing inside the database tells
    code, out, err = run(["runs", "verify", "--anchors", str(anchors), "--json"], capsys)
    assert code == 1 and "the log was rewritten" in err
    assert [p["kind"] for p in json.loads(out)["problems"]] == ["anchor"]


def test_an_operator_or_lot_past_its_column_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["runs", "start", ASSAY, "--operator", "o" * 300], capsys)
    assert code == 1 and "at most 200 characters" in err
    rid = _start(capsys)
    code, _, err = run(["runs", "lot", rid, "medium", "L" * 300], capsys)
    assert code == 1 and "the lot number is 300 bytes" in err
