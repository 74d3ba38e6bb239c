"""A stored payload of the wrong shape is reported, never a crash of a screen or a record.

The events are written straight to the store with valid hashes, as a bug or an old tool
would have written them: the chain holds, so only the payloads' types can say what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from elab.domain.runs import make_event
from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService, status_json
from elab.tui.text import step_detail, timer_line

PROTOCOL = str(Path(__file__).parent / "data" / "assay.yaml")

WRONG: list[tuple[str, dict[str, Any]]] = [
    ("timer_started", {"step": "incubate", "min_s": 60.0, "max_s": "abc"}),
    ("value_recorded", {"step": "measure", "name": "conc", "value": {"a": 1}, "unit": "",
                        "text": "", "in_range": None}),
    ("lot_recorded", {"material": "medium", "lot": "L1", "expiry": 2027}),
    ("note", {"step": ["seed"], "text": "x"}),
    ("retracted", {"retracts": "23", "what": "x"}),
    ("attachment", {"name": "reader", "filename": "r.csv", "sha256": "ab", "size": "big"}),
]


def damaged_run(service: RunService) -> tuple[str, list[int]]:
    run = service.start(PROTOCOL)
    head = service.events(run)[-1]
    events, prev = [], head.hash
    for seq, (kind, payload) in enumerate(WRONG, start=head.seq + 1):
        event = make_event(run, seq, kind, head.at, "ana", payload, prev)
        events.append(event)
        prev = event.hash
    service.store.append(run, events, head.seq)
    return run, [e.seq for e in events]


def test_each_wrong_payload_is_left_out_and_named(service: RunService) -> None:
    run, seqs = damaged_run(service)
    state = service.state(run)
    assert [seq for seq, _ in state.unreadable] == seqs
    assert "max_s is str" in state.unreadable[0][1]
    assert state.timers == {} and state.values == [] and state.lots == []
    status = status_json(state, service.clock.now())
    json.dumps(status, allow_nan=False)
    assert [u["seq"] for u in status["unreadable"]] == seqs
    for sid in state.steps:  # the bench screen draws every step
        step_detail(state, sid, service.clock.now())
    for timer in state.timers.values():
        timer_line(timer, service.clock.now())


def test_verify_names_every_wrong_payload_and_the_record_says_so(service: RunService) -> None:
    run, seqs = damaged_run(service)
    findings = service.verify(run)
    assert [f.seq for f in findings if f.kind == "payload"] == seqs
    # the attachment's bytes were never stored: read from the payload, still checked
    assert [(f.kind, f.seq) for f in findings if f.kind != "payload"] == [("attachment", seqs[-1])]
    html, record = render_record(run, "html", source=ServiceRunSource(service))
    assert not record.chain.ok and "does not read" in record.chain.problem
    assert b"max_s is str" in html
