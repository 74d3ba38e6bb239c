"""What an undo may not do: take another operator's work back with it, or leave a value with
more current readings than it has room for.

An undo folds the run again without the events it retracts (:mod:`elab.domain.runs.fold`),
so whatever stood on them goes too: a correction bob made of my reading has nothing left to
correct, and a timer bob stopped has no start.  "Another operator's actions are never
undone" would then be untrue, silently, so such an undo is refused, naming the other
operator's event.  Taking back a correction brings its original back where it was, and a
reading may have been recorded there since (bob's reading for the lysate my correction moved
a reading away from); the run is folded as the undo would leave it, and an undo that would
give one value or one named sample two current readings is refused, saying which.

Nor may an undo change what a signature or an analysis rests on.  A signature covers the
log up to its head; taking back an event under it would leave the signature verifying
while the run it was given to reads otherwise, so such an undo is refused: a value is put
right with a correction, which the record shows as made after the signature.  (Analyses
run at completion or after it, when undo is closed; the rule holds for them all the same.)
"""

from __future__ import annotations

from collections import defaultdict

from elab.domain.runs.fold import without
from elab.domain.runs.kinds import AnalysisDone, Corrected, Signed, TimerStarted, TimerStopped
from elab.domain.runs.state import RunState, ValueRecord
from elab.domain.runs.undo import Undoable, describe_event
from elab.errors import ElabError

__all__ = ["undo_refusal"]


def undo_refusal(state: RunState, action: Undoable) -> str | None:
    """Why undoing ``action`` is refused, in one line; None when it may be undone."""
    return (_signed_or_analysed(state, action) or _others_work(state, action)
            or _too_many_readings(state, action))


def _signed_or_analysed(state: RunState, action: Undoable) -> str | None:
    """A standing signature whose head covers the action, or an analysis run after it."""
    first = action.seqs[0]
    for event in state.events:
        if event.seq <= first or event.seq in state.retracted:
            continue
        data = event.data
        if isinstance(data, Signed) and data.head_seq >= first:
            what = (f"{data.printed_name or data.signer}'s signature ({data.meaning}, "
                    f"#{event.seq}) covers")
        elif isinstance(data, AnalysisDone):
            what = f"analysis {data.hook} (#{event.seq}) was run on"
        else:
            continue
        return (f"undoing {action.what} would change what {what}; put a value right "
                "with `elab runs correct` and explain anything else with `elab runs "
                "deviate` (the record shows both after it)")
    return None


def _others_work(state: RunState, action: Undoable) -> str | None:
    """A later event, still standing, that rests on one of the action's events."""
    seqs = set(action.seqs)
    gone = state.retracted | seqs
    timers = {e.data.step: e.seq for e in action.events if isinstance(e.data, TimerStarted)}
    for event in state.events:
        if event.seq in gone or event.seq <= action.seqs[0]:
            continue
        data = event.data
        if isinstance(data, Corrected) and data.corrects in seqs:
            rests = f"which corrects #{data.corrects}"
            instead = f"correct #{event.seq} instead"
        elif isinstance(data, TimerStarted):
            timers.pop(data.step, None)  # a later timer: a stop after it is that one's
            continue
        elif isinstance(data, TimerStopped) and data.step in timers:
            rests = f"which stops the timer started in #{timers[data.step]}"
            instead = "explain it with `elab runs deviate` instead"
        else:
            continue
        return (f"undoing {action.what} would also take back {event.operator}'s "
                f"{describe_event(event)} (#{event.seq}), {rests}; another operator's work "
                f"is never undone: {instead}")
    return None


def _too_many_readings(state: RunState, action: Undoable) -> str | None:
    """A reading the undo brings back onto a value or named sample that has one now.

    Only taking back a correction brings a reading back (its original); any other undo is
    not folded again for this.
    """
    if not any(isinstance(e.data, Corrected) for e in action.events):
        return None
    before = _by_value(state)
    after = _by_value(without(state, action.seqs))
    for (step_id, name), readings in after.items():
        had = {v.seq for v in before.get((step_id, name), [])}
        back = [v for v in readings if v.seq not in had]
        if not back:
            continue
        try:
            spec = state.protocol.step(step_id).record.get(name)
        except ElabError:
            spec = None
        if spec is None:
            continue
        for v in back:
            twins = [w for w in readings if v.sample and w.sample == v.sample]
            if len(twins) > 1:
                return (f"undoing {action.what} would give {spec.per or 'sample'} "
                        f"{v.sample} two {name} readings ({_who(twins)}); "
                        f"correct #{_standing(twins, had)} instead")
        if len(readings) > max(spec.count, len(had)):
            return (f"undoing {action.what} would give {name} at {step_id} "
                    f"{len(readings)} readings where it takes {spec.count} ({_who(readings)}); "
                    f"correct #{_standing(readings, had)} instead")
    return None


def _by_value(state: RunState) -> dict[tuple[str, str], list[ValueRecord]]:
    out: dict[tuple[str, str], list[ValueRecord]] = defaultdict(list)
    for v in state.current_values():
        out[(v.step, v.name)].append(v)
    return out


def _who(readings: list[ValueRecord]) -> str:
    """``#2 by ana and #4 by bob``."""
    shown = [f"#{v.seq} by {v.operator}" if v.operator else f"#{v.seq}" for v in readings]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


def _standing(readings: list[ValueRecord], had: set[int]) -> int:
    """The reading that stands now (the latest of them), the one to correct instead."""
    return max((v.seq for v in readings if v.seq in had), default=readings[-1].seq)
