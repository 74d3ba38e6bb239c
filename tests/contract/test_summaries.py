"""Run summaries: written with each append, listed without folding, healed from the log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_calls import run as cli
from dbfixtures import disk_full_after
from sqlalchemy import create_engine, delete, update

from elab.domain.runs import FakeClock, make_event
from elab.errors import StorageError
from elab.services.runs import RunService
from elab.store.models import events, run_summaries

PROTOCOL = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")


@pytest.fixture
def service(db_url: str) -> Iterator[RunService]:
    svc = RunService.open(db_url, operator="ana", clock=FakeClock())
    yield svc
    svc.close()


def _summary(service: RunService, run: str):  # type: ignore[no-untyped-def]
    return next(s for s in service.summaries() if s.run_id == run)


def test_each_action_moves_the_summary_on(service: RunService) -> None:
    run = service.start(PROTOCOL)
    assert _summary(service, run).state == "running"
    assert _summary(service, run).current_step == "seed"
    service.done(run, "seed")
    service.timer(run, "incubate", "start")
    summary = _summary(service, run)
    assert summary.current_step == "incubate"
    assert [t.step for t in summary.timers] == ["incubate"]
    assert summary.timers[0].remaining_s(service.clock.now()) == pytest.approx(3600)
    service.abort(run, "contaminated")
    assert _summary(service, run).state == "aborted"
    assert _summary(service, run).last_seq == service.last_seq(run)


def test_a_failed_append_leaves_log_summary_and_state_as_they_were(
    service: RunService, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = service.start(PROTOCOL)
    before = _summary(service, run)

    with disk_full_after(service.store.engine, "run_summaries"), pytest.raises(StorageError):
        service.done(run, "seed")
    assert service.last_seq(run) == 1
    assert _summary(service, run) == before
    assert service.state(run).steps["seed"].state == "current"


def test_runs_from_before_summaries_and_other_writers_are_summarised_again(
    db_url: str, service: RunService
) -> None:
    old = service.start(PROTOCOL)
    other = service.start(PROTOCOL)
    head = service.events(other)[-1]
    # Another writer (an older elab) appends without a summary; one run has none at all.
    service.store.append(other, [make_event(other, 2, "step_done", head.at, "bo",
                                            {"step": "seed"}, head.hash)], 1)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(delete(run_summaries).where(run_summaries.c.run_id == old))
    engine.dispose()
    listed = {s.run_id: s for s in service.summaries()}
    assert set(listed) == {old, other}
    assert listed[other].current_step == "incubate" and "bo" in listed[other].operators
    assert service.store.stale_summaries() == []


def test_a_damaged_run_is_listed_as_damaged_and_hides_nothing(
    db_url: str, service: RunService
) -> None:
    bad = service.start(PROTOCOL)
    good = service.start(PROTOCOL)
    service.note(bad, None, "x")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(events).where((events.c.run_id == bad) & (events.c.seq == 1))
                     .values(payload='{"protocol": 1}'))
        conn.execute(delete(run_summaries).where(run_summaries.c.run_id == bad))
    engine.dispose()
    reader = RunService.open(db_url, operator="ana")  # another process, nothing cached
    try:
        listed = {s.run_id: s for s in reader.summaries()}
    finally:
        reader.close()
    assert listed[good].state == "running"
    assert listed[bad].state == "damaged" and "event 1: content does not match its hash" in listed[bad].problem


def test_listing_pages_active_runs_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    clock = FakeClock()
    service = RunService.open(operator="ana", clock=clock)
    done = []
    for _ in range(3):
        rid = service.start(PROTOCOL)
        service.abort(rid)
        done.append(rid)
        clock.advance(days=1)
    active = service.start(PROTOCOL)
    service.close()
    import json

    def listed(*args: str) -> list[str]:
        code, out, err = cli(["runs", "list", "--json", *args], capsys)
        assert code == 0, err
        return [r["run"] for r in json.loads(out)]

    assert listed() == [active, *reversed(done)]
    assert listed("--active") == [active]
    assert listed("--limit", "2") == [active, done[-1]]
    since = (clock.now() - timedelta(days=1, hours=1)).date().isoformat()
    assert listed("--since", since) == [active, done[-1]]
    code, _, err = cli(["runs", "list", "--since", "last week"], capsys)
    assert code == 1 and "is not a date" in err
