"""Materials a run uses that no step lists: what `elab show`'s totals would otherwise miss.

Four things consume a material without a ``uses:`` entry of their own:

- a step's ``solution: {volume, count, diluent}``: the antibodies are diluted in it, so the
  diluent (blocking buffer for the primaries, TBST for the secondaries) is used by the
  solution's volume × count;
- a design with ``edge: medium``: the outer ring of every plate is filled with medium, as
  much per well as the seeding step puts into the sample wells;
- the design's dilution plan (:func:`elab.domain.dilution.plan_serial`): the vehicle that
  dilutes the series and makes the vehicle's working solution, and the medium of the
  intermediate dilutions. The wells' own additions are counted by the dosing step itself;
- a dosing regimen: dose (or dosing volume) per kg × body weight × administrations ×
  animals (:mod:`.regimen_amounts`).

Each entry carries the line that says what it counts, so a total never hides its parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from elab.domain.protocol.counting import counts_samples
from elab.domain.protocol.model import Protocol, Step
from elab.domain.protocol.regimen_amounts import regimen_amounts
from elab.errors import ElabError
from elab.units import QRange, convert, format_quantity

__all__ = ["ImpliedUse", "implied_uses"]

_MEDIUM = "medium"


@dataclass(frozen=True)
class ImpliedUse:
    """An amount of a material one step uses without listing it, and why."""

    material: str
    step: str
    amount: QRange
    shown: str


def implied_uses(protocol: Protocol, steps: list[Step]) -> list[ImpliedUse]:
    """The implied uses of ``steps`` (the active steps of a variant), in step order."""
    out = [use for step in steps for use in _diluent(protocol, step)]
    ids = {s.id for s in steps}
    out += [u for u in _edge_medium(protocol, steps) if u.step in ids]
    out += [u for u in _dilution_plan(protocol) if u.step in ids]
    out += [ImpliedUse(r.material, r.step, r.amount, r.shown)
            for r in regimen_amounts(protocol, steps)]
    return out


def _ul(value: float) -> str:
    for unit in ("liter", "milliliter", "microliter"):
        shown = convert(value, "microliter", unit)
        if shown is not None and 1 <= abs(shown) < 1000:
            return format_quantity(round(shown, 6), unit)
    return format_quantity(round(value, 6), "microliter")


def _text(amount: QRange) -> str:
    """An amount in the unit a person would use (3.564 mL rather than 3564 µL)."""
    try:
        ul = convert(amount.planned, amount.unit, "microliter")
    except ElabError:
        ul = None
    return _ul(ul) if ul is not None else format_quantity(round(amount.planned, 6), amount.unit)


def _diluent(protocol: Protocol, step: Step) -> list[ImpliedUse]:
    solution = step.solution
    if solution is None or not solution.diluent:
        return []
    volume = solution.volume
    total = volume.scaled(solution.count)
    per = solution.per if solution.count == 1 else (
        solution.per if solution.per.endswith("s") else solution.per + "s")
    shown = (f"{volume} per {solution.per} × {solution.count} {per} = {_text(total)} (the "
             "solution the antibodies are diluted in)")
    return [ImpliedUse(solution.diluent, step.id, total, shown)]


def _overage(protocol: Protocol) -> float:
    design = protocol.design
    if design is None or design.overage is None:
        return 1.0
    return 1.0 + (convert(design.overage.planned, design.overage.unit, "") or 0.0)


def _edge_wells(protocol: Protocol) -> int:
    """Wells of the outer ring the design's plates fill with medium (none on no plate)."""
    from elab.domain.plate import allocate, is_edge, spec_from_design
    from elab.domain.plate.wells import wells

    spec = spec_from_design(protocol.design)
    if spec.edge_rule != "medium":
        return 0
    count = 0
    for problem in allocate(spec):
        usable = set(problem.usable)
        count += sum(1 for ij in wells(spec.plate)
                     if is_edge(*ij, spec.plate, spec.edge_ring) and ij not in usable)
    return count


def _edge_medium(protocol: Protocol, steps: list[Step]) -> list[ImpliedUse]:
    design = protocol.design
    if design is None or design.edge != "medium" or _MEDIUM not in protocol.materials:
        return []
    seeding = next(((s, u) for s in steps for u in s.uses
                    if u.material == _MEDIUM and u.volume is not None
                    and counts_samples(u.per)), None)
    if seeding is None:
        return []
    step, use = seeding
    assert use.volume is not None
    try:
        n = _edge_wells(protocol)
    except ElabError:
        return []
    if n == 0:
        return []
    overage = _overage(protocol)
    total = use.volume.scaled(n * overage)
    extra = f" + {round((overage - 1) * 100)} % overage" if overage > 1 else ""
    shown = (f"{use.volume} × {n} edge wells filled with medium (design edge: medium){extra} = "
             f"{_text(total)}")
    return [ImpliedUse(_MEDIUM, step.id, total, shown)]


def _dilution_plan(protocol: Protocol) -> list[ImpliedUse]:
    """The vehicle and medium the design's dilution plan pipettes outside the wells."""
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol

    design = protocol.design
    if design is None or not design.dosing or design.vehicle is None:
        return []
    step = design.dosing[0].step
    if step is None:
        return []
    series = working = medium = 0.0
    for index, dosing in enumerate(design.dosing):  # a combination matrix: each drug's plan
        if dosing.step != step:
            continue
        try:
            spec = serial_spec_from_protocol(protocol, dosing_index=index).spec
            plan = plan_serial(spec)
        except ElabError:
            return []
        prep = [row for row in plan.rows if not row.per]  # the wells' own rows carry `per`
        series += sum(row.diluent_ul for row in prep if row.diluent == spec.vehicle)
        working += sum(row.volume_ul for row in prep if row.source == spec.vehicle)
        medium += sum(row.diluent_ul for row in prep if row.diluent == spec.diluent)
    vehicle = series + working
    out = []
    if vehicle > 0:
        parts = [f"{_ul(series)} diluting the series"] if series else []
        parts += [f"{_ul(working)} for the vehicle's working solution"] if working else []
        out.append(ImpliedUse(
            design.vehicle.material, step, QRange(vehicle, vehicle, "microliter"),
            " + ".join(parts) + (f" = {_ul(vehicle)}" if len(parts) > 1 else "")
            + " (the dilution plan, as pipetted, no overage)"))
    if medium > 0 and _MEDIUM in protocol.materials:
        out.append(ImpliedUse(
            _MEDIUM, step, QRange(medium, medium, "microliter"),
            f"{_ul(medium)} (the dilution plan: the medium of the intermediate dilutions of "
            "the series and the vehicle, as pipetted, no overage)"))
    return out
