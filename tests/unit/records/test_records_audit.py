"""What an auditor needs from a record: the procedure as run, who did what and when, event
numbers every reference can be followed to, struck corrections, reproducible analyses,
changes after completion and local times.  Runs are made with the real runs service."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from elab.domain.runs import FakeClock
from elab.services.record_source import ServiceRunSource
from elab.services.records import build_record, render_record, sign_run
from elab.services.runs import RunService
from elab.services.signing import FileSignerStore, add_signer
from elab.store import EventStore, open_engine

DATA = Path(__file__).parent / "data"
SEEDING = DATA / "seeding-assay.yaml"
PASSWORD = "correct horse battery"

UNTIL = """\
id: develop
title: Develop the stain
version: "1"
steps:
  - id: develop
    title: Develop with DAB
    text: Watch under the microscope.
    hands_on: 1 min
    until: brown staining is clear
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FileSignerStore:
    store = FileSignerStore(tmp_path_factory.mktemp("signers"))
    add_signer("ana", PASSWORD, printed_name="Ana Lima", now=datetime.now(UTC), store=store)
    add_signer("pi", PASSWORD, printed_name="Ines Ortega", now=datetime.now(UTC), store=store)
    return store


@pytest.fixture
def service(tmp_path: Path) -> Iterator[RunService]:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    svc = RunService(EventStore(open_engine(f"sqlite:///{tmp_path / 'runs.db'}")), clock, "ana")
    yield svc
    svc.close()


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def text_of(html: str) -> str:
    page = Text()
    page.feed(html)
    return " ".join(" ".join(page.parts).split())


def both(service: RunService, run: str, store: FileSignerStore) -> tuple[str, str, str]:
    source = ServiceRunSource(service)
    html = render_record(run, "html", source=source, store=store)[0].decode()
    md = render_record(run, "md", source=source, store=store)[0].decode()
    return html, text_of(html), md


def clock(service: RunService) -> FakeClock:
    assert isinstance(service.clock, FakeClock)
    return service.clock


