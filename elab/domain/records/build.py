"""Building a :class:`RunRecord` from a run's events and its protocol.

The run log is the truth; the record is a fold over it, like the TUI's state, but one that
keeps everything (every value with its time and operator, every note and correction)
instead of only the current state.  Judgements are made here: a value outside the
protocol's expected range is marked, a parameter that differs from the default is marked,
and each deviation gets a number and is attached to its step.

Events are read through :class:`EventView` — sequence number, type name, UTC time,
operator, payload and hash — so this module depends on the stored shape only through the
event type names and payload keys in :data:`EVENT_TYPES` and the ``_get`` calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from elab.domain.protocol.graph import StepGraph, step_time
from elab.domain.protocol.model import Protocol, Step
from elab.domain.records.conditions import step_conditions
from elab.domain.records.model import (
    AmendmentRow,
    AnalysisRecord,
    AttachmentRow,
    ChainStatus,
    DesignRecord,
    DeviationRow,
    EquipmentRow,
    EventRow,
    MaterialRow,
    NoteRow,
    ParameterRow,
    PlotImage,
    ResultRow,
    RunRecord,
    SignatureRow,
    StepRecord,
    TimerRow,
    ValueRow,
)
from elab.units import (
    QRange,
    format_duration,
    format_magnitude,
    format_quantity,
    format_range,
    parse_quantity,
    parse_unit,
)

__all__ = [
    "AMENDABLE",
    "EventView",
    "analysis_from_result",
    "planned_offsets",
    "protocol_yaml",
    "record_from_events",
]

# What may still be added to a completed run, and is shown under "Changes after completion".
AMENDABLE = ("note", "correction", "corrected", "attachment", "attached", "value_recorded",
             "deviation")


@dataclass(frozen=True)
class EventView:
    """One stored event as the record reads it."""

    seq: int
    type: str
    at: datetime
    operator: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)
    hash: str = ""


def _get(payload: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if key in payload and payload[key] is not None:
            return payload[key]
    return default


def planned_offsets(
    protocol: Protocol, variant: str | None = None
) -> dict[str, tuple[float, float, float | None]]:
    """Each step's planned (start, earliest end, latest end) in seconds from the run's start.

    Steps start as early as the ``after:`` graph allows, with their minimum durations, as a
    scientist who follows the protocol without waiting would.
    """
    graph = StepGraph(protocol, variant)
    end: dict[str, float] = {}
    out: dict[str, tuple[float, float, float | None]] = {}
    for sid in graph.order:
        start = 0.0
        for edge in graph.preds[sid]:
            gap = edge.gap.seconds()[0] if edge.gap else 0.0
            start = max(start, end.get(edge.pred, 0.0) + gap)
        t = step_time(graph.by_id[sid])
        end[sid] = start + t.min_s
        out[sid] = (start, start + t.min_s, None if t.max_s is None else start + t.max_s)
    return out


def _duration_text(step: Step) -> str:
    t = step_time(step)
    if t.max_s is None:
        return f"≥ {format_duration(t.min_s)}"
    if t.max_s == t.min_s:
        return format_duration(t.min_s)
    return f"{format_duration(t.min_s)}–{format_duration(t.max_s)}"


def _value_text(value: Any, unit: str | None) -> str:
    if isinstance(value, Mapping):
        unit = _get(value, "unit", default=unit)
        value = _get(value, "value", "magnitude", "text")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_quantity(float(value), unit or "")
    return str(value if value is not None else "—")


def _judged(value: Any) -> bool | None:
    """The runs service's own range verdict, when the event carries one."""
    if isinstance(value, Mapping) and value.get("in_range") is not None:
        return not bool(value["in_range"])
    return None


