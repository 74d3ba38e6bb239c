"""The record service over an in-memory run: signing, coverage, tampering, all formats."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from records_sample import MemoryRuns

from elab.errors import IntegrityError
from elab.services.records import build_record, render_record, sign_run
from elab.services.signing import FileSignerStore, add_signer

DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> FileSignerStore:
    store = FileSignerStore(tmp_path / "signers")
    add_signer("ana", PASSWORD, printed_name="Ana Lima", now=T0, store=store)
    add_signer("pi", PASSWORD, printed_name="Prof. Ines Ortega", now=T0, store=store)
    return store


@pytest.fixture
def runs() -> MemoryRuns:
    runs = MemoryRuns(DATA / "seeding-assay.yaml", {"volume": "150 uL"})
    runs.append("value_recorded", {"step": "seed", "name": "viability", "value": 72.0,
                                   "unit": "%", "text": "72 %", "in_range": False})
    runs.append("deviation", {"step": "seed", "kind": "auto", "note": "viability below 90 %"})
    runs.append("value_recorded", {"step": "seed", "name": "count", "value": 5e4,
                                   "unit": "cells", "text": "5e4 cells", "in_range": True})
    runs.append("step_done", {"step": "seed"})
    runs.append("lot_recorded", {"material": "fbs", "lot": "F-42", "expiry": "2027-01-31"})
    runs.append("note", {"step": "seed", "text": "<script>alert(1)</script>"})
    runs.append("step_done", {"step": "attach"})
    runs.append("step_skipped", {"step": "stain", "note": "not needed"})
    runs.append("value_recorded", {"step": "read", "name": "od", "value": 0.8, "unit": "",
                                   "text": "0.8", "in_range": True})
    runs.append("step_done", {"step": "read"})
    runs.append("completed", {})
    return runs


def _sign(runs: MemoryRuns, store: FileSignerStore, who: str = "ana", meaning: str = "performed"
          ) -> None:
    sign_run("r1", meaning=meaning, signer=who, password=PASSWORD, source=runs, store=store,
             now=T0 + timedelta(days=1))


def test_signatures_cover_the_run_until_a_later_event(runs: MemoryRuns,
                                                      store: FileSignerStore) -> None:
    _sign(runs, store)
    _sign(runs, store, "pi", "reviewed")
    record = build_record("r1", runs, store=store)
    assert [(s.printed_name, s.meaning, s.valid, s.covers_whole_run) for s in record.signatures] == [
        ("Ana Lima", "performed", True, True), ("Prof. Ines Ortega", "reviewed", True, True)]
    runs.append("note", {"text": "a late note"})
    record = build_record("r1", runs, store=store)
    assert [s.covers_whole_run for s in record.signatures] == [False, False]
    assert all(s.valid for s in record.signatures) and len(record.stale_signatures) == 2
    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    assert "does not cover later events" in html


def test_all_formats_show_values_deviations_lots_signatures(runs: MemoryRuns,
                                                            store: FileSignerStore) -> None:
    _sign(runs, store)
    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    md = render_record("r1", "md", source=runs, store=store)[0].decode()
    pdf = render_record("r1", "pdf", source=runs, store=store)[0]
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)
    for out in (html, md, text):
        for item in ("Seeding assay", "F-42", "Ana Lima", "performed", "viability below 90 %"):
            assert item in out, item
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "\\<script\\>" in md
    assert "<script>alert(1)</script>" in text


def test_a_tampered_chain_renders_a_warning_and_cannot_be_signed(runs: MemoryRuns,
                                                                 store: FileSignerStore) -> None:
    runs.tamper(1, {**runs.rows[1].payload, "value": 95.0, "text": "95 %", "in_range": True})
    record = build_record("r1", runs, store=store)
    assert not record.chain.ok
    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    assert 'id="chain-warning"' in html and "event 2: content does not match its hash" in html
    with pytest.raises(IntegrityError, match="does not verify"):
        _sign(runs, store)


def test_a_rewritten_and_rehashed_run_breaks_the_signature(runs: MemoryRuns,
                                                           store: FileSignerStore) -> None:
    _sign(runs, store)
    runs.tamper(1, {**runs.rows[1].payload, "value": 95.0, "text": "95 %", "in_range": True})
    runs.rehash()
    record = build_record("r1", runs, store=store)
    assert record.chain.ok  # the forger recomputed the chain...
    sig = record.signatures[0]
    assert not sig.valid and "no longer has the signed hash" in sig.problem  # ...but not this


def test_a_signature_edited_in_the_database_is_invalid(runs: MemoryRuns,
                                                       store: FileSignerStore) -> None:
    _sign(runs, store)
    runs.tamper(-1, {**runs.rows[-1].payload, "meaning": "approved"})
    runs.rehash()
    sig = build_record("r1", runs, store=store).signatures[0]
    assert not sig.valid and "does not verify" in sig.problem


def test_an_attached_layout_becomes_the_plate_map(runs: MemoryRuns,
                                                  store: FileSignerStore) -> None:
    csv = (DATA / "seeding-layout.csv").read_bytes()
    runs.files["layout"] = csv
    runs.append("attachment", {"name": "layout", "filename": "layout.csv", "size": len(csv),
                               "sha256": "00"})
    record = build_record("r1", runs, store=store)
    assert record.design is not None and record.design.plate_svg.startswith("<svg")
    assert "plate 1 (96-well)" in record.design.plate_text and "v1  vehicle" in record.design.plate_text
    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    assert "<svg" in html
    md = render_record("r1", "md", source=runs, store=store)[0].decode()
    assert "```" in md


def test_analysis_results_come_with_their_plot(runs: MemoryRuns, store: FileSignerStore) -> None:
    from elab.domain.analysis.registry import load_hook
    from elab.domain.analysis.table import table_from_records

    rows = [{"dose": d, "response": 100 / (1 + d) + r} for d in (0.01, 0.1, 1, 10, 100)
            for r in range(3)]
    units = {"dose": "uM", "response": "percent"}
    hook = load_hook("ic50")
    result = hook.run(table_from_records(rows, units))
    plot = base64.b64encode(hook.plot(result)).decode("ascii")
    runs.append("analysis_done", {"hook": "ic50", "inputs": [], "params": {},
                                  "result": result.to_json(), "plot_png": plot})
    record = build_record("r1", runs, store=store)
    (analysis,) = record.analyses
    assert analysis.hook == "ic50" and analysis.columns[:2] == ("group", "ic50")
    assert analysis.rows[0].cells[0].startswith("1 µM")
    assert len(analysis.plots) == 1 and analysis.plots[0].png.startswith(b"\x89PNG")
    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    assert 'src="data:image/png;base64,' in html


def test_the_record_and_the_signature_take_the_injected_clock(runs: MemoryRuns,
                                                             store: FileSignerStore) -> None:
    from elab.domain.runs import FakeClock

    clock = FakeClock(T0 + timedelta(days=3))
    signature = sign_run("r1", meaning="performed", signer="ana", password=PASSWORD,
                         source=runs, store=store, clock=clock)
    assert signature.at.startswith("2026-11-26T09:00")
    clock.advance(hours=2)
    assert build_record("r1", runs, store=store, clock=clock).generated_at == clock.now()
