"""Benchmark: planning lab weeks with CP-SAT against greedy list schedulers, plus calibration.

Two kinds of lab week, each of 10, 25 and 50 runs over a 14-day horizon, planned on ONE
solver worker:

- library weeks: runs drawn at random from the library's protocols of 10-20 steps that share
  8 pieces of equipment (transwell, Matrigel invasion, immunofluorescence, wound healing,
  qRT-PCR), with a lab calendar giving the shared equipment its capacity;
- generated weeks: protocol-like runs of 10-20 random steps (hands-on work on hoods,
  centrifuges, readers, microscopes; incubations of 30 min to 24 h, some with ranges) on 7
  pieces of equipment — busier than the library weeks on the daytime instruments.

For each week it prints the time to the first feasible schedule (model building included),
the gap to the solver's own bound after the time limit (and that of the makespan step the
solve starts with), the makespan and
out-of-hours hands-on minutes (apart from what the biology sets: time-lapse shots, doses)
beside two greedy earliest-start list schedulers on the same input — the chain-aware one
(the baseline of the figures) and the one-activity-at-a-time one — with the rules each breaks,
the makespan step's proven bound (no plan ends earlier, so the least ratio any planner could
reach) and the independent checker's violations.

Calibration: the classic job-shop instances ft10 (optimum 930, within 60 s) and la01-la05
(666, 655, 597, 590, 593) as runs on unary instruments, solved by the same model.

ELAB_BENCH_TIME_LIMIT sets the per-week time limit in seconds (default 15; the issue's 30 s
makes the whole benchmark take about 5 minutes).  The last line is the figures JSON.

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
from datetime import datetime
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
    greedy_schedule,
    out_of_hours_min,
)
from elab.domain.schedule.greedy_chains import chain_greedy_schedule  # noqa: E402
from elab.domain.schedule.jobshop import jobs_from_text, problem_from_jobs  # noqa: E402
from elab.errors import InfeasibleError  # noqa: E402
from elab.solve.schedule import SolveOptions, solve_schedule  # noqa: E402

DATA = ROOT / "tests" / "unit" / "schedule" / "data"
ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 30, tzinfo=ZONE)  # a Monday
TIME_LIMIT = float(os.environ.get("ELAB_BENCH_TIME_LIMIT", "15"))

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


def bench_week(label: str, problem: Problem) -> dict[str, float]:
    n_runs = len(problem.runs)
    t0 = time.perf_counter()
    greedy = chain_greedy_schedule(problem)
    greedy_s = time.perf_counter() - t0
    plain = greedy_schedule(problem)
    t0 = time.perf_counter()
    try:
        schedule = solve_schedule(problem, SolveOptions(time_limit_s=TIME_LIMIT, workers=1,
                                                        explain=False))
    except InfeasibleError as exc:
        print(f"{label} {n_runs} runs: no schedule: {exc}")
        return {"runs": n_runs, "first_s": float("nan")}
    wall = time.perf_counter() - t0
    stats = schedule.stats
    step = stats.get("makespan_step_objective", 0.0)
    makespan_gap = (100.0 * (step - stats.get("makespan_step_bound", 0.0)) / step
                    if step else 0.0)
    objective, bound = schedule.objective or 0.0, schedule.bound or 0.0
    gap = 100.0 * (objective - bound) / objective if objective else 0.0
    start = problem.start
    row = {
        "runs": n_runs,
        "activities": len(problem.activities),
        "first_s": stats["first_s"],
        "wall_s": wall,
        "status": schedule.status,
        "gap_pct": gap,
        "makespan_gap_pct": makespan_gap,
        "makespan_h": schedule.makespan_h(start),
        "greedy_makespan_h": greedy.makespan_h(start),
        # the makespan step's proven bound: no plan of the week ends earlier
        "least_makespan_h": max(stats.get("makespan_step_bound", 0.0),
                                stats.get("least_plan_end", 0.0)) / 60.0,
        "ooh_min": out_of_hours_min(problem, schedule),
        "required_ooh_min": _required_off_hours_min(problem, schedule),
        "greedy_ooh_min": out_of_hours_min(problem, greedy),
        "violations": len(check_schedule(problem, schedule).violations),
        "greedy_violations": len(check_schedule(problem, greedy).violations),
        "greedy_s": greedy_s,
        "list_makespan_h": plain.makespan_h(start),
        "list_ooh_min": out_of_hours_min(problem, plain),
        "list_violations": len(check_schedule(problem, plain).violations),
    }
    print(
        f"{label} {n_runs:>3} runs ({row['activities']} activities): first feasible "
        f"{row['first_s']:.2f} s, {schedule.status} after {wall:.1f} s; gap to the bound "
        f"{gap:.2f} % (makespan step {makespan_gap:.2f} %); makespan "
        f"{row['makespan_h']:.1f} h vs chain greedy {row['greedy_makespan_h']:.1f} h "
        f"({row['greedy_violations']} rules broken; no plan ends before "
        f"{row['least_makespan_h']:.1f} h); out-of-hours {row['ooh_min']} min "
        f"(of which the biology sets {row['required_ooh_min']}) vs {row['greedy_ooh_min']}; "
        f"violations {row['violations']}; one-at-a-time list greedy: makespan "
        f"{row['list_makespan_h']:.1f} h, {row['list_violations']} rules broken"
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
    name = f"{label}{n}"
    goal_first = 1.0 if n <= 10 else 5.0
    if math.isnan(row["first_s"]):
        return [{"name": f"{name}_first_feasible", "value": None, "unit": "s", "baseline": None,
                 "ratio": None, "goal": f"value < {goal_first:g} (no schedule)"}]
    ratio = (round(row["makespan_h"] / row["greedy_makespan_h"], 3)
             if row["greedy_makespan_h"] else None)
    least = (round(row["least_makespan_h"] / row["greedy_makespan_h"], 3)
             if row["greedy_makespan_h"] else None)
    return [
        {"name": f"{name}_first_feasible", "value": round(row["first_s"], 3), "unit": "s",
         "baseline": round(row["greedy_s"], 3), "ratio": None, "goal": f"value < {goal_first:g}"},
        {"name": f"{name}_gap_after_limit", "value": round(row["gap_pct"], 2), "unit": "%",
         "baseline": None, "ratio": None, "goal": f"value < 5 (limit {TIME_LIMIT:g} s)"},
        {"name": f"{name}_makespan_step_gap", "value": round(row["makespan_gap_pct"], 2),
         "unit": "%", "baseline": None, "ratio": None,
         "goal": "value < 5 (the makespan step's own bound)"},
        {"name": f"{name}_makespan", "value": round(row["makespan_h"], 2), "unit": "h",
         "baseline": round(row["greedy_makespan_h"], 2), "ratio": ratio,
         "goal": f"ratio <= 0.85 (baseline breaks {row['greedy_violations']:g} rules; "
                 f"proven least ratio {least})"},
        {"name": f"{name}_out_of_hours_hands_on", "value": row["ooh_min"] - row["required_ooh_min"],
         "unit": "min", "baseline": row["greedy_ooh_min"], "ratio": None,
         "goal": f"value == 0 (plus {row['required_ooh_min']:g} min the biology sets)"},
        {"name": f"{name}_checker_violations", "value": row["violations"], "unit": "count",
         "baseline": row["greedy_violations"], "ratio": None, "goal": "value == 0"},
    ]


def bench_jobshop(name: str, optimum: int, limit: float) -> dict[str, float]:
    problem = problem_from_jobs(jobs_from_text((DATA / f"{name}.txt").read_text()))
    t0 = time.perf_counter()
    schedule = solve_schedule(problem, SolveOptions(time_limit_s=limit, workers=1,
                                                    objective="makespan", explain=False))
    wall = time.perf_counter() - t0
    makespan = round(schedule.makespan_h(problem.start) * 60)
    greedy = round(greedy_schedule(problem).makespan_h(problem.start) * 60)
    ok = check_schedule(problem, schedule).ok
    print(f"{name}: makespan {makespan} (optimum {optimum}, greedy {greedy}) "
          f"{schedule.status} in {wall:.1f} s, checker {'ok' if ok else 'VIOLATIONS'}")
    return {"makespan": makespan, "wall_s": wall, "greedy": greedy, "optimum": optimum}


def main() -> None:
    figures: list[dict[str, object]] = []
    print(f"lab weeks: 14-day horizon, one worker, time limit {TIME_LIMIT:g} s "
          f"(ELAB_BENCH_TIME_LIMIT)")
    for n in (10, 25, 50):
        figures += week_figures("library_week", bench_week("library", library_week(n, n)))
    for n in (10, 25, 50):
        figures += week_figures("week", bench_week("generated", generated_week(n, n)))
    for name, optimum, limit in (("ft10", 930, 60.0), ("la01", 666, 20.0), ("la02", 655, 20.0),
                                 ("la03", 597, 20.0), ("la04", 590, 20.0),
                                 ("la05", 593, 20.0)):
        row = bench_jobshop(name, optimum, limit)
        figures.append({
            "name": f"{name}_makespan", "value": row["makespan"], "unit": "time units",
            "baseline": optimum, "ratio": round(row["makespan"] / optimum, 4),
            "goal": f"ratio == 1 within {limit:g} s (took {row['wall_s']:.1f} s)",
        })
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
