"""Planning runs over the lab week: from command-line run specs to a checked schedule.

The CLI and the TUI home (today's agenda) both call this; it loads protocols, expands them
into activities, pins fixed runs, solves with CP-SAT and renders the agenda and the JSON
that scripts read.

A run spec is ``PROTOCOL`` (an id in the library or a YAML path), optionally followed by
``@2026-11-24T09:00`` to fix when the run starts.  The same protocol named twice is two
runs, ``ID-1`` and ``ID-2``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from elab.domain.runs import RunState
from elab.domain.schedule.calendar import LabCalendar, people_from
from elab.domain.schedule.check import check_schedule, out_of_hours_min
from elab.domain.schedule.expand import Expansion, expand_protocol
from elab.domain.schedule.model import Assignment, Problem, Schedule
from elab.domain.schedule.problem import problem_from_expansions
from elab.errors import InputError
from elab.services.agenda import lab_calendar, remaining_expansion
from elab.solve.schedule import SolveOptions, solve_schedule

__all__ = [
    "RunSpec",
    "SolveOptions",
    "agenda_text",
    "build_problem",
    "parse_run_spec",
    "parse_start",
    "plan_runs",
    "schedule_ics",
    "schedule_json",
    "write_gantt",
]


@dataclass(frozen=True)
class RunSpec:
    """One run to plan: which protocol, and when it must start if that is fixed."""

    protocol: str
    at: str | None = None
    variant: str | None = None


def parse_run_spec(text: str) -> RunSpec:
    """``ID``, ``PATH.yaml``, ``ID@2026-11-24T09:00`` or ``ID:variant``."""
    name, _, at = text.partition("@")
    name, _, variant = name.partition(":") if not name.endswith((".yaml", ".yml")) else (
        name, "", "")
    if not name.strip():
        raise InputError(f"{text!r} does not name a protocol")
    return RunSpec(name.strip(), at.strip() or None, variant.strip() or None)


def parse_start(text: str, calendar: LabCalendar) -> datetime:
    """A plan start from ``2026-11-23`` (local midnight) or ``2026-11-23T08:00[+01:00]``."""
    try:
        if len(text.strip()) == 10:
            value = datetime.combine(date.fromisoformat(text.strip()), time(0))
        else:
            value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"--start {text!r} is not a date (2026-11-23) or date and time") from exc
    return value if value.tzinfo else value.replace(tzinfo=calendar.zone)


def _run_ids(specs: list[RunSpec], protocol_ids: list[str]) -> list[str]:
    counts = Counter(protocol_ids)
    seen: dict[str, int] = defaultdict(int)
    out = []
    for pid in protocol_ids:
        if counts[pid] == 1:
            out.append(pid)
        else:
            seen[pid] += 1
            out.append(f"{pid}-{seen[pid]}")
    return out


def build_problem(
    specs: list[RunSpec],
    start: str,
    calendar_path: str | Path | None = None,
    horizon_days: int = 14,
    priorities: dict[str, int] | None = None,
    now: datetime | None = None,
    under_way: Sequence[RunState] = (),
    people: int | None = None,
    persons: dict[str, str] | None = None,
) -> Problem:
    """Load, expand and combine the runs; bad input raises InputError with a clear sentence.

    ``under_way`` are stored runs already started: what they have done stays where it
    happened (it is not planned again) and the rest is planned from now at the earliest.
    ``people`` overrides the calendar's head count; ``persons`` names a run's person.
    """
    from elab.domain.protocol import load_protocol
    from elab.services.protocol_library import find_protocol_file as find_protocol
    from elab.services.protocol_library import library_dirs

    calendar = lab_calendar(calendar_path)
    if people is not None:
        if people < 1:
            raise InputError("--people needs at least one person")
        calendar = replace(calendar, people=people_from(people))
    begin = parse_start(start, calendar)
    if horizon_days < 1:
        raise InputError("the plan needs a horizon of at least one day")
    protocols = []
    for spec in specs:
        path = find_protocol(spec.protocol)
        protocols.append(load_protocol(path, library=[path.parent, *library_dirs()]))
    runs = _run_ids(specs, [p.id for p in protocols])
    expansions: list[Expansion] = []
    for spec, protocol, run in zip(specs, protocols, runs, strict=True):
        if spec.variant and spec.variant not in protocol.variants:
            raise InputError(f"protocol {protocol.id!r} has no variant {spec.variant!r}")
        first_day = parse_start(spec.at, calendar).date() if spec.at else begin.date()
        expansions.append(expand_protocol(protocol, run, first_day, calendar.zone, spec.variant,
                                          calendar=calendar))
    moment = now or datetime.now(calendar.zone)
    for state in under_way:
        if state.finished:
            raise InputError(f"run {state.run_id} is {state.state}: nothing is left to plan")
        rest = remaining_expansion(state, max(begin, moment), calendar)
        if rest is not None:
            expansions.append(rest)
            runs.append(state.run_id)
    if not expansions:
        raise InputError("nothing to plan: give at least one protocol or unfinished run")
    for option, named in (("--priority", priorities), ("--person", persons)):
        unknown = set(named or {}) - set(runs)
        if unknown:
            raise InputError(f"{option} names run {sorted(unknown)[0]!r}, which is not "
                             f"planned (runs: {', '.join(runs)})")
    problem = problem_from_expansions(expansions, calendar, begin, horizon_days,
                                      tuple(sorted((priorities or {}).items())), persons)
    fixed = _fixed_starts(specs, expansions[: len(specs)], calendar, moment)
    if fixed:
        problem = replace(problem, fixed=tuple(fixed))
    return problem


def _fixed_starts(specs: list[RunSpec], expansions: list[Expansion], calendar: LabCalendar,
                  now: datetime) -> list[Assignment]:
    """A run given ``@WHEN`` has its first steps pinned there; the past is refused."""
    fixed = []
    for spec, expansion in zip(specs, expansions, strict=True):
        if not spec.at:
            continue
        at = parse_start(spec.at, calendar)
        if at < now:
            raise InputError(
                f"run {expansion.run!r} is fixed to start {at:%a %Y-%m-%d %H:%M}, which is in "
                f"the past (now {now.astimezone(calendar.zone):%Y-%m-%d %H:%M})"
            )
        for activity in expansion.activities:
            if not activity.after and activity.release is None:
                end = at + timedelta(minutes=activity.min_min)
                fixed.append(Assignment(activity.run, activity.step, at, end))
    return fixed


def plan_runs(problem: Problem, options: SolveOptions | None = None) -> Schedule:
    """Solve, then refuse to hand out a plan the independent checker rejects."""
    schedule = solve_schedule(problem, options)
    report = check_schedule(problem, schedule)
    # Out-of-hours work that was allowed is counted in the plan, not refused.
    tolerated = {"hours"} if options is not None and options.allow_out_of_hours else set()
    broken = [v for v in report.violations if v.kind not in tolerated]
    if broken:
        raise InputError("the planner produced a schedule that breaks a rule: " + str(broken[0]))
    return schedule


def schedule_json(problem: Problem, schedule: Schedule) -> dict[str, Any]:
    """The schedule for scripts: the keys ``activities``, ``makespan_h``,
    ``out_of_hours_hands_on_min`` are a contract; ``person`` on hands-on work too."""
    activities = problem.activity_map()
    report = check_schedule(problem, schedule)
    rows = []
    for a in sorted(schedule.assignments, key=lambda x: (x.start, x.run, x.step)):
        activity = activities[a.key]
        row = {
            "run": a.run,
            "step": a.step,
            "title": activity.title,
            "start": a.start.isoformat(),
            "end": a.end.isoformat(),
            "hands_on": activity.hands_on,
            "equipment": [d.equipment for d in activity.demands],
        }
        if activity.hands_on:
            row["person"] = activity.who
        rows.append(row)
    return {
        "start": problem.start.isoformat(),
        "timezone": problem.calendar.timezone,
        "people": [p.name for p in problem.calendar.people],
        "activities": rows,
        "makespan_h": round(schedule.makespan_h(problem.start), 3),
        "out_of_hours_hands_on_min": out_of_hours_min(problem, schedule),
        "night_hands_on_min": out_of_hours_min(problem, schedule, night=True),
        "required_off_hours": [f"{run}/{step}" for run, step in report.required_off_hours],
        "violations": [str(v) for v in report.violations],
        "status": schedule.status,
        "objective": schedule.objective,
        "bound": schedule.bound,
    }


def agenda_text(problem: Problem, schedule: Schedule) -> str:
    """A day-by-day agenda: hands-on work with times, passive steps as when they end."""
    zone = problem.calendar.zone
    activities = problem.activity_map()
    by_day: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
    width = max((len(a.run) for a in schedule.assignments), default=4)
    who = max((len(a.who or "") for a in activities.values()), default=0)
    for a in schedule.assignments:
        activity = activities[a.key]
        start, end = a.start.astimezone(zone), a.end.astimezone(zone)
        equipment = ", ".join(d.equipment for d in activity.demands)
        extra = f"  [{equipment}]" if equipment else ""
        title = activity.title or a.step
        if activity.hands_on:
            line = (f"  {start:%H:%M}-{end:%H:%M}  {activity.who or '':<{who}}  "
                    f"{a.run:<{width}}  {title}{extra}")
        else:
            until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %H:%M}"
            line = (f"  {start:%H:%M} ...     {'':<{who}}  {a.run:<{width}}  {title} "
                    f"until {until}{extra}")
        by_day[start.date()].append((start, line))
    people = ", ".join(p.name for p in problem.calendar.people)
    out = [f"Plan from {problem.start.astimezone(zone):%a %d %b %Y %H:%M} "
           f"({problem.calendar.timezone}); working hours {problem.calendar.describe_hours()}; "
           f"people: {people}"]
    for day in sorted(by_day):
        out.append("")
        out.append(f"{day:%a %d %b %Y}")
        out += [line for _, line in sorted(by_day[day])]
    out.append("")
    night = out_of_hours_min(problem, schedule, night=True)
    out.append(
        f"makespan {schedule.makespan_h(problem.start):.1f} h; "
        f"out-of-hours hands-on {out_of_hours_min(problem, schedule)} min"
        f"{f' ({night} at night)' if night else ''}; "
        f"{len(schedule.assignments)} activities in {len(problem.runs)} "
        f"run{'' if len(problem.runs) == 1 else 's'}"
    )
    return "\n".join(out)


def write_gantt(problem: Problem, schedule: Schedule, path: Path) -> None:
    """The plan's Gantt chart as PNG, SVG or self-contained HTML (by the file's suffix)."""
    from elab.render.gantt import write_gantt as draw

    draw(problem, schedule, path)


def schedule_ics(problem: Problem, schedule: Schedule) -> bytes:
    """The plan as an iCalendar file: hands-on steps, bookings, timer alarms."""
    from elab.render.ics import ics_from_schedule

    return ics_from_schedule(problem, schedule)
