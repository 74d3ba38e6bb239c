"""The step graph of a protocol and the times that follow from it.

Each step's duration is a range (minimum, maximum — open when a step runs "until bands
appear" or an incubation is ">= 1 h").  The protocol's minimum and maximum are the longest
paths through the ``after:`` graph, where a time window on an edge is the gap between the
predecessor's end and the step's start.  Hands-on time is summed over every step (each arm
of a time course is lysed by someone); passive time is what elapses along the critical path
(its steps' incubations and waits, and the gaps of its edges' windows), because arms that run
in parallel are waited for once: the passive time never exceeds the total.  A scientist plans
the day by the hands-on time and the week by the total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from elab.domain.protocol.model import AfterRef, Program, Protocol, Regimen, Step
from elab.units import QRange, format_duration

__all__ = [
    "Edge",
    "StepGraph",
    "StepTime",
    "Timing",
    "find_cycle",
    "hands_on_text",
    "program_seconds",
    "regimen_administrations",
    "same_days",
    "step_time",
    "topological_order",
]

_FREQUENCY_PER_WEEK = {
    "QD": 7.0,
    "BID": 14.0,
    "TID": 21.0,
    "QW": 1.0,
    "BIW": 2.0,
    "TIW": 3.0,
    "Q2W": 0.5,
    "Q3W": 1 / 3,
    "Q4W": 0.25,
    "Q8W": 0.125,
}


@dataclass(frozen=True)
class Edge:
    """``step`` waits for ``pred``; ``gap`` is the allowed time between them, if any."""

    pred: str
    step: str
    gap: QRange | None = None


@dataclass(frozen=True)
class StepTime:
    """A step's elapsed time (min, max or None when open) and its hands-on share."""

    min_s: float
    max_s: float | None
    hands_on_s: float
    passive_min_s: float
    passive_max_s: float | None
    # the most hands-on time (a time-lapse every 2 h for 48 h, not every 6 h for 24 h);
    # None when open
    hands_on_max_s: float | None = None

    @property
    def hands_on_text(self) -> str:
        return hands_on_text(self.hands_on_s, self.hands_on_max_s)


def hands_on_text(low: float, high: float | None) -> str:
    """``50 min``, or ``50 min–4 h 10 min`` when the hands-on time is a range."""
    if high == low:
        return format_duration(low)
    return f"{format_duration(low)}–{format_duration(high) if high is not None else 'open'}"


@dataclass(frozen=True)
class Timing:
    """The whole protocol: critical-path minimum and maximum, hands-on time summed over all
    steps, passive time along the critical path (parallel arms are waited for once)."""

    min_s: float
    max_s: float | None
    hands_on_s: float
    passive_min_s: float
    passive_max_s: float | None
    critical_path: list[str]
    steps: dict[str, StepTime] = field(default_factory=dict)
    hands_on_max_s: float | None = 0.0

    @property
    def hands_on_text(self) -> str:
        return hands_on_text(self.hands_on_s, self.hands_on_max_s)


def _span(value: QRange | None) -> tuple[float, float | None]:
    return value.seconds() if value is not None else (0.0, 0.0)


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def _sum_open(values: Iterable[float | None]) -> float | None:
    total: float | None = 0.0
    for value in values:
        total = _add(total, value)
    return total


def _mul(a: float | None, n: float) -> float | None:
    return None if a is None else a * n


def program_seconds(stages: Iterable[Program]) -> tuple[float, float | None]:
    """Total (min, max) of an instrument program, cycles multiplied out."""
    lo, hi = 0.0, 0.0
    total_hi: float | None = hi
    for stage in stages:
        s_lo, s_hi = _span(stage.duration)
        if stage.stages:
            i_lo, i_hi = program_seconds(stage.stages)
            s_lo, s_hi = s_lo + i_lo, _add(s_hi, i_hi)
        times = stage.cycles or 1
        lo += s_lo * times
        total_hi = _add(total_hi, _mul(s_hi, times))
    return lo, total_hi


def _on_share(regimen: Regimen) -> float:
    """The share of each cycle with doses (21 of 28 days for a 3-weeks-on schedule)."""
    if regimen.on is None or regimen.cycle is None:
        return 1.0
    cycle, on = regimen.cycle.seconds()[0], regimen.on.seconds()[0]
    return min(on / cycle, 1.0) if cycle else 1.0


def regimen_administrations(regimen: Regimen) -> float:
    """How many times the regimen is given (42 for twice daily over 21 days)."""
    return _regimen_seconds(regimen)[2]


