"""Property: every schedule the CP-SAT planner returns passes the independent checker."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schedule_cases import MONDAY

from elab.domain.schedule import (
    Activity,
    Booking,
    Demand,
    LabCalendar,
    Lag,
    Problem,
    Resource,
    check_schedule,
    greedy_schedule,
)
from elab.errors import InfeasibleError
from elab.solve.schedule import SolveOptions, solve_schedule

RESOURCES = (Resource("hood"), Resource("reader"), Resource("incubator", capacity=2))


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    activities: list[Activity] = []
    for r in range(draw(st.integers(1, 4))):
        previous: Activity | None = None
        for s in range(draw(st.integers(1, 5))):
            hands_on = draw(st.booleans())
            if hands_on:
                lo = draw(st.integers(5, 180))
                hi = lo + draw(st.integers(0, 30))
                demand = draw(st.sampled_from([(), (Demand("hood"),), (Demand("reader"),)]))
            else:
                lo = draw(st.integers(10, 20 * 60))
                hi = lo + draw(st.integers(0, 8 * 60))
                demand = draw(st.sampled_from([(), (Demand("incubator"),)]))
            after: tuple[Lag, ...] = ()
            if previous is not None:
                tight = draw(st.booleans()) and not previous.hands_on
                after = (Lag(previous.step, 0, 0 if tight else None),)
            act = Activity(f"r{r}", f"s{s}", lo, hi, hands_on, demand, after)
            activities.append(act)
            previous = act
    bookings = ()
    if draw(st.booleans()):
        day = draw(st.integers(0, 4))
        bookings = (Booking("reader", MONDAY + timedelta(days=day, hours=9),
                            MONDAY + timedelta(days=day, hours=13), note="service"),)
    return Problem(tuple(activities), RESOURCES, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                   horizon_days=10, bookings=bookings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_schedules_pass_the_checker(problem: Problem) -> None:
    try:
        schedule = solve_schedule(problem, SolveOptions(time_limit_s=3, explain=False))
    except InfeasibleError:
        return
    report = check_schedule(problem, schedule)
    assert report.ok, [str(v) for v in report.violations]


@settings(max_examples=25, deadline=None)
@given(problems())
def test_greedy_places_everything_and_respects_capacity(problem: Problem) -> None:
    schedule = greedy_schedule(problem)
    report = check_schedule(problem, schedule)
    assert not [v for v in report.violations if v.kind in {"missing", "capacity", "lag"}]
