"""From one unit to another: :func:`convert` through SI, and centrifuge speed to force."""

from __future__ import annotations

import math

from elab.errors import DimensionError, QuantityError
from elab.units.facts import unit_facts
from elab.units.formatting import format_magnitude

__all__ = ["convert", "rcf_from_rpm", "rpm_from_rcf"]


def convert(value: float | None, from_unit: str, to_unit: str) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (None passes through)."""
    if value is None:
        return None
    if from_unit == to_unit or math.isnan(value):
        return value  # NaN is a missing cell in an analysis table: it stays missing
    source, target = unit_facts(from_unit), unit_facts(to_unit)
    if source.dimensionality != target.dimensionality:
        raise DimensionError(
            f"cannot convert {from_unit or 'a plain number'} to {to_unit or 'a plain number'}"
        )
    result = (value * source.factor + source.offset - target.offset) / target.factor
    if not math.isfinite(result) or abs(result) > 1e300:
        raise QuantityError(
            f"{format_magnitude(value)} {from_unit} is out of range in {to_unit or 'plain numbers'}"
        )
    return float(f"{result:.12g}")  # drop the float noise of going through SI


def rcf_from_rpm(rpm: float, radius_cm: float) -> float:
    """Relative centrifugal force (× g) from speed and rotor radius: 1.118e-5 · r · rpm²."""
    if radius_cm <= 0:
        raise QuantityError("rotor radius must be positive")
    return 1.118e-5 * radius_cm * rpm**2


def rpm_from_rcf(rcf: float, radius_cm: float) -> float:
    """Rotor speed for a relative centrifugal force; needs the rotor radius."""
    if radius_cm <= 0:
        raise QuantityError("rotor radius must be positive")
    return math.sqrt(rcf / (1.118e-5 * radius_cm))
