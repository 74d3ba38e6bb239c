"""Runs: the append-only, hash-chained event log of one protocol run and its fold."""

from elab.domain.runs.chain import ChainProblem, head_problem, verify_chain
from elab.domain.runs.clock import Clock, FakeClock, SystemClock
from elab.domain.runs.events import EVENT_TYPES, GENESIS, Event, event_hash, make_event
from elab.domain.runs.fold import advance, fold
from elab.domain.runs.state import RunPhase, RunState, StepPhase, StepState, TimerState

__all__ = [
    "EVENT_TYPES",
    "GENESIS",
    "ChainProblem",
    "Clock",
    "Event",
    "FakeClock",
    "RunPhase",
    "RunState",
    "StepPhase",
    "StepState",
    "SystemClock",
    "TimerState",
    "advance",
    "event_hash",
    "fold",
    "head_problem",
    "make_event",
    "verify_chain",
]
