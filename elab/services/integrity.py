"""Verifying runs: every problem of every run, named, and never a run hidden by another.

A run is checked four ways: its hash chain (each event follows the one before), its
recorded head (no events cut from the end), its attachments (bytes hashed again against the
SHA-256 their events name) and its signatures (each verified with the signer's registered
key, over a head that is still there and undamaged).  What an attacker with write access to
the database can still do, and what anchors add, is in docs/runs.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elab.domain.runs import Event, head_problem, verify_chain
from elab.domain.runs.events import StoredEvent
from elab.domain.runs.kinds import Attached, Unreadable, decode
from elab.errors import ElabError, InputError
from elab.services.signing import (
    KeyRegistry,
    Signature,
    SignerStore,
    key_mismatch,
    signature_problem,
)
from elab.store import EventStore
from elab.store.repository import parse_payload

__all__ = [
    "Finding",
    "SignatureCheck",
    "anchor_findings",
    "anchor_lines",
    "check_signatures",
    "damaged_from",
    "run_findings",
]

SIGNED = "signed"
# Kinds of finding that make the events themselves untrustworthy (not just a signature).
DAMAGE = ("unreadable", "chain", "head", "attachment")


@dataclass(frozen=True)
class Finding:
    """One problem found in one run; ``seq`` is the first event it concerns, if any."""

    run_id: str
    kind: str  # unreadable | chain | head | attachment | payload | signature | signer | anchor
    message: str
    seq: int | None = None

    def __str__(self) -> str:
        if self.run_id == "*":  # a finding about all runs (an anchor file's timestamp)
            return self.message
        where = f" event {self.seq}" if self.seq else ""
        return f"run {self.run_id}{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run_id, "kind": self.kind, "seq": self.seq, "problem": self.message}


@dataclass(frozen=True)
class SignatureCheck:
    """One ``signed`` event, checked: ``problem`` is "" when the signature holds."""

    seq: int
    signature: Signature | None
    problem: str


def damaged_from(findings: Sequence[Finding]) -> int | None:
    """The first event no longer to be trusted (0 when the whole run is), or None."""
    seqs = [f.seq or 0 for f in findings if f.kind in DAMAGE]
    return min(seqs) if seqs else None


def run_findings(
    store: EventStore, run_id: str, signers: SignerStore | None = None
) -> list[Finding]:
    """Everything wrong with one run (an empty list when it verifies)."""
    try:
        return _run_findings(store, run_id, signers)
    except (ElabError, TypeError, ValueError, KeyError) as exc:
        # A row of the wrong shape (text where bytes or numbers belong): the run is damaged,
        # and the other runs are still checked.
        return [Finding(run_id, "unreadable", f"a stored row does not read ({exc})")]


def _run_findings(
    store: EventStore, run_id: str, signers: SignerStore | None
) -> list[Finding]:
    try:
        stored = store.stored_events(run_id)
        head = store.head(run_id)
    except ElabError as exc:
        return [Finding(run_id, "unreadable", str(exc))]
    if not stored:
        return [Finding(run_id, "unreadable", "the run has no events")]
    found: list[Finding] = []
    if not store.is_listed(run_id):
        found.append(Finding(run_id, "head", "the run's row in the runs table was deleted; its "
                             "events are still there"))
    if (problem := verify_chain(stored)) is not None:
        found.append(Finding(run_id, "chain", problem.reason, problem.seq))
    if (problem := head_problem(stored, None if head is None else (head.last_seq,
                                                                  head.head_hash))):
        found.append(Finding(run_id, "head", problem.reason, problem.seq))
    found += _payload_findings(run_id, stored)
    # Only attachments and signatures need their payloads kept.
    events = [e.parsed() for e in stored if e.type in (Attached.TYPE, SIGNED)]
    found += _attachment_findings(store, events)
    damaged = damaged_from(found)
    hash_at = {e.seq: e.hash for e in stored}
    signed_by = sorted({str(e.payload.get("signer", "")) for e in events if e.type == SIGNED})
    for signer in signed_by:
        if mismatch := key_mismatch(signer, signers, store):
            found.append(Finding(run_id, "signer", mismatch))
    for check in check_signatures(run_id, events, damaged, signers, store, hash_at):
        if check.problem:
            who = check.signature.signer if check.signature else "?"
            meaning = check.signature.meaning if check.signature else "?"
            found.append(Finding(run_id, "signature",
                                 f"signature by {who} ({meaning}) does not hold: "
                                 f"{check.problem}", check.seq))
    return found


def _payload_findings(run_id: str, stored: Sequence[StoredEvent]) -> list[Finding]:
    """Events whose payload is not what their type says: the run's state leaves them out,
    so the person who checks the run must hear of them (not damage: the chain says whether
    the bytes were changed)."""
    found = []
    for event in stored:
        data = decode(event.type, parse_payload(event.payload))
        if isinstance(data, Unreadable):
            found.append(Finding(run_id, "payload", f"the {data.type} event does not read "
                                 f"({data.reason}); the run's state leaves it out", event.seq))
    return found


def _attachment_findings(store: EventStore, events: Sequence[Event]) -> list[Finding]:
    found = []
    for event in events:
        if event.type != Attached.TYPE:
            continue
        # Read from the payload itself, not the typed event: a payload damaged into the
        # wrong shape still names the bytes it vouches for.
        problem = store.attachment_problem(str(event.payload.get("sha256", "")))
        if problem:
            name = event.payload.get("name", "?")
            found.append(Finding(event.run_id, "attachment", f"attachment {name!r}: {problem}",
                                 event.seq))
    return found


def check_signatures(
    run_id: str,
    events: Sequence[Event],
    damaged: int | None,
    signers: SignerStore | None,
    registry: KeyRegistry | None,
    hash_at: dict[int, str] | None = None,
) -> list[SignatureCheck]:
    """Each signature of the run, checked against the key, the head and the run's damage.

    ``hash_at`` maps every event's sequence number to its stored hash (default: from
    ``events``, which then must be the whole run).
    """
    hash_at = hash_at if hash_at is not None else {e.seq: e.hash for e in events}
    checks = []
    for event in events:
        if event.type != SIGNED:
            continue
        try:
            sig = Signature.from_payload(event.payload)
        except ElabError as exc:
            checks.append(SignatureCheck(event.seq, None, str(exc)))
            continue
        checks.append(SignatureCheck(event.seq, sig,
                                     _signature_problem(sig, event, hash_at, damaged, signers,
                                                        registry)))
    return checks


def _signature_problem(
    sig: Signature,
    event: Event,
    hash_at: dict[int, str],
    damaged: int | None,
    signers: SignerStore | None,
    registry: KeyRegistry | None,
) -> str:
    if sig.head_seq >= event.seq:
        return "the signature claims to cover its own or a later event"
    if damaged is not None and damaged <= sig.head_seq:
        where = f"event {damaged}" if damaged else "the run"
        return f"it covers {where}, which no longer verifies"
    if event.operator != sig.signer:
        return f"the signature event names {event.operator!r}, not the signer {sig.signer!r}"
    return signature_problem(sig, event.run_id, hash_at, signers, registry)


def anchor_lines(store: EventStore, at: str) -> list[str]:
    """Each run's recorded head as one JSON line, for a witness outside the database."""
    heads = [
        json.dumps({"run": h.run_id, "seq": h.last_seq, "hash": h.head_hash, "at": at},
                   sort_keys=True)
        for h in store.heads()
    ]
    # The signers' registered keys too: a key swapped in the database after the export is
    # found, as a rewritten log is.
    keys = [
        json.dumps({"signer": k.name, "key_sha256": k.key_sha256, "at": at}, sort_keys=True)
        for k in store.registered_keys()
    ]
    return heads + keys


