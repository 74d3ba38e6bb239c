"""From a protocol to the activities of one run.

Each step becomes one or more activities, in protocol order:

- ``hands_on`` -> a hands-on activity named after the step; ``repeat`` multiplies hands-on
  and per-repeat time into one hands-on block (someone stands at the bench for the washes).
- ``incubate``/``wait``/``centrifuge``/``program`` -> a passive activity (``STEP:incubate``...)
  with the step's min-max range, right after the hands-on part; its successor must start
  when it ends (lag 0), so the range is what the sample really gets.
- A step with no time at all is planned as ``DEFAULT_HANDS_ON_MIN`` of hands-on work.  An
  open end is planned with its expected range: ``until: bands are clear`` on a step without
  a passive part is hands-on work (someone watches the imager) of its ``hands_on`` time up
  to ``OPEN_FACTOR`` times that; an open incubation (``>= 1 h``, or one with ``until:``) up
  to ``OPEN_EXTRA_MIN`` longer.  No equipment is booked that the step does not name.
- ``by: patient|facility`` steps take nobody's working hours; their regimens keep the
  clock (BID at 08:00 and 20:00, :mod:`.regimen`).
- ``equipment: [...]`` is booked for the hands-on part (for the passive part too when the
  step has a program or no hands-on part); ``incubate: {equipment: ...}`` for the passive part.
- ``after: [{step, window}]`` becomes a lag window on the successor's first activity.
- A time course's arms (``exposure.3h`` ... ``.48h``, :mod:`elab.domain.protocol.arms`) are
  steps of their own, each a branch; the lag-0 rule makes the design's ``stagger`` hold.
- ``every`` with ``hands_on`` becomes the fewest hands-on shots whose intervals can cover the
  span, chained by lag windows, the last one the span after the first; without ``hands_on``
  it is one passive booking of the instrument for the whole span.
- ``regimen`` becomes dated ``anytime`` hands-on events (:mod:`.regimen`; doses do not wait
  for Monday), day 0 being the run's first day, or the first day the steps before it allow
  (a xenograft's dosing starts once the tumours have grown, not at implantation); its
  ``start:`` puts the first event that far after day 0 (scans from week 8).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from elab.domain.protocol.graph import StepGraph, program_seconds, same_days
from elab.domain.protocol.model import Protocol, Step
from elab.domain.schedule.calendar import LabCalendar, default_calendar
from elab.domain.schedule.model import Activity, Demand, Lag, Resource
from elab.domain.schedule.regimen import (
    DatedEvent,
    activities_from_events,
    regimen_events,
    start_day,
)
from elab.units import QRange

__all__ = ["DEFAULT_HANDS_ON_MIN", "OPEN_EXTRA_MIN", "OPEN_FACTOR", "Expansion", "Progress",
           "expand_protocol"]

DEFAULT_HANDS_ON_MIN = 10
OPEN_EXTRA_MIN = 16 * 60
OPEN_FACTOR = 3
DEFAULT_SHOT_MIN = 5
DEFAULT_DOSE_MIN = 10
MAX_DAYS_TO_WORK = 60  # how far to look for working hours before a regimen


@dataclass(frozen=True)
class Expansion:
    """The activities of one run and the equipment its protocol declares."""

    run: str
    protocol: str
    activities: tuple[Activity, ...]
    resources: tuple[Resource, ...]
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # step id -> activity steps


def _minutes(value: QRange | None) -> tuple[int, int | None]:
    if value is None:
        return (0, 0)
    lo, hi = value.seconds()
    return (round(lo / 60), None if hi is None else round(hi / 60))


def _closed(lo: int, hi: int | None) -> tuple[int, int]:
    return (lo, lo + OPEN_EXTRA_MIN if hi is None else max(hi, lo))


@dataclass(frozen=True)
class Progress:
    """What a run under way has done: when its finished steps ended (by step id), and now.

    A regimen still to come then starts on the first day that what is left allows.
    """

    ended: Mapping[str, datetime]
    now: datetime


class _Expander:
    def __init__(self, protocol: Protocol, run: str, first_day: date, zone: ZoneInfo,
                 variant: str | None, progress: Progress | None = None,
                 calendar: LabCalendar | None = None) -> None:
        self.protocol = protocol
        self.progress = progress
        self.calendar = calendar or default_calendar(zone.key)
        self.run = run
        self.first_day = first_day
        self.zone = zone
        self.graph = StepGraph(protocol, variant)
        self.out: list[Activity] = []
        self.entry: dict[str, list[str]] = {}
        self.exit: dict[str, str] = {}
        self.passive_exit: dict[str, bool] = {}
        # regimens after the same steps share their day 0 (a study's treatment day 1)
        self.regimen_days: dict[frozenset[str], date] = {}
        self.day0: dict[str, date] = {}  # each regimen's day 0, by step id

    def _lags_into(self, step: Step, starts_passive: bool) -> tuple[Lag, ...]:
        """Edges into a step; a sample goes straight on when either side is passive.

        An edge without a window from a step that another predecessor already follows says
        nothing more and is left out: ``export`` after ``[expose, ctg, mtt-read]`` in the MTT
        variant follows the read, not the end of the exposure at once.
        """
        lags = []
        preds = self.graph.preds[step.id]
        implied = set().union(*(self._ancestors(edge.pred) for edge in preds))
        for edge in preds:
            if edge.gap is None and edge.pred in implied:
                continue
            pred_exit = self.exit[edge.pred]
            if edge.gap is not None:
                lo, hi = _minutes(edge.gap)
                lags.append(Lag(pred_exit, lo, hi))
            elif self.passive_exit[edge.pred] or starts_passive:
                lags.append(Lag(pred_exit, 0, 0))
            else:
                lags.append(Lag(pred_exit))
        return tuple(lags)

    def _ancestors(self, step_id: str) -> set[str]:
        """The steps that ``step_id`` follows, directly or through others."""
        seen: set[str] = set()
        stack = [edge.pred for edge in self.graph.preds[step_id]]
        while stack:
            pred = stack.pop()
            if pred not in seen:
                seen.add(pred)
                stack.extend(edge.pred for edge in self.graph.preds[pred])
        return seen

    def _add(self, step: Step, activity: Activity) -> None:
        self.out.append(activity)
        self.entry.setdefault(step.id, []).append(activity.step)

    def _passive_span(self, step: Step) -> tuple[int, int | None, str]:
        lo, hi = _minutes(step.passive.duration if step.passive else None)
        kind = ("incubate" if step.incubate else "wait" if step.wait
                else "centrifuge" if step.centrifuge else "program")
        if step.program:
            p_lo, p_hi = program_seconds(step.program)
            lo += round(p_lo / 60)
            hi = None if hi is None or p_hi is None else hi + round(p_hi / 60)
        if step.until is not None and (step.passive or step.program):
            hi = None
        return lo, hi, kind

    def _hands_on_span(self, step: Step) -> tuple[int, int | None]:
        """The hands-on minutes: repeats multiplied; watched until something shows, a range."""
        lo, hi = _minutes(step.hands_on)
        if step.repeat is not None:
            each_lo, each_hi = _minutes(step.repeat.each)
            n = step.repeat.times
            lo = (lo + each_lo) * n
            hi = None if hi is None or each_hi is None else (hi + each_hi) * n
        if step.until is not None and not (step.passive or step.program):
            lo = max(lo, DEFAULT_HANDS_ON_MIN)
            hi = max(hi or 0, OPEN_FACTOR * lo)
        return lo, hi

    def step(self, step: Step) -> None:
        own = tuple(Demand(e) for e in step.equipment)
        passive_eq = tuple(Demand(p.equipment) for p in (step.passive,) if p and p.equipment)
        if step.regimen is not None:
            self._regimen(step, self._lags_into(step, False), own)
            return
        if step.every is not None:
            self._every(step, self._lags_into(step, step.every.hands_on is None), own)
            return
        ho_lo, ho_hi = self._hands_on_span(step)
        pas_lo, pas_hi, kind = self._passive_span(step)
        has_passive = pas_lo > 0 or pas_hi is None or (pas_hi or 0) > 0
        has_hands_on = ho_lo > 0 or (ho_hi or 0) > 0 or not has_passive
        lags = self._lags_into(step, not has_hands_on)
        names: list[str] = []
        if has_hands_on:
            lo, hi = _closed(ho_lo, ho_hi)
            if lo == 0:
                lo = hi = max(hi, DEFAULT_HANDS_ON_MIN)
            self._add(step, Activity(self.run, step.id, lo, hi, True, own, lags,
                                     title=step.title, by=step.by))
            names.append(step.id)
        if has_passive:
            lo, hi = _closed(pas_lo, pas_hi)
            demands = passive_eq
            if step.program or not has_hands_on:
                demands = own + tuple(d for d in passive_eq if d not in own)
            name = f"{step.id}:{kind}" if has_hands_on else step.id
            after = (Lag(names[-1], 0, 0),) if names else lags
            self._add(step, Activity(self.run, name, lo, hi, False, demands, after,
                                     title=f"{step.title} ({kind})", timer=True))
            names.append(name)
        self.exit[step.id] = names[-1]
        self.passive_exit[step.id] = has_passive

    def _every(self, step: Step, lags: tuple[Lag, ...], own: tuple[Demand, ...]) -> None:
        every = step.every
        assert every is not None
        span_lo, span_hi = _minutes(every.for_)
        if every.hands_on is None:
            lo, hi = _closed(span_lo, span_hi)
            self._add(step, Activity(self.run, step.id, lo, hi, False, own, lags,
                                     title=step.title, timer=True))
            self.exit[step.id] = step.id
            self.passive_exit[step.id] = True
            return
        shot, _ = _minutes(every.hands_on)
        shot = max(shot, 1)
        int_lo, int_hi = _minutes(every.interval)
        int_hi = int_hi if int_hi is not None else int_lo
        span_lo, span_hi = _closed(span_lo, span_hi)
        # the fewest shots whose intervals can cover the span: imaging every 2-6 h for
        # 24-48 h is five shots, the last at least 24 h after the first; shots days apart
        # keep half a day of room in each interval, so each can fall in the daytime
        # (calipers every 2.3-3.5 d for 21 d: eight, not seven 3.5 d apart, noon and midnight)
        room = min(720, (int_hi - int_lo) // 2) if int_hi >= 1440 else 0
        shots = math.ceil(span_lo / max(int_hi - room, 1)) + 1
        covers = (shots - 1) * int_lo <= span_hi
        first = f"{step.id}#1"
        previous: str | None = None
        for k in range(shots):
            name = f"{step.id}#{k + 1}"
            after = lags
            if previous is not None:
                lo, hi = int_lo, int_hi
                span: tuple[Lag, ...] = ()
                if k == shots - 1 and covers:
                    if k == 1:  # one interval: it is the span
                        lo, hi = max(lo, span_lo), min(hi, span_hi)
                    else:
                        span = (Lag(first, max(span_lo - shot, 0), max(span_hi - shot, 0)),)
                after = (Lag(previous, max(lo - shot, 0), max(hi - shot, 0)), *span)
            self._add(step, Activity(self.run, name, shot, shot, True, own, after,
                                     title=f"{step.title} (shot {k + 1} of {shots})",
                                     anytime=True))
            previous = name
        assert previous is not None
        self.exit[step.id] = previous
        self.passive_exit[step.id] = False

    def _regimen(self, step: Step, lags: tuple[Lag, ...], own: tuple[Demand, ...]) -> None:
        regimen = step.regimen
        assert regimen is not None
        minutes, _ = _minutes(regimen.hands_on or step.hands_on)
        events = regimen_events(step, regimen)
        minutes = minutes or DEFAULT_DOSE_MIN
        offset = start_day(regimen, f"step {step.id!r} regimen")
        paired = self._paired(step)  # followed dose by dose, not after their last dose
        first = tuple(lag for lag in lags if lag.step not in paired)
        day0 = (self._regimen_day(first, events, minutes, offset) if first or not paired
                else self.day0[next(iter(paired)).split("@")[0]])
        self.day0[step.id] = day0
        acts = activities_from_events(self.run, step.id, events, day0, self.zone, minutes, own,
                                      step.title)
        for k, act in enumerate(acts):
            after = tuple(replace(lag, step=paired[lag.step][k]) for lag in lags
                          if lag.step in paired)
            self._add(step, replace(act, after=after + (first if k == 0 else ()),
                                    anytime=True, by=step.by))
        self.exit[step.id] = acts[-1].step
        self.passive_exit[step.id] = False

    def _paired(self, step: Step) -> dict[str, list[str]]:
        """Regimens before this one on the same days (:func:`same_days`), by last event."""
        return {self.exit[edge.pred]: self.entry[edge.pred] for edge in self.graph.preds[step.id]
                if same_days(self.graph.by_id[edge.pred].regimen, step.regimen)}

    def _regimen_day(self, lags: tuple[Lag, ...], events: list[DatedEvent],
                     minutes: int, offset: int = 0) -> date:
        """The regimen's day 0: the first day its first event can follow the steps before it.

        Those steps are taken at their shortest from the run's first day, hands-on work in
        the lab's working hours; the plan holds them to their lags and ranges too, and a
        replan moves the regimen if they take longer (tumours that grow slowly).
        """
        if not lags or not events:
            return self.first_day
        ready = self._earliest_end(lags)
        first = min(events, key=lambda e: (e.day, e.earliest))
        shift = 0
        # day 0 itself follows the steps before it, even when the first event comes later
        while datetime.combine(self.first_day + timedelta(days=first.day - offset + shift),
                               first.latest, self.zone) - timedelta(minutes=minutes) < ready:
            shift += 1
        key = frozenset(lag.step for lag in lags)
        day = max(self.first_day + timedelta(days=shift),
                  self.regimen_days.get(key, self.first_day))
        self.regimen_days[key] = day
        return day

    def _earliest_end(self, lags: tuple[Lag, ...]) -> datetime:
        """When the steps behind ``lags`` are done at the earliest (shortest durations)."""
        start = datetime.combine(self.first_day, time(0), self.zone)
        by_step = {a.step: a for a in self.out}
        step_of = {name: sid for sid, names in self.entry.items() for name in names}
        done = self.progress.ended if self.progress else {}
        if self.progress is not None:
            start = max(start, self.progress.now)
        begins: dict[str, datetime] = {}
        for a in self.out:
            if step_of.get(a.step) in done:  # it ended then (its last part, at the latest)
                begins[a.step] = done[step_of[a.step]] - timedelta(minutes=a.min_min)
                continue
            at = start if a.release is None else max(start, a.release)
            for lag in a.after:
                before = by_step[lag.step]
                at = max(at, begins[before.step]
                         + timedelta(minutes=before.min_min + lag.min_min))
            begins[a.step] = self._at_work(at, a.min_min) if a.hands_on and not a.anytime \
                else at
        return max(begins[lag.step] + timedelta(minutes=by_step[lag.step].min_min + lag.min_min)
                   for lag in lags)

    def _at_work(self, at: datetime, minutes: int) -> datetime:
        """The first moment from ``at`` where ``minutes`` of work fit in working hours."""
        for days in range(MAX_DAYS_TO_WORK):
            for begin, end in self.calendar.intervals_on(at.date() + timedelta(days=days)):
                start = max(begin, at)
                if start + timedelta(minutes=minutes) <= end:
                    return start
        return at  # no working hours that fit: the planner will say so

    def expand(self) -> list[Activity]:
        # twice when a later regimen moved the shared day 0 of an earlier one
        for _ in range(2):
            known = dict(self.regimen_days)
            self.out, self.entry, self.exit, self.passive_exit = [], {}, {}, {}
            for step_id in self.graph.order:
                self.step(self.graph.by_id[step_id])
            if self.regimen_days == known:
                break
        return self.out


def expand_protocol(protocol: Protocol, run: str, first_day: date, zone: ZoneInfo,
                    variant: str | None = None, progress: Progress | None = None,
                    calendar: LabCalendar | None = None) -> Expansion:
    """The activities of one run of ``protocol`` and the equipment it declares.

    The lab calendar (default: Monday to Friday 09:00-17:00) tells when the steps before a
    regimen can be done, and so its first day.
    """
    expander = _Expander(protocol, run, first_day, zone, variant, progress, calendar)
    activities = expander.expand()
    resources = tuple(
        Resource(name, spec.capacity, spec.name) for name, spec in protocol.equipment.items()
    )
    steps = {sid: tuple(names) for sid, names in expander.entry.items()}
    return Expansion(run, protocol.id, tuple(activities), resources, steps)
