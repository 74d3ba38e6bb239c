"""The arms of a time course are planned as branches, each as long as its time point.

The p-FAK western blot of the library treats all wells at once and lyses each time point
(3, 24, 48 h) at its own time (``stagger: harvest``); a staggered-treatment design treats
each time point at its own time and lyses them together.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from elab.domain.schedule import Problem, Schedule, check_schedule, out_of_hours_min
from elab.services.schedule import RunSpec, build_problem, plan_runs
from elab.solve.schedule import SolveOptions

FAST = SolveOptions(time_limit_s=5)
HOURS = (3, 24, 48)


@pytest.fixture(scope="module")
def pfak() -> tuple[Problem, Schedule]:
    problem = build_problem([RunSpec("western-blot-pfak")], "2026-12-07")
    return problem, plan_runs(problem, FAST)


def test_each_time_point_is_its_own_exposure_as_long_as_the_time_point(
        pfak: tuple[Problem, Schedule]) -> None:
    problem, schedule = pfak
    assert [p.name for p in problem.calendar.people] == ["operator"]
    acts = {a.step: a for a in problem.activities}
    at = {a.step: a for a in schedule.assignments}
    for hours in HOURS:
        exposure = acts[f"exposure.{hours}h"]
        assert (exposure.min_min, exposure.max_min, exposure.hands_on) == (
            hours * 60, hours * 60, False)
        assert exposure.timer
        assert at[f"exposure.{hours}h"].end - at[f"exposure.{hours}h"].start == timedelta(
            hours=hours)
    assert not [a for a in problem.activities if "longest" in a.title]
    assert check_schedule(problem, schedule).ok
    assert out_of_hours_min(problem, schedule) == 0


def test_all_arms_are_treated_at_once_and_each_is_lysed_at_its_time(
        pfak: tuple[Problem, Schedule]) -> None:
    _, schedule = pfak
    at = {a.step: a for a in schedule.assignments}
    treated = at["treat"].end
    for hours in HOURS:
        assert at[f"exposure.{hours}h"].start == treated
        lysed = at[f"lyse.{hours}h"]
        assert lysed.start == treated + timedelta(hours=hours)
        assert at[f"spin.{hours}h"].start == lysed.end
    # three harvests on three days, and the blot only after the last one is stored
    assert len({at[f"lyse.{h}h"].start.date() for h in HOURS}) == 3
    assert at["bca"].start >= max(at[f"store.{h}h"].end for h in HOURS)


def test_staggered_treatments_end_together_at_the_shared_harvest(tmp_path: Path) -> None:
    path = tmp_path / "staggered.yaml"
    path.write_text("""id: staggered
title: Staggered treatments
version: "1"
equipment:
  incubator: {name: CO2 incubator, capacity: 8}
design:
  factors:
    - {name: time, levels: [3 h, 24 h, 48 h]}
  stagger: treatment
steps:
  - {id: seed, title: Seed, hands_on: 20 min}
  - {id: treat, title: Treat the $time wells, for_each: time, hands_on: 10 min}
  - id: exposure
    title: Exposure for $time
    for_each: time
    incubate: {duration: $time, equipment: incubator}
  - {id: lyse, title: Lyse all wells, hands_on: 30 min}
""", encoding="utf-8")
    problem = build_problem([RunSpec(str(path))], "2026-12-07")
    schedule = plan_runs(problem, FAST)
    at = {a.step: a for a in schedule.assignments}
    assert {at[f"exposure.{h}h"].end for h in HOURS} == {at["lyse"].start}
    starts = [at[f"treat.{h}h"].start for h in HOURS]
    assert len(set(starts)) == 3
    assert max(starts) == starts[0]  # the 3 h arm is treated last
    assert check_schedule(problem, schedule).ok