def _regimen_seconds(regimen: Regimen) -> tuple[float, float | None, float]:
    """(min, max, number of administrations) of a dosing regimen."""
    if regimen.for_ is not None:
        lo, hi = regimen.for_.seconds()
    elif regimen.cycle is not None:
        c_lo, c_hi = regimen.cycle.seconds()
        cycles = regimen.cycles or 1
        lo, hi = c_lo * cycles, _mul(c_hi, cycles)
    else:
        lo, hi = 0.0, 0.0
    weeks = lo / (7 * 86400)
    if regimen.days:
        per_cycle = len(regimen.days)
        doses = per_cycle * (regimen.cycles or 1)
    elif regimen.frequency:
        doses = max(1, round(_FREQUENCY_PER_WEEK[regimen.frequency] * weeks * _on_share(regimen)))
    else:
        doses = 1
    return lo, hi, doses


_DAY_FIELDS = ("frequency", "days", "cycle", "cycles", "on", "off", "for_", "start")


def same_days(first: Regimen | None, then: Regimen | None) -> bool:
    """Whether two regimens fall on the same days, so that one follows the other dose by dose.

    Nab-paclitaxel then gemcitabine on days 1, 8 and 15 of each cycle: an ``after:`` between
    them orders each day's infusions; it does not start one regimen when the other ends.
    """
    return (first is not None and then is not None
            and all(getattr(first, name) == getattr(then, name) for name in _DAY_FIELDS))


def step_time(step: Step) -> StepTime:
    """A step's elapsed and hands-on time from its hands_on, passive, repeat, program...

    Passive parts (incubate, wait, centrifuge, program, time-lapse, regimen) run one after
    the other with the hands-on part; ``repeat`` repeats hands-on and passive together.
    """
    ho_lo, ho_hi = _span(step.hands_on)
    pas_lo, pas_hi = _span(step.passive.duration if step.passive else None)
    if step.program:
        p_lo, p_hi = program_seconds(step.program)
        pas_lo, pas_hi = pas_lo + p_lo, _add(pas_hi, p_hi)
    if step.repeat is not None:
        each_lo, each_hi = _span(step.repeat.each)
        n = step.repeat.times
        ho_lo, ho_hi = ho_lo * n, _mul(ho_hi, n)
        pas_lo, pas_hi = (pas_lo + each_lo) * n, _mul(_add(pas_hi, each_hi), n)
    if step.every is not None:
        f_lo, f_hi = step.every.for_.seconds()
        i_lo, i_hi = step.every.interval.seconds()
        shots = math.floor(f_lo / (i_hi or i_lo or 1)) + 1
        most = None if f_hi is None else math.floor(f_hi / (i_lo or i_hi or 1)) + 1
        e_lo, e_hi = _span(step.every.hands_on)
        ho_lo += e_lo * shots
        ho_hi = None if most is None or e_hi is None or ho_hi is None else ho_hi + e_hi * most
        pas_lo, pas_hi = pas_lo + f_lo, _add(pas_hi, f_hi)
    if step.regimen is not None:
        r_lo, r_hi, doses = _regimen_seconds(step.regimen)
        d_lo, d_hi = _span(step.regimen.hands_on)
        ho_lo += d_lo * doses
        ho_hi = _add(ho_hi, _mul(d_hi, doses))
        pas_lo, pas_hi = pas_lo + r_lo, _add(pas_hi, r_hi)
    if step.until is not None:
        pas_hi = None
    # Hands-on time inside a time-lapse or regimen happens during its passive span.
    inside = step.every is not None or step.regimen is not None
    elapsed_lo = pas_lo if inside else ho_lo + pas_lo
    elapsed_hi = pas_hi if inside else _add(ho_hi, pas_hi)
    return StepTime(elapsed_lo, elapsed_hi, ho_lo, pas_lo, pas_hi, ho_hi)


