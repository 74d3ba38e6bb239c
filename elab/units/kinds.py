"""The named kinds a protocol field can require (``volume``, ``time``...) and their check."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from elab.errors import DimensionError, QuantityError
from elab.units.facts import unit_facts

if TYPE_CHECKING:
    from elab.units.qrange import QRange

__all__ = ["KINDS", "check_kind"]

# Named kinds a protocol field can require, each as the dimensionalities it accepts.
KINDS: dict[str, tuple[str, ...]] = {
    "time": ("[time]",),
    "volume": ("[length] ** 3",),
    "mass": ("[mass]",),
    "length": ("[length]",),
    "area": ("[length] ** 2",),
    "temperature": ("[temperature]",),
    "count": ("[cells]", ""),
    "cells": ("[cells]",),
    "cell_density": ("[cells] / [length] ** 3",),
    "cells_per_well": ("[cells] / [wells]", "[cells]"),
    "molar": ("[substance] / [length] ** 3",),
    "concentration": ("[substance] / [length] ** 3", "[mass] / [length] ** 3", ""),
    "amount": (
        "[length] ** 3",
        "[mass]",
        "[substance]",
        "[cells]",
        "",
        "[cells] / [wells]",
        "[length] ** 3 / [wells]",
        "[mass] / [length] ** 3",
        "[substance] / [length] ** 3",
    ),
    "acceleration": ("[length] / [time] ** 2",),
    "speed": ("1 / [time]",),
    "dose": ("",),
    "dose_bsa": ("[mass] / [length] ** 2",),
    "dimensionless": ("",),
    "magnification": ("[magnification]",),
    "optical_density": ("[optical_density]",),
    "wavelength": ("[length]",),
}


def check_kind(value: QRange, kind: str) -> QRange:
    """``value`` if its unit is of the named kind, else a :class:`DimensionError`."""
    accepted = KINDS.get(kind)
    if accepted is None:
        raise QuantityError(f"unknown kind {kind!r}")
    dim = _dimensionality(value.unit)
    if dim in accepted:
        return value
    if kind == "temperature" and value.unit == "coulomb":
        raise DimensionError("bare 'C' is coulomb, not a temperature: write °C or degC")
    shown = value.text or value.unit
    raise DimensionError(f"{shown!r} is not a {kind.replace('_', ' ')} ({_describe(dim)})")


@lru_cache(maxsize=1024)
def _dimensionality(unit: str) -> str:
    return unit_facts(unit).dimensionality


def _describe(dim: str) -> str:
    names = {
        "[length] ** 3": "a volume",
        "[mass]": "a mass",
        "[time]": "a duration",
        "[temperature]": "a temperature",
        "[length]": "a length",
        "": "a plain number",
        "[current] * [time]": "an electric charge",
        "[cells]": "a cell count",
    }
    return names.get(dim, f"dimension {dim}")
