"""The per-day slot bounds (plan end, runs' summed ends): exact on known cases, never above a
real plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from schedule_cases import MONDAY, rigid_weeks, run_ends, valid_greedy_plan

from elab.domain.schedule import (
    Activity,
    Demand,
    LabCalendar,
    Lag,
    Problem,
    Resource,
)
from elab.domain.schedule.compiled import compile_problem
from elab.solve.schedule import SolveOptions, solve_schedule
from elab.solve.slots import slot_bounds

BERLIN = LabCalendar(timezone="Europe/Berlin")


def synthesis_run(run: str) -> list[Activity]:
    """cDNA set-up and program on the cycler, then qPCR and export, each at once (as qRT-PCR)."""
    return [
        Activity(run, "cdna", 20, 20, True, (Demand("cycler"),)),
        Activity(run, "program", 136, 136, False, (Demand("cycler"),), (Lag("cdna", 0, 0),)),
        Activity(run, "run-qpcr", 15, 15, True, (), (Lag("program", 0, 0),)),
        Activity(run, "qpcr", 60, 60, False, (), (Lag("run-qpcr", 0, 0),)),
        Activity(run, "export", 10, 10, True, (), (Lag("qpcr", 0, 0),)),
    ]


def test_two_syntheses_a_day_on_one_cycler() -> None:
    # The export must end by 17:00, so a synthesis starts between 09:00 and 12:59: two a day.
    # Three runs: two on Monday, the third on Tuesday at 09:00, done at 13:01.
    acts = [a for run in ("q1", "q2", "q3") for a in synthesis_run(run)]
    problem = Problem(tuple(acts), (Resource("cycler"),), BERLIN, MONDAY, horizon_days=3)
    tuesday_1301 = 24 * 60 + 13 * 60 + 1
    assert slot_bounds(compile_problem(problem)).makespan == tuesday_1301
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert plan.status == "OPTIMAL"
    assert round(plan.makespan_h(MONDAY) * 60) == tuesday_1301


def test_uses_without_working_hours_queue_one_after_another() -> None:
    # passive work only: nothing confines the starts, but one at a time on the cycler the
    # fifth hour-long program starts four hours in at the earliest
    acts = [Activity(f"r{k}", "spin", 60, 60, False, (Demand("cycler"),)) for k in range(5)]
    problem = Problem(tuple(acts), (Resource("cycler"),), BERLIN, MONDAY)
    assert slot_bounds(compile_problem(problem)).makespan == 300


def antibody(run: str) -> list[Activity]:
    """Primary (15 min, hands-on), 12-18 h at 4 degrees, then a wash (hands-on), each at once."""
    return [
        Activity(run, "primary", 15, 15, True),
        Activity(run, "incubate", 720, 1080, False, (Demand("chamber"),),
                 (Lag("primary", 0, 0),)),
        Activity(run, "wash", 15, 15, True, (), (Lag("incubate", 0, 0),)),
    ]


def test_an_overnight_antibody_fits_only_nights_before_a_working_day() -> None:
    # the incubation can only start between 15:00 and 17:00 on a day before a working day,
    # one at a time in the chamber, so four runs from Thursday take the Thursday, Monday,
    # Tuesday and Wednesday nights (Friday's would end on Saturday)
    thursday = MONDAY.replace(day=MONDAY.day + 3)
    acts = [a for run in ("a", "b", "c", "d") for a in antibody(run)]
    problem = Problem(tuple(acts), (Resource("chamber"),), BERLIN, thursday, horizon_days=10)
    bound = slot_bounds(compile_problem(problem)).makespan
    # the last incubation starts on Wednesday at 15:00 at the earliest and lasts 12 h at
    # least, so it ends at night: the wash waits for Thursday 09:00 (the remainder's minutes
    # alone would end the plan at 03:15) and the bound is exact
    wednesday_1500 = 6 * 1440 + 15 * 60
    thursday_0915 = 7 * 1440 + 9 * 60 + 15
    assert bound == thursday_0915
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert round(plan.makespan_h(thursday) * 60) == wednesday_1500 + 18 * 60 + 15 == bound


def test_the_runs_ends_after_their_slots_wait_for_the_morning() -> None:
    # from Thursday, two antibody runs take the Thursday and Monday nights; each wash waits
    # for 09:00, so the runs end on Friday and Tuesday at 09:15 (not at 03:15, when the
    # shortest incubation ends)
    thursday = MONDAY.replace(day=MONDAY.day + 3)
    problem = Problem(tuple(antibody("a") + antibody("b")), (Resource("chamber"),), BERLIN,
                      thursday, horizon_days=10)
    ends = (1440 + 555) + (5 * 1440 + 555)
    assert slot_bounds(compile_problem(problem)).run_ends == ((("a", "b"), ends),)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert sum(round((a.end - thursday).total_seconds() / 60)
               for a in plan.assignments if a.step == "wash") == ends


def test_runs_take_the_slots_that_end_them_soonest() -> None:
    # an antibody run and a two-hour stain in the same chamber: the slots are Monday 09:00 and
    # 11:00; the stain ends two hours after its slot, the antibody run on Tuesday 09:15
    # whichever slot it has, so the stain takes 09:00 (the runs in slot order would say
    # 13:15 for the stain)
    stain = [Activity("b", "stain", 120, 120, True, (Demand("chamber"),)),
             Activity("b", "read", 15, 15, True, (), (Lag("stain", 0, 0),))]
    problem = Problem(tuple(antibody("a") + stain), (Resource("chamber"),), BERLIN, MONDAY)
    ends = (1440 + 555) + (540 + 135)
    assert slot_bounds(compile_problem(problem)).run_ends == ((("a", "b"), ends),)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert sum(run_ends(plan).values()) == ends


def test_the_runs_first_syntheses_take_the_first_slots() -> None:
    # Monday 09:00 and 11:36, Tuesday 09:00; each run then needs 241 min more: the sum of the
    # three ends is exact, and the planner's plan reaches it
    acts = [a for run in ("q1", "q2", "q3") for a in synthesis_run(run)]
    problem = Problem(tuple(acts), (Resource("cycler"),), BERLIN, MONDAY)
    ends = (540 + 241) + (696 + 241) + (1440 + 540 + 241)
    assert slot_bounds(compile_problem(problem)).run_ends == ((("q1", "q2", "q3"), ends),)
    plan = solve_schedule(problem, SolveOptions(time_limit_s=10))
    assert sum(run_ends(plan).values()) == ends


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rigid_weeks())
def test_bound_never_exceeds_a_valid_plan(problem: Problem) -> None:
    plan = valid_greedy_plan(problem)
    if plan is None:
        return
    bounds = slot_bounds(compile_problem(problem))
    assert bounds.makespan <= round(plan.makespan_h(MONDAY) * 60)
    finish = run_ends(plan)
    for runs, least in bounds.run_ends:
        assert least <= sum(finish[r] for r in runs)