def test_the_procedure_as_run_and_who_did_each_step(service: RunService,
                                                    store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    service.start_step(run, "seed")
    clock(service).advance(minutes=25)
    service.done(run, "seed", [("viability", "95 %"), ("count", "5e4 cells")])
    _, html, md = both(service, run, store)
    for out in (html, md):
        assert "Seed the cells in medium with FBS." in out
        assert "Hands-on: 30 min" in out
        # a use per run is the run's amount, as `elab show` counts it
        assert "Fetal bovine serum (fbs): 10 mL" in out
        assert "Incubate 12–24 h using CO2 incubator (incubator)" in out
        assert "Record viability (%, expected 90–100%)" in out
    assert "Done by ana" in html and "Done by: ana" in md


def test_a_step_under_way_says_who_started_it_not_who_did_it(
        service: RunService, store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    service.start_step(run, "seed")
    _, html, md = both(service, run, store)
    assert "Started by ana" in html and "Started by: ana" in md
    assert "Done by" not in html and "Done by" not in md


def test_a_step_done_without_a_start_shows_when_it_was_done_not_a_zero_interval(
        service: RunService, store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    clock(service).advance(minutes=45)
    service.done(run, "seed", [("viability", "95 %"), ("count", "5e4 cells")])
    record = build_record(run, ServiceRunSource(service), store=store)
    assert record.steps[0].actual_start is None
    _, html, md = both(service, run, store)
    for out in (html, md):
        assert "done at 2026-11-23 09:45:00 UTC (no start recorded)" in out
        assert "09:45:00 → 09:45:00" not in out and "(0 min)" not in out


def test_an_until_step_shows_elapsed_time_not_of_zero_planned(
        service: RunService, store: FileSignerStore, tmp_path: Path) -> None:
    path = tmp_path / "develop.yaml"
    path.write_text(UNTIL, encoding="utf-8")
    run = service.start(str(path))
    service.timer(run, "develop", "start")
    clock(service).advance(seconds=3)
    service.timer(run, "develop", "stop")
    service.done(run, "develop")
    _, html, md = both(service, run, store)
    for out in (html, md):
        assert "elapsed 3 s (until brown staining is clear)" in out
        assert "of 0 min planned" not in out


def test_event_numbers_and_corrections_strike_the_original(service: RunService,
                                                            store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    events = service.done(run, "seed", [("viability", "72 %"), ("count", "5e4 cells")])
    seq = next(e.seq for e in events if e.type == "value_recorded"
               and e.payload.get("name") == "viability")
    service.note(run, "seed", "cells clumped")
    clock(service).advance(minutes=5)
    fixed = service.correct(run, seq, [("viability", "92 %")], "misread the counter")
    fix_seq = fixed[0].seq
    raw, html, md = both(service, run, store)
    assert "<del>72%</del>" in raw
    assert f"#{seq} viability = 72%" in html
    assert (f"replaced by #{fix_seq}: misread the counter (ana, 2026-11-23 09:05:00 UTC)"
            in html)
    assert f"#{fix_seq} viability = 92% corrects #{seq}: misread the counter" in html
    assert f"| #{seq} | viability | ~~72%~~ |" in md
    assert f"replaced by #{fix_seq}: misread the counter (ana, 2026-11-23 09:05:00 UTC)" in md
    note_seq = next(e.seq for e in service.events(run) if e.type == "note")
    assert f"#{note_seq} " in html and f"#{note_seq} Note (09:00:00 UTC, ana)" in md
    dev_seq = next(e.seq for e in service.events(run) if e.type == "deviation")
    assert f"D1 #{dev_seq}" in html and f"| D1 | #{dev_seq} |" in md
    for e in service.events(run):  # the event log prints every number
        assert f"#{e.seq} · " in html
        assert f"| #{e.seq} | " in md


def test_tamper_banner_events_are_numbered_in_the_record(
        service: RunService, store: FileSignerStore, tmp_path: Path) -> None:
    import sqlite3

    run = service.start(str(SEEDING))
    service.done(run, "seed", [("viability", "95 %"), ("count", "5e4 cells")])
    service.note(run, None, "fine")
    service.close()
    with sqlite3.connect(tmp_path / "runs.db") as db:
        db.execute("UPDATE events SET payload = replace(payload, 'fine', 'FINE') "
                   "WHERE run_id = ? AND type = 'note'", (run,))
    fresh = RunService(EventStore(open_engine(f"sqlite:///{tmp_path / 'runs.db'}")),
                       FakeClock(), "ana")
    try:
        record = build_record(run, ServiceRunSource(fresh), store=store)
        assert not record.chain.ok
        bad = record.chain.first_damaged
        assert bad is not None and re.search(rf"\bevent {bad}\b", record.chain.problem)
        _, html, md = both(fresh, run, store)
    finally:
        fresh.close()
    assert f"Events from #{bad} on are not to be trusted" in html
    assert f"#{bad} · " in html and f"| #{bad} | " in md


def test_the_protocol_as_run_and_elab_version_in_an_appendix(service: RunService,
                                                             store: FileSignerStore) -> None:
    from importlib.metadata import version

    run = service.start(str(SEEDING), {"cells_per_well": "5e4 cells"})
    raw, html, md = both(service, run, store)
    assert "Appendix: the protocol as run" in html and "Appendix: the protocol as run" in md
    appendix = raw[raw.index('id="protocol-text"'):]
    assert "text: Seed the cells in medium with FBS." in appendix
    assert "id: seeding-assay" in md.split("Appendix: the protocol as run")[1]
    assert f"elab {version('elab')}" in html and f"elab {version('elab')}" in md


def test_analysis_gives_parameters_inputs_with_sha256_and_the_plot(
        service: RunService, store: FileSignerStore, tmp_path: Path) -> None:
    protocol = (DATA / "dose-response.yaml").read_text(encoding="utf-8")
    protocol = protocol.replace("    input: reader", "    input: reader\n"
                                "    params: {model: 4pl}")
    path = tmp_path / "dose-response.yaml"
    path.write_text(protocol, encoding="utf-8")
    run = service.start(str(path))
    reader = DATA / "reader.csv"
    service.attach(run, "reader", reader)
    for step in ("treat", "expose", "read"):
        service.done(run, step, [("blank_od", "0.05")] if step == "read" else [])
    service.finish(run, incomplete="test: only the record is under test")
    digest = hashlib.sha256(reader.read_bytes()).hexdigest()
    raw, html, md = both(service, run, store)
    for out in (html, md):
        assert "model=4pl" in out
        assert f"reader (reader.csv, #2): SHA-256 {digest}" in out
        assert "Four-parameter log-logistic model" in out and "IC50" in out
    stored = next(e.payload["plot_png"] for e in service.events(run)
                  if e.type == "analysis_done")
    assert f"data:image/png;base64,{stored}" in raw  # the hook's plot, IC50 line and CI band
    assert base64.b64decode(stored).startswith(b"\x89PNG")


def test_changes_after_completion_show_the_signatures_they_postdate(
        service: RunService, store: FileSignerStore, tmp_path: Path) -> None:
    run = service.start(str(SEEDING))
    events = service.done(run, "seed", [("viability", "95 %"), ("count", "5e4 cells")])
    seq = next(e.seq for e in events if e.type == "value_recorded")
    service.finish(run, incomplete="test: only the record is under test")
    source = ServiceRunSource(service)
    sign_run(run, meaning="performed", signer="ana", password=PASSWORD, source=source,
             store=store)
    signed = service.events(run)[-1].seq
    note = service.note(run, None, "plate reader file added late")[0].seq
    fix = service.correct(run, seq, [("viability", "96 %")], "typo")[0].seq
    data = tmp_path / "late.csv"
    data.write_text("well,od\nA1,0.5\n", encoding="utf-8")
    att = service.attach(run, "late", data)[0].seq
    record = build_record(run, source, store=store)
    assert [a.seq for a in record.amendments] == [note, fix, att]
    assert record.signatures[0].misses[:3] == (note, fix, att)
    _, html, md = both(service, run, store)
    for out in (html, md):
        assert "Changes after completion" in out
        assert f"performed by Ana Lima (#{signed})" in out
        assert f"does not cover later events: #{note}, #{fix}, #{att}" in out


def test_lots_never_recorded_supplier_and_equipment_kind(service: RunService,
                                                         store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    service.lot(run, "fbs", "F-1")
    record = build_record(run, ServiceRunSource(service), store=store)
    assert [m.id for m in record.missing_lots] == ["trypsin"]
    kinds = {e.id: e.kind for e in record.equipment}
    assert kinds == {"hood": "bench equipment", "incubator": "incubator"}  # declared
    _, html, md = both(service, run, store)
    assert "1 material(s) without a recorded lot: trypsin" in html
    assert "Gibco 10270" in html and "supplier not stated" in html
    assert "**not recorded**" in md and "1 material(s) without a recorded lot: trypsin" in md


def test_local_times_beside_utc(service: RunService, store: FileSignerStore) -> None:
    run = service.start(str(SEEDING))
    source = ServiceRunSource(service)
    html = text_of(render_record(run, "html", source=source, store=store,
                                 timezone="Europe/Berlin")[0].decode())
    md = render_record(run, "md", source=source, store=store, timezone="Europe/Berlin")[0].decode()
    assert "2026-11-23 09:00:00 UTC (10:00:00 CET)" in html
    assert "2026-11-23 09:00:00 UTC (10:00:00 CET)" in md


def test_step_text_shows_the_parameter_values_the_run_used(
        service: RunService, store: FileSignerStore, tmp_path: Path) -> None:
    path = tmp_path / "dose.yaml"
    path.write_text(
        'id: dose\ntitle: Dose\nversion: "1"\n'
        "parameters:\n  conc: {default: 1 uM, range: 1-5 uM}\n"
        "steps:\n  - id: add\n    title: Add drug\n"
        "    text: Dilute the stock to 1000x $conc and add 2 uL per well.\n"
        "    hands_on: 5 min\n", encoding="utf-8")
    run = service.start(str(path), {"conc": "5 uM"})
    _, html, md = both(service, run, store)
    for out in (html, md):
        assert "Dilute the stock to 1000x 5 µM and add 2 uL per well." in out
