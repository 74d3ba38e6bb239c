"""Check 4: dose levels that can find the potency the source reports.

A factor may state what its source expects (``expected: {ic50: 1.7-10.3 uM}``).  A
four-parameter fit needs both plateaus, so at least two levels must lie below the low end
and two above the high end; otherwise the curve's midpoint is an extrapolation.
"""

from __future__ import annotations

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.common import level_values, magnitude_in, shown
from elab.domain.protocol.science.finding import Report

__all__ = ["MIN_EACH_SIDE", "check_coverage"]

MIN_EACH_SIDE = 2


def check_coverage(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None:
        return
    for index, factor in enumerate(design.factors):
        for name, expected in factor.expected.items():
            where = ("design", "factors", index, "expected", name)
            unit = expected.unit
            levels = [magnitude_in(q, unit) for q in level_values(factor) if q is not None]
            values = sorted(v for v in levels if v)
            if not values:
                report.error(f"factor {factor.name!r}: no level is a concentration comparable"
                             f" with the expected {name} {expected}", *where)
                continue
            low = expected.low if expected.low is not None else expected.planned
            high = expected.high if expected.high is not None else expected.planned
            below = [v for v in values if v < low]
            above = [v for v in values if v > high]
            if len(below) < MIN_EACH_SIDE or len(above) < MIN_EACH_SIDE:
                listed = ", ".join(shown(v, unit) for v in values)
                report.warning(
                    f"factor {factor.name!r}: levels {listed} have {len(below)} below and"
                    f" {len(above)} above the expected {name} {expected}; a dose-response fit"
                    f" needs at least {MIN_EACH_SIDE} on each side",
                    *where,
                )
