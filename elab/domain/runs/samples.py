"""Which of the design's samples each reading of a per-sample value belongs to.

A value read once per sample (``per: lysate``, see :mod:`elab.domain.protocol.samples`)
takes its readings as ``SAMPLE: VALUE`` (``DMSO / 3 h #2: 1.8 mg/mL``), in the CLI as in the
value form; a reading without a name goes to the next sample, in the design's bench order,
that has none yet, and the event stores the sample it went to.  So the order readings are
typed in no longer decides whose reading is whose: a reading typed for lysate 7 before
lysate 6's stays lysate 7's.

Logs written before readings named their sample have readings without one; they fill the
samples without a named reading in the order they were recorded (a correction keeps the
place of the reading it corrects), which is what those readings always meant.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from elab.domain.protocol.model import Protocol, Step
from elab.domain.protocol.samples import match_sample, record_samples
from elab.domain.runs.state import RunState, ValueRecord
from elab.domain.runs.values import each_reading, split_sample
from elab.errors import ElabError, InputError, RunStateError

__all__ = ["SampleReading", "by_sample", "next_sample", "sample_readings_line", "samples_of",
           "with_samples"]


@dataclass(frozen=True)
class SampleReading:
    """One reading to record: its value name, the value as typed, and its sample ("": the
    value is not read per sample)."""

    name: str
    text: str
    sample: str = ""


def samples_of(protocol: Protocol, step_id: str, name: str) -> tuple[str, ...]:
    """The samples ``name`` at ``step_id`` is read for; () when not per sample."""
    step = next((s for s in protocol.steps if s.id == step_id), None)
    return record_samples(protocol, step.record.get(name)) if step is not None else ()


def by_sample(names: Sequence[str], values: Iterable[ValueRecord]) -> dict[str, ValueRecord]:
    """Each sample's current reading: the one naming it, else (an older log) the readings
    without a name, in recorded order, over the samples still without one."""
    current = list(values)
    known = set(names)
    found = {v.sample: v for v in current if v.sample in known}
    unnamed = sorted((v for v in current if not v.sample),
                     key=lambda v: v.corrects if v.corrects is not None else v.seq)
    free = [n for n in names if n not in found]
    found.update(zip(free, unnamed, strict=False))
    return {n: found[n] for n in names if n in found}


def _current(state: RunState, step_id: str, name: str) -> list[ValueRecord]:
    return [v for v in state.current_values() if v.step == step_id and v.name == name]


def next_sample(state: RunState, step_id: str, name: str) -> str | None:
    """The sample a reading typed without a name goes to; None when all have theirs or the
    value is not read per sample."""
    names = samples_of(state.protocol, step_id, name)
    taken = by_sample(names, _current(state, step_id, name))
    return next((n for n in names if n not in taken), None)


def with_samples(state: RunState, step: Step, values: Sequence[tuple[str, str]],
                 replacing: int | None = None) -> list[SampleReading]:
    """Each reading of ``name=r1;r2`` with the sample it is for.

    A named sample must be one of the design's and have no reading yet; an unnamed reading
    takes the next free sample.  ``replacing`` is the value event a correction replaces:
    its sample counts as free for the correction.
    """
    out: list[SampleReading] = []
    pending: dict[str, set[str]] = {}
    for name, reading in each_reading(step, values):
        spec = step.record[name]
        label, text = split_sample(reading) if spec.type != "text" else (None, reading)
        if label is not None and not text:
            raise InputError(f"value {name} for {label} is empty: give it as "
                             f"{shlex.quote(f'{name}={label}: VALUE')}")
        names = record_samples(state.protocol, spec)
        if not names:
            if label is not None:
                raise InputError(f"{name} at {step.id} is not read per sample, so "
                                 f"{reading!r} cannot name one (give the value alone)")
            out.append(SampleReading(name, reading))
            continue
        per = spec.per or "sample"
        taken = {n: v for n, v in by_sample(names, _current(state, step.id, name)).items()
                 if v.seq != replacing}
        mine = pending.setdefault(name, set())
        if label is None:
            if replacing is not None:  # the correction keeps the sample of the one it replaces
                kept = next((n for n, v in by_sample(names, _current(state, step.id, name))
                             .items() if v.seq == replacing), "")
                out.append(SampleReading(name, text, kept))
                continue
            sample = next((n for n in names if n not in taken and n not in mine), None)
            if sample is None:
                raise _no_free_sample(state.run_id, step, values, name, per,
                                      (len(names), len(taken)))
        else:
            sample = match_sample(names, label, per)
            if sample in mine:
                raise InputError(f"{per} {sample} is given two {name} readings; give it one")
            if sample in taken:
                seq = taken[sample].seq
                command = _correct_command(state.run_id, str(seq), name, f"{sample}: {text}")
                raise InputError(f"{per} {sample} already has its {name} reading (#{seq}); "
                                 f"put it right with `{command}`")
        mine.add(sample)
        out.append(SampleReading(name, text, sample))
    return out


def _no_free_sample(run_id: str, step: Step, values: Sequence[tuple[str, str]], name: str,
                    per: str, counts: tuple[int, int]) -> ElabError:
    """More readings than samples without one: how many were given, and a correction only
    when a reading is recorded to correct (``17 h_score readings given for 16 slides``)."""
    samples, recorded = counts
    given = sum(1 for n, _ in each_reading(step, values) if n == name)
    if not recorded:
        return InputError(f"{given} {name} readings given for {samples} {per}s; "
                          f"give one per {per}")
    command = _correct_command(run_id, "SEQ", name, f"{per.upper()}: VALUE")
    if recorded < samples:
        return InputError(f"{given} {name} readings given for the {samples - recorded} "
                          f"{per}s without one ({recorded} of {samples} recorded); "
                          f"put a recorded one right with `{command}`")
    return RunStateError(f"every {per} has its {name} reading ({samples} of {samples}); "
                         f"put one right with `{command}`")


def _correct_command(run_id: str, seq: str, name: str, reading: str) -> str:
    """The whole correction to type, as the count refusal of ``runs value`` gives it."""
    return (f"elab runs correct {run_id} {seq} --value {shlex.quote(f'{name}={reading}')} "
            "--reason TEXT")


def sample_readings_line(state: RunState, step_id: str, name: str) -> str | None:
    """``3 of 45 lysates: 0.1 nM / 3 h #1 2 mg/mL, DMSO / 3 h #1 0.8 mg/mL; next:
    1 nM / 3 h #1``: each reading by its sample; None when not read per sample."""
    from elab.units import format_quantity

    names = samples_of(state.protocol, step_id, name)
    if not names:
        return None
    step = state.protocol.step(step_id)
    per = step.record[name].per or "sample"
    found = by_sample(names, _current(state, step_id, name))
    shown = [f"{n} = " + (format_quantity(v.value, v.unit) if isinstance(v.value, float)
                        else str(v.value)) for n, v in found.items()]
    text = f"{len(found)} of {len(names)} {per}s" + (": " + ", ".join(shown) if shown else "")
    upcoming = next((n for n in names if n not in found), None)
    return text + (f"; next: {upcoming}" if upcoming else "")
