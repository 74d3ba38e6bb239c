"""The plan at a glance: one matplotlib drawing, written as PNG, SVG or a self-contained HTML.

One lane per person (their hands-on steps solid, numbered, with the incubations of their
runs pale and hatched beneath), one for work outside the lab (patient, facility) and one
per instrument that several runs share (what holds it, when).  Working hours are shaded,
closed days greyed.  The numbers key a legend below the chart that names every hands-on
step with its time, person and run: on a week's axis a 10-minute step is a sliver no name
fits on.  The page is A4 landscape, so a week prints on one sheet.  The HTML holds the SVG
inline (text kept as text, so it can be searched and read by a screen reader) and nothing
else: no script, no network.
"""

from __future__ import annotations

import html
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from elab.domain.schedule.model import Activity, Assignment, Problem, Schedule

__all__ = ["GanttStep", "gantt_html", "gantt_steps", "gantt_svg", "write_gantt"]

A4_LANDSCAPE = (11.69, 8.27)
_HOURS_BG = "#e3f1dc"
_CLOSED_BG = "#eeeeee"
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#17becf", "#bcbd22", "#7f7f7f")
_MAX_SUBROWS = 4
_OFF_WEIGHT = 0.2  # an hour out of working hours takes this share of a working hour's width
_LABEL_LEVELS = 6  # rows of step numbers above a lane at most
_LEGEND_WIDTH = 100  # characters per legend line
_NAMED_DAYS = 15  # a plan this long or shorter names each of its days
_HOURS_NAMED_DAYS = 8  # and, up to this long, the hours 9:00, 12:00 and 15:00


@dataclass(frozen=True)
class GanttStep:
    """One numbered hands-on step of the legend."""

    number: int
    start: datetime
    end: datetime
    who: str
    run: str
    title: str

    def line(self) -> str:
        text = (f"{self.number:>2}  {self.start:%a %d %H:%M}-{self.end:%H:%M}  {self.who}  "
                f"{self.run}: {self.title}")
        return text if len(text) <= _LEGEND_WIDTH else text[: _LEGEND_WIDTH - 1] + "…"


def gantt_steps(problem: Problem, schedule: Schedule) -> list[GanttStep]:
    """The legend: every hands-on step in time order, numbered from 1."""
    acts = problem.activity_map()
    zone = problem.calendar.zone
    items = sorted((a for a in schedule.assignments if acts[a.key].hands_on),
                   key=lambda a: (a.start, a.run, a.step))
    return [GanttStep(k + 1, a.start.astimezone(zone), a.end.astimezone(zone),
                      acts[a.key].who or "", a.run, acts[a.key].title or a.step)
            for k, a in enumerate(items)]


def _subrows(items: list[Assignment]) -> dict[tuple[str, str], int]:
    """Overlapping bars of one lane on separate rows (the first row free at their start)."""
    ends: list[datetime] = []
    out: dict[tuple[str, str], int] = {}
    for a in sorted(items, key=lambda x: (x.start, x.end)):
        row = next((k for k, end in enumerate(ends) if end <= a.start), len(ends))
        row = min(row, _MAX_SUBROWS - 1)
        if row == len(ends):
            ends.append(a.end)
        else:
            ends[row] = max(ends[row], a.end)
        out[a.key] = row
    return out


@dataclass
class _Lane:
    name: str
    hands_on: list[Assignment]
    passive: list[Assignment]


def _lanes(problem: Problem, schedule: Schedule) -> list[_Lane]:
    acts = problem.activity_map()
    people = [p.name for p in problem.calendar.people]
    by_who: dict[str, _Lane] = {}
    run_owner: dict[str, str] = {}
    for a in schedule.assignments:
        who = acts[a.key].who
        if who is not None:
            by_who.setdefault(who, _Lane(who, [], [])).hands_on.append(a)
            run_owner.setdefault(a.run, who)
    for a in schedule.assignments:
        if not acts[a.key].hands_on and a.run in run_owner:
            by_who[run_owner[a.run]].passive.append(a)
    order = sorted(by_who, key=lambda w: (w not in people, people.index(w) if w in people
                                          else 0, w))
    lanes = [by_who[w] for w in order]
    users: dict[str, list[Assignment]] = defaultdict(list)
    for a in schedule.assignments:
        for d in acts[a.key].demands:
            users[d.equipment].append(a)
    for name in sorted(users):
        if len({a.run for a in users[name]}) > 1:
            lanes.append(_Lane(name, [a for a in users[name] if acts[a.key].hands_on],
                               [a for a in users[name] if not acts[a.key].hands_on]))
    return lanes


def _span(problem: Problem, schedule: Schedule) -> tuple[datetime, datetime]:
    zone = problem.calendar.zone
    first = min([a.start for a in schedule.assignments], default=problem.start)
    last = max([a.end for a in schedule.assignments], default=problem.start)
    day0 = first.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end_day = last.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return day0, end_day + timedelta(days=1)


