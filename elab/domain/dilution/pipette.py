"""Pipette limits: the smallest volume a pipette delivers well, its resolution, dead volume
and overage, and the rounding every planner applies through them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from elab.errors import InputError

__all__ = ["PipetteLimits"]


@dataclass(frozen=True)
class PipetteLimits:
    """``min_ul``: no step pipettes less; ``resolution_ul``: volumes are multiples of it;
    ``dead_ul``: left behind in every tube or well a volume is drawn from; ``overage``: extra
    fraction made of every mix (0.1 = 10 %)."""

    min_ul: float = 1.0
    resolution_ul: float = 0.1
    dead_ul: float = 0.0
    overage: float = 0.1

    def __post_init__(self) -> None:
        if self.min_ul <= 0 or self.resolution_ul <= 0:
            raise InputError("the pipette minimum and resolution must be positive")
        if self.dead_ul < 0 or not 0 <= self.overage <= 1:
            raise InputError("dead volume must be ≥ 0 and overage between 0 and 100 %")

    def up(self, ul: float) -> float:
        """``ul`` rounded up to the resolution (and to at least the minimum)."""
        steps = math.ceil(ul / self.resolution_ul - 1e-9)
        return max(self.min_ul, round(steps * self.resolution_ul, 6))

    def nearest(self, ul: float) -> float:
        """``ul`` rounded to the nearest multiple of the resolution."""
        return round(round(ul / self.resolution_ul) * self.resolution_ul, 6)

    def check(self, ul: float, what: str) -> None:
        """Refuse a volume below the minimum, with the numbers."""
        if ul < self.min_ul - 1e-9:
            raise InputError(
                f"{what} needs {ul:.3g} µL, below the pipette minimum of {self.min_ul:g} µL"
            )
