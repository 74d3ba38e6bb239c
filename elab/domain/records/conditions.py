"""A step's instructions and conditions as lines a reader can follow at the bench.

The record must show what was supposed to be done, not only a hash of it: the protocol's
text, the spin at 14,000 × g, the 5 min at 95 °C on the heat block, the 600 µL of RIPA per
sample.  Everything here comes from the step as resolved when the run started (parameters
substituted), so the record shows the conditions as run.
"""

from __future__ import annotations

from elab.domain.protocol.amounts import step_materials
from elab.domain.protocol.model import Passive, Program, Protocol, Step, Use
from elab.domain.protocol.samples import record_samples
from elab.units import QRange, format_range

__all__ = ["step_conditions"]


def _q(value: QRange | None) -> str:
    return "" if value is None else format_range(value)


def _equipment(protocol: Protocol, eid: str) -> str:
    item = protocol.equipment.get(eid)
    return f"{item.name} ({eid})" if item is not None else eid


def _passive(word: str, p: Passive, protocol: Protocol) -> str:
    parts = [f"{word} {_q(p.duration)}"]
    if p.temperature is not None:
        parts.append(f"at {_q(p.temperature)}")
    if p.speed is not None:
        parts.append(f"at {_q(p.speed)}")
    if p.atmosphere:
        parts.append(f"in {p.atmosphere}")
    if p.equipment:
        parts.append(f"using {_equipment(protocol, p.equipment)}")
    line = " ".join(parts)
    return f"{line} — {p.note}" if p.note else line


def _extras(u: Use | None) -> str:
    """What a use says besides its amount: the dilution, who does not get it, a note."""
    if u is None:
        return ""
    line = f", dilution {u.dilution}" if u.dilution is not None else ""
    if u.exclude:
        line += f", not for {', '.join(u.exclude)}"
    if u.note:
        line += f" — {u.note}"
    return line


def _uses(step: Step, protocol: Protocol, variant: str | None) -> list[str]:
    """``Uses complete culture medium (medium): 5.94 mL in all: ...``: the amounts of
    `elab show` (:func:`step_materials`), so the record never says "10 µL per well" of a
    drug where the well gets 10 µL of its 1:100 dilution in medium, nor leaves out the
    medium of the edge wells."""
    lines = []
    for material in step_materials(protocol, step.id, variant):
        known = protocol.materials.get(material.material)
        name = f"{material.name} ({material.material})" if known is not None else material.name
        parts = [f"{a.line}{_extras(a.use)}" for a in material.amounts if a.line]
        bare = "".join(_extras(a.use) for a in material.amounts if not a.line)
        if len(parts) > 1:
            head = f"{material.total} in all: " if material.total else ""
            lines.append(f"Uses {name}: {head}{'; '.join(parts)}{bare}")
        elif parts:
            lines.append(f"Uses {name}: {parts[0]}{bare}")
        else:
            lines.append(f"Uses {name}{bare}")
    return lines


def _program(stages: list[Program], depth: int = 0) -> list[str]:
    lines = []
    for stage in stages:
        bits = [stage.name or "stage"]
        if stage.cycles:
            bits.append(f"{stage.cycles} cycles")
        if stage.duration is not None:
            bits.append(_q(stage.duration))
        if stage.temperature is not None:
            bits.append(f"at {_q(stage.temperature)}")
        lines.append("  " * depth + ", ".join(bits))
        lines += _program(stage.stages or [], depth + 1)
    return lines


def step_conditions(
    step: Step, protocol: Protocol, variant: str | None = None
) -> tuple[str, ...]:
    """``Hands-on: 20 min``, ``Incubate 5 min at 95 °C on/in heat block``, ``Uses: ...``.

    ``variant`` is the run's; without it the step's own (a step of no variant is counted
    with the base protocol's steps)."""
    lines = [*_timing(step, protocol), *_dosing(step)]
    if step.equipment:
        lines.append("Equipment: " + ", ".join(_equipment(protocol, e) for e in step.equipment))
    lines += _uses(step, protocol, step.variant if variant is None else variant)
    lines += _records(step, protocol)
    if step.until:
        lines.append(f"Until: {step.until}")
    if step.note:
        lines.append(f"Note: {step.note}")
    return tuple(" ".join(line.split()) for line in lines)


def _timing(step: Step, protocol: Protocol) -> list[str]:
    """Hands-on time, temperature, incubations, repeats, programs and time-lapse."""
    lines: list[str] = []
    if step.hands_on is not None:
        lines.append(f"Hands-on: {_q(step.hands_on)}")
    if step.temperature is not None:
        lines.append(f"Temperature: {_q(step.temperature)}")
    for word, passive in (("Incubate", step.incubate), ("Wait", step.wait),
                          ("Centrifuge", step.centrifuge)):
        if passive is not None:
            lines.append(_passive(word, passive, protocol))
    if step.repeat is not None:
        each = f", {_q(step.repeat.each)} each" if step.repeat.each is not None else ""
        note = f" — {step.repeat.note}" if step.repeat.note else ""
        lines.append(f"Repeat {step.repeat.times} times{each}{note}")
    if step.program:
        lines.append("Program: " + "; ".join(s.strip() for s in _program(step.program)))
    if step.every is not None:
        e = step.every
        lines.append(f"Every {_q(e.interval)} for {_q(e.for_)}"
                     + (f": {e.what}" if e.what else ""))
    return lines


def _dosing(step: Step) -> list[str]:
    """A regimen (frequency, dose, route, material) or a single dose."""
    lines: list[str] = []
    if step.regimen is not None:
        r = step.regimen
        bits = [str(r.frequency)]
        bits += [f"dose {_q(r.dose)}"] if r.dose is not None else []
        bits += [text for text in (r.route, r.material) if text]
        lines.append("Regimen: " + ", ".join(bits))
    if step.dose is not None:
        lines.append(f"Dose: {_q(step.dose)}" + (f" {step.route}" if step.route else ""))
    return lines


def _records(step: Step, protocol: Protocol) -> list[str]:
    """What the step records: unit, expected range, how many readings, for whom."""
    lines = []
    for name, spec in step.record.items():
        what = spec.unit or spec.kind or spec.type
        expected = f", expected {_q(spec.range)}" if spec.range is not None else ""
        count = f", {spec.count} readings" if spec.count > 1 else ""
        if record_samples(protocol, spec):  # each reading names its lysate
            count += f", one per {spec.per} by name"
        desc = f" — {spec.description}" if spec.description else ""
        lines.append(f"Record {name} ({what}{expected}{count}){desc}")
    return lines
