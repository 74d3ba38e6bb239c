"""What a regimen gives in all: dose × administrations × animals × body weight.

A xenograft's defactinib (50 mg/kg twice daily for 21 days to the 16 animals of two arms)
is most of what the study has to order, and no ``uses:`` lists it: the regimen says it.  A
regimen with ``material``, a per-kg ``dose`` (or, for a vehicle, a per-kg dosing ``volume``)
and the body ``weight`` it is planned with counts its administrations as the step's timing
does, and the animals of its ``arms`` (all of the design's without arms).  A flat dose (a
patient's 200 mg) or a dose by body-surface area is left out: the patients' number and BSA
are not the protocol's.
"""

from __future__ import annotations

from elab.domain.protocol.graph import regimen_administrations
from elab.domain.protocol.model import Protocol, Regimen, Step
from elab.errors import ElabError
from elab.units import QRange, convert, format_quantity

__all__ = ["RegimenAmount", "regimen_amounts"]


class RegimenAmount:
    """One regimen's total of its material, with the arithmetic that gives it."""

    def __init__(self, step: str, material: str, amount: QRange, shown: str) -> None:
        self.step, self.material, self.amount, self.shown = step, material, amount, shown


def regimen_amounts(protocol: Protocol, steps: list[Step]) -> list[RegimenAmount]:
    out = []
    for step in steps:
        regimen = step.regimen
        if regimen is None or regimen.material is None or regimen.weight is None:
            continue
        animals = _animals(protocol, regimen)
        if animals is None:
            continue
        found = _per_animal(regimen)
        if found is None:
            continue
        per_dose, unit, what = found
        doses = int(regimen_administrations(regimen))
        total = per_dose * doses * animals
        shown = (f"{what} × {format_quantity(regimen.weight.planned, regimen.weight.unit)} × "
                 f"{doses} administrations × {animals} animals = "
                 f"{format_quantity(round(total, 6), unit)}")
        out.append(RegimenAmount(step.id, regimen.material,
                                 QRange(total, total, unit), shown))
        out += _formulation(protocol, step.id, regimen, doses, animals)
    return out


def _formulation(protocol: Protocol, step: str, regimen: Regimen, doses: int,
                 animals: int) -> list[RegimenAmount]:
    """The vehicle a dosed drug is formulated in, at the dosing volume: the drug arms use
    as much vehicle as the vehicle arms do."""
    material = protocol.materials.get(regimen.material or "")
    if material is None or not material.vehicle or regimen.dose is None:
        return []
    if regimen.volume is None or regimen.weight is None:
        return []
    found = _per_animal(regimen.model_copy(update={"dose": None}))
    if found is None:
        return []
    per_dose, unit, what = found
    total = per_dose * doses * animals
    shown = (f"{what} × {format_quantity(regimen.weight.planned, regimen.weight.unit)} × "
             f"{doses} administrations × {animals} animals = "
             f"{format_quantity(round(total, 6), unit)} to formulate {regimen.material} in")
    return [RegimenAmount(step, material.vehicle, QRange(total, total, unit), shown)]


def _per_animal(regimen: Regimen) -> tuple[float, str, str] | None:
    """One administration to one animal: (amount, unit, the per-kg rate as written)."""
    assert regimen.weight is not None
    try:
        kg = convert(regimen.weight.planned, regimen.weight.unit, "kilogram")
        if regimen.dose is not None:
            rate = convert(regimen.dose.planned, regimen.dose.unit, "milligram / kilogram")
            unit = "milligram"
            written = regimen.dose
        elif regimen.volume is not None:
            rate = convert(regimen.volume.planned, regimen.volume.unit, "milliliter / kilogram")
            unit = "milliliter"
            written = regimen.volume
        else:
            return None
    except (ElabError, ValueError):
        return None  # a flat or mg/m² dose: not the protocol's to total
    if kg is None or rate is None:
        return None
    return rate * kg, unit, format_quantity(written.planned, written.unit)


def _animals(protocol: Protocol, regimen: Regimen) -> int | None:
    """The animals the regimen doses: those of its arms, or the design's all."""
    design = protocol.design
    if design is None:
        return None
    total = design.sample_count
    if not regimen.arms:
        return total
    for factor in design.factors:
        levels = [str(level) for level in factor.levels]
        if all(arm in levels for arm in regimen.arms):
            return total * len(regimen.arms) // len(levels)
    return None

