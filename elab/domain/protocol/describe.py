"""What `elab show` prints: a protocol's steps, times and material totals for its design."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from elab.domain.protocol.arms import arms_line
from elab.domain.protocol.counting import PER_PLATE, PER_RUN, counts_samples, plate_count
from elab.domain.protocol.graph import StepGraph, Timing
from elab.domain.protocol.levels import excluded_names
from elab.domain.protocol.model import Design, Protocol, Step, Use
from elab.errors import QuantityError
from elab.units import QRange, convert, format_duration, format_quantity

if TYPE_CHECKING:
    from elab.domain.protocol.amounts import StepAmount

__all__ = [
    "MaterialTotal",
    "describe_json",
    "describe_markdown",
    "describe_text",
    "design_line",
    "material_totals",
    "scaled_use",
    "totals_of",
]

@dataclass(frozen=True)
class MaterialTotal:
    """How much of one material a run needs, with the arithmetic shown.

    ``total`` is the amount to plan with; ``low`` and ``high`` are the range it comes from
    when a use is a range (3000-5000 cells per well), equal to ``total`` otherwise, so a
    range is totalled as a range and never silently as its middle."""

    material: str
    name: str
    total: float | None
    unit: str
    lines: tuple[str, ...]
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return (self.low is not None and self.high is not None
                and not math.isclose(self.low, self.high))

    @property
    def amount_text(self) -> str:
        """The total as a person writes it (5.94 mL, 69300–115500 cells), "" without one."""
        return _pretty_total(self)


def scaled_use(
    use: Use, protocol: Protocol, step_id: str | None = None
) -> tuple[QRange | None, str]:
    """A use's amount for the whole design, and the arithmetic as people write it.

    At its dosing step, the dosed drug and the vehicle are what the design says: the
    design's addition onto each treated well (the series point or its intermediate) and onto
    each vehicle-control well, whether the step writes the volume or not (a step that writes
    another one is a validation error, :mod:`.science.volumes`)."""
    if step_id is not None and (designed := _designed_use(use, protocol, step_id)) is not None:
        return designed
    amount = use.volume or use.amount
    if amount is None:
        return None, ""
    design = protocol.design
    if use.per in PER_RUN or design is None:
        return amount, str(amount)
    if use.per == PER_PLATE:
        n, word = _plates(design), PER_PLATE
    else:
        n = _samples_getting(design, set(use.exclude)) if use.exclude else design.sample_count
        word = design.unit
    overage = _overage(protocol)
    total = amount.scaled(n * overage)
    unit_word = word if n == 1 else _plural(word)
    extra = f" + {round((overage - 1) * 100)} % overage" if overage > 1 else ""
    shown = f"{amount} × {n} {unit_word}{extra} = {_pretty(total)}"
    return total, shown


def _designed_use(use: Use, protocol: Protocol, step_id: str) -> tuple[QRange | None, str] | None:
    """The dosed drug or the vehicle at the dosing step, from the design's volumes."""
    from elab.domain.protocol.volumes import dosing_for_use, vehicle_wells

    design = protocol.design
    dosing = dosing_for_use(protocol, step_id, use)
    if (design is None or dosing is None or dosing.addition is None
            or not counts_samples(use.per)):
        return None
    addition = dosing.addition
    if use.material == dosing.material:
        n = (_samples_getting(design, set(use.exclude)) if use.exclude
             else design.condition_count * design.replicates)
        what = f"{dosing.factor} series" + (f" (1:{dosing.intermediate.dilution_factor:g} in "
                                            "medium)" if dosing.intermediate else "")
    else:
        n = vehicle_wells(design)
        what = "vehicle" + (f" (1:{dosing.intermediate.dilution_factor:g} in medium)"
                            if dosing.intermediate else "")
    overage = _overage(protocol)
    total = addition.scaled(n * overage)
    extra = f" + {round((overage - 1) * 100)} % overage" if overage > 1 else ""
    unit_word = design.unit if n == 1 else _plural(design.unit)
    shown = (f"{addition} of the {what} × {n} {unit_word}{extra} = {_pretty(total)} "
             "(the design's addition)")
    if use.material == dosing.material:
        drawn = _stock_drawn(protocol, next(i for i, d in enumerate(design.dosing) if d is dosing))
        if drawn is not None:
            # What the material itself runs down by is the stock the series draws.
            return drawn, f"{shown}; {_pretty(drawn)} of the stock (the dilution plan)"
    return total, shown


def _stock_drawn(protocol: Protocol, index: int = 0) -> QRange | None:
    """The stock the design's ``index``-th dosing's plan draws, or None without a plan."""
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol
    from elab.errors import ElabError

    try:
        plan = plan_serial(serial_spec_from_protocol(protocol, dosing_index=index).spec)
    except ElabError:
        return None
    drawn = sum(row.volume_ul for row in plan.rows if row.source == "stock")
    return QRange(drawn, drawn, "microliter") if drawn else None


def _plates(design: Design) -> int:
    """The plates the layout fills; one when it cannot be laid out (validation says why)."""
    from elab.errors import ElabError

    try:
        return plate_count(design)
    except ElabError:
        return 1


