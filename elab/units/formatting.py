"""Quantities written back for people: ``600 µL``, ``12–48 h``, ``14000 × g``, ``1 h 30 min``."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from elab.units.pint_registry import _registry

if TYPE_CHECKING:
    from elab.units.qrange import QRange

__all__ = [
    "format_duration",
    "format_magnitude",
    "format_quantity",
    "format_range",
    "format_unit",
]

_SHOWN_UNITS = {
    "degree_Celsius": "°C",
    "rcf": "× g",
    "microliter": "µL",
    "milliliter": "mL",
    "liter": "L",
    "nanoliter": "nL",
    "magnification": "×",
    "percent": "%",
    "percent_wv": "% w/v",
    "percent_vv": "% v/v",
    "percent_ww": "% w/w",
    "cell": "cells",
    "cell / well": "cells/well",
    "cell / milliliter": "cells/mL",
    "cell / microliter": "cells/µL",
    "revolutions_per_minute": "rpm",
    "hour": "h",
    "minute": "min",
    "second": "s",
    "day": "d",
    "week": "wk",
}


@lru_cache(maxsize=1024)
def _shown_unit(unit: str) -> str:
    if unit in _SHOWN_UNITS:
        return _SHOWN_UNITS[unit]
    if not unit:
        return ""
    text = format(_registry().Unit(unit), "~P")
    text = re.sub(r"(?<![A-Za-z])([pnµumcd]?)l(?![A-Za-z])", r"\1L", text)
    return text.replace("od", "OD") if text == "od" else text


def format_magnitude(value: float) -> str:
    """A number as a scientist writes it: no trailing zeros, 4 significant figures."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    if abs(value) >= 1e4:
        return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    return f"{value:.4g}"


def format_quantity(value: float, unit: str) -> str:
    """``600 µL``, ``14000 × g``, ``37 °C``."""
    shown = _shown_unit(unit)
    number = format_magnitude(value)
    if not shown:
        return number
    sep = "" if shown in ("%", "×") else " "
    return f"{number}{sep}{shown}"


def format_unit(unit: str) -> str:
    """A unit as a scientist writes it after a number: ``%``, ``µL``, ``cells/mL``, ``× g``.

    Messages that name a declared unit use this, never a quantity of one (``1%``).
    """
    return _shown_unit(unit)


def format_range(value: QRange) -> str:
    """A range as written back for people: ``12–48 h``, ``≥ 1 h``, ``600 µL``."""
    if value.low is not None and value.high is not None:
        if value.low == value.high:
            return format_quantity(value.low, value.unit)
        return f"{format_magnitude(value.low)}–{format_quantity(value.high, value.unit)}"
    if value.low is not None:
        return f"≥ {format_quantity(value.low, value.unit)}"
    if value.high is not None:
        return f"≤ {format_quantity(value.high, value.unit)}"
    return "any"


def format_duration(seconds: float | None) -> str:
    """``1 h 30 min``, ``2 d 4 h``, ``45 s``; None is an open end (``open``)."""
    if seconds is None:
        return "open"
    if seconds == 0:
        return "0 min"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes >= 2 * 24 * 60:
        days, hours = divmod(round(minutes / 60), 24)
        return f"{days} d {hours} h" if hours else f"{days} d"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "0 min"
