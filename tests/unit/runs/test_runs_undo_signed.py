"""An undo never changes what a signature covers: the signature would verify over a run that
no longer reads as it did when it was given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from elab.domain.runs import FakeClock
from elab.errors import RunStateError
from elab.services.record_source import ServiceRunSource
from elab.services.records import build_record, sign_run
from elab.services.runs import RunService
from elab.services.signing import FileSignerStore, add_signer
from elab.store import EventStore, open_engine

PROTOCOL = str(Path(__file__).parent / "data" / "assay.yaml")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> FileSignerStore:
    store = FileSignerStore(tmp_path_factory.mktemp("signers"))
    add_signer("pi", PASSWORD, printed_name="Ines Ortega", now=datetime.now(UTC), store=store)
    return store


@pytest.fixture
def ana(tmp_path: Path) -> Iterator[RunService]:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    svc = RunService(EventStore(open_engine(f"sqlite:///{tmp_path / 'runs.db'}")), clock, "ana")
    yield svc
    svc.close()


def _sign(service: RunService, run: str, signers: FileSignerStore) -> int:
    sign_run(run, meaning="reviewed", signer="pi", password=PASSWORD,
             source=ServiceRunSource(service), store=signers)
    return service.events(run)[-1].seq


def test_undoing_a_reading_a_signature_covers_is_refused(
    ana: RunService, signers: FileSignerStore,
) -> None:
    run = ana.start(PROTOCOL)
    [value] = ana.record_values(run, "measure", [("conc", "2 mg/mL")])
    signed = _sign(ana, run, signers)
    with pytest.raises(RunStateError) as refused:
        ana.undo(run)
    assert str(refused.value) == (
        f"undoing value_recorded measure conc=2 mg/mL (#{value.seq}) would change what "
        f"Ines Ortega's signature (reviewed, #{signed}) covers; put a value right with "
        "`elab runs correct` and explain anything else with `elab runs deviate` (the "
        "record shows both after it)")
    state = ana.state(run)
    assert [(v.name, v.value) for v in state.current_values()] == [("conc", 2.0)]
    assert state.retractions == []
    [row] = build_record(run, ServiceRunSource(ana), store=signers).signatures
    assert row.valid and row.covers_whole_run and row.head_seq == value.seq


def test_an_action_after_the_signature_can_still_be_undone(
    ana: RunService, signers: FileSignerStore,
) -> None:
    run = ana.start(PROTOCOL)
    ana.record_values(run, "measure", [("conc", "2 mg/mL")])
    _sign(ana, run, signers)
    ana.done(run, "seed")
    [retracted] = ana.undo(run)
    assert retracted.type == "retracted"
    assert ana.state(run).steps["seed"].state != "done"


def test_undoing_a_reading_a_later_analysis_ran_on_is_refused() -> None:
    # Analyses run at completion, when undo is closed; the rule holds for a log that has
    # one after an open action all the same (a log written by another tool).
    from elab.domain.protocol import load_document
    from elab.domain.runs import actions, fold
    from elab.domain.runs.events import GENESIS, new_event
    from elab.domain.runs.kinds import AnalysisDone, RunEvent, RunStarted, ValueRecorded

    at = "2026-11-23T09:00:00+00:00"
    data: list[tuple[RunEvent, str]] = [
        (RunStarted(protocol="run-assay", content=load_document(PROTOCOL).content), "ana"),
        (ValueRecorded(step="measure", name="conc", value=2.0, unit="mg/mL", text="2"), "ana"),
        (AnalysisDone(hook="transwell", values={"x": {"ref": "@measure.conc", "seqs": [2]}}),
         "bob"),
    ]
    events, prev = [], GENESIS
    for seq, (item, who) in enumerate(data, 1):
        event = new_event("r", seq, item, at, who, prev)
        events.append(event)
        prev = event.hash
    state = fold(events)
    with pytest.raises(RunStateError, match=r"would change what analysis transwell \(#3\) "
                                            r"was run on; put a value right"):
        actions.undo(state, datetime(2026, 11, 23, 9, 1, tzinfo=UTC), "ana")
