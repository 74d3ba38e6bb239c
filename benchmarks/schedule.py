"""Benchmark: planning lab weeks with the one CP-SAT model, against the figures it replaced.

Two kinds of lab week, each of 10, 25 and 50 runs over a 14-day horizon, planned on ONE
solver worker with unlimited hands (no person constraint: the figures compared against
were measured so):

- library weeks: runs drawn at random from the library's protocols of 10-20 steps that share
  8 pieces of equipment (transwell, Matrigel invasion, immunofluorescence, wound healing,
  qRT-PCR), with a lab calendar giving the shared equipment its capacity;
- generated weeks: protocol-like runs of 10-20 random steps (hands-on work on hoods,
  centrifuges, readers, microscopes; incubations of 30 min to 24 h, some with ranges) on 7
  pieces of equipment.

For each week it prints the makespan against the figure of the multi-stage planner this one
replaced (goal: within 3 %), the time to the first valid plan (goal under 1 s at 10 runs,
5 s at 50), the independent checker's violations and the avoidable out-of-hours hands-on
minutes (goal 0 each), and the gap to CP-SAT's bound (printed, not a goal).

Calibration: the classic job-shop instances ft10 (optimum 930) and la01-la05 (666, 655,
597, 590, 593) as runs on unary instruments, solved by the same model for its makespan.

ELAB_BENCH_TIME_LIMIT sets the per-week time limit in seconds (default 30, the figures'
setting).  The last line is the figures JSON.

    .venv/bin/python benchmarks/schedule.py
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elab.domain.schedule import (  # noqa: E402
    Activity,
    Demand,
    LabCalendar,
    Lag,
    Problem,
    Resource,
    Schedule,
    check_schedule,
    out_of_hours_min,
)
from elab.errors import InfeasibleError  # noqa: E402
from elab.solve.schedule import SolveOptions, solve_schedule  # noqa: E402

DATA = ROOT / "tests" / "unit" / "schedule" / "data"
ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 30, tzinfo=ZONE)  # a Monday
TIME_LIMIT = float(os.environ.get("ELAB_BENCH_TIME_LIMIT", "30"))
# makespans (h) of the multi-stage planner this one replaced, at 30 s on one worker
BEFORE = {("library", 10): 85.0, ("library", 25): 205.0, ("library", 50): 276.1,
          ("generated", 10): 82.8, ("generated", 25): 87.3, ("generated", 50): 179.8}

RESOURCES = (
    Resource("hood", 2),
    Resource("centrifuge", 1),
    Resource("plate_reader", 1),
    Resource("microscope", 1),
    Resource("qpcr", 1),
    Resource("incubator", 16),  # two CO2 incubators of 8 shelves
    Resource("water_bath", 2),
)
HANDS_ON_EQUIPMENT = ["hood", "hood", "centrifuge", "plate_reader", "microscope", None, None]
PASSIVE = [  # (min, max) minutes, equipment
    (30, 30, None), (60, 60, "incubator"), (60, 90, "water_bath"), (120, 240, "incubator"),
    (12 * 60, 18 * 60, "incubator"), (16 * 60, 24 * 60, "incubator"), (90, 120, "qpcr"),
    (24 * 60, 24 * 60, "incubator"), (45, 60, None),
]


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
        raise ValueError("a job-shop instance starts with the numbers of jobs and machines")
    n_jobs, n_machines = numbers[0], numbers[1]
    body = numbers[2:]
    if len(body) != n_jobs * n_machines * 2:
        raise ValueError(f"expected {n_jobs}x{n_machines} operations, found {len(body) // 2}")
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


def generated_week(n_runs: int, seed: int) -> Problem:
    """``n_runs`` protocol-like runs of 10-20 steps sharing 7 pieces of equipment."""
    rng = random.Random(seed)
    activities: list[Activity] = []
    for r in range(n_runs):
        run = f"run{r:02d}"
        previous: Activity | None = None
        long_passive = 0
        block = 0  # minutes chained by tight lags since the last free start
        overnight_in_block = False  # two overnights in one tight chain cannot both fit
        for s in range(rng.randint(10, 20)):
            passive = previous is not None and previous.hands_on and rng.random() >= 0.6
            if passive:
                choices = PASSIVE if long_passive < 2 else PASSIVE[:4]
                lo, hi, eq = rng.choice(choices)
                if hi < 12 * 60 and block + hi > 5 * 60:
                    lo, hi, eq = (12 * 60, 18 * 60, "incubator")  # an overnight resets the day
                if hi >= 12 * 60 and overnight_in_block:
                    passive = False
            if passive:
                assert previous is not None
                if hi >= 12 * 60:
                    long_passive += 1
                    overnight_in_block = True
                    block = 0
                else:
                    block += hi
                act = Activity(run, f"s{s:02d}", lo, hi, False,
                               (Demand(eq),) if eq else (), (Lag(previous.step, 0, 0),),
                               timer=True)
            else:
                lo = rng.choice([5, 10, 15, 20, 30, 45, 60])
                eq = rng.choice(HANDS_ON_EQUIPMENT)
                lags: tuple[Lag, ...] = ()
                if previous is not None and not previous.hands_on:
                    lags = (Lag(previous.step, 0, 0),)  # the sample comes out: act now
                    block += lo
                elif previous is not None:
                    window = rng.choice([None, None, 30]) if not overnight_in_block else None
                    lags = (Lag(previous.step, 0, window),)
                    if window is None:
                        block, overnight_in_block = lo, False
                    else:
                        block += lo
                act = Activity(run, f"s{s:02d}", lo, lo, True,
                               (Demand(eq),) if eq else (), lags)
            activities.append(act)
            previous = act
    return Problem(tuple(activities), RESOURCES, LabCalendar(timezone="Europe/Berlin"), START,
                   horizon_days=14)


LIBRARY_WEEK = ("transwell-migration", "matrigel-invasion", "immunofluorescence-ecad",
                "wound-healing", "qrt-pcr-emt")  # the library's 10-20-step protocols on 8 pieces
LAB = ("timezone: Europe/Berlin\n"
       "equipment:\n"
       "  incubator: {capacity: 16}\n"  # two CO2 incubators of 8 shelves
       "  hood: {capacity: 2}\n"
       "  humid_chamber: {capacity: 4}\n")  # slide positions at 4 degrees C


def library_week(n_runs: int, seed: int) -> Problem:
    """``n_runs`` runs of the library's 10-20-step protocols, drawn at random, from Monday."""
    import tempfile

    from elab.services.schedule import RunSpec, build_problem

    rng = random.Random(seed)
    specs = [RunSpec(rng.choice(LIBRARY_WEEK)) for _ in range(n_runs)]
    with tempfile.TemporaryDirectory() as folder:
        lab = Path(folder) / "lab.yaml"
        lab.write_text(LAB)
        return build_problem(specs, START.isoformat(), calendar_path=lab, horizon_days=14)


