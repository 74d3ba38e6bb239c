"""Run events: frozen, stored under stable type names, chained by SHA-256.

An event's hash covers its run id, sequence number, time, operator, type, payload and the
previous event's hash, in canonical JSON (sorted keys, no spaces, UTF-8), so changing any
byte of a stored event, or removing or re-ordering one, breaks the chain at that event.

Canonical JSON is strict JSON: NaN and infinities are refused when an event is made, because
no JSON reader has to accept them and one unreadable event used to hide every run.  Hashing
a stored event stays lenient, so a log written before that rule still verifies and reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from elab.domain.runs.kinds import KINDS, RunEvent, Unreadable, decode
from elab.errors import InputError

__all__ = [
    "EVENT_TYPES",
    "GENESIS",
    "Event",
    "StoredEvent",
    "canonical_json",
    "event_hash",
    "make_event",
    "new_event",
]

GENESIS = "0" * 64

# The stable names events are stored under, one per kind in :mod:`elab.domain.runs.kinds`.
EVENT_TYPES = frozenset(KINDS)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8; ValueError for NaN or an infinity anywhere in it."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _lenient_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Event:
    run_id: str
    seq: int
    type: str
    at: str
    operator: str
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "seq": self.seq,
            "type": self.type,
            "at": self.at,
            "operator": self.operator,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @property
    def data(self) -> RunEvent | Unreadable:
        """What happened, as its typed event (read from the payload each time it is asked)."""
        return decode(self.type, self.payload)


def _json_string(text: str) -> str:
    """``json.dumps(text, ensure_ascii=False)``, without its cost for plain ASCII text."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


class StoredEvent(NamedTuple):
    """An event as its row holds it: the payload still its canonical JSON text.

    Verifying a long run hashes these without parsing and re-encoding 100,000 payloads: the
    canonical body is the stored payload text set between the other fields, in key order.
    A payload re-written in another JSON form (same content, other bytes) no longer matches,
    which is right: the stored bytes changed.  A named tuple: a long run makes 100,000 of
    them, and a frozen dataclass takes twice as long to build.
    """

    run_id: str
    seq: int
    type: str
    at: str
    operator: str
    payload: str
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        q = _json_string
        body = (
            f'{{"at":{q(self.at)},"operator":{q(self.operator)},"payload":{self.payload},'
            f'"prev_hash":{q(self.prev_hash)},"run_id":{q(self.run_id)},"seq":{self.seq},'
            f'"type":{q(self.type)}}}'
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def parsed(self) -> Event:
        """The event with its payload read (an unreadable payload kept as text)."""
        try:
            payload = json.loads(self.payload)
        except ValueError:
            payload = {"__unreadable__": self.payload}
        if not isinstance(payload, dict):
            payload = {"__unreadable__": self.payload}
        return Event(self.run_id, self.seq, self.type, self.at, self.operator, payload,
                     self.prev_hash, self.hash)


def event_hash(event: Event) -> str:
    return hashlib.sha256(_lenient_json(event.body()).encode("utf-8")).hexdigest()


def make_event(
    run_id: str,
    seq: int,
    type_: str,
    at: str,
    operator: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> Event:
    """A new event with its hash; the payload must be plain, finite JSON data.

    Raises InputError when a number in the payload is NaN or infinite: every entry point
    checks its numbers first, this is the last line that keeps the log readable.
    """
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    try:
        plain = json.loads(canonical_json(payload))
    except ValueError:
        raise InputError(
            f"event {type_} of run {run_id}: a number is not finite (NaN or infinity); "
            "nothing was saved"
        ) from None
    draft = Event(run_id, seq, type_, at, operator, plain, prev_hash)
    return Event(run_id, seq, type_, at, operator, draft.payload, prev_hash, event_hash(draft))


def new_event(
    run_id: str, seq: int, data: RunEvent, at: str, operator: str, prev_hash: str
) -> Event:
    """The stored event for ``data``, under its kind's stable type name, with its hash."""
    return make_event(run_id, seq, data.TYPE, at, operator, data.to_payload(), prev_hash)
