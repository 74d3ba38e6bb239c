"""Run events: frozen, stored under stable type names, chained by SHA-256.

An event's hash covers its run id, sequence number, time, operator, type, payload and the
previous event's hash, in canonical JSON (sorted keys, no spaces, UTF-8), so changing any
byte of a stored event, or removing or re-ordering one, breaks the chain at that event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EVENT_TYPES", "GENESIS", "Event", "canonical_json", "event_hash", "make_event"]

GENESIS = "0" * 64

EVENT_TYPES = frozenset(
    {
        "run_started",
        "step_started",
        "step_done",
        "step_skipped",
        "timer_started",
        "timer_stopped",
        "value_recorded",
        "lot_recorded",
        "deviation",
        "note",
        "attachment",
        "paused",
        "resumed",
        "completed",
        "aborted",
        "analysis_done",
        "signed",
        "correction",
        "retracted",
    }
)


def canonical_json(value: Any) -> str:
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


def event_hash(event: Event) -> str:
    return hashlib.sha256(canonical_json(event.body()).encode("utf-8")).hexdigest()


def make_event(
    run_id: str,
    seq: int,
    type_: str,
    at: str,
    operator: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> Event:
    """A new event with its hash; the payload must be plain JSON data."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    draft = Event(run_id, seq, type_, at, operator, json.loads(canonical_json(payload)), prev_hash)
    return Event(run_id, seq, type_, at, operator, draft.payload, prev_hash, event_hash(draft))
