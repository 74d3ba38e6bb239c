"""Every library protocol, run to completion through the run services, as a signed record.

Runs are made with :class:`~elab.services.runs.RunService` on a fresh SQLite database and a
fake clock; the record is built through :class:`~elab.services.record_source.ServiceRunSource`
and rendered in HTML (parsed), Markdown and PDF (text extracted).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from records_sample import HOSTILE

from elab.domain.protocol import Protocol
from elab.domain.runs import FakeClock
from elab.services.record_source import ServiceRunSource
from elab.services.records import build_record, render_record, sign_run
from elab.services.runs import RunService
from elab.services.signing import FileSignerStore, add_signer
from elab.store import EventStore, open_engine
from elab.units import format_quantity

ROOT = Path(__file__).resolve().parents[3]
DIRS = [ROOT / "protocols", ROOT / "tests" / "unit" / "schedule" / "data" / "protocols",
        Path(__file__).parent / "data"]
FILES = sorted({p.name: p for d in DIRS for p in sorted(d.glob("*.yaml"))}.values())
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FileSignerStore:
    store = FileSignerStore(tmp_path_factory.mktemp("signers"))
    add_signer("ana", PASSWORD, printed_name="Ana Lima", now=datetime.now(UTC), store=store)
    add_signer("pi", PASSWORD, printed_name="Prof. Ines Ortega", now=datetime.now(UTC),
               store=store)
    return store


@pytest.fixture
def service(tmp_path: Path) -> Iterator[RunService]:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    svc = RunService(EventStore(open_engine(f"sqlite:///{tmp_path / 'runs.db'}")), clock, "ana")
    yield svc
    svc.close()


def _value(protocol: Protocol, step_id: str, name: str) -> str:
    spec = protocol.step(step_id).record[name]
    if spec.type == "text":
        return "looks fine"
    if spec.type == "number":
        return "1" if spec.range is None else str(spec.range.planned)
    if spec.range is not None:
        return format_quantity(spec.range.planned, spec.range.unit)
    return f"1 {spec.unit}" if spec.unit else "1"


def complete(service: RunService, path: Path) -> str:
    """Start, follow every step (timers, values, lots, notes) and finish a run."""
    run = service.start(str(path))
    state = service.state(run)
    protocol = state.protocol
    clock = service.clock
    assert isinstance(clock, FakeClock)
    for mid in protocol.materials:
        service.lot(run, mid, f"LOT-{mid}", "2099-12-31")
    for entry in protocol.analysis:  # data files named after the analysis inputs
        names = [entry.input] if isinstance(entry.input, str) else list(entry.input or [])
        for name in names:
            data = path.parent / f"{name}.csv"
            if data.exists():  # the library has no data files; its analyses then say so
                service.attach(run, name, data)
    first = True
    for sid in state.graph.order:
        step = protocol.step(sid)
        if step.optional:
            service.skip(run, sid, "not needed today")
            continue
        if step.passive is not None:
            service.timer(run, sid, "start")
            low, high = step.passive.duration.seconds()
            clock.advance(seconds=low if high is None else (low + high) / 2)
            service.timer(run, sid, "stop")
        clock.advance(minutes=5)
        values = [(name, _value(protocol, sid, name)) for name in step.record]
        counted = any(spec.required and spec.count > 1 for spec in step.record.values())
        service.done(run, sid, values, note=HOSTILE if first else None,
                     incomplete="counted values are recorded once here" if counted else None)
        first = False
    service.deviate(run, None, "[link](javascript:alert(1)) | pipe")
    service.finish(run, incomplete="counted values are recorded once here")
    return run


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


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_completed_run_record_in_every_format(path: Path, service: RunService,
                                              store: FileSignerStore) -> None:
    run = complete(service, path)
    source = ServiceRunSource(service)
    sign_run(run, meaning="performed", signer="ana", password=PASSWORD, source=source,
             store=store)
    sign_run(run, meaning="reviewed", signer="pi", password=PASSWORD, source=source, store=store)
    record = build_record(run, source, store=store)
    assert record.chain.ok and record.state == "completed"
    assert [(s.valid, s.covers_whole_run) for s in record.signatures] == [(True, True)] * 2
    values = [v.value for s in record.steps for v in s.values]
    lots = [m.lot for m in record.materials]

    page = Text()
    page.feed(render_record(run, "html", source=source, store=store)[0].decode())
    html_text = " ".join(" ".join(page.parts).split())
    assert "script" not in page.tags and "a" not in page.tags
    pdf_text = _pdf_text(render_record(run, "pdf", source=source, store=store)[0])
    md = render_record(run, "md", source=source, store=store)[0].decode()
    for out in (html_text, pdf_text):
        assert record.protocol_title in out and run in out
        assert "Ana Lima" in out and "Prof. Ines Ortega" in out and "reviewed" in out
        assert "<script>alert(1)</script>" in out and "[link](javascript:alert(1)) | pipe" in out
        squeezed = "".join(out.split())  # long values and lots may wrap inside table cells
        for item in (*values, *lots):
            assert "".join(item.split()) in squeezed, item
    assert "Ana Lima" in md and "\\<script\\>" in md and "\\[link\\]" in md and "\\|" in md
    assert "<script>" not in md and "[link](" not in md
    for item in lots:
        assert item in md


def test_signature_before_later_events_is_marked(service: RunService,
                                                 store: FileSignerStore) -> None:
    path = Path(__file__).parent / "data" / "seeding-assay.yaml"
    run = service.start(str(path))
    source = ServiceRunSource(service)
    service.done(run, "seed", [("viability", "95 %"), ("count", "5e4 cells")])
    sign_run(run, meaning="performed", signer="ana", password=PASSWORD, source=source,
             store=store)
    service.note(run, None, "later")
    record = build_record(run, source, store=store)
    (sig,) = record.signatures
    assert sig.valid and not sig.covers_whole_run
    assert "does not cover later events" in render_record(
        run, "html", source=source, store=store)[0].decode()


def test_out_of_range_value_is_marked_with_its_auto_deviation(
        service: RunService, store: FileSignerStore) -> None:
    path = Path(__file__).parent / "data" / "seeding-assay.yaml"
    run = service.start(str(path), {"cells_per_well": "5e4 cells"})
    service.done(run, "seed", [("viability", "72 %"), ("count", "5e4 cells")])
    record = build_record(run, ServiceRunSource(service), store=store)
    seed = record.steps[0]
    viability = next(v for v in seed.values if v.name == "viability")
    assert viability.out_of_range and viability.expected == "90–100%"
    assert seed.deviations and record.deviations[0].kind == "auto"
    params = {p.name: p for p in record.parameters}
    assert params["cells_per_well"].overridden


def test_analysis_numbers_and_plot_reach_the_record(service: RunService,
                                                   store: FileSignerStore) -> None:
    path = Path(__file__).parent / "data" / "dose-response.yaml"
    run = complete(service, path)
    record = build_record(run, ServiceRunSource(service), store=store)
    (analysis,) = record.analyses
    assert not analysis.error and analysis.columns[:3] == ("group", "ic50", "hill")
    assert analysis.rows[0].cells[0].startswith("1.3 µM (95 % CI")
    assert analysis.plots and analysis.plots[0].png.startswith(b"\x89PNG")
    pdf_text = _pdf_text(render_record(run, "pdf", source=ServiceRunSource(service),
                                       store=store)[0])
    assert "1.3 µM" in pdf_text
