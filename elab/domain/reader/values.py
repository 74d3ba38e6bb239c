"""Recorded values from an instrument file allotropy reads: a NanoDrop's RNA concentrations,
a Vi-CELL's viable cell density and viability.

Every ``{value, unit}`` pair in the file's measurement documents is collected under its ASM
name (``mass concentration``, ``viable cell density (cell counter)``), in file order, leaving
out instrument settings (device control and data-processing documents) and unitless ratios.
A step's record field takes the one ASM quantity whose unit has the field's dimension; when
several do, the person names one (``--take rna_conc="mass concentration"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from elab.errors import InputError, QuantityError
from elab.units import convert, parse_unit, unit_facts

__all__ = ["field_values", "quantities_from_asm"]

_SETTINGS = ("device control", "data processing", "data system", "device system")
_SCALED = re.compile(r"^\(?10\^(\d+)\s+(.+?)\)?$")  # "10^6 cells/mL"


def _pairs(node: Any, key: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(node, Mapping):
        if "value" in node and "unit" in node and key:
            yield key, node["value"], node["unit"]
            return
        for k, v in node.items():
            if any(s in str(k) for s in _SETTINGS):
                continue
            yield from _pairs(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from _pairs(item, key)


def _unit(value: float, unit: str) -> tuple[float, str] | None:
    """The value in a unit pint reads (``10^6 cells/mL`` → × 1e6 ``cells/mL``), or None."""
    text = unit.strip()
    scale = 1.0
    m = _SCALED.match(text)
    if m:
        scale, text = 10.0 ** int(m[1]), m[2]
    if text in ("", "(unitless)", "#", "UNITLESS"):
        return None
    try:
        return value * scale, parse_unit(text)
    except QuantityError:
        return None


def quantities_from_asm(asm: Mapping[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """ASM name → every (value, pint unit) in the file, in order."""
    found: dict[str, list[tuple[float, str]]] = {}
    for name, value, unit in _pairs(asm):
        if not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            continue
        converted = _unit(float(value), str(unit))
        if converted is not None:
            found.setdefault(name, []).append(converted)
    return found


def field_values(
    quantities: Mapping[str, list[tuple[float, str]]], field: str, unit: str,
    take: str | None = None, source: str = "file",
) -> list[str]:
    """The field's readings in its unit (``704.986 ng/uL``), one per measurement in the file."""
    target = parse_unit(unit)
    dims = unit_facts(target).dimensionality
    if take is not None:
        if take not in quantities:
            raise InputError(f"{source} holds no {take!r}; it holds {', '.join(quantities)}")
        names = [take]
    else:
        names = [n for n, vals in quantities.items()
                 if unit_facts(vals[0][1]).dimensionality == dims]
    if not names:
        raise InputError(f"{source} holds nothing in {unit} for {field} "
                         f"(it holds {', '.join(quantities) or 'no quantities'})")
    if len(names) > 1:
        listed = "; ".join(names)
        raise InputError(f"{source} holds several quantities in {unit} for {field} ({listed}); "
                         f"pick one with --take {field}=NAME")
    values = []
    for value, from_unit in quantities[names[0]]:
        try:
            values.append(convert(value, from_unit, target))
        except (QuantityError, TypeError) as exc:
            raise InputError(f"{source}: {names[0]} in {from_unit} is not {unit}: {exc}") from None
    return [f"{v:.6g} {unit}" for v in values if v is not None]
