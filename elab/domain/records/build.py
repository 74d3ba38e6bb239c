"""Building a :class:`RunRecord` from a run's folded state and its timeline.

The run log is the truth; the fold (:mod:`elab.domain.runs.fold`) reads it once into the
:class:`RunState` that the TUI, the CLI and this builder share, so the record can never say
something about a run that the bench screen does not.  The record keeps more than the bench
needs (every value with its time and operator, each correction beside the original it
strikes through, the whole event timeline) and makes the judgements: a value outside the
protocol's expected range is marked, a parameter that differs from its default is marked,
and each deviation gets a number and is shown at its step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo

from elab.domain.protocol.model import Step
from elab.domain.records.analysis_rows import analysis_from_result
from elab.domain.records.conditions import step_conditions
from elab.domain.records.model import (
    AmendmentRow,
    AnalysisRecord,
    AttachmentRow,
    ChainStatus,
    DeviationRow,
    EventRow,
    NoteRow,
    RunRecord,
    SignatureRow,
    StepRecord,
    TimerRow,
    ValueRow,
)
from elab.domain.records.protocol_rows import (
    as_run,
    design_record,
    duration_text,
    equipment_rows,
    material_rows,
    parameter_rows,
    planned_offsets,
    protocol_yaml,
    value_text,
)
from elab.domain.runs.clock import parse_iso
from elab.domain.runs.kinds import (
    AnalysisDone,
    Attached,
    Corrected,
    DeviationNoted,
    NoteAdded,
    ValueRecorded,
)
from elab.domain.runs.state import RunState, StepPhase, StepState, ValueRecord
from elab.units import QRange, format_range, parse_quantity, parse_unit

__all__ = [
    "AMENDABLE",
    "analysis_from_result",
    "planned_offsets",
    "protocol_yaml",
    "record_from_run",
]

# What may still be added to a completed run, and is shown under "Changes after completion".
AMENDABLE = (NoteAdded.TYPE, Corrected.TYPE, Attached.TYPE, ValueRecorded.TYPE,
             DeviationNoted.TYPE, AnalysisDone.TYPE)


def record_from_run(
    state: RunState,
    *,
    chain: ChainStatus,
    now: datetime,
    signatures: Iterable[SignatureRow] = (),
    analyses: Iterable[AnalysisRecord] = (),
    plate_svg: str = "",
    plate_text: str = "",
    elab_version: str = "",
    local_tz: tzinfo | None = None,
    planned: Mapping[str, tuple[datetime, datetime]] | None = None,
    planned_note: str = "",
) -> RunRecord:
    """The record of one run: its protocol as run, with everything the fold kept.

    ``planned`` holds each step's planned (start, end) as the caller planned it (the record
    service plans on the lab calendar); a step it does not name is laid along the step
    graph from the run's start, without working hours.  ``planned_note`` says, once, how
    the planned times were made.
    """
    signatures = tuple(signatures)
    protocol = state.protocol
    deviations = _deviation_rows(state)
    params = parameter_rows(protocol, state.params)
    return RunRecord(
        run_id=state.run_id,
        protocol_id=protocol.id,
        protocol_title=protocol.title,
        protocol_version=str(protocol.version),
        protocol_sha256=state.protocol_sha256,
        state=state.state.value,
        operators=tuple(state.operators),
        started_at=state.started_at,
        ended_at=state.ended_at,
        chain=chain,
        generated_at=now,
        variant=state.variant or "",
        variant_label=protocol.variants.get(state.variant or "", ""),
        summary=protocol.summary or "",
        parameters=params,
        steps=_step_rows(state, deviations, {p.name: p.as_written for p in params},
                         planned or {}),
        planned_note=planned_note, planned_on_calendar=bool(planned),
        deviations=deviations,
        run_notes=_run_notes(state),
        materials=material_rows(protocol, {
            lot.data.material: (lot.data.lot, lot.data.expiry or "", lot.at)
            for lot in state.lots}, state.variant),
        equipment=equipment_rows(protocol, state.variant),
        attachments=tuple(AttachmentRow(a.data.name, a.data.filename, a.data.size,
                                        a.data.sha256, a.at, a.seq, a.operator)
                          for a in state.attachments),
        design=design_record(protocol, plate_svg, plate_text),
        analyses=tuple(analyses),
        signatures=signatures,
        events=tuple(EventRow(e.seq, parse_iso(e.at), e.type, e.operator,
                              str(e.payload.get("step") or ""), e.hash) for e in state.events),
        amendments=_amendments(state, signatures),
        completed_seq=state.ended_seq,
        protocol_yaml=protocol_yaml(state.content),
        elab_version=elab_version,
        local_tz=local_tz,
    )


def _deviation_rows(state: RunState) -> tuple[DeviationRow, ...]:
    return tuple(DeviationRow(n, d.step, d.kind, d.note, d.at, d.operator, d.seq)
                 for n, d in enumerate(state.deviations, start=1))


def _run_notes(state: RunState) -> tuple[NoteRow, ...]:
    """Notes not tied to a step of the run, and what each undo took back, in log order."""
    notes = [NoteRow(n.data.step, n.data.text, n.at, n.operator, n.seq) for n in state.notes
             if n.data.step not in state.steps]
    notes += [NoteRow(None, f"retracted (undo): {r.what}", r.at, r.operator, r.seq)
              for r in state.retractions]
    return tuple(sorted(notes, key=lambda n: n.seq or 0))


def _step_rows(
    state: RunState, deviations: Sequence[DeviationRow], parameters: Mapping[str, str],
    planned: Mapping[str, tuple[datetime, datetime]],
) -> tuple[StepRecord, ...]:
    offsets = planned_offsets(state.protocol, state.variant)
    rows = []
    for step in state.protocol.active_steps(state.variant):
        st = state.steps[step.id]
        start, end, _ = offsets[step.id]
        planned_start, planned_end = planned.get(step.id) or (
            state.started_at + timedelta(seconds=start), state.started_at + timedelta(seconds=end))
        done_at = st.done_at if st.state == StepPhase.DONE else None
        duration = None
        if st.started_at is not None and done_at is not None:
            duration = (done_at - st.started_at).total_seconds()
        rows.append(StepRecord(
            id=step.id, title=step.title, state=_step_word(st), optional=step.optional,
            text=as_run(step.text or "", parameters),
            conditions=step_conditions(step, state.protocol, state.variant),
            until=step.until or "",
            planned_start=planned_start, planned_end=planned_end,
            planned_duration=duration_text(step),
            actual_start=st.started_at, actual_end=done_at, actual_duration_s=duration,
            timers=_timer_rows(step, st), values=_value_rows(state, step),
            notes=tuple(NoteRow(step.id, n.data.text, n.at, n.operator, n.seq)
                        for n in state.notes if n.data.step == step.id),
            deviations=tuple(d.number for d in deviations if d.step == step.id),
            skip_note=st.skip_note, operator=st.operator or "",
        ))
    return tuple(rows)


def _step_word(st: StepState) -> str:
    if st.state == StepPhase.SKIPPED:
        return "skipped"
    return "done" if st.state == StepPhase.DONE else "not done"


def _timer_rows(step: Step, st: StepState) -> tuple[TimerRow, ...]:
    """Timers that ran and stopped; a stopwatch (``until``) has no planned length."""
    return tuple(
        TimerRow(t.started_at, t.stopped_at, None if step.until else t.min_s,
                 (t.stopped_at - t.started_at).total_seconds())
        for t in st.timings if t.stopped_at is not None
    )


def _value_rows(state: RunState, step: Step) -> tuple[ValueRow, ...]:
    """Every value of the step in log order; a corrected original is struck, never hidden."""
    mine = [v for v in state.values if v.step == step.id]
    by_seq = {(v.seq, v.name): v for v in mine}
    samples = _samples_by_seq(state, step)
    rows = []
    for v in mine:
        spec = step.record.get(v.name)
        allowed = spec.range if spec is not None else None
        unit = v.unit or (spec.unit if spec is not None else None)
        later = by_seq.get((v.corrected_by, v.name)) if v.corrected_by is not None else None
        rows.append(ValueRow(
            name=v.name, value=_shown(v, unit),
            expected=format_range(allowed) if allowed is not None else "",
            out_of_range=(not v.in_range) if v.in_range is not None
            else _out_of_range(v.value, unit, allowed),
            at=v.at, operator=v.operator, seq=v.seq, corrects=v.corrects,
            reason=v.reason or "",
            replaced_by=v.corrected_by,
            replaced_reason=(later.reason or "") if later is not None else "",
            replaced_operator=later.operator if later is not None else "",
            replaced_at=later.at if later is not None else None,
            sample=samples.get(v.seq, "") if v.corrected_by is None
            else _replaced_sample(state, step, v),
        ))
    return tuple(rows)


def _samples_by_seq(state: RunState, step: Step) -> dict[int, str]:
    """value seq -> ``lysate DMSO / 3 h #2``: the sample each current reading is for (a
    reading of an older log, which named none, by its place in the recorded order)."""
    from elab.domain.runs.samples import by_sample, samples_of

    out: dict[int, str] = {}
    for name, spec in step.record.items():
        names = samples_of(state.protocol, step.id, name)
        if names:
            current = [v for v in state.current_values() if v.step == step.id and v.name == name]
            out.update({v.seq: f"{spec.per} {sample}"
                        for sample, v in by_sample(names, current).items()})
    return out


def _replaced_sample(state: RunState, step: Step, v: ValueRecord) -> str:
    """``lysate 10 nM / 3 h #1``: the sample a corrected reading was for, its own and not its
    correction's (a correction may move a reading to another lysate): the one it named, or
    (an older log) the one it stood for among the readings current until its correction."""
    from elab.domain.runs.samples import by_sample, samples_of

    spec = step.record.get(v.name)
    names = samples_of(state.protocol, step.id, v.name)
    if spec is None or not names:
        return ""
    if v.sample:
        return f"{spec.per} {v.sample}"
    until = v.corrected_by or 0
    then = [w for w in state.values if w.step == step.id and w.name == v.name
            and w.seq < until and (w.corrected_by is None or w.corrected_by >= until)]
    return next((f"{spec.per} {sample}" for sample, w in by_sample(names, then).items()
                 if w.seq == v.seq), "")


def _shown(v: ValueRecord, unit: str | None) -> str:
    return value_text(v.value if v.value != "" else v.text, unit)


def _out_of_range(value: float | str, unit: str | None, allowed: QRange | None) -> bool:
    """Whether a value lies outside the protocol's range (False when it cannot be said)."""
    if allowed is None:
        return False
    try:
        if isinstance(value, str):
            got = parse_quantity(value, negative=True)
            magnitude, unit = got.planned, got.unit
        else:
            magnitude = float(value)
            unit = parse_unit(unit) if unit else allowed.unit
        return not allowed.contains(magnitude, unit or allowed.unit)
    except (ValueError, TypeError, AssertionError):
        return False


