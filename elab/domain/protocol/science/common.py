"""Small helpers the science checks share: factors and their levels as quantities, units."""

from __future__ import annotations

from elab.domain.protocol.model import Factor, Protocol, Step, Use
from elab.errors import QuantityError
from elab.units import QRange, convert, format_quantity, parse_quantity

__all__ = [
    "factor_named",
    "level_values",
    "magnitude_in",
    "shown",
    "uses_of",
]


def factor_named(protocol: Protocol, name: str) -> tuple[int, Factor] | None:
    design = protocol.design
    if design is None:
        return None
    for index, factor in enumerate(design.factors):
        if factor.name == name:
            return index, factor
    return None


def level_values(factor: Factor) -> list[QRange | None]:
    """Each level as a quantity (``10 nM``; a bare number takes the factor's unit)."""
    out: list[QRange | None] = []
    for level in factor.levels:
        text = f"{level} {factor.unit}" if factor.unit and _bare(level) else str(level)
        try:
            out.append(parse_quantity(text))
        except (QuantityError, ValueError):
            out.append(None)
    return out


def _bare(level: object) -> bool:
    try:
        float(str(level))
    except ValueError:
        return False
    return True


def magnitude_in(value: QRange, unit: str, which: str = "planned") -> float | None:
    """``value`` in ``unit``, or None when the dimensions differ."""
    magnitude = {"planned": value.planned, "low": value.low, "high": value.high}[which]
    try:
        return convert(magnitude, value.unit, unit)
    except QuantityError:
        return None


def shown(magnitude: float, unit: str) -> str:
    """A magnitude in the unit a person would write (9.99 µM rather than 0.00999 mM)."""
    for candidate in _LADDERS.get(_family(unit), (unit,)):
        try:
            value = convert(magnitude, unit, candidate)
        except QuantityError:
            continue
        if value is not None and 1 <= abs(value) < 1000:
            return format_quantity(value, candidate)
    return format_quantity(magnitude, unit)


_LADDERS = {
    "molar": ("molar", "millimolar", "micromolar", "nanomolar", "picomolar"),
    "volume": ("liter", "milliliter", "microliter", "nanoliter"),
}


def _family(unit: str) -> str:
    for family, ladder in _LADDERS.items():
        try:
            convert(1.0, unit, ladder[0])
        except QuantityError:
            continue
        return family
    return ""


def uses_of(protocol: Protocol, material: str) -> list[tuple[int, Step, int, Use]]:
    """Every (step index, step, use index, use) that names ``material``."""
    return [
        (i, step, j, use)
        for i, step in enumerate(protocol.steps)
        for j, use in enumerate(step.uses)
        if use.material == material
    ]