def _key_anchor(store: EventStore, anchor: dict[str, Any], where: str) -> list[Finding]:
    name, fingerprint = str(anchor["signer"]), str(anchor.get("key_sha256", ""))
    registered = store.registered_key(name)
    if registered is None:
        return [Finding("*", "anchor", f"signer {name!r} of the anchor ({where}) is no longer "
                        "registered")]
    if registered.key_sha256 != fingerprint:
        return [Finding("*", "anchor", f"the key registered for {name!r} changed since the "
                        f"anchor ({where}): {fingerprint[:16]} then, "
                        f"{registered.key_sha256[:16]} now")]
    return []


def anchor_findings(store: EventStore, lines: Sequence[str], source: str) -> list[Finding]:
    """Runs whose log no longer holds an anchored head (an event kept elsewhere).

    A log may grow after its anchor; the anchored event must still be there with the same
    hash, so a run re-chained after the export is found even when its head table was too.
    """
    found: list[Finding] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
            if isinstance(anchor, dict) and "signer" in anchor:
                found += _key_anchor(store, anchor, f"{source}:{number}")
                continue
            run_id, seq, digest = str(anchor["run"]), int(anchor["seq"]), str(anchor["hash"])
        except (ValueError, KeyError, TypeError):
            raise InputError(
                f"{source}:{number}: not an anchor line (JSON with run, seq, hash)"
            ) from None
        try:
            stored = store.events(run_id, after=seq - 1)
        except ElabError as exc:
            found.append(Finding(run_id, "anchor", f"cannot be read ({exc})", seq))
            continue
        if not stored or stored[0].seq != seq:
            found.append(Finding(run_id, "anchor", f"the anchored event {seq} is gone "
                                 f"({source}:{number})", seq))
        elif stored[0].hash != digest:
            found.append(Finding(run_id, "anchor", f"event {seq} differs from its anchor "
                                 f"({source}:{number}): the log was rewritten", seq))
    return found
