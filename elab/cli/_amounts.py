"""Reading amounts typed on the command line (``10mM``, ``200 uL``, ``0.1%``, ``3000-5000``)
through :mod:`elab.units`, shared by the plate, dilute and dose commands."""

from __future__ import annotations

from elab.errors import InputError
from elab.units import QRange, convert, parse_quantity

__all__ = ["fraction_from_text", "magnitude_in", "quantity", "ul_from_text"]


def quantity(text: str, kind: str | None, what: str) -> QRange:
    """``text`` parsed as a ``kind``; the error names the option."""
    try:
        return parse_quantity(text, kind)
    except InputError:
        raise
    except ValueError as exc:  # QuantityError / DimensionError are ValueErrors
        raise type(exc)(f"{what}: {exc}") from exc


def magnitude_in(text: str, kind: str | None, unit: str, what: str) -> float:
    """The planned magnitude of ``text`` in ``unit``."""
    q = quantity(text, kind, what)
    try:
        value = convert(q.planned, q.unit, unit)
    except ValueError as exc:
        raise type(exc)(f"{what}: {exc}") from exc
    assert value is not None
    return value


def ul_from_text(text: str, what: str) -> float:
    """A volume in µL; a bare number is taken as µL."""
    stripped = text.strip()
    if stripped.replace(".", "", 1).isdigit():
        return float(stripped)
    return magnitude_in(stripped, "volume", "microliter", what)


def fraction_from_text(text: str, what: str) -> float:
    """``0.1%``, ``0.1 % v/v``, ``10 %`` or ``0.001`` → a fraction; ``none`` → 0."""
    stripped = text.strip().lower()
    if stripped in ("none", "no", "0", "0%", "0 %"):
        return 0.0
    q = quantity(stripped, "dimensionless", what)
    value = convert(q.planned, q.unit, "") if q.unit else q.planned
    assert value is not None
    if not 0 <= value < 1:
        raise InputError(f"{what}: {text!r} is not a percentage below 100 %")
    return value
