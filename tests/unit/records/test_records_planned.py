"""A record's planned times are the lab calendar's plan of the run, the agenda's numbers.

A run started on a Friday at 16:00 whose cells attach for 12-72 h has its next hands-on
step on Monday morning, not on Saturday at 04:30: the record, ``elab schedule plan`` and the
home screen's agenda say the same.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from records_sample import MemoryRuns

from elab.domain.records.build import planned_offsets
from elab.domain.runs import FakeClock, fold
from elab.domain.schedule import Schedule
from elab.services.agenda import plan_remaining
from elab.services.records import build_record, render_record
from elab.services.schedule import SolveOptions, build_problem, plan_runs

DATA = Path(__file__).parent / "data"
PROTOCOLS = Path(__file__).resolve().parents[3] / "elab" / "protocols"
FRIDAY_16 = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CLOCK = FakeClock(FRIDAY_16 + timedelta(days=7))


def _runs(*done: str) -> MemoryRuns:
    runs = MemoryRuns(DATA / "weekend-assay.yaml", start=FRIDAY_16)
    for step in done:
        runs.append("step_done", {"step": step})
    return runs


def _in_working_hours(start: datetime, end: datetime) -> bool:
    return start.weekday() < 5 and start.hour >= 9 and (end.hour, end.minute) <= (17, 0) \
        and start.date() == end.date()


def test_the_next_hands_on_step_is_planned_on_monday_not_in_the_night() -> None:
    record = build_record("r1", _runs(), clock=CLOCK)
    steps = {s.id: s for s in record.steps}
    assert (steps["treat"].planned_start, steps["treat"].planned_end) == (
        MONDAY_9, MONDAY_9 + timedelta(minutes=20))
    # the incubation is held over the weekend, within its 12-72 h
    assert (steps["attach"].planned_start, steps["attach"].planned_end) == (
        FRIDAY_16 + timedelta(minutes=30), MONDAY_9)
    # 2-4 h after the treatment, still in working hours
    assert steps["read"].planned_start == MONDAY_9 + timedelta(hours=2, minutes=20)
    for sid in ("seed", "treat", "read"):
        assert _in_working_hours(steps[sid].planned_start, steps[sid].planned_end), sid
    # without working hours it was Saturday 04:30, which is what changed
    offsets = planned_offsets(fold(_runs().rows).protocol)
    assert FRIDAY_16 + timedelta(seconds=offsets["treat"][0]) == datetime(
        2026, 11, 28, 4, 30, tzinfo=UTC)
    assert "working hours Mon-Fri 09:00-17:00, UTC" in record.planned_note


def test_markdown_html_and_pdf_show_the_monday_plan() -> None:
    md = render_record("r1", "md", source=_runs(), clock=CLOCK)[0].decode()
    html = render_record("r1", "html", source=_runs(), clock=CLOCK)[0].decode()
    pdf = render_record("r1", "pdf", source=_runs(), clock=CLOCK)[0]
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)
    for out in (md, html, text):
        assert "2026-11-30 09:00:00 → 09:20:00 UTC" in out
        assert "2026-11-28 04:30" not in out
        assert out.count("first plan of this run alone") == 1


def test_the_record_says_what_the_schedule_service_plans() -> None:
    state = fold(_runs().rows)
    problem = build_problem([], FRIDAY_16.isoformat(), under_way=[state], now=FRIDAY_16)
    schedule = plan_runs(problem, SolveOptions(time_limit_s=5, allow_out_of_hours=True))
    plan = {a.step: (a.start, a.end) for a in schedule.assignments}
    record = build_record("r1", _runs(), clock=CLOCK)
    assert {s.id: (s.planned_start, s.planned_end) for s in record.steps} == plan


def test_the_record_says_what_the_agenda_plans_and_done_steps_keep_their_times() -> None:
    runs = _runs("seed")  # done at 16:10
    now = FRIDAY_16 + timedelta(minutes=10)
    planned = plan_remaining([fold(runs.rows)], now, time_limit_s=5)
    assert planned is not None
    agenda = {a.step: (a.start, a.end) for a in planned[1].assignments}
    steps = {s.id: s for s in build_record("r1", runs, clock=CLOCK).steps}
    for sid in ("treat", "read"):
        assert (steps[sid].planned_start, steps[sid].planned_end) == agenda[sid]
    seed = steps["seed"]
    assert seed.state == "done" and seed.actual_end == now and seed.actual_start is None
    assert (seed.planned_start, seed.planned_end) == (FRIDAY_16, now + timedelta(minutes=20))


def test_a_record_renders_the_same_twice() -> None:
    for kind in ("md", "html"):
        first = render_record("r1", kind, source=_runs("seed"), clock=CLOCK)[0]
        assert render_record("r1", kind, source=_runs("seed"), clock=CLOCK)[0] == first


def test_a_calendar_that_does_not_load_leaves_the_times_without_hours(tmp_path: Path) -> None:
    bad = tmp_path / "calendar.yaml"
    bad.write_text("hours: {mon: 25:00-26:00}\n")
    record = build_record("r1", _runs(), clock=CLOCK, calendar=bad)
    steps = {s.id: s for s in record.steps}
    assert steps["treat"].planned_start == datetime(2026, 11, 28, 4, 30, tzinfo=UTC)
    assert record.planned_note.startswith("planned times without working hours: ")
    md = render_record("r1", "md", source=_runs(), clock=CLOCK, calendar=bad)[0].decode()
    assert md.count("planned times without working hours") == 1
    assert "> **Note:** planned times without working hours: " in md
    html = render_record("r1", "html", source=_runs(), clock=CLOCK, calendar=bad)[0].decode()
    assert 'id="plan-notice"' in html and html.count("planned times without working hours") == 1
    good = render_record("r1", "html", source=_runs(), clock=CLOCK)[0].decode()
    assert 'id="plan-notice"' not in good


def test_a_calendar_file_moves_the_plan(tmp_path: Path) -> None:
    weekend = tmp_path / "calendar.yaml"
    weekend.write_text("timezone: UTC\nhours: {sat: 08:00-12:00, mon: 09:00-17:00}\n")
    steps = {s.id: s for s in build_record("r1", _runs(), clock=CLOCK, calendar=weekend).steps}
    # seed cannot be done on Friday afternoon: Saturday morning, and treat on Monday
    assert steps["seed"].planned_start == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert steps["treat"].planned_start.weekday() == 0


def test_a_protocol_the_planner_refuses_is_still_recorded(tmp_path: Path) -> None:
    long_day = tmp_path / "long-day.yaml"
    long_day.write_text((DATA / "weekend-assay.yaml").read_text().replace(
        "hands_on: 20 min", "hands_on: 10 h"))
    runs = MemoryRuns(long_day, start=FRIDAY_16)
    md = render_record("r1", "md", source=runs, clock=CLOCK)[0].decode()
    assert md.count("planned times without working hours: ") == 1
    assert "longer than any working day" in md
    assert "2026-11-28 04:30:00 → 14:30:00 UTC" in md


def test_the_plan_is_in_the_lab_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")  # Friday 16:00 UTC is 17:00 there: closed
    steps = {s.id: s for s in build_record("r1", _runs(), clock=CLOCK).steps}
    assert steps["seed"].planned_start == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert steps["treat"].planned_start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert steps["treat"].planned_start.tzinfo == UTC


def _by_step(schedule: Schedule) -> dict[str, tuple[datetime, datetime]]:
    """Each protocol step's first start and last end (``dose@d1#2`` is step ``dose``)."""
    out: dict[str, tuple[datetime, datetime]] = {}
    for a in schedule.assignments:
        sid = re.split(r"[:#@]", a.step)[0]
        start, end = out.get(sid, (a.start, a.end))
        out[sid] = (min(start, a.start), max(end, a.end))
    return out


