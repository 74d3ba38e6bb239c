"""From a protocol's ``design:`` to the serial dilution that makes its dose levels.

The dose factor is the one whose levels are all concentrations; its levels must form a
geometric series (0.1, 1, 10, 100 nM is 10-fold) for one serial dilution to make them.  Each
point serves every combination of the other factors' levels times the replicates (a dose ×
time design uses each dose in every time point); the vehicle's final percentage comes from
``vehicle.final`` and the vehicle-control wells from the controls of kind ``vehicle``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.serial import SerialSpec
from elab.errors import InputError
from elab.units import KINDS, QRange, convert, parse_quantity

__all__ = ["serial_spec_from_design"]


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _concentration(level: Any, unit: str | None) -> QRange | None:
    text = str(level) if not (unit and isinstance(level, int | float)) else f"{level:g} {unit}"
    try:
        q = parse_quantity(text)
    except ValueError:
        return None
    if not q.unit or q.low is None or q.low != q.high:
        return None
    from elab.units import ureg

    dim = str(ureg.parse_units(q.unit).dimensionality)
    return q if dim in KINDS["concentration"] and dim else None


def serial_spec_from_design(
    design: Any,
    stock: str,
    well_ul: float,
    limits: PipetteLimits | None = None,
    vehicle_name: str | None = None,
    compound: str = "compound",
) -> SerialSpec:
    """A :class:`SerialSpec` making the design's dose levels from ``stock`` (``10 mM``)."""
    factors = list(_get(design, "factors") or [])
    doses = None
    others = 1
    for f in factors:
        levels = [_concentration(v, _get(f, "unit")) for v in (_get(f, "levels") or [])]
        if doses is None and levels and all(q is not None for q in levels):
            doses = [q for q in levels if q is not None]
        else:
            others *= len(_get(f, "levels") or [])
    if not doses:
        raise InputError("the design has no factor whose levels are all concentrations")
    unit = doses[0].unit
    values = sorted((convert(q.planned, q.unit, unit) or 0.0 for q in doses), reverse=True)
    if values[-1] <= 0:
        raise InputError("a dose of 0 is the vehicle control, not a level of the series")
    folds = [a / b for a, b in itertools.pairwise(values)]
    fold = folds[0] if folds else 10.0
    if any(abs(f / fold - 1) > 0.01 for f in folds):
        shown = ", ".join(f"{v:g}" for v in values)
        raise InputError(f"the dose levels ({shown}) are not a serial dilution (fold changes)")
    stock_q = parse_quantity(stock, "concentration")
    vehicle = _get(design, "vehicle")
    fraction = 0.0
    name = vehicle_name or "vehicle"
    if vehicle is not None:
        final = _get(vehicle, "final")
        fq = final if isinstance(final, QRange) else parse_quantity(str(final))
        fraction = (convert(fq.planned, fq.unit, "") or 0.0) if fq.unit else fq.planned / 100
        name = vehicle_name or str(_get(vehicle, "material", "vehicle"))
    replicates = int(_get(design, "replicates", 1) or 1)
    controls = sum(int(_get(c, "count", 1) or 1) for c in (_get(design, "controls") or [])
                   if _get(c, "kind", "vehicle") == "vehicle")
    return SerialSpec(
        stock=convert(stock_q.planned, stock_q.unit, unit) or 0.0,
        top=values[0],
        unit=unit,
        fold=round(fold, 6),
        points=len(values),
        well_ul=well_ul,
        wells=replicates * others,
        control_wells=controls * max(others, 1) if controls else 0,
        vehicle=name,
        vehicle_fraction=fraction or 0.0,
        compound=compound,
        limits=limits or PipetteLimits(),
    )