def unlimited_hands(problem: Problem) -> Problem:
    """The week with nobody's hands counted, as the figures compared against were planned."""
    return replace(problem, activities=tuple(replace(a, person=None)
                                             for a in problem.activities))


def bench_week(label: str, problem: Problem) -> dict[str, float]:
    n_runs = len(problem.runs)
    t0 = time.perf_counter()
    try:
        schedule = solve_schedule(problem, SolveOptions(time_limit_s=TIME_LIMIT, workers=1,
                                                        explain=False))
    except InfeasibleError as exc:
        print(f"{label} {n_runs} runs: no schedule: {exc}")
        return {"runs": n_runs, "first_s": float("nan")}
    wall = time.perf_counter() - t0
    objective, bound = schedule.objective or 0.0, schedule.bound or 0.0
    before = BEFORE.get((label, n_runs), float("nan"))
    row = {
        "runs": n_runs,
        "activities": len(problem.activities),
        "first_s": schedule.stats["first_s"],
        "wall_s": wall,
        "gap_pct": 100.0 * (objective - bound) / objective if objective else 0.0,
        "makespan_h": schedule.makespan_h(problem.start),
        "before_h": before,
        "ooh_min": out_of_hours_min(problem, schedule),
        "required_ooh_min": _required_off_hours_min(problem, schedule),
        "violations": len(check_schedule(problem, schedule).violations),
    }
    print(
        f"{label} {n_runs:>3} runs ({row['activities']} activities): makespan "
        f"{row['makespan_h']:.1f} h (before {before:.1f} h, "
        f"{100 * (row['makespan_h'] / before - 1):+.1f} %); first plan {row['first_s']:.2f} s; "
        f"{schedule.status} after {wall:.1f} s, gap to the bound {row['gap_pct']:.2f} %; "
        f"checker violations {row['violations']}; out-of-hours hands-on "
        f"{row['ooh_min'] - row['required_ooh_min']} min avoidable "
        f"(+{row['required_ooh_min']} min the biology sets)"
    )
    return row


