"""Dilution and mixing ratios: ``1:1000`` (an antibody), ``1:1`` (medium:Matrigel)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from elab.errors import QuantityError
from elab.units.formatting import format_magnitude
from elab.units.parsing import _number

__all__ = ["Ratio", "parse_ratio"]

_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Ratio:
    """A dilution or mixing ratio such as ``1:1000`` (antibody) or ``1:1`` (medium:Matrigel)."""

    first: float
    second: float
    text: str = ""

    @property
    def dilution_factor(self) -> float:
        """``1:1000`` read as a dilution: the final volume is 1000 parts."""
        return self.second / self.first

    @property
    def fraction_first(self) -> float:
        """``1:1`` read as a mix: the share of the first part in the whole."""
        return self.first / (self.first + self.second)

    def __str__(self) -> str:
        return self.text or f"{format_magnitude(self.first)}:{format_magnitude(self.second)}"


def parse_ratio(text: str) -> Ratio:
    """``1:1000`` → Ratio(1, 1000); refuses zero parts and anything else."""
    m = _RATIO_RE.match(text)
    if not m:
        raise QuantityError(f"{text!r} is not a ratio like 1:1000")
    first, second = _number(m[1]), _number(m[2])
    if first <= 0 or second <= 0:
        raise QuantityError(f"ratio {text!r} has a zero part")
    return Ratio(first, second, text.strip())
