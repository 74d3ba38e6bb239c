"""Classic job-shop instances (OR-Library format) as runs on unary instruments.

Calibration only: a job is a run, an operation a passive step of fixed length on one
instrument, each after the previous one.  Solving these with the lab model and comparing
with the published optima (ft10: 930, la01-la05: 666, 655, 597, 590, 593) shows that the
core model is right and strong.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from elab.domain.schedule.calendar import LabCalendar
from elab.domain.schedule.model import Activity, Demand, Lag, Problem, Resource
from elab.errors import InputError

__all__ = ["jobs_from_text", "problem_from_jobs"]

Jobs = list[list[tuple[int, int]]]


def jobs_from_text(text: str) -> Jobs:
    """Jobs as lists of (machine, duration) from OR-Library text (``#`` lines are comments)."""
    numbers = [
        int(tok)
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
        for tok in line.split()
    ]
    if len(numbers) < 2:
        raise InputError("a job-shop instance starts with the numbers of jobs and machines")
    n_jobs, n_machines = numbers[0], numbers[1]
    body = numbers[2:]
    if len(body) != n_jobs * n_machines * 2:
        raise InputError(f"expected {n_jobs}x{n_machines} operations, found {len(body) // 2}")
    width = 2 * n_machines
    return [
        [(body[j * width + 2 * k], body[j * width + 2 * k + 1]) for k in range(n_machines)]
        for j in range(n_jobs)
    ]


def problem_from_jobs(jobs: Jobs, start: datetime | None = None) -> Problem:
    """Each job a run of passive steps on unary machines ``m0``..; one minute per time unit."""
    start = start or datetime(2026, 1, 5, tzinfo=UTC)
    machines = sorted({m for job in jobs for m, _ in job})
    activities = []
    for j, job in enumerate(jobs):
        for k, (machine, duration) in enumerate(job):
            activities.append(
                Activity(
                    run=f"j{j}",
                    step=f"o{k}",
                    min_min=duration,
                    max_min=duration,
                    hands_on=False,
                    demands=(Demand(f"m{machine}"),),
                    after=(Lag(f"o{k - 1}"),) if k else (),
                )
            )
    total = sum(d for job in jobs for _, d in job)
    return Problem(
        activities=tuple(activities),
        resources=tuple(Resource(f"m{m}") for m in machines),
        calendar=LabCalendar(timezone="UTC"),
        start=start,
        horizon_days=max(1, math.ceil(total / 1440)),
    )
