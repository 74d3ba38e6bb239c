"""The ``runs status --json`` document: the contract scripts rely on, from a run's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elab.domain.runs import RunState
from elab.domain.runs.clock import iso
from elab.domain.runs.derived import derived_for_run, sample_lines
from elab.domain.runs.readings import readings_kind, readings_line
from elab.domain.runs.samples import by_sample, sample_readings_line, samples_of

__all__ = ["status_json"]


def status_json(state: RunState, now: datetime) -> dict[str, Any]:
    """The ``runs status --json`` contract: run, protocol, state, steps, timers, deviations."""
    return {
        "run": state.run_id,
        "protocol": state.protocol.id,
        "title": state.protocol.title,
        "protocol_sha256": state.protocol_sha256,
        "variant": state.variant,
        "params": state.params,
        "state": state.state,
        "operators": state.operators,
        "started_at": iso(state.started_at),
        "ended_at": iso(state.ended_at) if state.ended_at else None,
        "last_seq": state.last_seq,
        "head_hash": state.head_hash,
        "steps": [
            {
                "id": sid,
                "title": state.steps[sid].title,
                "state": state.steps[sid].state,
                "by": state.steps[sid].operator,
            }
            for sid in state.graph.order
        ],
        "timers": [
            {
                "step": t.step,
                "started_at": iso(t.started_at),
                "running": t.running,
                "remaining_s": round(t.remaining_s(now), 3),
                "remaining_max_s": None
                if t.remaining_max_s(now) is None
                else round(t.remaining_max_s(now) or 0.0, 3),
                "elapsed_s": round(t.elapsed_s(now), 3),
            }
            for t in state.timers.values()
        ],
        "values": [
            {
                "seq": v.seq,
                "step": v.step,
                "name": v.name,
                "value": v.value,
                "unit": v.unit,
                "in_range": v.in_range,
                "corrected_by": v.corrected_by,
                "sample": v.sample or None,
            }
            for v in state.values
        ],
        "deviations": [
            {
                "seq": d.seq,
                "step": d.step,
                "kind": d.kind,
                "note": d.note,
                "expected": d.expected,
                "actual": d.actual,
            }
            for d in state.deviations
        ],
        "lots": [{**lot.data.to_payload(), "seq": lot.seq, "at": iso(lot.at)}
                 for lot in state.lots],
        "unreadable": [{"seq": seq, "problem": why} for seq, why in state.unreadable],
        "retractions": [
            {"seq": r.seq, "retracts": list(r.retracts), "what": r.what, "operator": r.operator}
            for r in state.retractions
        ],
        "attachments": [{**a.data.to_payload(), "seq": a.seq, "at": iso(a.at)}
                        for a in state.attachments],
        "analyses": [{"hook": a.data.hook, "error": a.data.error, "seq": a.seq, "at": iso(a.at),
                      "operator": a.operator, "after_completion": state.ended_seq is not None
                      and a.seq > state.ended_seq,
                      "headline": [str(h) for h in (a.data.result or {}).get("headline", [])]}
                     for a in state.analyses],
        "signatures": [{"signer": g.data.signer, "meaning": g.data.meaning, "at": g.data.at,
                        "head_seq": g.data.head_seq, "seq": g.seq} for g in state.signatures],
        "derived": _derived(state),
        "readings": _readings(state),
        "sample_lines": _sample_lines(state),
    }


def _sample_lines(state: RunState) -> list[dict[str, str]]:
    """Each named sample's readings and derived values in one line, at the deriving step."""
    return [{"step": step, "text": line}
            for step, values in derived_for_run(state).items() for line in sample_lines(values)]


def _readings(state: RunState) -> list[dict[str, Any]]:
    """Each recorded value's readings in one line: replicates with their mean and SD,
    per-sample readings (one per lysate) with their range, never a mean across samples."""
    grouped: dict[tuple[str, str], list[tuple[float | str, str]]] = {}
    for v in state.current_values():
        grouped.setdefault((v.step, v.name), []).append((v.value, v.unit))
    out = []
    for (step, name), found in grouped.items():
        kind = readings_kind(state.protocol, step, name)
        named = sample_readings_line(state, step, name)
        out.append({"step": step, "name": name, "per": kind.per, "expected": kind.expected,
                    "n": len(found), "text": named or readings_line(found, kind),
                    "samples": _samples(state, step, name) if named else None})
    return out


def _samples(state: RunState, step: str, name: str) -> list[dict[str, Any]]:
    """Each of the design's samples with its reading (null until it has one)."""
    names = samples_of(state.protocol, step, name)
    found = by_sample(names, (v for v in state.current_values()
                              if v.step == step and v.name == name))
    return [{"sample": n, "seq": found[n].seq if n in found else None,
             "value": found[n].value if n in found else None,
             "unit": found[n].unit if n in found else None} for n in names]


def _derived(state: RunState) -> list[dict[str, Any]]:
    """The protocol's derived values as the run stands: numbers, or what they still need."""
    return [
        {"step": d.step, "name": d.name, "expr": d.expr, "unit": d.unit, "per": d.per,
         # per named sample: one place each, null until its reading is in (never shifted)
         "values": [s.value for s in d.samples] if d.samples else list(d.values),
         "needs": list(d.needs), "missing": d.missing,
         "outside": ([i + 1 for i, s in enumerate(d.samples) if s.outside] if d.samples
                     else [i + 1 for i in d.outside]),
         "problem": d.problem or None,
         "parameters": [u.to_dict() for u in d.used], "text": d.text(),
         "samples": [s.to_dict() for s in d.samples] or None}
        for values in derived_for_run(state).values() for d in values
    ]
