"""Signatures: re-authentication, Ed25519 over the head, and what cannot be forged or moved."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from elab.errors import ConflictError, InputError, NotFoundError
from elab.services.signing import (
    FileSignerStore,
    Signature,
    add_signer,
    sign_head,
    signature_problem,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HASHES = {1: "a" * 64, 2: "b" * 64, 3: "c" * 64}


@pytest.fixture
def store(tmp_path: Path) -> FileSignerStore:
    store = FileSignerStore(tmp_path / "signers")
    add_signer("ana", PASSWORD, printed_name="Ana  Lima", now=NOW, store=store)
    return store


def _sign(store: FileSignerStore, **over: object) -> Signature:
    args: dict[str, object] = dict(run_id="r1", head_seq=3, head_hash=HASHES[3], meaning="performed",
                                   signer="ana", password=PASSWORD, now=NOW, store=store)
    args.update(over)
    return sign_head(**args)  # type: ignore[arg-type]


def test_signer_file_keeps_no_password_and_an_encrypted_key(store: FileSignerStore) -> None:
    path = store.directory / "ana.json"
    text = path.read_text()
    assert PASSWORD not in text
    data = json.loads(text)
    assert data["password_hash"].startswith("$argon2id$")
    assert "ENCRYPTED PRIVATE KEY" in data["private_key_pem"]
    assert data["printed_name"] == "Ana Lima"
    assert path.stat().st_mode & 0o077 == 0


def test_a_signature_verifies(store: FileSignerStore) -> None:
    sig = _sign(store)
    assert sig.printed_name == "Ana Lima" and sig.head_seq == 3
    assert signature_problem(sig, "r1", HASHES, store) == ""
    assert signature_problem(Signature.from_payload(sig.to_payload()), "r1", HASHES, store) == ""


def test_wrong_password_and_unknown_signer_and_meaning(store: FileSignerStore) -> None:
    with pytest.raises(InputError, match="wrong password"):
        _sign(store, password="not the password")
    with pytest.raises(NotFoundError, match="did you mean 'ana'"):
        _sign(store, signer="anna")
    with pytest.raises(NotFoundError, match="meaning"):
        _sign(store, meaning="witnessed")


def test_cannot_move_to_another_run_or_head(store: FileSignerStore) -> None:
    sig = _sign(store)
    assert "does not verify" in signature_problem(sig, "r2", HASHES, store)
    older = dataclasses.replace(sig, head_seq=2, head_hash=HASHES[2])
    assert "does not verify" in signature_problem(older, "r1", HASHES, store)
    other_meaning = dataclasses.replace(sig, meaning="approved")
    assert "does not verify" in signature_problem(other_meaning, "r1", HASHES, store)


def test_a_rewritten_chain_breaks_the_signature(store: FileSignerStore) -> None:
    sig = _sign(store)
    rewritten = {**HASHES, 3: "d" * 64}
    assert "no longer has the signed hash" in signature_problem(sig, "r1", rewritten, store)
    # recomputing the signature's head hash too still needs the private key
    forged = dataclasses.replace(sig, head_hash="d" * 64)
    assert "does not verify" in signature_problem(forged, "r1", rewritten, store)
    assert "not in the run" in signature_problem(sig, "r1", {1: HASHES[1]}, store)


def test_a_key_swapped_in_by_someone_else_is_caught(store: FileSignerStore, tmp_path: Path) -> None:
    mallory = FileSignerStore(tmp_path / "mallory")
    add_signer("ana", "mallory's password", now=NOW, store=mallory)
    forged = _sign(mallory, password="mallory's password")
    assert "not 'ana''s" in signature_problem(forged, "r1", HASHES, store)
    no_fingerprint = dataclasses.replace(forged, key_sha256="")
    assert "does not verify" in signature_problem(no_fingerprint, "r1", HASHES, store)


def test_bad_signer_input(store: FileSignerStore) -> None:
    with pytest.raises(ConflictError):
        add_signer("ana", PASSWORD, now=NOW, store=store)
    with pytest.raises(InputError, match="at least 8"):
        add_signer("ben", "short", now=NOW, store=store)
    with pytest.raises(InputError, match="signer name"):
        add_signer("../etc", PASSWORD, now=NOW, store=store)
    with pytest.raises(NotFoundError):
        store.get("../ana")
