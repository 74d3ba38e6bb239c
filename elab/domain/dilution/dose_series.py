"""A design's dose factor read as the series a serial dilution makes.

The levels are final concentrations.  A 0 level is no point of the series: it is the
vehicle (in a combination matrix, the wells where this drug is absent), so its wells get the
vehicle diluted the same way and are counted with the vehicle controls.  The other levels,
high to low, are made by diluting each point from the one above: by one fold when the design
steps evenly (0.1, 1, 10 nM), else by each step's own fold, so the wells hold the design's
levels (30, 10, 3, 1 nM: 1:3, 1:3.33, 1:3), the numbers the analysis and the record use.
Levels whose steps differ by more than :data:`STEP_TOLERANCE` are no series at all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elab.errors import InputError
from elab.units import KINDS, QRange, convert, parse_quantity

__all__ = ["STEP_TOLERANCE", "DoseSeries", "dose_series"]

#: How far a step may stray from the series' mean fold and still be one dilution series.
STEP_TOLERANCE = 0.15


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


@dataclass(frozen=True)
class DoseSeries:
    """The design's non-zero dose levels high to low, with where each stands in the design's
    list; ``zeros`` the 0 levels (vehicle wells), ``stepped`` when the folds differ."""

    values: list[float]
    unit: str
    fold: float
    others: int  # the wells of other factors per level
    factor: str
    positions: list[int]  # 0-based place of each value among the factor's levels as written
    zeros: list[int]  # 0-based places of the 0 levels
    stepped: bool = False


def _fold(values: list[float]) -> tuple[float, bool]:
    """(the series' fold, whether its steps differ); :class:`InputError` when no series."""
    folds = [a / b for a, b in itertools.pairwise(values)]
    if not folds:
        return 10.0, False
    if all(abs(f / folds[0] - 1) <= 0.01 for f in folds):
        return folds[0], False
    mean = math.exp(sum(math.log(f) for f in folds) / len(folds))
    if any(abs(f / mean - 1) > STEP_TOLERANCE for f in folds):
        shown = ", ".join(f"{v:g}" for v in values)
        raise InputError(f"the dose levels ({shown}) are not a serial dilution (fold changes)")
    return mean, True


def dose_series(design: Any, factor: str | None = None) -> DoseSeries:
    """The series of ``factor`` (else the first factor whose levels are all concentrations)."""
    factors = list(_get(design, "factors") or [])
    doses = None
    name = ""
    others = 1
    for f in factors:
        levels = [_concentration(v, _get(f, "unit")) for v in (_get(f, "levels") or [])]
        wanted = factor is None or _get(f, "name") == factor
        if doses is None and wanted and levels and all(q is not None for q in levels):
            doses = [q for q in levels if q is not None]
            name = str(_get(f, "name"))
        else:
            others *= len(_get(f, "levels") or [])
    if not doses:
        raise InputError(_no_series(factors, factor))
    unit = next((q.unit for q in doses if q.planned > 0), doses[0].unit)
    written = [convert(q.planned, q.unit, unit) or 0.0 for q in doses]
    zeros = [k for k, v in enumerate(written) if v <= 0]
    positions = sorted((k for k in range(len(written)) if k not in zeros),
                       key=lambda k: written[k], reverse=True)
    if not positions:
        raise InputError(f"factor {name!r} has only 0 levels: no series to make")
    values = [written[k] for k in positions]
    fold, stepped = _fold(values)
    return DoseSeries(values, unit, fold, others, name, positions, zeros, stepped)


def _no_series(factors: list[Any], factor: str | None) -> str:
    """Why no factor is a dose series: the levels that are no concentration, of the named
    factor or else of the first with any concentration among its levels."""
    def has_doses(f: Any) -> bool:
        return any(_concentration(v, _get(f, "unit")) is not None
                   for v in _get(f, "levels") or [])

    wanted = [f for f in factors if _get(f, "name") == factor] if factor else [
        f for f in factors if has_doses(f)]
    named = wanted[0] if wanted else None
    if named is None:
        which = f"factor {factor!r}" if factor else "factor"
        return f"the design has no {which} whose levels are all concentrations"
    odd = [str(v) for v in (_get(named, "levels") or [])
           if _concentration(v, _get(named, "unit")) is None]
    return (f"factor {_get(named, 'name')!r} is no dose series: level{'s' if len(odd) > 1 else ''} "
            f"{', '.join(repr(v) for v in odd)} {'are' if len(odd) > 1 else 'is'} no single "
            "concentration")
