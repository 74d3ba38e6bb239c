"""Which readings a recorded value takes: once its declared readings are in, a new one is
either a correction or a replicate the scientist says they meant.

A value declares how many readings it expects (``count``, 1 unless said).  A reading typed
again for a value that has them all would otherwise be averaged in silently (96 % and 90 %
viability shown as a mean of 93 %), which is neither what was measured nor an audit trail
of a changed value.  So it is refused, naming the reading already there and the correction
that replaces it (a ``correction`` event with a reason; the original stays), unless the
scientist says it is another reading.  A correction itself replaces exactly one reading, in
the value's declared unit when a bare number is typed, as ``runs value`` takes it.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from elab.domain.protocol.samples import record_samples
from elab.domain.runs.state import RunState, ValueRecord
from elab.domain.runs.values import split_readings
from elab.errors import ElabError, InputError
from elab.units import format_quantity

__all__ = ["corrected_values", "refuse_extra_readings"]


def refuse_extra_readings(
    state: RunState, step_id: str, values: Sequence[tuple[str, str]]
) -> None:
    """InputError when a value in ``values`` already has its declared number of readings,
    or would have more than it declares once the readings typed in this command are in.

    Seven readings typed for a value that declares six (``count: 6``) are refused as a
    seventh typed later is: one command is not a way round the limit.  Several readings typed
    together for a value that declares no count (``0.06;0.07``) are replicates meant.  A
    replicate beyond the count is said with ``--another``.  A value read per sample is
    counted by its samples instead (:func:`~elab.domain.runs.samples.with_samples`).
    """
    try:
        step = state.protocol.step(step_id)
    except ElabError:  # an unknown step: the action itself names it
        return
    for name in dict.fromkeys(name for name, _ in values):
        spec = step.record.get(name)
        if spec is None:
            continue  # the action names the unknown value
        have = [v for v in state.current_values() if v.step == step_id and v.name == name]
        if len(have) >= spec.count:
            typed = next(text for n, text in values if n == name)
            raise InputError(_complete(state.run_id, step_id, name, spec.count, have, typed))
        if "count" not in spec.model_fields_set or record_samples(state.protocol, spec):
            continue  # no declared count: replicates typed together are meant
        given = sum(len(split_readings(spec, text)) for n, text in values if n == name)
        if len(have) + given > spec.count:
            raise InputError(_too_many(name, spec.count, len(have), given))


def _too_many(name: str, count: int, have: int, given: int) -> str:
    """``7 readings given, rna_conc takes 6; add --another for a replicate``."""
    takes = f"takes {count}" if not have else f"takes {count - have} more ({have} of {count} in)"
    return (f"{given} readings given, {name} {takes}; add --another for a replicate")


def _complete(run_id: str, step_id: str, name: str, count: int, have: list[ValueRecord],
              typed: str) -> str:
    """``blank_od at read already has its reading (0.06 OD, event #5): replace it with ...``."""
    if len(have) == 1:
        one = have[0]
        what = f"its reading ({_shown(one)}, event #{one.seq})"
        seq = str(one.seq)
    else:
        its = "its " if len(have) == count else ""
        what = f"{its}{len(have)} readings ({_events(have)})"
        seq = "SEQ"
    command = (f"elab runs correct {run_id} {seq} --value {shlex.quote(f'{name}={typed}')} "
               "--reason TEXT")
    return (f"{name} at {step_id} already has {what}: replace "
            f"{'it' if len(have) == 1 else 'one'} with `{command}`, or add --another to "
            "record one more reading")


def _shown(value: ValueRecord) -> str:
    if isinstance(value.value, float) and value.unit:
        return format_quantity(value.value, value.unit)
    return str(value.value)


def _events(have: list[ValueRecord]) -> str:
    """``events #5–#7`` for readings in a row, else ``events #5, #9``."""
    seqs = [v.seq for v in have]
    if seqs == list(range(seqs[0], seqs[0] + len(seqs))):
        return f"events #{seqs[0]}–#{seqs[-1]}"
    return "events " + ", ".join(f"#{s}" for s in seqs)


def corrected_values(
    state: RunState, seq: int, values: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``values`` as a correction of event ``seq`` records them: one reading each, a bare
    number in the value's declared unit.

    InputError when the event holds another value (``event 28 is blank_od, not
    vehicle_od``), when it was corrected already (the later correction is what stands), or
    when several readings are typed for one, in one ``--value`` or in several: two values
    for one reading would either average into it or split it over two lysates.
    """
    if len(values) != 1:
        raise InputError(_one_value(seq, values))
    originals = [v for v in state.values if v.seq == seq]
    if not originals:
        raise InputError(_not_a_reading(state, seq, [name for name, _ in values]))
    out = []
    for name, text in values:
        original = next((v for v in originals if v.name == name), None)
        if original is None:
            raise InputError(_other_value(state, seq, originals, name))
        if original.corrected_by is not None:
            raise InputError(f"event {seq} ({name}) was corrected by event "
                             f"#{original.corrected_by}; correct that event instead")
        spec = state.protocol.step(original.step).record.get(name)
        readings = split_readings(spec, text) if spec is not None else [text]
        if len(readings) != 1:
            raise InputError(f"a correction replaces one reading; {name}={text} holds "
                             f"{len(readings)}")
        out.append((name, readings[0]))
    return out


def _one_value(seq: int, values: Sequence[tuple[str, str]]) -> str:
    """``a correction replaces one reading: give event 2 one --value, not 2 (blank_od=0.07,
    blank_od=0.08)``."""
    given = ", ".join(f"{name}={text}" for name, text in values)
    return (f"a correction replaces one reading: give event {seq} one --value, not "
            f"{len(values)}" + (f" ({given})" if given else ""))


def _not_a_reading(state: RunState, seq: int, names: list[str]) -> str:
    """``event 1 is not a recorded reading (vehicle_od is event #3)``."""
    what = (f"run {state.run_id} has no event {seq}; its last is #{state.last_seq}"
            if seq > state.last_seq or seq < 1 else f"event {seq} is not a recorded reading")
    return what + (_where(state, names[0]) if names else "")


def _where(state: RunState, name: str) -> str:
    """`` (vehicle_od is event #29)``: where the value's readings stand now."""
    where = [v.seq for v in state.current_values() if v.name == name]
    if len(where) == 1:
        return f" ({name} is event #{where[0]})"
    if where:
        return f" ({name} is in events {', '.join(f'#{s}' for s in where)})"
    return f" ({name} has no recorded reading)"


def _other_value(state: RunState, seq: int, originals: list[ValueRecord], name: str) -> str:
    """``event 28 is blank_od, not vehicle_od (vehicle_od is event #29)``."""
    held = ", ".join(dict.fromkeys(v.name for v in originals))
    return f"event {seq} is {held}, not {name}{_where(state, name)}"
