"""What is due across a run: timers ending and time windows after a finished step."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from elab.domain.runs import FakeClock
from elab.domain.runs.due import due_items, most_pressing_first, step_windows
from elab.services.runs import RunService

ASSAY = str(Path(__file__).resolve().parent / "data" / "assay.yaml")


def test_window_opens_when_the_step_before_ends(service: RunService, clock: FakeClock) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    assert step_windows(service.state(run), "treat") == []  # incubate not ended: no window yet
    service.done(run, "incubate")
    ended = clock.now()
    [window] = step_windows(service.state(run), "treat")
    assert (window.after, window.opens, window.closes) == (
        "incubate", ended, ended + timedelta(minutes=5))
    assert window.status(clock.now()) == "open"
    assert window.status(ended + timedelta(minutes=6)) == "closed"


def test_timer_urgency_moves_from_later_to_overdue(service: RunService, clock: FakeClock) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    service.timer(run, "incubate", "start")  # 1-2 h
    assert [i.urgency for i in due_items(service.state(run), clock.now())] == ["soon"]
    assert [i.urgency for i in due_items(service.state(run), clock.now(), soon_s=60)] == ["later"]
    clock.advance(minutes=61)
    [item] = due_items(service.state(run), clock.now())
    assert (item.urgency, item.what) == ("due", "timer done: take it out")
    clock.advance(hours=1)
    [item] = due_items(service.state(run), clock.now())
    assert (item.urgency, item.what) == ("overdue", "timer past its maximum")


def test_open_window_is_due_and_a_closed_one_overdue(service: RunService,
                                                     clock: FakeClock) -> None:
    run = service.start(ASSAY)
    service.done(run, "seed")
    service.done(run, "incubate")
    [item] = due_items(service.state(run), clock.now())
    assert (item.step, item.urgency) == ("treat", "due")
    assert item.what.startswith("window open, closes")
    clock.advance(minutes=6)
    [item] = due_items(service.state(run), clock.now())
    assert (item.urgency, item.what) == ("overdue", "window after incubate closed")
    service.done(run, "treat")
    assert due_items(service.state(run), clock.now()) == []  # started: nothing pending


def test_finished_runs_have_nothing_due(service: RunService, clock: FakeClock) -> None:
    run = service.start(ASSAY)
    service.timer(run, "incubate", "start")
    service.finish(run, incomplete="test: only the finish is under test")
    assert due_items(service.state(run), clock.now()) == []


def test_most_pressing_first_across_runs(service: RunService, clock: FakeClock) -> None:
    a, b = service.start(ASSAY), service.start(ASSAY)
    service.timer(a, "incubate", "start")
    service.done(b, "seed")
    service.done(b, "incubate")
    clock.advance(minutes=10)
    items = [*due_items(service.state(a), clock.now()), *due_items(service.state(b), clock.now())]
    assert [(i.run_id, i.urgency) for i in most_pressing_first(items)] == [
        (b, "overdue"), (a, "soon")]