def _segments(problem: Problem, day0: datetime, day_end: datetime
              ) -> list[tuple[datetime, datetime, float]]:
    """The time axis as (from, to, width of an hour): working hours wide, the rest narrow.

    The night and the weekend hold incubations, not work; drawn to scale they would leave
    each day's hands-on steps a sliver.
    """
    out: list[tuple[datetime, datetime, float]] = []
    at = day0
    day = day0
    while day < day_end:
        for a, b in problem.calendar.intervals_on(day.date()):
            if a > at:
                out.append((at, a, _OFF_WEIGHT))
            out.append((a, b, 1.0))
            at = b
        day += timedelta(days=1)
    if day_end > at:
        out.append((at, day_end, _OFF_WEIGHT))
    return out


class _Chart:
    """The drawing: lanes top to bottom, time on x (working hours wide, nights narrow)."""

    def __init__(self, problem: Problem, schedule: Schedule) -> None:
        self.problem, self.schedule = problem, schedule
        self.acts: dict[tuple[str, str], Activity] = problem.activity_map()
        self.day0, self.day_end = _span(problem, schedule)
        self.segments = _segments(problem, self.day0, self.day_end)
        runs = list(dict.fromkeys(a.run for a in schedule.assignments))
        self.colour = {run: _COLOURS[k % len(_COLOURS)] for k, run in enumerate(runs)}
        self.steps = gantt_steps(problem, schedule)
        self.number = {(s.run, s.start, s.title): s.number for s in self.steps}

    def x(self, instant: datetime) -> float:
        total = 0.0
        for a, b, weight in self.segments:
            if instant <= a:
                break
            total += weight * (min(instant, b) - a).total_seconds() / 3600
        return total

    def draw(self) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch

        plt.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG
        lanes = _lanes(self.problem, self.schedule)
        fig = plt.figure(figsize=A4_LANDSCAPE)
        legend_rows = -(-len(self.steps) // 2)
        chart_share = max(0.35, min(0.7, 1 - 0.022 * legend_rows - 0.08))
        ax = fig.add_axes((0.12, 1 - chart_share + 0.06, 0.86, chart_share - 0.14))
        # the width of a label character, in x units, to keep numbers apart
        self.char_w = self.x(self.day_end) / (0.86 * A4_LANDSCAPE[0]) * 6 * 0.6 / 72
        y = 0.0
        ticks: list[tuple[float, str]] = []
        for lane in lanes:
            height = self._lane(ax, lane, y)
            ticks.append((y + height / 2, lane.name))
            y += height + 0.4
            ax.axhline(y - 0.2, color="#cccccc", lw=0.5)
        self._background(ax, y)
        ax.set_ylim(y, -0.2)
        ax.set_yticks([t for t, _ in ticks], labels=[n for _, n in ticks], fontsize=8)
        self._time_axis(ax)
        fig.suptitle(f"Lab plan from {self.day0:%a %d %b %Y} ({self.problem.calendar.timezone};"
                     f" working hours {self.problem.calendar.describe_hours()})", fontsize=9,
                     y=0.99)
        handles = [Patch(color=c, label=run) for run, c in self.colour.items()]
        handles += [Patch(facecolor="#999999", label="hands-on (numbered)"),
                    Patch(facecolor="#ffffff", edgecolor="#999999", hatch="///",
                          label="incubation / wait"),
                    Patch(color=_HOURS_BG, label="working hours")]
        fig.legend(handles=handles, fontsize=7, ncol=min(len(handles), 6), loc="upper left",
                   bbox_to_anchor=(0.12, 0.965), frameon=False)
        self._legend(fig, 1 - chart_share - 0.01)
        return fig

    def _time_axis(self, ax: Any) -> None:
        """Every working day named (Mondays alone beyond two weeks), hours on a short plan.

        Someone reading a plan looks for "what happens on Thursday": a week and a half with
        only its Mondays named sends them counting grid lines.
        """
        ax.set_xlim(0, self.x(self.day_end))
        days = [self.day0 + timedelta(days=k) for k in range((self.day_end - self.day0).days)]
        open_days = [d for d in days if self.problem.calendar.intervals_on(d.date())]
        if len(days) > _NAMED_DAYS:
            shown = [d for d in days if d.weekday() == 0 or d == days[0]]
            ax.set_xticks([self.x(d) for d in shown], labels=[f"{d:%a %d %b}" for d in shown],
                          fontsize=7, ha="left")
            ax.set_xticks([self.x(d) for d in days], minor=True)
            return
        # a closed day is drawn narrow: its name alone fits; the month once, and on the 1st
        ax.set_xticks([self.x(d) for d in days], labels=[
            (f"{d:%a %d %b}" if d == days[0] or d.day == 1 else f"{d:%a %d}")
            if d in open_days else f"{d:%a}" for d in days], fontsize=7, ha="left")
        if len(days) <= _HOURS_NAMED_DAYS:
            ax.set_xticks([self.x(d + timedelta(hours=h)) for d in open_days
                           for h in (9, 12, 15)],
                          labels=[f"{h}:00" for _ in open_days for h in (9, 12, 15)],
                          minor=True, fontsize=5)
            ax.tick_params(axis="x", which="major", pad=9)

    def _lane(self, ax: Any, lane: _Lane, top: float) -> float:
        rows = _subrows(lane.passive)
        n_passive = max(rows.values(), default=-1) + 1
        hands_on = sorted(lane.hands_on, key=lambda x: x.start)
        numbers = [self.number.get((a.run, a.start, self.acts[a.key].title or a.step))
                   for a in hands_on]
        levels = self._levels([(self.x(a.start), n) for a, n in zip(hands_on, numbers,
                                                                     strict=True)])
        bar = top + 0.35 * (max(levels, default=0) + 1)
        for a, number, level in zip(hands_on, numbers, levels, strict=True):
            x0, x1 = self.x(a.start), self.x(a.end)
            ax.broken_barh([(x0, max(x1 - x0, 0.1))], (bar, 0.8),
                           color=self.colour[a.run], zorder=3)
            if number is not None:
                ax.text(x0, bar - 0.05 - 0.35 * level, str(number), fontsize=6, ha="left",
                        va="bottom", zorder=4)
        for a in lane.passive:
            x0, x1 = self.x(a.start), self.x(a.end)
            row = bar + 0.95 + rows[a.key] * 0.45
            ax.broken_barh([(x0, max(x1 - x0, 0.1))], (row, 0.35), facecolor="white",
                           edgecolor=self.colour[a.run], hatch="///", lw=0.6, zorder=2)
        return bar - top + 0.95 + 0.45 * n_passive

    def _levels(self, labels: list[tuple[float, int | None]]) -> list[int]:
        """Each number's level above the bars: the lowest where it clears the one before.

        A busy morning (six short steps in two hours) stacks its numbers rather than
        printing them over each other; past ``_LABEL_LEVELS`` the least crowded level takes
        it, and the legend still says which step is which.
        """
        ends: list[float] = []
        out = []
        for x0, number in labels:
            width = (len(str(number)) + 0.6) * self.char_w
            level = next((k for k, end in enumerate(ends) if x0 >= end), len(ends))
            if level == len(ends):
                if level < _LABEL_LEVELS:
                    ends.append(-1.0)
                else:
                    level = min(range(len(ends)), key=ends.__getitem__)
            if number is not None:
                ends[level] = x0 + width
            out.append(level)
        return out

    def _background(self, ax: Any, bottom: float) -> None:
        calendar = self.problem.calendar
        day = self.day0
        while day < self.day_end:
            spans = calendar.intervals_on(day.date())
            if not spans:
                ax.axvspan(self.x(day), self.x(day) + 24, color=_CLOSED_BG, zorder=0)
            for a, b in spans:
                ax.axvspan(self.x(a), self.x(b), color=_HOURS_BG, zorder=0)
            ax.axvline(self.x(day), color="#999999", lw=0.6, zorder=1)
            day += timedelta(days=1)

    def _legend(self, fig: Any, top: float) -> None:
        half = -(-len(self.steps) // 2)
        for column, part in enumerate((self.steps[:half], self.steps[half:])):
            text = "\n".join(step.line() for step in part)
            fig.text(0.02 + 0.49 * column, top, text, fontsize=6.5, va="top", ha="left",
                     family="monospace")


def _figure(problem: Problem, schedule: Schedule) -> Any:
    return _Chart(problem, schedule).draw()


def gantt_svg(problem: Problem, schedule: Schedule) -> str:
    """The chart as an SVG document (its text kept as text)."""
    import matplotlib.pyplot as plt

    fig = _figure(problem, schedule)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def gantt_html(problem: Problem, schedule: Schedule, title: str = "Lab schedule") -> str:
    """A standalone HTML page holding the SVG chart: no script, no network."""
    svg = gantt_svg(problem, schedule)
    svg = svg[svg.index("<svg"):]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:1em}svg{max-width:100%;height:auto}"
        "svg text{white-space:pre}"
        "@page{size:A4 landscape;margin:8mm}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{svg}</body></html>\n"
    )


def write_gantt(problem: Problem, schedule: Schedule, path: str | Path) -> Path:
    """Write the chart as PNG (``.png``), SVG (``.svg``) or HTML (``.html``/``.htm``)."""
    from elab.errors import InputError

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        target.write_text(gantt_html(problem, schedule), encoding="utf-8")
    elif suffix == ".svg":
        target.write_text(gantt_svg(problem, schedule), encoding="utf-8")
    elif suffix == ".png":
        import matplotlib.pyplot as plt

        fig = _figure(problem, schedule)
        fig.savefig(target, dpi=150)
        plt.close(fig)
    else:
        raise InputError(f"a Gantt chart is written as .png, .svg or .html, not {target.name!r}")
    return target
