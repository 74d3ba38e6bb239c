"""Small lab problems shared by the schedule tests (times in Europe/Berlin)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from elab.domain.schedule import (
    Activity,
    Demand,
    LabCalendar,
    Lag,
    Problem,
    Resource,
    Schedule,
    check_schedule,
)
from elab.domain.schedule.greedy_chains import chain_greedy_schedule

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)


def transwell(
    run: str = "transwell", incubate: tuple[int, int] = (16 * 60, 24 * 60)
) -> list[Activity]:
    """Seed, incubate 16-24 h, then fix and read right after the incubation ends."""
    return [
        Activity(run, "seed", 30, 30, True, (Demand("hood"),)),
        Activity(run, "incubate", *incubate, False, (Demand("co2_incubator"),),
                 (Lag("seed", 0, 10),), timer=True),
        Activity(run, "fix", 20, 20, True, (Demand("hood"),), (Lag("incubate", 0, 0),)),
        Activity(run, "read", 30, 40, True, (Demand("plate_reader"),), (Lag("fix"),)),
    ]


RESOURCES = (
    Resource("hood"),
    Resource("co2_incubator", capacity=4),
    Resource("plate_reader"),
)


def valid_greedy_plan(problem: Problem) -> Schedule | None:
    """The chain greedy's plan, a valid one to hold bounds against; None when it breaks a
    rule (it could not place a chain in working hours)."""
    plan = chain_greedy_schedule(problem)
    return plan if check_schedule(problem, plan).ok else None


def run_ends(plan: Schedule) -> dict[str, int]:
    """Each run's end, in minutes from Monday 00:00."""
    finish: dict[str, int] = {}
    for got in plan.assignments:
        minute = round((got.end - MONDAY).total_seconds() / 60)
        finish[got.run] = max(finish.get(got.run, 0), minute)
    return finish


@st.composite
def rigid_weeks(draw: st.DrawFn) -> Problem:
    """Runs that are chains of fixed-length steps handed on at once, sharing two instruments."""
    activities: list[Activity] = []
    for r in range(draw(st.integers(1, 6))):
        previous: Activity | None = None
        for s in range(draw(st.integers(1, 4))):
            hands_on = draw(st.booleans())
            minutes = draw(st.integers(5, 150) if hands_on else st.integers(10, 600))
            equipment = draw(st.sampled_from(["reader", "shaker", None]))
            demand = (Demand(equipment),) if equipment else ()
            after = (Lag(previous.step, 0, 0),) if previous is not None else ()
            act = Activity(f"r{r}", f"s{s}", minutes, minutes, hands_on, demand, after)
            activities.append(act)
            previous = act
    resources = (Resource("reader"), Resource("shaker", capacity=2))
    return Problem(tuple(activities), resources, LabCalendar(timezone="Europe/Berlin"), MONDAY,
                   horizon_days=10)