def _out_of_range(value: Any, unit: str | None, allowed: QRange | None) -> bool:
    """Whether a value lies outside the protocol's range (False when it cannot be said)."""
    if allowed is None:
        return False
    if isinstance(value, Mapping):
        unit = _get(value, "unit", default=unit)
        value = _get(value, "value", "magnitude")
    try:
        if isinstance(value, str):
            got = parse_quantity(value, negative=True)
            magnitude, unit = got.planned, got.unit
        elif isinstance(value, int | float) and not isinstance(value, bool):
            magnitude = float(value)
            unit = parse_unit(unit) if unit else allowed.unit
        else:
            return False
        return not allowed.contains(magnitude, unit or allowed.unit)
    except (ValueError, TypeError, AssertionError):
        return False


@dataclass
class _StepAcc:
    started: datetime | None = None
    done: datetime | None = None
    skipped: str | None = None
    operator: str = ""
    timers: list[TimerRow] = field(default_factory=list)
    open_timer: tuple[datetime, float | None] | None = None
    values: list[ValueRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    deviations: list[int] = field(default_factory=list)


def record_from_events(
    protocol: Protocol,
    events: Sequence[EventView],
    *,
    run_id: str,
    protocol_sha256: str,
    chain: ChainStatus,
    now: datetime,
    parameters: Mapping[str, str] | None = None,
    variant: str | None = None,
    signatures: Iterable[SignatureRow] = (),
    analyses: Iterable[AnalysisRecord] = (),
    plate_svg: str = "",
    plate_text: str = "",
    elab_version: str = "",
    local_tz: tzinfo | None = None,
) -> RunRecord:
    """The record of one run: its protocol as run, folded with every event in order."""
    signatures = tuple(signatures)
    steps_by_id = {s.id: s for s in protocol.active_steps(variant)}
    acc: dict[str, _StepAcc] = {sid: _StepAcc() for sid in steps_by_id}
    deviations: list[DeviationRow] = []
    run_notes: list[NoteRow] = []
    lots: dict[str, tuple[str, str, datetime]] = {}
    attachments: list[AttachmentRow] = []
    operators: list[str] = []
    started: datetime | None = None
    ended: datetime | None = None
    state = "running"
    values_at: dict[int, tuple[str, int]] = {}
    content: Mapping[str, Any] | None = None
    completed_seq: int | None = None

    def deviate(step: str | None, kind: str, note: str, ev: EventView) -> None:
        number = len(deviations) + 1
        deviations.append(DeviationRow(number, step, kind, note, ev.at, ev.operator, ev.seq))
        if step in acc:
            acc[step].deviations.append(number)

    # An undo (``retracted``) takes events back: the record folds as if they had not
    # happened and says what was taken back, like the run's own state.
    retracted = {int(s) for e in events if e.type == "retracted"
                 for s in _get(e.payload, "retracts", default=[]) or []}
    for ev in events:
        p = ev.payload
        if ev.seq in retracted:
            continue
        if ev.type == "retracted":
            run_notes.append(NoteRow(None, f"retracted (undo): {_get(p, 'what', default='')}",
                                     ev.at, ev.operator))
            continue
        if ev.operator and ev.operator not in operators:
            operators.append(ev.operator)
        step = _get(p, "step")
        a = acc.get(step) if isinstance(step, str) else None
        kind = ev.type
        if kind in ("started", "run_started"):
            started = ev.at
            variant = variant or _get(p, "variant")
            parameters = parameters or _get(p, "parameters", "params")
            stored = _get(p, "content")
            content = stored if isinstance(stored, Mapping) else None
        elif kind in ("step_started",) and a is not None:
            a.started = a.started or ev.at
            a.operator = a.operator or ev.operator
        elif kind in ("step_done", "step_completed") and a is not None:
            a.done = ev.at  # never taken as its start: that would be a made-up time
            a.operator = a.operator or ev.operator
            for name, value in (_get(p, "values", default={}) or {}).items():
                _add_value(a, steps_by_id[step], name, value, ev, values_at)
            note = _get(p, "note")
            if note:
                a.notes.append(NoteRow(step, str(note), ev.at, ev.operator, ev.seq))
        elif kind in ("step_skipped", "skipped") and a is not None:
            a.skipped = str(_get(p, "note", "reason", default=""))
        elif kind == "timer_started" and a is not None:
            planned = _get(p, "min_s", "planned_s", "duration_s")
            if steps_by_id[step].until:  # a stopwatch: the step ends when the sign is seen
                planned = None
            a.open_timer = (ev.at, float(planned) if planned is not None else None)
            a.started = a.started or ev.at
        elif kind == "timer_stopped" and a is not None and a.open_timer is not None:
            t0, planned = a.open_timer
            a.timers.append(TimerRow(t0, ev.at, planned, (ev.at - t0).total_seconds()))
            a.open_timer = None
        elif kind in ("value_recorded", "value") and a is not None:
            _add_value(a, steps_by_id[step], str(_get(p, "name")), _stored_value(p), ev,
                       values_at)
        elif kind in ("correction", "corrected"):
            _correct(acc, steps_by_id, p, ev, values_at)
        elif kind == "deviation":
            deviate(step if isinstance(step, str) else None,
                    str(_get(p, "kind", default="manual")), str(_get(p, "note", default="")), ev)
        elif kind == "note":
            note_row = NoteRow(step if isinstance(step, str) else None,
                               str(_get(p, "text", "note", default="")), ev.at, ev.operator,
                               ev.seq)
            (a.notes if a is not None else run_notes).append(note_row)
        elif kind in ("lot_recorded", "lot"):
            lots[str(_get(p, "material"))] = (str(_get(p, "lot", default="")),
                                              str(_get(p, "expiry", default="") or ""), ev.at)
        elif kind in ("attached", "attachment"):
            attachments.append(AttachmentRow(
                str(_get(p, "name", default="")), str(_get(p, "filename", "file", default="")),
                int(_get(p, "size", default=0)), str(_get(p, "sha256", default="")), ev.at,
                ev.seq, ev.operator))
        elif kind in ("completed", "aborted"):
            ended = ev.at
            state = kind
            completed_seq = ev.seq
        elif kind == "paused":
            state = "paused"
        elif kind == "resumed":
            state = "running"

    return RunRecord(
        run_id=run_id,
        protocol_id=protocol.id,
        protocol_title=protocol.title,
        protocol_version=str(protocol.version),
        protocol_sha256=protocol_sha256,
        state=state,
        operators=tuple(operators),
        started_at=started,
        ended_at=ended,
        chain=chain,
        generated_at=now,
        variant=variant or "",
        variant_label=protocol.variants.get(variant or "", ""),
        summary=protocol.summary or "",
        parameters=(param_rows := _parameter_rows(protocol, parameters or {})),
        steps=_step_rows(protocol, variant, acc, started,
                         {p.name: p.value for p in param_rows}),
        deviations=tuple(deviations),
        run_notes=tuple(run_notes),
        materials=_material_rows(protocol, lots),
        equipment=_equipment_rows(protocol, variant),
        attachments=tuple(attachments),
        design=_design(protocol, plate_svg, plate_text),
        analyses=tuple(analyses),
        signatures=signatures,
        events=tuple(EventRow(e.seq, e.at, e.type, e.operator,
                              str(_get(e.payload, "step", default="")), e.hash) for e in events),
        amendments=_amendments(events, completed_seq, signatures),
        completed_seq=completed_seq,
        protocol_yaml=protocol_yaml(content) if content is not None else "",
        elab_version=elab_version,
        local_tz=local_tz,
    )


def protocol_yaml(content: Mapping[str, Any]) -> str:
    """The resolved protocol content a run stored at its start, as YAML people can read."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 88
    out = io.StringIO()
    yaml.dump(_plain(content), out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """JSON-like data with mappings and lists as the plain types a YAML dumper accepts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _amendment_text(ev: EventView) -> str:
    p = ev.payload
    if ev.type in ("note",):
        return str(_get(p, "text", "note", default=""))
    if ev.type in ("correction", "corrected"):
        value = _value_text(_stored_value(p), None)
        return (f"{_get(p, 'name', default='value')} = {value}, corrects "
                f"#{_get(p, 'corrects', 'seq', default='?')}: {_get(p, 'reason', default='')}")
    if ev.type in ("attachment", "attached"):
        return (f"{_get(p, 'name', default='')}: {_get(p, 'filename', 'file', default='')}, "
                f"SHA-256 {_get(p, 'sha256', default='')}")
    if ev.type == "deviation":
        return str(_get(p, "note", default=""))
    return f"{_get(p, 'name', default='')} = {_value_text(_stored_value(p), None)}"


def _amendments(
    events: Sequence[EventView], completed_seq: int | None, signatures: Sequence[SignatureRow]
) -> tuple[AmendmentRow, ...]:
    """Events added after completion, each with the signatures it came after.

    A signature given before an amendment covers the run without it: the reader sees which
    sign-offs an added note, correction or file postdates.
    """
    if completed_seq is None:
        return ()
    rows = []
    for ev in events:
        if ev.seq <= completed_seq or ev.type not in AMENDABLE:
            continue
        before = tuple(
            f"{s.meaning} by {s.printed_name or s.signer}"
            + (f" (#{s.seq})" if s.seq is not None else "")
            for s in signatures if s.head_seq < ev.seq and (s.seq is None or s.seq < ev.seq)
        )
        rows.append(AmendmentRow(ev.seq, ev.at, ev.type, _amendment_text(ev), ev.operator,
                                 str(_get(ev.payload, "step", default="") or ""), before))
    return tuple(rows)


def _stored_value(p: Mapping[str, Any]) -> Any:
    """A value event's value: a magnitude with its unit (and the service's range verdict)."""
    if "unit" in p or "in_range" in p:
        return {"value": p.get("value"), "unit": p.get("unit") or None,
                "in_range": p.get("in_range"), "text": p.get("text")}
    return p.get("value")


def _add_value(
    a: _StepAcc, step: Step, name: str, value: Any, ev: EventView,
    values_at: dict[int, tuple[str, int]],
) -> None:
    spec = step.record.get(name)
    unit = spec.unit if spec is not None else None
    allowed = spec.range if spec is not None else None
    expected = format_range(allowed) if allowed is not None else ""
    values_at[ev.seq] = (step.id, len(a.values))
    verdict = _judged(value)
    a.values.append(ValueRow(
        name=name, value=_value_text(value, unit), expected=expected,
        out_of_range=verdict if verdict is not None else _out_of_range(value, unit, allowed),
        at=ev.at, operator=ev.operator, seq=ev.seq,
    ))


def _correct(
    acc: dict[str, _StepAcc], steps: Mapping[str, Step], p: Mapping[str, Any], ev: EventView,
    values_at: dict[int, tuple[str, int]],
) -> None:
    """A correction adds a value row that names the event it corrects; the original stays."""
    target = _get(p, "seq", "corrects")
    where = values_at.get(int(target)) if target is not None else None
    sid = where[0] if where else _get(p, "step")
    if not isinstance(sid, str) or sid not in acc:
        return
    values = _get(p, "values", default=None) or {str(_get(p, "name")): _stored_value(p)}
    reason = str(_get(p, "reason", default=""))
    rows = acc[sid].values
    for name, value in values.items():
        _add_value(acc[sid], steps[sid], name, value, ev, values_at)
        rows[-1] = replace(rows[-1], corrects=int(target) if target is not None else None,
                           reason=reason)
        for i, old in enumerate(rows[:-1]):  # the original is struck through, never hidden
            if old.name == name and target is not None and old.seq == int(target):
                rows[i] = replace(old, replaced_by=ev.seq, replaced_reason=reason,
                                  replaced_operator=ev.operator, replaced_at=ev.at)


def _parameter_rows(protocol: Protocol, used: Mapping[str, Any]) -> tuple[ParameterRow, ...]:
    rows = []
    for name, param in protocol.parameters.items():
        default = format_range(param.default)
        value = used.get(name)
        shown = _value_text(value, None) if value is not None else default
        if isinstance(value, str):
            try:
                shown = format_range(parse_quantity(value, negative=True))
            except ValueError:
                shown = value
        rows.append(ParameterRow(name, shown, default, value is not None and shown != default,
                                 param.description or ""))
    return tuple(rows)


_PARAM_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _as_run(text: str, values: Mapping[str, str]) -> str:
    """A step's text with ``$param`` replaced by the value the run used (as in the record's
    parameter table), so the instructions read as they were carried out."""
    return _PARAM_REF.sub(lambda m: values.get(m.group(1), m.group(0)), " ".join(text.split()))


def _step_rows(
    protocol: Protocol, variant: str | None, acc: Mapping[str, _StepAcc],
    started: datetime | None, values: Mapping[str, str] | None = None,
) -> tuple[StepRecord, ...]:
    offsets = planned_offsets(protocol, variant) if started is not None else {}
    rows = []
    for step in protocol.active_steps(variant):
        a = acc[step.id]
        off = offsets.get(step.id)
        planned_start = planned_end = None
        if started is not None and off is not None:
            planned_start = started + timedelta(seconds=off[0])
            planned_end = started + timedelta(seconds=off[1])
        state = "skipped" if a.skipped is not None else "done" if a.done else "not done"
        duration = None
        if a.started is not None and a.done is not None:
            duration = (a.done - a.started).total_seconds()
        rows.append(StepRecord(
            id=step.id, title=step.title, state=state, optional=step.optional,
            text=_as_run(step.text or "", values or {}),
            conditions=step_conditions(step, protocol), until=step.until or "",
            planned_start=planned_start, planned_end=planned_end,
            planned_duration=_duration_text(step),
            actual_start=a.started, actual_end=a.done, actual_duration_s=duration,
            timers=tuple(a.timers), values=tuple(a.values), notes=tuple(a.notes),
            deviations=tuple(a.deviations), skip_note=a.skipped or "", operator=a.operator,
        ))
    return tuple(rows)


def _material_rows(
    protocol: Protocol, lots: Mapping[str, tuple[str, str, datetime]]
) -> tuple[MaterialRow, ...]:
    """Materials with their lots; a lot is expired if it was past its date when recorded."""

    def expired(expiry: str, used: datetime | None) -> bool:
        return bool(expiry) and used is not None and expiry[:10] < used.date().isoformat()

    rows = []
    for mid, m in protocol.materials.items():
        lot, expiry, used = lots.get(mid, ("", "", None))
        details = [f"stock {format_range(m.stock)}" if m.stock is not None else "",
                   f"{format_range(m.concentration)}" if m.concentration is not None else "",
                   f"dilution {m.dilution}" if m.dilution is not None else "",
                   f"target {m.target}" if m.target else "",
                   f"clone {m.clone}" if m.clone else "",
                   f"host {m.host}" if m.host else "",
                   f"storage {m.storage}" if m.storage else "", m.note or ""]
        rows.append(MaterialRow(mid, m.name, lot, expiry, expired(expiry, used),
                                m.supplier or "", m.catalog or "",
                                "; ".join(d for d in details if d)))
    for mid, (lot, expiry, used) in lots.items():
        if mid not in protocol.materials:
            rows.append(MaterialRow(mid, mid, lot, expiry, expired(expiry, used)))
    return tuple(rows)


_KIND_BY_USE = {"centrifuge": "centrifuge", "incubate": "incubation", "wait": "holding"}


def _equipment_rows(protocol: Protocol, variant: str | None) -> tuple[EquipmentRow, ...]:
    """Equipment with the steps that used it; its kind as declared, else from its use.

    Protocols rarely declare ``kind``; a device booked by a ``centrifuge:`` step is a
    centrifuge, one booked by ``incubate:`` is for incubation, one named in a step's list is
    bench equipment.
    """
    used: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for step in protocol.active_steps(variant):
        for eid in step.booked_equipment():
            used.setdefault(eid, []).append(step.id)
        for word, kind in _KIND_BY_USE.items():
            passive = getattr(step, word)
            if passive is not None and passive.equipment:
                kinds.setdefault(passive.equipment, kind)
        for eid in step.equipment:
            kinds.setdefault(eid, "bench equipment")
    return tuple(
        EquipmentRow(eid, e.name, e.kind or kinds.get(eid, "not used in this run"),
                     tuple(used.get(eid, ())))
        for eid, e in protocol.equipment.items()
    )


def _design(protocol: Protocol, plate_svg: str, plate_text: str) -> DesignRecord | None:
    d = protocol.design
    if d is None:
        return None
    lines = [f"{f.name}: {', '.join(str(level) for level in f.levels)}"
             + (f" ({f.unit})" if f.unit else "") for f in d.factors]
    lines.append(f"{d.replicates} replicate(s) per condition; {d.sample_count} {d.unit}(s)")
    lines += [f"control {c.name} ({c.kind}) × {c.count}" for c in d.controls]
    if d.vehicle is not None:
        lines.append(f"vehicle: {d.vehicle.material} at {format_range(d.vehicle.final)}")
    if d.plate:
        lines.append(f"{d.plate}-well plate")
    return DesignRecord(tuple(lines), d.sample_count, plate_svg, plate_text)


def _cell(value: Any) -> str:
    """One result value for a table: quantities with units and CIs, numbers to 4 figures."""
    if isinstance(value, Mapping) and "value" in value:
        number = value.get("value")
        unit = str(value.get("unit") or "")
        if number is None:
            return "—"
        text = format_quantity(float(number), parse_unit(unit) if unit else "")
        ci = value.get("ci95")
        if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci:
            text += f" (95 % CI {format_magnitude(float(ci[0]))}–{format_magnitude(float(ci[1]))})"
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_magnitude(value)
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return "—" if value is None else str(value)


def analysis_from_result(
    hook: str,
    result: Mapping[str, Any],
    plots: Iterable[PlotImage] = (),
    error: str = "",
    order: Sequence[str] = (),
) -> AnalysisRecord:
    """A hook's JSON result (``AnalysisResult.to_json()``) as a table of numbers.

    The first text-valued key of the results (``group``, ``curve``...) labels the rows; every
    other key is a column, in the hook's ``order`` (its declared result keys) where given.
    """
    rows_in = [r for r in result.get("results", []) if isinstance(r, Mapping)]
    keys: list[str] = []
    for row in rows_in:
        keys += [k for k in row if k not in keys]
    rank = {k: n for n, k in enumerate(order)}
    keys.sort(key=lambda k: rank.get(k, len(rank)))  # stored JSON sorts keys; the hook's order
    label = next((k for k in keys if all(isinstance(r.get(k, ""), str) for r in rows_in)), "")
    columns = [k for k in keys if k != label]
    rows = tuple(
        ResultRow(str(r.get(label, "")) if label else str(i + 1),
                  tuple(_cell(r.get(k)) for k in columns))
        for i, r in enumerate(rows_in)
    )
    return AnalysisRecord(
        hook=hook,
        method=str(result.get("method", "")),
        columns=(label or "#", *columns),
        rows=rows,
        warnings=tuple(str(w) for w in result.get("warnings", [])),
        plots=tuple(plots),
        error=error,
        headline=tuple(str(h) for h in result.get("headline", [])),
    )