def _samples_getting(design: Design, excluded: set[str]) -> int:
    """Samples a use reaches when controls (by name or kind) and factor levels are left out."""
    excluded = excluded_names(design, excluded)
    treated = sum(1 for c in design.conditions() if not set(c.values()) & excluded)
    controls = sum(design.control_samples(c, frozenset(excluded)) for c in design.controls
                   if not {c.name, c.kind} & excluded)
    return treated * design.replicates + controls


def _overage(protocol: Protocol) -> float:
    design = protocol.design
    if design is None or design.overage is None:
        return 1.0
    over = convert(design.overage.planned, design.overage.unit, "") or 0.0
    return 1.0 + over


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _pretty(value: QRange) -> str:
    """A total in the unit a person would use (14.4 mL rather than 14400 µL); a range as
    its two ends (69300–115500 cells), not its middle."""
    unit = value.unit
    magnitude = value.planned
    ends = ((value.low, value.high) if value.low is not None and value.high is not None
            and not math.isclose(value.low, value.high) else None)
    for bigger in ("liter", "milliliter", "microliter", "gram", "milligram", "microgram"):
        try:
            converted = convert(ends[1] if ends else magnitude, unit, bigger)
        except QuantityError:
            continue
        if converted is not None and 1 <= abs(converted) < 1000:
            return _shown(ends, magnitude, unit, bigger)
    return _shown(ends, magnitude, unit, unit)


def _shown(ends: tuple[float, float] | None, magnitude: float, unit: str, to: str) -> str:
    if ends is None:
        return format_quantity(convert(magnitude, unit, to) or magnitude, to)
    low, high = (convert(v, unit, to) or 0.0 for v in ends)
    high_text = format_quantity(high, to)
    low_text = format_quantity(low, to)
    suffix = high_text[len(_number(high_text)):]
    return f"{_number(low_text)}–{high_text}" if low_text.endswith(suffix) else (
        f"{low_text}–{high_text}")


def _number(text: str) -> str:
    """The leading number of a formatted quantity (``69300`` of ``69300 cells``)."""
    return text.split(" ", 1)[0]


def _pretty_total(total: MaterialTotal) -> str:
    if total.total is None:
        return ""
    if total.is_range:
        return _pretty(QRange(total.low, total.high, total.unit))
    return _pretty(QRange(total.total, total.total, total.unit))


def material_totals(protocol: Protocol, variant: str | None = None) -> list[MaterialTotal]:
    """Each material's total over the run, one line per use saying what it counts.

    The amounts are the steps' (:func:`.amounts.amounts_by_step`, which the run screen,
    the bench sheet and the record show too): besides the steps' ``uses:``, what no step
    lists (:mod:`.implied`): the diluent of a step's antibody solution, the medium of edge
    wells filled with medium, and the vehicle and medium the dilution plan pipettes."""
    from elab.domain.protocol.amounts import amounts_by_step

    steps = amounts_by_step(protocol, variant)
    return totals_of(protocol, [amount for amounts in steps.values() for amount in amounts])


def totals_of(protocol: Protocol, amounts: Iterable[StepAmount]) -> list[MaterialTotal]:
    """The totals of ``amounts`` by material, in the order the materials first appear."""
    totals: dict[str, MaterialTotal] = {}
    for amount in amounts:
        _add_use(totals, protocol, amount.material, amount.step, amount.amount, amount.shown,
                 amount.times)
    return list(totals.values())


def _add_use(totals: dict[str, MaterialTotal], protocol: Protocol, material_id: str,
             step_id: str, scaled: QRange | None, shown: str, times: int) -> None:
    """Add one use to its material's total: planned value and range ends alike."""
    material = protocol.materials.get(material_id)
    name = material.name if material else material_id
    prev = totals.get(material_id)
    line = f"{step_id}: {shown}" + (f" × {times}" if times > 1 and shown else "")
    total, unit = (prev.total, prev.unit) if prev else (None, "")
    low, high = (prev.low, prev.high) if prev else (None, None)
    if scaled is not None:
        planned = scaled.planned * times
        lo = (scaled.low if scaled.low is not None else scaled.planned) * times
        hi = (scaled.high if scaled.high is not None else scaled.planned) * times
        if prev is None or prev.total is None:
            total, low, high, unit = planned, lo, hi, scaled.unit
        else:
            try:
                total = prev.total + (convert(planned, scaled.unit, prev.unit) or 0.0)
                low = (prev.low or 0.0) + (convert(lo, scaled.unit, prev.unit) or 0.0)
                high = (prev.high or 0.0) + (convert(hi, scaled.unit, prev.unit) or 0.0)
            except QuantityError:
                line += f" (not added: {scaled.unit} does not add to {prev.unit})"
    lines = (*(prev.lines if prev else ()), line) if shown else (prev.lines if prev else ())
    totals[material_id] = MaterialTotal(material_id, name, total, unit, lines, low, high)