class StepGraph:
    """The steps of one variant with their dependencies, in a topological order.

    A step without ``after:`` follows the previous active step; ``after: []`` starts a
    parallel branch.  Built only from a checked protocol (no unknown ids, no cycles).
    """

    def __init__(self, protocol: Protocol, variant: str | None = None) -> None:
        self.protocol = protocol
        self.variant = variant
        self.steps: list[Step] = protocol.active_steps(variant)
        self.by_id: dict[str, Step] = {s.id: s for s in self.steps}
        self.preds: dict[str, list[Edge]] = {s.id: [] for s in self.steps}
        self.succs: dict[str, list[Edge]] = {s.id: [] for s in self.steps}
        previous: str | None = None
        for step in self.steps:
            for edge in self._edges_into(step, previous):
                if edge.pred in self.by_id:
                    self.preds[step.id].append(edge)
                    self.succs[edge.pred].append(edge)
            previous = step.id
        self.order: list[str] = topological_order(
            [s.id for s in self.steps], {k: [e.pred for e in v] for k, v in self.preds.items()}
        )

    @staticmethod
    def _edges_into(step: Step, previous: str | None) -> list[Edge]:
        if step.after is None:
            return [Edge(previous, step.id)] if previous is not None else []
        edges = []
        for ref in step.after:
            if isinstance(ref, AfterRef):
                edges.append(Edge(ref.step, step.id, ref.gap))
            else:
                edges.append(Edge(ref, step.id))
        return edges

    def timing(self) -> Timing:
        """Critical-path minimum and maximum, hands-on and passive totals."""
        times = {s.id: step_time(s) for s in self.steps}
        end_lo: dict[str, float] = {}
        end_hi: dict[str, float | None] = {}
        best_pred: dict[str, str | None] = {}
        best_gap: dict[str, tuple[float, float | None]] = {}
        for sid in self.order:
            start_lo: float = 0.0
            start_hi: float | None = 0.0
            chosen: str | None = None
            for edge in self.preds[sid]:
                gap_lo, gap_hi = edge.gap.seconds() if edge.gap else (0.0, 0.0)
                if same_days(self.by_id[edge.pred].regimen, self.by_id[sid].regimen):
                    # dose by dose alongside it: from its start, not its end
                    pred_max = times[edge.pred].max_s
                    gap_lo -= times[edge.pred].min_s
                    gap_hi = None if gap_hi is None or pred_max is None else gap_hi - pred_max
                cand_lo = end_lo[edge.pred] + gap_lo
                if chosen is None or cand_lo > start_lo:
                    start_lo, chosen = max(start_lo, cand_lo), edge.pred
                    best_gap[sid] = (gap_lo, gap_hi)
                cand_hi = _add(end_hi[edge.pred], gap_hi)
                start_hi = None if cand_hi is None or start_hi is None else max(start_hi, cand_hi)
            end_lo[sid] = start_lo + times[sid].min_s
            end_hi[sid] = _add(start_hi, times[sid].max_s)
            best_pred[sid] = chosen
        if not self.order:
            return Timing(0.0, 0.0, 0.0, 0.0, 0.0, [], times)
        last = max(self.order, key=lambda s: end_lo[s])
        path: list[str] = []
        node: str | None = last
        while node is not None:
            path.append(node)
            node = best_pred[node]
        his = list(end_hi.values())
        max_s = None if any(h is None for h in his) else max(h for h in his if h is not None)
        passive_min = 0.0
        passive_max: float | None = 0.0
        for sid in path:
            gap_lo, gap_hi = best_gap.get(sid, (0.0, 0.0))
            passive_min += times[sid].passive_min_s + gap_lo
            passive_max = _add(_add(passive_max, times[sid].passive_max_s), gap_hi)
        return Timing(
            min_s=end_lo[last],
            max_s=max_s,
            hands_on_s=sum(t.hands_on_s for t in times.values()),
            hands_on_max_s=_sum_open(t.hands_on_max_s for t in times.values()),
            passive_min_s=passive_min,
            passive_max_s=passive_max,
            critical_path=list(reversed(path)),
            steps=times,
        )


def topological_order(nodes: list[str], preds: dict[str, list[str]]) -> list[str]:
    """Kahn's order that keeps the written order among ready steps."""
    remaining = {n: len([p for p in preds.get(n, []) if p in preds]) for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for p in preds.get(n, []):
            if p in succs:
                succs[p].append(n)
    position = {n: i for i, n in enumerate(nodes)}
    ready = sorted((n for n in nodes if remaining[n] == 0), key=position.__getitem__)
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for s in succs[node]:
            remaining[s] -= 1
            if remaining[s] == 0:
                ready.append(s)
                ready.sort(key=position.__getitem__)
    return order


def find_cycle(nodes: list[str], preds: dict[str, list[str]]) -> list[str] | None:
    """One cycle in the graph as a list of ids (first repeated at the end), or None."""
    colour: dict[str, int] = dict.fromkeys(nodes, 0)
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = 1
        stack.append(n)
        for p in preds.get(n, []):
            if p not in colour:
                continue
            if colour[p] == 1:
                return [*stack[stack.index(p) :], p]
            if colour[p] == 0 and (found := visit(p)):
                return found
        stack.pop()
        colour[n] = 2
        return None

    for n in nodes:
        if colour[n] == 0 and (found := visit(n)):
            return found
    return None
