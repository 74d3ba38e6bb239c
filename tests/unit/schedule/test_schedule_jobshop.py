"""Calibration: the lab model solves classic job-shop instances to their known optima.

ft10 (optimum 930) takes longer than a test should and runs in benchmarks/schedule.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.schedule import check_schedule, greedy_schedule
from elab.domain.schedule.jobshop import jobs_from_text, problem_from_jobs
from elab.solve.schedule import SolveOptions, solve_schedule

DATA = Path(__file__).parent / "data"
OPTIMA = {"la01": 666, "la02": 655, "la03": 597, "la04": 590, "la05": 593}


@pytest.mark.parametrize(("name", "optimum"), sorted(OPTIMA.items()))
def test_lawrence_instances_reach_their_optimum(name: str, optimum: int) -> None:
    problem = problem_from_jobs(jobs_from_text((DATA / f"{name}.txt").read_text()))
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=60, objective="makespan"))
    assert schedule.status == "OPTIMAL"
    assert round(schedule.makespan_h(problem.start) * 60) == optimum
    assert check_schedule(problem, schedule).ok
    greedy = greedy_schedule(problem)
    assert check_schedule(problem, greedy).ok
    assert greedy.makespan_h(problem.start) * 60 >= optimum


def test_ft10_data_shape() -> None:
    jobs = jobs_from_text((DATA / "ft10.txt").read_text())
    assert len(jobs) == 10 and all(len(job) == 10 for job in jobs)
    assert all(sorted(m for m, _ in job) == list(range(10)) for job in jobs)
    assert sum(d for job in jobs for _, d in job) == 5109
