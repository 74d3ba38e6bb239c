"""Antibody volumes: how much of a diluted material one incubation takes.

A primary antibody at 1:1000 in 10 mL per membrane is 10 µL per membrane.  A step with a
``solution:`` declares the incubation volume and the count; each diluted material it uses
gets its volume computed here, and a volume the protocol writes down is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elab.domain.protocol.model import Protocol, Step, Use
from elab.errors import QuantityError, did_you_mean
from elab.units import convert, format_quantity, format_range

__all__ = ["AntibodyVolume", "antibody_volumes", "check_solution", "volume_text"]

#: Relative difference between a written volume and the computed one that is an error.
TOLERANCE = 0.01


@dataclass(frozen=True)
class AntibodyVolume:
    """How much of a diluted material one incubation takes, with the arithmetic."""

    material: str
    name: str
    dilution: str
    per_unit: float  # in ``unit``, for one membrane (or slide, well)
    total: float
    unit: str
    per: str
    count: int
    solution: str  # the incubation solution per unit, as written
    diluent: str

    def line(self) -> str:
        """``anti-p-FAK 1:1000: 10 µL per membrane in 10 mL blocking buffer × 3 = 30 µL``."""
        into = f" in {self.solution}" + (f" {self.diluent}" if self.diluent else "")
        each = f"{volume_text(self.per_unit, self.unit)} per {self.per}{into}"
        if self.count == 1:
            return f"{self.name} {self.dilution}: {each}"
        return (f"{self.name} {self.dilution}: {each} × {self.count} {_plural(self.per)} = "
                f"{volume_text(self.total, self.unit)}")


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def volume_text(value: float, unit: str) -> str:
    """A volume in the unit a person pipettes it in: 10 µL rather than 0.01 mL."""
    for bigger in ("liter", "milliliter", "microliter"):
        try:
            converted = convert(value, unit, bigger)
        except QuantityError:
            return format_quantity(value, unit)
        if converted is not None and 1 <= abs(converted) < 1000:
            return format_quantity(converted, bigger)
    shown = convert(value, unit, "microliter")
    return format_quantity(shown if shown is not None else value, "microliter")


def _dilution(use: Use, protocol: Protocol) -> Any:
    material = protocol.materials.get(use.material)
    return use.dilution or (material.dilution if material is not None else None)


def antibody_volumes(step: Step, protocol: Protocol) -> list[AntibodyVolume]:
    """The volume of each diluted material a step with a ``solution:`` takes."""
    solution = step.solution
    if solution is None:
        return []
    diluent = protocol.materials.get(solution.diluent) if solution.diluent else None
    out = []
    for use in step.uses:
        dilution = _dilution(use, protocol)
        if dilution is None:
            continue
        material = protocol.materials.get(use.material)
        per_unit = solution.volume.planned / dilution.dilution_factor
        out.append(AntibodyVolume(
            use.material, material.name if material else use.material, str(dilution),
            per_unit, per_unit * solution.count, solution.volume.unit, solution.per,
            solution.count, format_range(solution.volume),
            diluent.name if diluent is not None else (solution.diluent or "")))
    return out


def check_solution(protocol: Protocol, step: Step) -> list[tuple[str, tuple[str | int, ...]]]:
    """What is wrong with a step's ``solution:``, each with its path under the step: an
    undeclared diluent, or a written volume the dilution does not give."""
    solution = step.solution
    if solution is None:
        return []
    problems: list[tuple[str, tuple[str | int, ...]]] = []
    if solution.diluent and solution.diluent not in protocol.materials:
        hint = did_you_mean(solution.diluent, protocol.materials)
        problems.append((f"undeclared material {solution.diluent!r}"
                         + (f" (did you mean {hint}?)" if hint else ""),
                         ("solution", "diluent")))
    volumes = {v.material: v for v in antibody_volumes(step, protocol)}
    for j, use in enumerate(step.uses):
        computed = volumes.get(use.material)
        if computed is None or use.volume is None:
            continue
        written = convert(use.volume.planned, use.volume.unit, computed.unit)
        if written is None or abs(written - computed.total) > TOLERANCE * computed.total:
            problems.append((
                f"{use.material}: {computed.dilution} of {computed.solution} × "
                f"{computed.count} {_plural(computed.per) if computed.count > 1 else computed.per}"
                f" is {volume_text(computed.total, computed.unit)}, but the use says "
                f"{format_range(use.volume)} (leave volume: out to have it computed)",
                ("uses", j, "volume")))
    return problems
