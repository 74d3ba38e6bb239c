"""Planning for the people a lab has: one operator by default, a head count, named runs.

The week of the issue: a western blot, an MTT assay and a transwell assay from the library,
planned on the default calendar (one person, Mon-Fri 09:00-17:00).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import timedelta

import pytest

from elab.domain.schedule import Assignment, Problem, Schedule, check_schedule, out_of_hours_min
from elab.render.gantt import gantt_steps, gantt_svg
from elab.services.schedule import RunSpec, build_problem, plan_runs, schedule_json
from elab.solve.schedule import SolveOptions

WEEK = ("western-blot-pfak", "mtt-viability", "transwell-migration")
FAST = SolveOptions(time_limit_s=5)


def plan(people: int | None = None, persons: dict[str, str] | None = None
         ) -> tuple[Problem, Schedule]:
    problem = build_problem([RunSpec(p) for p in WEEK], "2026-12-07", people=people,
                            persons=persons)
    return problem, plan_runs(problem, FAST)


@pytest.fixture(scope="module")
def week() -> tuple[Problem, Schedule]:
    return plan()


def hands_on_by_person(problem: Problem, schedule: Schedule) -> dict[str, list[object]]:
    acts = problem.activity_map()
    out: dict[str, list[object]] = defaultdict(list)
    for a in schedule.assignments:
        if acts[a.key].hands_on:
            out[str(acts[a.key].person)].append(a)
    return out


def test_one_operator_never_does_two_hands_on_steps_at_once(
        week: tuple[Problem, Schedule]) -> None:
    problem, schedule = week
    assert [p.name for p in problem.calendar.people] == ["operator"]
    work = hands_on_by_person(problem, schedule)
    assert list(work) == ["operator"]
    items = sorted(work["operator"], key=lambda a: a.start)  # type: ignore[attr-defined]
    assert len(items) > 20
    for first, second in itertools.pairwise(items):
        assert second.start >= first.end, (first, second)
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule) == 0


def test_json_says_who_does_each_hands_on_step(week: tuple[Problem, Schedule]) -> None:
    problem, schedule = week
    rows = schedule_json(problem, schedule)["activities"]
    assert {r["person"] for r in rows if r["hands_on"]} == {"operator"}
    assert all("person" not in r for r in rows if not r["hands_on"])


def test_the_gantt_of_the_week_names_every_hands_on_step(
        week: tuple[Problem, Schedule]) -> None:
    problem, schedule = week
    acts = problem.activity_map()
    steps = gantt_steps(problem, schedule)
    hands_on = sorted((a.run, acts[a.key].title) for a in schedule.assignments
                      if acts[a.key].hands_on)
    assert sorted((s.run, s.title) for s in steps) == hands_on
    assert [s.number for s in steps] == list(range(1, len(hands_on) + 1))
    svg = gantt_svg(problem, schedule)
    texts = [re.sub(r"\s+", " ", t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    legend = "\n".join(texts)
    for step in steps:
        # each legend line as drawn (a long one ends in an ellipsis), and its number on a bar
        assert step.line().replace("  ", " ")[:60].replace("&", "&amp;") in legend.replace(
            "  ", " ")
        assert str(step.number) in texts
    assert "operator" in texts and "incubator" in texts


def test_two_people_share_the_runs_and_each_does_one_thing_at_a_time() -> None:
    problem, schedule = plan(people=2)
    work = hands_on_by_person(problem, schedule)
    assert set(work) == {"person-1", "person-2"}
    runs_of = {p: {a.run for a in items} for p, items in work.items()}  # type: ignore[attr-defined]
    assert not runs_of["person-1"] & runs_of["person-2"]  # a run is one person's
    assert check_schedule(problem, schedule).ok


def test_a_run_names_its_person() -> None:
    problem, schedule = plan(people=2, persons={"mtt-viability": "alice"})
    acts = problem.activity_map()
    assert {acts[a.key].person for a in schedule.assignments
            if a.run == "mtt-viability" and acts[a.key].hands_on} == {"alice"}
    assert check_schedule(problem, schedule).ok


def test_the_gantt_of_the_week_names_each_day_and_keeps_step_numbers_apart(
        week: tuple[Problem, Schedule]) -> None:
    problem, schedule = week
    svg = gantt_svg(problem, schedule)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # a week and a half: every working day is named, not just the Mondays
    for day in ("Mon 07 Dec", "Tue 08", "Wed 09", "Thu 10", "Fri 11", "Mon 14", "Tue 15"):
        assert day in texts
    numbers = [(float(x), float(y), text) for x, y, text in re.findall(
        r'<text style="font-size: 6px[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(\d+)</text>', svg)]
    assert len(numbers) >= len(gantt_steps(problem, schedule))
    char = 6 * 0.6  # a 6 px digit is about 3.6 px wide
    for (x1, y1, a), (x2, y2, b) in itertools.combinations(numbers, 2):
        same_row = abs(y1 - y2) < 4
        overlap = x1 < x2 + char * len(b) and x2 < x1 + char * len(a)
        assert not (same_row and overlap), f"step numbers {a} and {b} are printed over each other"


def test_the_transwell_chambers_are_filled_just_before_the_cells_go_on_top(
        week: tuple[Problem, Schedule]) -> None:
    # The lower chambers were filled a day before seeding: the serum gradient that drives
    # migration must start with the cells (guide 002: chemoattractant, then seed).
    by = schedule_by_step(week[1], "transwell-migration")
    gap = by["seed"].start - by["chemoattractant"].end
    assert timedelta(0) <= gap <= timedelta(hours=1)


def schedule_by_step(schedule: Schedule, run: str) -> dict[str, Assignment]:
    return {a.step: a for a in schedule.assignments if a.run == run}


def test_out_of_hours_work_is_never_traded_for_an_earlier_end() -> None:
    # With out-of-hours work allowed (as the home screen's agenda plans), a western blot
    # planned from Friday 16:00 was treated at once so that its wash fell on Sunday 16:20:
    # the price of the Sunday wash was less than the 2.7 days it saved. A plan in hours
    # exists (treat on Monday), so no hands-on minute may fall outside working hours.
    problem = build_problem([RunSpec("western-blot-emt")], "2026-12-04T16:00")
    options = SolveOptions(time_limit_s=5, allow_out_of_hours=True)
    schedule = plan_runs(problem, options)
    assert out_of_hours_min(problem, schedule) == 0
    assert check_schedule(problem, schedule).ok
