"""The chain-aware greedy: tight steps placed together, so its baseline breaks no rule."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from schedule_cases import BERLIN, MONDAY

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
    out_of_hours_min,
)

LAB = (Resource("hood", 2), Resource("incubator", 8), Resource("microscope"),
       Resource("live_scope"))


def minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


def test_a_hand_off_waiting_on_two_branches_is_kept(calendar: LabCalendar) -> None:
    # Cells are harvested after a day of pre-treatment and seeded within 30 min, onto inserts
    # whose Matrigel thaws for two days: the pre-treatment must start a day later.
    acts = (
        Activity("tw", "pretreat", 15, 15, True),
        Activity("tw", "pretreat:incubate", 1440, 1440, False, (Demand("incubator"),),
                 (Lag("pretreat", 0, 0),)),
        Activity("tw", "harvest", 20, 20, True, (Demand("hood"),),
                 (Lag("pretreat:incubate", 0, 0),)),
        Activity("tw", "thaw", 5, 5, True),
        Activity("tw", "thaw:wait", 2880, 3000, False, (), (Lag("thaw", 0, 0),)),
        Activity("tw", "coat", 10, 10, True, (Demand("hood"),), (Lag("thaw:wait", 0, 0),)),
        Activity("tw", "seed", 15, 15, True, (Demand("hood"),),
                 (Lag("coat", 0, None), Lag("harvest", 0, 30))),
    )
    problem = Problem(acts, LAB, calendar, MONDAY)
    plan = greedy_schedule(problem)
    assert check_schedule(problem, plan).ok, check_schedule(problem, plan).violations
    by = plan.by_key()
    assert minutes(by[("tw", "harvest")].end, by[("tw", "seed")].start) <= 30
    assert by[("tw", "seed")].start.date() == (MONDAY + timedelta(days=2)).date()


def test_a_time_lapse_shot_is_taken_out_of_hours_rather_than_late(
        calendar: LabCalendar) -> None:
    # Five shots 2-6 h apart span more than a working day: one falls in the evening.
    acts = [Activity("wh", "image-t0", 15, 15, True, (Demand("live_scope"),))]
    previous, lag = "image-t0", Lag("image-t0", 0, None)
    for k in range(1, 6):
        acts.append(Activity("wh", f"time-lapse#{k}", 10, 10, True, (Demand("live_scope"),),
                             (lag,), anytime=True))
        previous = f"time-lapse#{k}"
        lag = Lag(previous, 110, 350)
    problem = Problem(tuple(acts), LAB, calendar, MONDAY)
    plan = greedy_schedule(problem)
    assert check_schedule(problem, plan).ok, check_schedule(problem, plan).violations
    shots = sorted(a.start for a in plan.assignments if a.step.startswith("time-lapse"))
    assert all(110 <= minutes(a, b) - 10 <= 350 for a, b in itertools.pairwise(shots))
    assert any(not 9 <= s.hour < 17 for s in shots)
    assert shots[-1] - shots[0] < timedelta(hours=24)  # not a shot a morning
    assert out_of_hours_min(problem, plan) > 0


def test_a_delay_walks_back_to_the_step_that_can_absorb_it() -> None:
    # The microscope is booked until 10:15 on Tuesday; the slides are counted the moment
    # they are dry (30-60 min), and wiping follows the 16-24 h migration at once.  Only a
    # longer migration brings the count to 10:15, so the run still ends on Tuesday.
    acts = (
        Activity("tw", "seed", 15, 15, True, (Demand("hood"),)),
        Activity("tw", "migrate", 960, 1440, False, (Demand("incubator"),),
                 (Lag("seed", 0, 0),)),
        Activity("tw", "wipe", 10, 10, True, (), (Lag("migrate", 0, 0),)),
        Activity("tw", "wash-dry:wait", 30, 60, False, (), (Lag("wipe", 0, 0),)),
        Activity("tw", "count", 45, 45, True, (Demand("microscope"),),
                 (Lag("wash-dry:wait", 0, 0),)),
    )
    tuesday = MONDAY + timedelta(days=1)
    calendar = LabCalendar(timezone="Europe/Berlin", bookings=(
        Booking("microscope", tuesday.replace(hour=9), tuesday.replace(hour=10, minute=15),
                note="core facility"),))
    problem = Problem(acts, LAB, calendar, MONDAY)
    plan = greedy_schedule(problem)
    assert check_schedule(problem, plan).ok, check_schedule(problem, plan).violations
    by = plan.by_key()
    assert by[("tw", "count")].start == tuesday.replace(hour=10, minute=15, tzinfo=BERLIN)
    assert minutes(by[("tw", "migrate")].start, by[("tw", "migrate")].end) > 960


def test_a_group_that_fits_nowhere_is_still_placed(calendar: LabCalendar) -> None:
    # A 10 h incubation between two hands-on steps, each the moment the other ends: one of
    # them always falls at night.  The baseline still places every step and says what broke.
    acts = (
        Activity("r", "seed", 15, 15, True, (Demand("hood"),)),
        Activity("r", "incubate", 600, 600, False, (Demand("incubator"),),
                 (Lag("seed", 0, 0),)),
        Activity("r", "read", 30, 30, True, (Demand("microscope"),), (Lag("incubate", 0, 0),)),
    )
    problem = Problem(acts, LAB, calendar, MONDAY)
    plan = greedy_schedule(problem)
    assert len(plan.assignments) == len(acts)
    assert not check_schedule(problem, plan).ok


def test_two_branches_meeting_in_a_window_each_start_when_they_must() -> None:
    # Transwell: the cells' 24 h pre-treatment and the inserts' 1-17 h rehydration are two
    # first steps of one tight group (seeding follows the chemoattractant within 1 h and the
    # harvest within 30 min).  The rehydration must start on Monday afternoon, the
    # pre-treatment on Monday morning; moving both together never fits.
    acts = (
        Activity("tw", "pretreat", 15, 15, True),
        Activity("tw", "pretreat:incubate", 1440, 1440, False, (Demand("incubator"),),
                 (Lag("pretreat", 0, 0),)),
        Activity("tw", "rehydrate", 10, 10, True),
        Activity("tw", "rehydrate:incubate", 60, 1020, False, (Demand("incubator"),),
                 (Lag("rehydrate", 0, 0),)),
        Activity("tw", "chemoattractant", 10, 10, True, (Demand("hood"),),
                 (Lag("rehydrate:incubate", 0, 0),)),
        Activity("tw", "harvest", 20, 20, True, (Demand("hood"),),
                 (Lag("pretreat:incubate", 0, 0),)),
        Activity("tw", "seed", 15, 15, True, (Demand("hood"),),
                 (Lag("chemoattractant", 0, 60), Lag("harvest", 0, 30))),
    )
    problem = Problem(acts, LAB, LabCalendar(timezone="Europe/Berlin"), MONDAY)
    plan = greedy_schedule(problem)
    assert check_schedule(problem, plan).ok, check_schedule(problem, plan).violations
    by = plan.by_key()
    assert by[("tw", "pretreat")].start == MONDAY.replace(hour=9, tzinfo=BERLIN)
    assert by[("tw", "seed")].end.date() == (MONDAY + timedelta(days=1)).date()
