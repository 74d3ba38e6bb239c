"""A dose matrix's reference wells: the 0 × 0 vehicle and each drug's single-agent series.

In a combination matrix (two or more dose factors, each with a 0 level) every well's
viability is read against the 0 × 0 wells, and each drug's IC50 comes from its row or column
at 0 of the others.  Those wells belong on every plate the matrix is laid over: a plate
without its own vehicle wells cannot be normalised, and a single-agent curve split between
plates mixes two plates' signals.  So the allocator spreads them over the plates (as it does
a time-matched control) while each combination keeps its replicates together, and the checker
reports a plate of treated wells without them.
"""

from __future__ import annotations

from functools import cache

from elab.domain.plate.spec import DesignSpec

__all__ = ["is_zero_dose", "matrix_references", "missing_references"]


@cache
def is_zero_dose(level: str) -> bool:
    """Whether a level is a dose of nothing (``0 uM``, ``0 %``, ``0``), not ``0 h``."""
    from elab.units import KINDS, parse_quantity, ureg

    try:
        q = parse_quantity(level)
    except ValueError:
        return False
    if q.low != 0 or q.high != 0:
        return False
    if not q.unit:
        return True
    return str(ureg.parse_units(q.unit).dimensionality) in KINDS["concentration"]


def _dose_factors(spec: DesignSpec) -> list[str]:
    """The factors with a 0 level, when at least two have one (a matrix); else none.  Plates
    split by one of them (``plate_by``) are that drug's levels, not one matrix each: none."""
    named = [f.name for f in spec.factors if any(is_zero_dose(v) for v in f.levels)]
    return named if len(named) >= 2 and spec.plate_by not in named else []


def matrix_references(spec: DesignSpec) -> tuple[str, ...]:
    """Sample conditions with at least one dose factor at 0: the 0 × 0 vehicle and the
    single-agent series, in design order; () when the design is no dose matrix."""
    doses = _dose_factors(spec)
    if not doses:
        return ()
    return tuple(c.name for c in spec.sample_conditions()
                 if any(is_zero_dose(dict(c.levels)[f]) for f in doses))


def missing_references(spec: DesignSpec, on_plate: set[str]) -> list[str]:
    """The reference conditions a plate holding the conditions ``on_plate`` lacks: those
    sharing the other (non-dose) factors' levels with a treated condition on it, in design
    order (a plate of cell line A needs line A's 0 × 0, not line B's)."""
    doses = _dose_factors(spec)
    if not doses:
        return []

    def rest(levels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((f, v) for f, v in levels if f not in doses)

    refs = set(matrix_references(spec))
    samples = spec.sample_conditions()
    treated = {rest(c.levels) for c in samples if c.name in on_plate and c.name not in refs}
    return [c.name for c in samples
            if c.name in refs and rest(c.levels) in treated and c.name not in on_plate]