def _required_off_hours_min(problem: Problem, schedule: Schedule) -> int:
    """Out-of-hours minutes of ``anytime`` steps (time-lapse shots, doses): not avoidable."""
    anytime = {a.key for a in problem.activities if a.anytime}
    part = replace(schedule, assignments=tuple(a for a in schedule.assignments
                                               if a.key in anytime))
    return out_of_hours_min(problem, part)


def week_figures(label: str, row: dict[str, float]) -> list[dict[str, object]]:
    n = int(row["runs"])
    name = f"{label}_week{n}"
    goal_first = 1.0 if n <= 10 else 5.0
    if math.isnan(row["first_s"]):
        return [{"name": f"{name}_first_plan", "value": None, "unit": "s", "baseline": None,
                 "ratio": None, "goal": f"value < {goal_first:g} (no schedule)"}]
    return [
        {"name": f"{name}_makespan", "value": round(row["makespan_h"], 2), "unit": "h",
         "baseline": row["before_h"], "ratio": round(row["makespan_h"] / row["before_h"], 4),
         "goal": "ratio <= 1.03"},
        {"name": f"{name}_first_plan", "value": round(row["first_s"], 3), "unit": "s",
         "baseline": None, "ratio": None, "goal": f"value < {goal_first:g}"},
        {"name": f"{name}_checker_violations", "value": row["violations"], "unit": "count",
         "baseline": None, "ratio": None, "goal": "value == 0"},
        {"name": f"{name}_avoidable_out_of_hours", "unit": "min",
         "value": row["ooh_min"] - row["required_ooh_min"], "baseline": None, "ratio": None,
         "goal": f"value == 0 (plus {row['required_ooh_min']:g} min the biology sets)"},
        {"name": f"{name}_gap_to_bound", "value": round(row["gap_pct"], 2), "unit": "%",
         "baseline": None, "ratio": None, "goal": f"printed, not a goal (limit {TIME_LIMIT:g} s)"},
    ]


def bench_jobshop(name: str, optimum: int, limit: float) -> dict[str, float]:
    problem = problem_from_jobs(jobs_from_text((DATA / f"{name}.txt").read_text()))
    t0 = time.perf_counter()
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=limit, workers=1,
                                                    objective="makespan", explain=False))
    wall = time.perf_counter() - t0
    makespan = round(schedule.makespan_h(problem.start) * 60)
    ok = check_schedule(problem, schedule).ok
    print(f"{name}: makespan {makespan} (optimum {optimum}) "
          f"{schedule.status} in {wall:.1f} s, checker {'ok' if ok else 'VIOLATIONS'}")
    return {"makespan": makespan, "wall_s": wall, "optimum": optimum}


def main() -> None:
    figures: list[dict[str, object]] = []
    print(f"lab weeks: 14-day horizon, one worker, unlimited hands, time limit "
          f"{TIME_LIMIT:g} s (ELAB_BENCH_TIME_LIMIT)")
    for n in (10, 25, 50):
        figures += week_figures("library", bench_week("library", unlimited_hands(
            library_week(n, n))))
    for n in (10, 25, 50):
        figures += week_figures("generated", bench_week("generated", generated_week(n, n)))
    la = min(20.0, TIME_LIMIT)
    for name, optimum, limit in (("ft10", 930, 2 * TIME_LIMIT), ("la01", 666, la),
                                 ("la02", 655, la), ("la03", 597, la), ("la04", 590, la),
                                 ("la05", 593, la)):
        row = bench_jobshop(name, optimum, limit)
        figures.append({
            "name": f"{name}_makespan", "value": row["makespan"], "unit": "time units",
            "baseline": optimum, "ratio": round(row["makespan"] / optimum, 4),
            "goal": f"ratio == 1 within {limit:g} s (took {row['wall_s']:.1f} s)",
        })
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
