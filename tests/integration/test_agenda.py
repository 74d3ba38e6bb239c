"""Planning what is left of active runs: the home screen's agenda and replanning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from elab.domain.runs import FakeClock
from elab.domain.schedule.check import check_schedule
from elab.services.agenda import plan_remaining, today_agenda
from elab.services.runs import RunService

MONDAY_8 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_8)


@pytest.fixture
def service(sqlite_url: str, clock: FakeClock,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[RunService]:
    monkeypatch.setenv("TZ", "UTC")
    svc = RunService.open(sqlite_url, operator="ana", clock=clock)
    yield svc
    svc.close()


def test_done_steps_are_not_planned_again(service: RunService, clock: FakeClock) -> None:
    run = service.start("mtt-viability")
    service.done(run, "seed")
    planned = plan_remaining([service.state(run)], clock.now(), time_limit_s=5)
    assert planned is not None
    problem, schedule = planned
    steps = {a.step for a in schedule.assignments}
    assert "seed" not in steps and "treat" in steps
    assert check_schedule(problem, schedule).ok
    # Nothing before now, and treat waits for the overnight attachment (12 h at least).
    assert min(a.start for a in schedule.assignments) >= clock.now()
    treat = schedule.by_key()[(run, "treat")]
    assert treat.start >= clock.now() + timedelta(hours=12)


def test_a_running_timer_releases_the_next_step_at_its_end(service: RunService,
                                                          clock: FakeClock) -> None:
    run = service.start("mtt-viability")
    service.done(run, "seed")
    service.timer(run, "attach", "start")  # overnight: 12-18 h
    clock.advance(hours=13)  # Monday 21:00
    planned = plan_remaining([service.state(run)], clock.now(), time_limit_s=5)
    assert planned is not None
    _, schedule = planned
    steps = {a.step for a in schedule.assignments}
    assert "attach" not in steps
    treat = schedule.by_key()[(run, "treat")]
    # The window after attach is 0-10 h: treat falls by Tuesday 07:00, out of hours if it must.
    assert treat.start <= MONDAY_8 + timedelta(hours=23)


def test_today_agenda_lists_todays_hands_on_work(service: RunService, clock: FakeClock) -> None:
    run = service.start("western-blot-emt")
    agenda = today_agenda([service.state(run)], clock.now(), time_limit_s=5)
    assert agenda.problem == ""
    assert agenda.lines, "a fresh western blot has work today"
    assert all(line.start.date() == clock.now().date() for line in agenda.lines)
    assert agenda.lines[0].start.hour >= 9  # working hours, not 08:00
    assert agenda.lines == tuple(sorted(agenda.lines, key=lambda x: (x.start, x.run)))


def test_finished_runs_make_no_agenda(service: RunService, clock: FakeClock) -> None:
    run = service.start("mtt-viability")
    service.finish(run, incomplete="test: only the finish is under test")
    assert today_agenda([service.state(run)], clock.now()).lines == ()


def test_on_a_weekend_the_agenda_shows_the_next_day_with_work(service: RunService,
                                                               clock: FakeClock) -> None:
    clock.advance(days=5)  # Saturday 08:00: nobody works, Monday does
    run = service.start("western-blot-emt")
    agenda = today_agenda([service.state(run)], clock.now(), time_limit_s=5)
    assert agenda.ahead and agenda.day == (MONDAY_8 + timedelta(days=7)).date()
    assert agenda.lines and all(line.start.date() == agenda.day for line in agenda.lines)
    assert any(line.hands_on for line in agenda.lines)


def test_a_weekday_agenda_is_today(service: RunService, clock: FakeClock) -> None:
    run = service.start("western-blot-emt")
    agenda = today_agenda([service.state(run)], clock.now(), time_limit_s=5)
    assert not agenda.ahead and agenda.day == clock.now().date()
