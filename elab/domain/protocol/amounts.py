"""How much of each material a step uses for the whole design: one set of numbers everywhere.

`elab show` totals these per material over the run; the run screen, the bench sheet and the
record list them under their step.  Each comes from the step's ``uses:`` scaled to the
design (:func:`.describe.scaled_use`) and from what the step uses without listing it
(:mod:`.implied`: the medium of the edge wells filled with medium, the dilution plan's
vehicle and medium, an antibody solution's diluent).  Every view reads them from here, so
no view can leave a part out: a screen that showed the seeding medium of the sample wells
but not of the edge wells had the scientist make 40 % too little medium.
"""

from __future__ import annotations

from dataclasses import dataclass

from elab.domain.protocol.describe import scaled_use, totals_of
from elab.domain.protocol.model import Protocol, Use
from elab.units import QRange

__all__ = ["StepAmount", "StepMaterial", "amounts_by_step", "step_amounts", "step_materials"]

_PER_RUN = {"run", "protocol", "experiment", "batch"}


@dataclass(frozen=True)
class StepAmount:
    """One amount a step uses: one of its ``uses:`` scaled to the design, or an implied use.

    ``amount`` is one pass of the step (a step repeated ``times`` uses it that often);
    ``shown`` is the arithmetic as people write it, empty when the use gives no amount
    (an antibody given by its dilution alone)."""

    step: str
    material: str
    name: str
    amount: QRange | None
    shown: str
    times: int = 1
    use: Use | None = None

    @property
    def line(self) -> str:
        """The arithmetic with the repeats: what `elab show` prints after ``step:``."""
        return f"{self.shown} × {self.times}" if self.times > 1 and self.shown else self.shown


@dataclass(frozen=True)
class StepMaterial:
    """One material at one step: how much in all there, and the amounts that add up to it."""

    material: str
    name: str
    total: str
    amounts: tuple[StepAmount, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(a.line for a in self.amounts if a.line)

    @property
    def headline(self) -> str:
        """The one amount, or the total to make when several add up to it (the step's
        :attr:`details`); "" when the step gives no amount (an antibody by its dilution)."""
        lines = self.lines
        if len(lines) == 1:
            return lines[0]
        return f"{self.total} in all" if self.total else ""

    @property
    def details(self) -> tuple[str, ...]:
        """The amounts under the headline's total; none when the headline is the one amount."""
        lines = self.lines
        return lines if len(lines) > 1 else ()


def amounts_by_step(
    protocol: Protocol, variant: str | None = None
) -> dict[str, tuple[StepAmount, ...]]:
    """Every active step's amounts, in step order: its own uses first, then the implied ones."""
    from elab.domain.protocol.implied import implied_uses

    steps = protocol.active_steps(variant)
    implied: dict[str, list[StepAmount]] = {}
    for extra in implied_uses(protocol, steps):
        implied.setdefault(extra.step, []).append(StepAmount(
            extra.step, extra.material, _name(protocol, extra.material), extra.amount,
            extra.shown))
    out: dict[str, tuple[StepAmount, ...]] = {}
    for step in steps:
        times = step.repeat.times if step.repeat else 1
        own = [_listed(protocol, step.id, use, times) for use in step.uses]
        out[step.id] = (*own, *implied.get(step.id, []))
    return out


def step_amounts(
    protocol: Protocol, step_id: str, variant: str | None = None
) -> tuple[StepAmount, ...]:
    """The amounts of one step (none when the step is not in ``variant``)."""
    return amounts_by_step(protocol, variant).get(step_id, ())


def step_materials(
    protocol: Protocol, step_id: str, variant: str | None = None
) -> tuple[StepMaterial, ...]:
    """The step's amounts by material, each with its total at the step (2.376 mL for the
    sample wells + 3.564 mL for the edge wells = 5.94 mL of medium to make)."""
    amounts = step_amounts(protocol, step_id, variant)
    totals = {t.material: t for t in totals_of(protocol, amounts)}
    grouped: dict[str, list[StepAmount]] = {}
    for amount in amounts:
        grouped.setdefault(amount.material, []).append(amount)
    return tuple(
        StepMaterial(material, parts[0].name,
                     totals[material].amount_text if material in totals else "", tuple(parts))
        for material, parts in grouped.items())


def _name(protocol: Protocol, material_id: str) -> str:
    material = protocol.materials.get(material_id)
    return material.name if material is not None else material_id


def _listed(protocol: Protocol, step_id: str, use: Use, times: int) -> StepAmount:
    amount, shown = scaled_use(use, protocol, step_id)
    if not shown and (diluted := _diluted(protocol, step_id, use)) is not None:
        amount, shown = diluted
    if shown and protocol.design is None and use.per not in _PER_RUN:
        shown += f" per {use.per}"  # no design to count the samples: the amount stays per one
    if shown and use.per == "reaction":
        from elab.domain.dilution.gene_mix import mix_split_text

        step = protocol.step(step_id)
        shown += mix_split_text(protocol, step, _name(protocol, use.material))
    return StepAmount(step_id, use.material, _name(protocol, use.material), amount, shown,
                      times, use)


def _diluted(protocol: Protocol, step_id: str, use: Use) -> tuple[QRange, str] | None:
    """A diluted material the use gives no volume for: the step's ``solution:`` computes it
    (``1:50: 2 µL per insert in 100 µL × 6 inserts = 12 µL``), so a solution whose volume
    is a parameter puts the amount the run needs in the totals too."""
    from elab.domain.protocol.derive import antibody_volumes

    for found in antibody_volumes(protocol.step(step_id), protocol):
        if found.material == use.material:
            return (QRange(found.total, found.total, found.unit),
                    found.line().removeprefix(f"{found.name} "))
    return None
