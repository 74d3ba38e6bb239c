"""A correction that moves a reading to another lysate: the record shows the struck original
with the lysate it was read for, and the correction with the lysate it moved to."""

from __future__ import annotations

from elab.domain.runs import make_event
from elab.services.record_source import ServiceRunSource
from elab.services.records import render_record
from elab.services.runs import RunService

MG_ML = "milligram / milliliter"


def _bca_rows(service: RunService, run: str, fmt: str) -> tuple[str, list[tuple[int, str]]]:
    data, record = render_record(run, fmt, source=ServiceRunSource(service))
    bca = next(s for s in record.steps if s.id == "bca")
    return data.decode(), [(v.seq or 0, v.sample) for v in bca.values]


def test_a_moved_reading_keeps_its_own_lysate_struck_through(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "10 nM / 3 h #1: 1.8")])
    service.correct(run, 2, [("protein_conc", "DMSO / 3 h #2: 1.8")], "wrong tube")
    md, rows = _bca_rows(service, run, "md")
    assert rows == [(2, "lysate 10 nM / 3 h #1"), (3, "lysate DMSO / 3 h #2")]
    assert "| #2 | protein_conc, lysate 10 nM / 3 h #1 | ~~1.8 mg/mL~~ |" in md
    assert "| #3 | protein_conc, lysate DMSO / 3 h #2 | 1.8 mg/mL |" in md
    html, _ = _bca_rows(service, run, "html")
    assert ('<span class="seq">#2</span> <b>protein_conc</b> <span class="sample">lysate '
            '10 nM / 3 h #1</span> = <del>1.8 mg/mL</del>') in html


def test_an_unnamed_reading_moved_keeps_the_lysate_it_was_assigned(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "1.8")])  # the first lysate's
    service.correct(run, 2, [("protein_conc", "DMSO / 3 h #2: 1.8")], "wrong tube")
    service.correct(run, 3, [("protein_conc", "1.9")], "misread")  # stays on DMSO / 3 h #2
    _, rows = _bca_rows(service, run, "md")
    assert rows == [(2, "lysate 0.1 nM / 3 h #1"), (3, "lysate DMSO / 3 h #2"),
                    (4, "lysate DMSO / 3 h #2")]


def test_an_old_log_reading_moved_keeps_its_place_in_recorded_order(
    service: RunService,
) -> None:
    """A reading written before readings named their lysate had the lysate of its place."""
    run = service.start("western-blot-pfak")
    head = service.events(run)[-1]
    payloads = [("value_recorded", {"step": "bca", "name": "protein_conc", "value": c,
                                    "unit": MG_ML, "text": f"{c} mg/mL", "in_range": True})
                for c in (2.0, 1.6)]
    payloads.append(("correction", {"step": "bca", "name": "protein_conc", "value": 1.6,
                                    "unit": MG_ML, "text": "1.6 mg/mL", "in_range": True,
                                    "sample": "DMSO / 3 h #2", "corrects": head.seq + 2,
                                    "reason": "wrong tube"}))
    events, prev = [], head.hash
    for seq, (kind, payload) in enumerate(payloads, start=head.seq + 1):
        event = make_event(run, seq, kind, head.at, "ana", payload, prev)
        events.append(event)
        prev = event.hash
    service.store.append(run, events, head.seq)
    _, rows = _bca_rows(service, run, "md")
    assert rows == [(2, "lysate 0.1 nM / 3 h #1"), (3, "lysate 1 nM / 3 h #1"),
                    (4, "lysate DMSO / 3 h #2")]