def test_a_regimen_starts_when_the_steps_before_it_can_really_be_done() -> None:
    """The xenograft's dosing follows tumour growth that begins on Monday, not at Friday
    midnight: the plan keeps every rule and is the schedule service's."""
    runs = MemoryRuns(PROTOCOLS / "xenograft-combination.yaml", start=FRIDAY_16)
    state = fold(runs.rows)
    problem = build_problem([], FRIDAY_16.isoformat(), under_way=[state], now=FRIDAY_16)
    plan = _by_step(plan_runs(problem, SolveOptions(time_limit_s=5, allow_out_of_hours=True)))
    record = build_record("r1", runs, clock=CLOCK)
    assert "cannot keep every rule" not in record.planned_note
    assert {s.id: (s.planned_start, s.planned_end) for s in record.steps} == plan


def test_the_plan_is_in_whole_minutes_from_the_minute_the_run_started() -> None:
    runs = MemoryRuns(DATA / "weekend-assay.yaml", start=MONDAY_9 + timedelta(seconds=10))
    steps = {s.id: s for s in build_record("r1", runs, clock=CLOCK).steps}
    assert steps["seed"].planned_start == MONDAY_9
    assert all(s.planned_start.second == 0 and s.planned_end.second == 0
               for s in steps.values() if s.planned_start and s.planned_end)