def _step_line(step: Step, timing: Timing) -> str:
    t = timing.steps[step.id]
    span = format_duration(t.min_s)
    if t.max_s != t.min_s:
        span = f"{format_duration(t.min_s)}–{format_duration(t.max_s)}"
    flags = []
    if step.optional:
        flags.append("optional")
    if step.variant:
        flags.append(f"variant {step.variant}")
    if step.until:
        flags.append(f"until {step.until}")
    extra = f" ({', '.join(flags)})" if flags else ""
    return (
        f"{step.id:<22} {span:<16} hands-on {t.hands_on_text:<10} {step.title}{extra}"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else _plural(word)}"


def design_line(protocol: Protocol) -> str:
    """``12 conditions × 3 replicates + 6 controls = 42 wells``, in words that fit."""
    d = protocol.design
    if d is None:
        return ""
    total = _count(d.sample_count, d.unit)
    if not d.factors:
        return total
    parts = f"{_count(d.condition_count, 'condition')} × {_count(d.replicates, 'replicate')}"
    controls = sum(d.control_samples(c) for c in d.controls)
    if controls:
        parts += f" + {_count(controls, 'control')}"
    return f"{parts} = {total}"


def describe_text(protocol: Protocol, variant: str | None = None) -> str:
    graph = StepGraph(protocol, variant)
    timing = graph.timing()
    lines = [f"{protocol.title} ({protocol.id} v{protocol.version})"]
    if protocol.source:
        lines.append(f"source: {protocol.source}")
    if protocol.design:
        lines.append(f"design: {design_line(protocol)}")
    if arms := arms_line(protocol):
        lines.append(f"arms: {arms}")
    lines.append(
        f"time: {format_duration(timing.min_s)} to {format_duration(timing.max_s)}; "
        f"hands-on {timing.hands_on_text}; "
        f"passive {format_duration(timing.passive_min_s)}"
        + (f" to {format_duration(timing.passive_max_s)}"
           if timing.passive_max_s != timing.passive_min_s else "")
        + " on the critical path"
    )
    lines.append("critical path: " + " → ".join(timing.critical_path))
    lines.append("")
    lines.append("steps:")
    lines += ["  " + _step_line(graph.by_id[sid], timing) for sid in graph.order]
    totals = material_totals(protocol, variant)
    if totals:
        lines.append("")
        lines.append("materials:")
        for total in totals:
            amount = _pretty_total(total)
            lines.append(f"  {total.name}: {amount}".rstrip())
            lines += [f"    {line}" for line in total.lines]
    return "\n".join(lines)


def describe_markdown(protocol: Protocol, variant: str | None = None) -> str:
    graph = StepGraph(protocol, variant)
    timing = graph.timing()
    out = [f"# {protocol.title}", "", f"`{protocol.id}` version {protocol.version}"]
    if protocol.summary:
        out += ["", protocol.summary.strip()]
    out += [
        "",
        f"- Time: {format_duration(timing.min_s)} to {format_duration(timing.max_s)}",
        f"- Hands-on: {timing.hands_on_text}",
        f"- Critical path: {' → '.join(timing.critical_path)}",
        "",
        "| step | title | time | hands-on |",
        "| --- | --- | --- | --- |",
    ]
    for sid in graph.order:
        t = timing.steps[sid]
        span = (
            format_duration(t.min_s)
            if t.max_s == t.min_s
            else f"{format_duration(t.min_s)}–{format_duration(t.max_s)}"
        )
        title = graph.by_id[sid].title.replace("|", "\\|")
        out.append(f"| {sid} | {title} | {span} | {t.hands_on_text} |")
    totals = material_totals(protocol, variant)
    if totals:
        out += ["", "## Materials", ""]
        for total in totals:
            out.append(f"- {total.name}: {_pretty_total(total)}".rstrip(": "))
    return "\n".join(out) + "\n"


def describe_json(protocol: Protocol, variant: str | None = None) -> dict[str, Any]:
    graph = StepGraph(protocol, variant)
    timing = graph.timing()
    return {
        "id": protocol.id,
        "title": protocol.title,
        "version": protocol.version,
        "variant": variant,
        "min_s": timing.min_s,
        "max_s": timing.max_s,
        "hands_on_s": timing.hands_on_s,
        "hands_on_max_s": timing.hands_on_max_s,
        "passive_min_s": timing.passive_min_s,
        "passive_max_s": timing.passive_max_s,
        "critical_path": timing.critical_path,
        "samples": protocol.design.sample_count if protocol.design else None,
        "steps": [
            {
                "id": sid,
                "title": graph.by_id[sid].title,
                "after": [e.pred for e in graph.preds[sid]],
                "min_s": timing.steps[sid].min_s,
                "max_s": timing.steps[sid].max_s,
                "hands_on_s": timing.steps[sid].hands_on_s,
                "hands_on_max_s": timing.steps[sid].hands_on_max_s,
                "optional": graph.by_id[sid].optional,
            }
            for sid in graph.order
        ],
        "materials": [
            {
                "id": t.material,
                "name": t.name,
                "total": t.total,
                "low": t.low,
                "high": t.high,
                "unit": t.unit,
                "lines": list(t.lines),
            }
            for t in material_totals(protocol, variant)
        ],
        "protocol": protocol.model_dump(mode="json", by_alias=True, exclude_none=True),
    }
