"""Where a plan can end: at the end of some run's last step, so in working hours when every
run ends with hands-on work (a bound that falls at night then moves on to the morning)."""

from __future__ import annotations

from schedule_cases import MONDAY, RESOURCES, transwell

from elab.domain.schedule import Activity, LabCalendar, Lag, Problem
from elab.domain.schedule.compiled import compile_problem
from elab.solve.schedule import SolveOptions, _Builder

TUESDAY_0200 = 1440 + 120


def makespan_domain(problem: Problem) -> list[tuple[int, int]]:
    """The plan-end variable's domain in the model the weighted step solves."""
    c = compile_problem(problem)
    built = _Builder(c, SolveOptions(explain=False), explain=False,
                     objective="weighted").build()
    flat = next(list(v.domain) for v in built.model.proto.variables if v.name == "makespan")
    return list(zip(flat[::2], flat[1::2], strict=True))


def week(*runs: list[Activity]) -> Problem:
    """The runs from Monday, for a working week, on the shared test equipment."""
    return Problem(tuple(a for run in runs for a in run), RESOURCES,
                   LabCalendar(timezone="Europe/Berlin"), MONDAY, horizon_days=5)


def test_a_plan_of_runs_ending_with_hands_on_work_ends_in_working_hours() -> None:
    domain = makespan_domain(week(transwell("a"), transwell("b")))
    # the read takes 30-40 min: it ends between 09:30 and 17:00 on a weekday
    assert domain[:2] == [(570, 1020), (1440 + 570, 1440 + 1020)]
    assert not any(lo <= TUESDAY_0200 <= hi for lo, hi in domain)


def test_a_run_ending_with_an_incubation_can_end_at_night() -> None:
    overnight = [*transwell("c")[:1],
                 Activity("c", "grow", 16 * 60, 24 * 60, False, (), (Lag("seed", 0, 10),))]
    domain = makespan_domain(week(transwell("a"), overnight))
    assert any(lo <= TUESDAY_0200 <= hi for lo, hi in domain)