def _amendment_text(data: object) -> str:
    match data:
        case NoteAdded(text=text) | DeviationNoted(note=text):
            return text
        case Corrected():
            shown = value_text(data.value if data.value is not None else data.text, data.unit)
            return f"{data.name} = {shown}, corrects #{data.corrects}: {data.reason}"
        case Attached():
            return f"{data.name}: {data.filename}, SHA-256 {data.sha256}"
        case ValueRecorded():
            shown = value_text(data.value if data.value is not None else data.text, data.unit)
            return f"{data.name} = {shown}"
        case AnalysisDone():
            headline = "; ".join(str(h) for h in (data.result or {}).get("headline") or [])
            return f"{data.hook} run again" + (f": {headline}" if headline else "")
    return ""


def _amendments(state: RunState, signatures: Sequence[SignatureRow]) -> tuple[AmendmentRow, ...]:
    """Events added after completion, each with the signatures it came after.

    A signature given before an amendment covers the run without it: the reader sees which
    sign-offs an added note, correction or file postdates.
    """
    if state.ended_seq is None:
        return ()
    rows = []
    for ev in state.events:
        if ev.seq <= state.ended_seq or ev.type not in AMENDABLE:
            continue
        before = tuple(
            f"{s.meaning} by {s.printed_name or s.signer}"
            + (f" (#{s.seq})" if s.seq is not None else "")
            for s in signatures if s.head_seq < ev.seq and (s.seq is None or s.seq < ev.seq)
        )
        rows.append(AmendmentRow(ev.seq, parse_iso(ev.at), ev.type, _amendment_text(ev.data),
                                 ev.operator, str(ev.payload.get("step") or ""), before))
    return tuple(rows)

