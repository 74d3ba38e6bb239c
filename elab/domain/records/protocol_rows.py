"""The parts of a record that come from the protocol as run: plan, parameters, materials.

These rows depend on the protocol content the run stored and the parameters it used, not on
what happened at the bench; :mod:`elab.domain.records.build` lays the run over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from elab.domain.protocol.graph import StepGraph, step_time
from elab.domain.protocol.model import Control, Design, Protocol, Step
from elab.domain.protocol.param_text import substitute_names
from elab.domain.records.model import DesignRecord, EquipmentRow, MaterialRow, ParameterRow
from elab.units import QRange, format_duration, format_quantity, format_range, parse_quantity

__all__ = [
    "as_run",
    "design_record",
    "duration_text",
    "equipment_rows",
    "material_rows",
    "other_variant_materials",
    "parameter_rows",
    "planned_offsets",
    "protocol_yaml",
    "value_text",
]


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


def duration_text(step: Step) -> str:
    t = step_time(step)
    if t.max_s is None:
        return f"≥ {format_duration(t.min_s)}"
    if t.max_s == t.min_s:
        return format_duration(t.min_s)
    return f"{format_duration(t.min_s)}–{format_duration(t.max_s)}"


def value_text(value: Any, unit: str | None) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_quantity(float(value), unit or "")
    return str(value if value is not None else "—")


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


def parameter_rows(protocol: Protocol, used: Mapping[str, Any]) -> tuple[ParameterRow, ...]:
    """The parameters as run.  A range that a derived value computes with also says the one
    number it computed with (``25 µg, planned from the default 20–30 µg``), as the derived
    section does; the step texts keep the range as written."""
    computed = _derive_inputs(protocol)
    rows = []
    for name, param in protocol.parameters.items():
        default = format_range(param.default)
        value = used.get(name)
        shown = value_text(value, None) if value is not None else default
        quantity: QRange | None = param.default if value is None else None
        if isinstance(value, str):
            try:
                quantity = parse_quantity(value, negative=True)
                shown = format_range(quantity)
            except ValueError:
                shown = value
        overridden = value is not None and shown != default
        planned = shown
        if name in computed and quantity is not None and not quantity.is_exact:
            from elab.domain.runs.derived import parameter_used

            planned = parameter_used(name, quantity, param.default).value_text()
        rows.append(ParameterRow(name, planned, default, overridden, param.description or "",
                                 written=shown))
    return tuple(rows)


def _derive_inputs(protocol: Protocol) -> set[str]:
    """The names the protocol's derived values compute with."""
    from elab.domain.protocol.expression import parse_expression
    from elab.errors import ElabError

    names: set[str] = set()
    for step in protocol.steps:
        for spec in step.derive.values():
            try:
                names.update(parse_expression(spec.expr).names)
            except ElabError:  # refused at load; a stored run keeps its own protocol
                continue
    return names




def as_run(text: str, values: Mapping[str, str]) -> str:
    """A step's text with ``$param`` replaced by the value the run used (as in the record's
    parameter table), so the instructions read as they were carried out."""
    return substitute_names(" ".join(text.split()), values)


def other_variant_materials(protocol: Protocol, variant: str | None) -> frozenset[str]:
    """Materials only steps of another variant use (a SYBR run never touches the TaqMan
    assays, so its record must not list them with lot "not recorded")."""
    active = {u.material for s in protocol.active_steps(variant) for u in s.uses}
    used = {u.material for s in protocol.steps for u in s.uses}
    return frozenset(used - active)


def material_rows(
    protocol: Protocol, lots: Mapping[str, tuple[str, str, datetime]],
    variant: str | None = None,
) -> tuple[MaterialRow, ...]:
    """Materials with their lots; a lot is expired if it was past its date when recorded.
    Materials of another variant are left out unless a lot of them was recorded."""

    def expired(expiry: str, used: datetime | None) -> bool:
        return bool(expiry) and used is not None and expiry[:10] < used.date().isoformat()

    rows = []
    other = other_variant_materials(protocol, variant)
    for mid, m in protocol.materials.items():
        if mid in other and mid not in lots:
            continue
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


def equipment_rows(protocol: Protocol, variant: str | None) -> tuple[EquipmentRow, ...]:
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


def design_record(protocol: Protocol, plate_svg: str, plate_text: str) -> DesignRecord | None:
    d = protocol.design
    if d is None:
        return None
    lines = [f"{f.name}: {', '.join(str(level) for level in f.levels)}"
             + (f" ({f.unit})" if f.unit else "") for f in d.factors]
    lines.append(f"{d.replicates} replicate(s) per condition; {d.sample_count} {d.unit}(s)")
    lines += [_control_line(d, c) for c in d.controls]
    if d.vehicle is not None:
        lines.append(f"vehicle: {d.vehicle.material} at {format_range(d.vehicle.final)}")
    if d.plate:
        lines.append(f"{d.plate}-well plate")
    return DesignRecord(tuple(lines), d.sample_count, plate_svg, plate_text)


def _control_line(design: Design, control: Control) -> str:
    """``control DMSO (vehicle) × 3 per time (9 in all)``: a control crossed with a factor
    has ``count`` samples at each of its levels, not ``count`` in all."""
    line = f"control {control.name} ({control.kind}) × {control.count}"
    if not control.for_each:
        return line
    return (f"{line} per {' and '.join(control.for_each)} "
            f"({design.control_samples(control)} in all)")
