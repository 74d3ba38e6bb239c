"""``elab schedule plan|ics``: lay runs over the lab's calendar and shared equipment."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from elab.domain.runs import RunState
    from elab.domain.schedule.model import Problem, Schedule
    from elab.services.schedule import RunSpec

__all__ = ["register"]

RunsArg = Annotated[
    list[str],
    typer.Argument(
        help="Protocols to run (id or YAML path; ID@2026-11-24T09:00 fixes a start) or "
        "runs under way (run id: what is done stays, the rest is planned from now)."
    ),
]
StartOpt = Annotated[str, typer.Option("--start", help="First day of the plan (2026-11-23).")]
CalendarOpt = Annotated[
    Path | None, typer.Option("--calendar", help="Lab calendar YAML (hours, holidays, bookings); "
                              "default $ELAB_CALENDAR.")
]
HorizonOpt = Annotated[int, typer.Option("--horizon-days", help="Days the plan may use.")]
TimeOpt = Annotated[float, typer.Option("--time-limit", help="Solver time limit in seconds.")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Solver worker threads.")]
PriorityOpt = Annotated[
    list[str], typer.Option("--priority", help="RUN=N: weigh this run's finish N times.")
]
PeopleOpt = Annotated[
    int | None,
    typer.Option("--people", help="People in the lab (default: the calendar's, else one).",
                 min=1),
]
PersonOpt = Annotated[
    list[str], typer.Option("--person", help="RUN=NAME: who does this run's hands-on steps.")
]
OutOfHoursOpt = Annotated[
    bool, typer.Option("--allow-out-of-hours", help="Permit (and minimise) out-of-hours work.")
]


def _persons(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        run, sep, name = item.partition("=")
        if not sep or not run.strip() or not name.strip():
            raise typer.BadParameter(f"{item!r} is not RUN=NAME", param_hint="--person")
        out[run.strip()] = name.strip()
    return out


def _priorities(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in values:
        run, sep, weight = item.partition("=")
        if not sep or not weight.strip().isdigit():
            raise typer.BadParameter(f"{item!r} is not RUN=N", param_hint="--priority")
        out[run.strip()] = int(weight)
    return out


RUN_ID = re.compile(r"\d{8}-(?:[0-9a-f]{6}|[0-9a-f]{12})")


def _split_runs(runs: list[str]) -> tuple[list[RunSpec], list[RunState]]:
    """Protocols to plan from scratch, and stored runs (ids like 20261124-2ec64b) under way."""
    from elab.services.schedule import parse_run_spec

    specs: list[RunSpec] = []
    under_way: list[RunState] = []
    service = None
    try:
        for item in runs:
            if RUN_ID.fullmatch(item):
                if service is None:
                    from elab.services.runs import RunService

                    service = RunService.open()
                under_way.append(service.state(item))
            else:
                specs.append(parse_run_spec(item))
    finally:
        if service is not None:
            service.close()
    return specs, under_way


def _plan(runs: list[str], start: str, calendar: Path | None, horizon_days: int,
          time_limit: float, workers: int, priority: list[str],
          allow_out_of_hours: bool, people: int | None = None,
          person: list[str] | None = None) -> tuple[Problem, Schedule]:
    from elab.services.schedule import SolveOptions, build_problem, plan_runs

    persons = _persons(person or [])
    specs, under_way = _split_runs(runs)
    from elab.cli.options import settings

    calendar = calendar or settings().calendar
    problem = build_problem(specs, start, calendar, horizon_days, _priorities(priority),
                            under_way=under_way, people=people, persons=persons)
    options = SolveOptions(time_limit_s=time_limit, workers=workers,
                           allow_out_of_hours=allow_out_of_hours)
    schedule = plan_runs(problem, options)
    _warn_if_past(problem)  # once there is a plan: a refusal stays one line
    return problem, schedule


def _warn_if_past(problem: Problem) -> None:
    """A plan that starts before today is planned (a what-if), but said: a mistyped year
    (2020 for 2026) otherwise gives a calendar of days already gone without a word."""
    import sys
    from datetime import datetime

    today = datetime.now(problem.start.tzinfo).date()
    if problem.start.date() < today:
        print(f"elab: warning: the plan starts {problem.start:%a %d %b %Y}, before today"
              f" ({today:%a %d %b %Y}); its days are past", file=sys.stderr)


def plan(
    runs: RunsArg,
    start: StartOpt,
    calendar: CalendarOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the schedule as JSON.")] = False,
    gantt: Annotated[
        Path | None, typer.Option("--gantt", help="Also write a Gantt chart (.png, .svg or .html).")
    ] = None,
    horizon_days: HorizonOpt = 14,
    time_limit: TimeOpt = 10.0,
    workers: WorkersOpt = 1,
    priority: PriorityOpt = [],  # noqa: B006 - typer reads the default
    allow_out_of_hours: OutOfHoursOpt = False,
    people: PeopleOpt = None,
    person: PersonOpt = [],  # noqa: B006 - typer reads the default
) -> None:
    """Plan runs over working hours and shared equipment; print a day-by-day agenda."""
    from elab.services.schedule import agenda_text, schedule_json

    problem, schedule = _plan(runs, start, calendar, horizon_days, time_limit, workers,
                              priority, allow_out_of_hours, people, person)
    if gantt is not None:
        from elab.services.schedule import write_gantt

        write_gantt(problem, schedule, gantt)
    if as_json:
        print(json.dumps(schedule_json(problem, schedule), indent=2))
    else:
        print(agenda_text(problem, schedule))


def ics(
    runs: RunsArg,
    start: StartOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .ics file to write.")],
    calendar: CalendarOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    horizon_days: HorizonOpt = 14,
    time_limit: TimeOpt = 10.0,
    workers: WorkersOpt = 1,
    priority: PriorityOpt = [],  # noqa: B006 - typer reads the default
    allow_out_of_hours: OutOfHoursOpt = False,
    people: PeopleOpt = None,
    person: PersonOpt = [],  # noqa: B006 - typer reads the default
) -> None:
    """Plan like `plan` and write an iCalendar file: hands-on steps, bookings, timer alarms."""
    from elab.services.schedule import schedule_ics

    problem, schedule = _plan(runs, start, calendar, horizon_days, time_limit, workers,
                              priority, allow_out_of_hours, people, person)
    data = schedule_ics(problem, schedule)
    output.write_bytes(data)
    events = data.count(b"BEGIN:VEVENT")
    if as_json:
        print(json.dumps({"file": str(output), "events": events,
                          "timezone": problem.calendar.timezone}))
    else:
        print(f"wrote {events} events to {output}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Plan runs over calendar days and shared equipment.",
                        no_args_is_help=True)
    group.command("plan")(plan)
    group.command("ics")(ics)
    app.add_typer(group, name="schedule")
