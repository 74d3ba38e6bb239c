"""Every library protocol: a completed, signed run renders in HTML, Markdown and PDF.

The library (``protocols/``) is the source; the schedule tests' protocols are used too, so
the test exercises real protocols while the library is being written.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from records_sample import HOSTILE, MemoryRuns

from elab.domain.protocol import Protocol, load_protocol
from elab.services.records import build_record, render_record, sign_run
from elab.services.signing import FileSignerStore, add_signer
from elab.units import format_quantity

ROOT = Path(__file__).resolve().parents[3]
DIRS = [ROOT / "protocols", ROOT / "tests" / "unit" / "schedule" / "data" / "protocols"]
FILES = sorted({p.name: p for d in DIRS for p in sorted(d.glob("*.yaml"))}.values())
PASSWORD = "correct horse battery"


def _value(protocol: Protocol, step_id: str, name: str) -> str:
    spec = protocol.step(step_id).record[name]
    if spec.type == "text":
        return "ok"
    if spec.range is not None:
        return format_quantity(spec.range.planned, spec.range.unit)
    return f"1 {spec.unit}" if spec.unit else "1"


def completed_run(path: Path, protocol: Protocol) -> MemoryRuns:
    runs = MemoryRuns(path)
    for mid in protocol.materials:
        runs.append("lot_recorded", {"material": mid, "lot": f"LOT-{mid}", "expiry": "2099-12-31"})
    for n, step in enumerate(protocol.active_steps()):
        runs.append("step_started", {"step": step.id})
        if step.optional and n % 2:
            runs.append("step_skipped", {"step": step.id, "note": "not needed today"})
            continue
        for name in step.record:
            text = _value(protocol, step.id, name)
            runs.append("value_recorded", {"step": step.id, "name": name, "value": text,
                                           "unit": "", "text": text, "in_range": None})
        runs.append("step_done", {"step": step.id})
    first = protocol.active_steps()[0].id
    runs.append("deviation", {"step": first, "kind": "manual", "note": HOSTILE})
    runs.append("note", {"step": first, "text": "[link](javascript:alert(1)) | pipe"})
    runs.append("completed", {})
    return runs


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FileSignerStore:
    store = FileSignerStore(tmp_path_factory.mktemp("signers"))
    add_signer("ana", PASSWORD, printed_name="Ana Lima", now=datetime.now(UTC), store=store)
    return store


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def test_there_are_protocols() -> None:
    assert len(FILES) >= 3


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_record_of_a_completed_signed_run(path: Path, store: FileSignerStore) -> None:
    protocol = load_protocol(path, library=[path.parent])
    runs = completed_run(path, protocol)
    sign_run("r1", meaning="performed", signer="ana", password=PASSWORD, source=runs,
             store=store)
    record = build_record("r1", runs, store=store)
    assert record.chain.ok and record.state == "completed"
    assert record.signatures[0].valid and record.signatures[0].covers_whole_run
    expected_values = [v.value for s in record.steps for v in s.values]
    assert not any(v.out_of_range for s in record.steps for v in s.values)

    html = render_record("r1", "html", source=runs, store=store)[0].decode()
    page = Text()
    page.feed(html)
    text = " ".join(" ".join(page.parts).split())
    assert "script" not in page.tags and "a" not in page.tags
    md = render_record("r1", "md", source=runs, store=store)[0].decode()
    pdf = render_record("r1", "pdf", source=runs, store=store)[0]
    pdf_text = " ".join(" ".join((p.extract_text() or "").split())
                        for p in PdfReader(io.BytesIO(pdf)).pages)
    for out in (text, pdf_text):
        assert protocol.title in out and "Ana Lima" in out and "performed" in out
        assert "<script>alert(1)</script>" in out and "D1" in out
        for value in expected_values:
            assert value in out, value
        squeezed = "".join(out.split())  # a long lot number may wrap inside a table cell
        for mid in protocol.materials:
            assert f"LOT-{mid}" in squeezed
    assert "Ana Lima" in md and "\\<script\\>" in md and "\\[link\\]" in md and "\\|" in md
    assert "<script>" not in md
