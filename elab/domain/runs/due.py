"""What a run needs from the scientist and when: timers ending, time windows opening.

The home screen lists these across runs and the run screen shows a step's window, so a
scientist sees "treat: window opens 09:10, closes 19:10" rather than discovering a missed
window from a deviation afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from elab.domain.runs.state import RunState

__all__ = ["DueItem", "Window", "due_items", "most_pressing_first", "step_windows"]

Urgency = Literal["overdue", "due", "soon", "later"]


@dataclass(frozen=True)
class Window:
    """When ``step`` may start, counted from the end of ``after``."""

    step: str
    after: str
    opens: datetime
    closes: datetime | None

    def status(self, now: datetime) -> str:
        if now < self.opens:
            return "not open yet"
        if self.closes is not None and now > self.closes:
            return "closed"
        return "open"


@dataclass(frozen=True)
class DueItem:
    """One thing to do: ``at`` is when it falls due (a timer's end, a window's close)."""

    run_id: str
    step: str
    what: str
    at: datetime
    urgency: Urgency


def step_windows(state: RunState, step_id: str) -> list[Window]:
    """The windows of a step whose predecessors have ended (the others are not set yet)."""
    windows = []
    for edge in state.graph.preds.get(step_id, []):
        gap = edge.gap
        pred = state.steps.get(edge.pred)
        if gap is None or pred is None or pred.done_at is None:
            continue
        low, high = gap.seconds()
        opens = pred.done_at + timedelta(seconds=low)
        closes = None if high is None else pred.done_at + timedelta(seconds=high)
        windows.append(Window(step_id, edge.pred, opens, closes))
    return windows


def _hm(at: datetime) -> str:
    return at.astimezone().strftime("%a %H:%M")


def due_items(state: RunState, now: datetime, soon_s: float = 3600.0) -> list[DueItem]:
    """Timers and windows of one active run, the most pressing first."""
    if state.finished:
        return []
    items: list[DueItem] = []
    for timer in state.timers.values():
        if not timer.running or (timer.min_s == 0 and timer.max_s is None):
            continue
        end = timer.started_at + timedelta(seconds=timer.min_s)
        left = timer.remaining_s(now)
        over = timer.remaining_max_s(now)
        if over is not None and over < 0:
            items.append(DueItem(state.run_id, timer.step, "timer past its maximum", end,
                                 "overdue"))
        elif left <= 0:
            items.append(DueItem(state.run_id, timer.step, "timer done: take it out", end, "due"))
        else:
            urgency: Urgency = "soon" if left <= soon_s else "later"
            items.append(DueItem(state.run_id, timer.step, f"timer ends {_hm(end)}", end,
                                 urgency))
    for sid in state.graph.order:
        if state.steps[sid].state not in ("ready", "waiting", "current"):
            continue
        if state.steps[sid].started_at is not None:
            continue
        for window in step_windows(state, sid):
            status = window.status(now)
            closes = f", closes {_hm(window.closes)}" if window.closes else ""
            if status == "closed":
                assert window.closes is not None
                items.append(DueItem(state.run_id, sid, f"window after {window.after} closed",
                                     window.closes, "overdue"))
            elif status == "open":
                at = window.closes or window.opens
                urgency = "due" if window.closes is not None else "soon"
                items.append(DueItem(state.run_id, sid, f"window open{closes}", at, urgency))
            else:
                urgency = (
                    "soon" if (window.opens - now).total_seconds() <= soon_s else "later"
                )
                items.append(DueItem(state.run_id, sid, f"window opens {_hm(window.opens)}"
                                     f"{closes}", window.opens, urgency))
    return most_pressing_first(items)


def most_pressing_first(items: list[DueItem]) -> list[DueItem]:
    """Overdue, then due, then soon, then later; earliest first within each."""
    order = {"overdue": 0, "due": 1, "soon": 2, "later": 3}
    return sorted(items, key=lambda i: (order[i.urgency], i.at))
