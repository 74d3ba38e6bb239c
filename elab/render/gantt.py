"""Gantt charts of a schedule: a self-contained HTML page with inline SVG, or a PNG.

One row per run; hands-on steps are solid, passive steps (incubations) pale, working hours
shaded in the background so that out-of-hours work stands out.  The HTML needs no script
and no network: it opens from a file and prints.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from pathlib import Path

from elab.domain.schedule.model import Problem, Schedule

__all__ = ["gantt_html", "gantt_svg", "write_gantt"]

_ROW = 26
_LEFT = 190
_TOP = 40
_HOUR_PX = 6
_HANDS_ON = "#1f6fb2"
_PASSIVE = "#9ec9e8"
_HOURS_BG = "#eef6ea"


def _span(problem: Problem, schedule: Schedule) -> tuple[datetime, datetime]:
    zone = problem.calendar.zone
    first = min([a.start for a in schedule.assignments], default=problem.start)
    last = max([a.end for a in schedule.assignments], default=problem.start)
    day0 = first.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end_day = last.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return day0, end_day + timedelta(days=1)


def gantt_svg(problem: Problem, schedule: Schedule) -> str:
    """The chart as an SVG element (hours on x, runs on y)."""
    activities = problem.activity_map()
    runs = list(dict.fromkeys(a.run for a in schedule.assignments))
    row = {run: i for i, run in enumerate(runs)}
    day0, day_end = _span(problem, schedule)
    hours = (day_end - day0).total_seconds() / 3600
    width = _LEFT + hours * _HOUR_PX + 20
    height = _TOP + len(runs) * _ROW + 20

    def x(instant: datetime) -> float:
        return _LEFT + (instant - day0).total_seconds() / 3600 * _HOUR_PX

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
        f'viewBox="0 0 {width:.0f} {height}" font-family="sans-serif" font-size="11">'
    ]
    day = day0
    while day < day_end:
        local = day.astimezone(problem.calendar.zone)
        for a, b in problem.calendar.intervals_on(local.date()):
            parts.append(f'<rect x="{x(a):.1f}" y="{_TOP - 4}" width="{x(b) - x(a):.1f}" '
                         f'height="{len(runs) * _ROW + 4}" fill="{_HOURS_BG}"/>')
        parts.append(f'<line x1="{x(day):.1f}" y1="{_TOP - 18}" x2="{x(day):.1f}" '
                     f'y2="{height - 16}" stroke="#bbb"/>')
        parts.append(f'<text x="{x(day) + 3:.1f}" y="{_TOP - 8}">{local:%a %d %b}</text>')
        day += timedelta(days=1)
    for run, i in row.items():
        y = _TOP + i * _ROW
        parts.append(f'<text x="6" y="{y + _ROW / 2 + 4:.0f}">{html.escape(run[:28])}</text>')
    for item in schedule.assignments:
        activity = activities.get(item.key)
        hands_on = bool(activity and activity.hands_on)
        y = _TOP + row[item.run] * _ROW + (3 if hands_on else 8)
        h = _ROW - (6 if hands_on else 16)
        width_px = max(x(item.end) - x(item.start), 1.5)
        tip = (f"{item.run} · {item.step} · {item.start:%a %H:%M}–{item.end:%a %H:%M}"
               + (" · " + ", ".join(d.equipment for d in activity.demands)
                  if activity and activity.demands else ""))
        parts.append(
            f'<rect x="{x(item.start):.1f}" y="{y}" width="{width_px:.1f}" height="{h}" '
            f'fill="{_HANDS_ON if hands_on else _PASSIVE}" rx="2">'
            f"<title>{html.escape(tip)}</title></rect>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def gantt_html(problem: Problem, schedule: Schedule, title: str = "Lab schedule") -> str:
    """A standalone HTML page holding the SVG chart and a legend."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:1em}.k{display:inline-block;width:1em;"
        "height:.8em;margin:0 .3em 0 1em}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>"
        f'<span class="k" style="background:{_HANDS_ON}"></span>hands-on'
        f'<span class="k" style="background:{_PASSIVE}"></span>passive (incubation, wait)'
        f'<span class="k" style="background:{_HOURS_BG}"></span>working hours '
        f"({html.escape(problem.calendar.describe_hours())}, {problem.calendar.timezone})</p>"
        f"<div style=\"overflow-x:auto\">{gantt_svg(problem, schedule)}</div></body></html>\n"
    )


def _png(problem: Problem, schedule: Schedule, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    activities = problem.activity_map()
    runs = list(dict.fromkeys(a.run for a in schedule.assignments))
    day0, day_end = _span(problem, schedule)
    hours = (day_end - day0).total_seconds() / 3600
    fig, ax = plt.subplots(figsize=(max(8.0, min(40.0, hours / 8)), 1 + 0.4 * len(runs)))
    day = day0
    while day < day_end:
        for a, b in problem.calendar.intervals_on(day.astimezone(problem.calendar.zone).date()):
            lo = (a - day0).total_seconds() / 3600
            ax.axvspan(lo, lo + (b - a).total_seconds() / 3600, color=_HOURS_BG, zorder=0)
        day += timedelta(days=1)
    for i, run in enumerate(runs):
        for item in (x for x in schedule.assignments if x.run == run):
            activity = activities.get(item.key)
            hands_on = bool(activity and activity.hands_on)
            lo = (item.start - day0).total_seconds() / 3600
            ax.broken_barh([(lo, max(item.minutes / 60, 0.05))], (i - 0.35, 0.7),
                           color=_HANDS_ON if hands_on else _PASSIVE, zorder=2)
    ax.set_yticks(range(len(runs)), labels=runs)
    ax.set_ylim(-0.6, len(runs) - 0.4)
    ax.invert_yaxis()
    ticks = list(range(0, int(hours) + 1, 24))
    ax.set_xticks(ticks, labels=[f"{day0 + timedelta(hours=t):%a %d}" for t in ticks])
    ax.set_xlim(0, hours)
    ax.set_xlabel(f"time ({problem.calendar.timezone})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_gantt(problem: Problem, schedule: Schedule, path: str | Path) -> Path:
    """Write the chart as HTML (``.html``/``.htm``) or PNG (``.png``)."""
    from elab.errors import InputError

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        target.write_text(gantt_html(problem, schedule), encoding="utf-8")
    elif suffix == ".png":
        _png(problem, schedule, target)
    else:
        raise InputError(f"a Gantt chart is written as .html or .png, not {target.name!r}")
    return target
