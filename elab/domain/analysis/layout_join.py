"""A reader's per-well table joined with the plate layout that says what each well held.

``elab plate layout -o LAYOUT.csv`` writes one row per well: ``plate, well, condition``,
a column per design factor (``dose`` holds quantities such as ``100 nM`` and ``1 uM``) and
``control`` (``vehicle``, ``blank``...).  A plate reader exports ``well`` and a reading.
Joined on the well (and the plate, when both files name it), every layout column the
readings lack is added; a column of quantities becomes one number column in the unit of its
first cell, so ``dose`` arrives as ``dose [nM]`` whatever mix of units the layout used.
"""

from __future__ import annotations

import re

from elab.errors import InputError, QuantityError
from elab.units import convert, parse_quantity

from .table import Table

__all__ = ["join_layout"]


def _well(text: str) -> str:
    """``b03`` → ``B3``: the same well however a reader or a person spelled it."""
    m = re.fullmatch(r"\s*([A-Za-z]+)\s*0*(\d+)\s*", text)
    return f"{m[1].upper()}{int(m[2])}" if m else text.strip().upper()


_LABELS = frozenset({"plate", "well", "condition", "replicate", "control", "code"})


def _quantities(cells: list[str]) -> tuple[list[str], str, str] | None:
    """The cells as numbers in the first cell's unit (pint and as written), or None when
    they are not all quantities."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return None
    try:
        parsed = [parse_quantity(c) if c.strip() else None for c in cells]
    except (QuantityError, ValueError):
        return None
    units = {p.unit for p in parsed if p is not None}
    if "" in units or not units:
        return None
    first = next(p for p in parsed if p is not None)
    out = []
    for p in parsed:
        if p is None:
            out.append("")
            continue
        try:
            value = convert(p.planned, p.unit, first.unit)
        except (QuantityError, ValueError, TypeError):
            return None
        out.append(repr(value))
    written = re.sub(r"^\s*[-+\d.eE]+\s*", "", first.text).replace("µ", "u").replace("μ", "u")
    return out, first.unit, written


def join_layout(data: Table, layout: Table) -> Table:
    """``data`` with the layout's columns for each of its wells (plate and well as keys)."""
    for table, what in ((data, "data"), (layout, "layout")):
        if not table.has("well"):
            raise InputError(f"{table.source}: the {what} needs a 'well' column to join on")
    by_plate = data.has("plate") and layout.has("plate")

    def keys(table: Table) -> list[tuple[str, str]]:
        plates = table.text("plate") if by_plate else [""] * len(table)
        return [(p, _well(w)) for p, w in zip(plates, table.text("well"), strict=True)]

    index = {k: i for i, k in enumerate(keys(layout))}
    rows = []
    for k in keys(data):
        if k not in index:
            where = f"plate {k[0]} well {k[1]}" if by_plate else f"well {k[1]}"
            raise InputError(f"{data.source}: {where} is not in the layout {layout.source}")
        rows.append(index[k])
    columns = dict(data.columns)
    units, shown = dict(data.units), dict(data.shown_units)
    for name in layout.names:
        if name in columns:
            continue
        cells = [layout.columns[name][i] for i in rows]
        converted = None if layout.units.get(name) or name in _LABELS else _quantities(cells)
        if converted is not None:
            cells, units[name], shown[name] = converted
        else:
            units[name], shown[name] = layout.units.get(name, ""), layout.unit(name)
        columns[name] = tuple(cells)
    return Table(columns, units, shown, f"{data.source} + {layout.source}")
