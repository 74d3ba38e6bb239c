"""QRange: a quantity or a range of one, as magnitudes in one unit.

What every parsed protocol quantity becomes (:func:`elab.units.parse_quantity`): plain
floats and a unit string, so nothing holds a pint object for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elab.errors import QuantityError
from elab.units.conversions import convert
from elab.units.formatting import format_range
from elab.units.pint_registry import _registry

__all__ = ["QRange"]


@dataclass(frozen=True)
class QRange:
    """A quantity or a range of one, as magnitudes in one unit.

    ``low == high`` is an exact value; ``low is None`` or ``high is None`` is an open end
    (``>= 1 h``).  ``nominal`` is the value to plan with when a range is given (its middle,
    or what a bench word usually means).  ``text`` keeps what the person wrote.
    """

    low: float | None
    high: float | None
    unit: str
    text: str = ""
    nominal: float | None = None

    @property
    def is_exact(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def planned(self) -> float:
        """The magnitude to plan with: nominal, else the middle, else the closed end."""
        if self.nominal is not None:
            return self.nominal
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        value = self.low if self.low is not None else self.high
        return value if value is not None else 0.0

    def quantity(self, which: str = "planned") -> Any:
        """A pint quantity for ``low``, ``high`` or ``planned``."""
        value = {"low": self.low, "high": self.high, "planned": self.planned}[which]
        if value is None:
            raise QuantityError(f"{self.text or self.unit!r} has no {which} end")
        return _registry().Quantity(value, self.unit)

    def to(self, unit: str) -> QRange:
        """The same range in another unit of the same dimension."""
        return QRange(
            low=convert(self.low, self.unit, unit),
            high=convert(self.high, self.unit, unit),
            unit=unit,
            text=self.text,
            nominal=convert(self.nominal, self.unit, unit),
        )

    def contains(self, value: float, unit: str) -> bool:
        """Whether ``value unit`` lies within this range (ends included)."""
        mag = convert(value, unit, self.unit)
        assert mag is not None
        scale = max(abs(self.low or 0.0), abs(self.high or 0.0), 1e-300)
        eps = 1e-9 * scale
        if self.low is not None and mag < self.low - eps:
            return False
        return not (self.high is not None and mag > self.high + eps)

    def scaled(self, factor: float) -> QRange:
        """This range times a plain number (a repeat count, a number of wells)."""

        def mul(x: float | None) -> float | None:
            return None if x is None else x * factor

        return QRange(mul(self.low), mul(self.high), self.unit, self.text, mul(self.nominal))

    def seconds(self) -> tuple[float, float | None]:
        """A duration's (min, max) in seconds; an open low end counts as 0."""
        lo = convert(self.low, self.unit, "second") if self.low is not None else 0.0
        hi = convert(self.high, self.unit, "second")
        return (lo or 0.0, hi)

    def __str__(self) -> str:
        return format_range(self)
