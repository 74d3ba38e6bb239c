"""Layouts as CSV: ``plate, well, condition, <factor columns>, replicate, control, code``.

The file plate-reader software and the analysis hooks read back.  ``control`` holds the
control kind (``vehicle``, ``blank``…), ``edge`` for medium-filled edge wells, and is empty
for samples; empty wells are not listed.  ``code`` is the well's code on the plate map
(``1``, ``v1``): the rows go well by well, so a layout read back takes its conditions'
order from the codes, and the record's map of a kept layout shows the codes the bench sheet
showed (sorting the levels instead put ``defactinib`` before ``vehicle``).  A file without
codes (written by hand, or by an older elab) is ordered by its levels.
"""

from __future__ import annotations

import csv
import io
import re

from elab.domain.plate.layout import Layout, Placement
from elab.domain.plate.wells import FORMATS, PlateFormat, ij_from_well
from elab.errors import InputError
from elab.safe_text import safe_cell, unsafe_cell

__all__ = ["csv_from_layout", "layout_from_csv"]

_FIXED = ("plate", "well", "condition")
_CODE = "code"
_CODE_TEXT = re.compile(r"~|[a-z]{0,3}[0-9]{1,6}")


def csv_from_layout(layout: Layout) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Every cell goes through safe_cell: a factor named "=cmd|..." must not run in Excel.
    from elab.domain.plate.grid import codes_for

    codes = codes_for(layout)
    writer.writerow([safe_cell(c) for c in (*_FIXED, *layout.factors, "replicate", "control",
                                            _CODE)])
    for p in layout:
        levels = dict(p.levels)
        row = [
            p.plate,
            p.well,
            p.condition,
            *(levels.get(f, "") for f in layout.factors),
            p.replicate,
            "" if p.kind == "sample" else p.kind,
            codes[p.condition],
        ]
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows like csv.DictReader, with :func:`safe_cell` undone on every cell."""
    lines = [r for r in csv.reader(io.StringIO(text)) if r]
    if not lines:
        return [], []
    header = [unsafe_cell(c) for c in lines[0]]
    rows = [
        {h: (unsafe_cell(r[i]) if i < len(r) else "") for i, h in enumerate(header)}
        for r in lines[1:]
    ]
    return header, rows


def _smallest_format(max_i: int, max_j: int) -> PlateFormat:
    for rows, cols in sorted(FORMATS.values()):
        if max_i < rows and max_j < cols:
            return PlateFormat(rows, cols)
    return PlateFormat(max_i + 1, max_j + 1)


def layout_from_csv(text: str, plate: PlateFormat | None = None, source: str = "CSV") -> Layout:
    """Read a layout back; the plate format is the smallest standard one holding every well
    unless given."""
    header, reader = _rows(text)
    missing = [c for c in (*_FIXED, "replicate") if c not in header]
    if missing:
        raise InputError(f"{source} lacks column(s) {', '.join(missing)}")
    factors = tuple(c for c in header if c not in (*_FIXED, "replicate", "control", _CODE))
    placements = []
    for n, row in enumerate(reader, start=2):
        try:
            ij = ij_from_well(row["well"] or "")
            plate_no = int(row["plate"] or "1")
            rep = int(row["replicate"] or "1")
        except (InputError, ValueError) as exc:
            raise InputError(f"{source} line {n}: {exc}") from exc
        kind = (row.get("control") or "").strip() or "sample"
        levels = tuple((f, row[f]) for f in factors if row.get(f))
        well = row["well"].strip().upper()
        placements.append((ij, Placement(plate_no, well, row["condition"], levels, rep, kind)))
    if not placements:
        raise InputError(f"{source} lists no wells")
    fmt = plate or _smallest_format(
        max(ij[0] for ij, _ in placements), max(ij[1] for ij, _ in placements)
    )
    for ij, p in placements:
        if not fmt.contains(*ij):
            raise InputError(f"{source}: well {p.well} is not on a {fmt.name} plate")
    plates = max(p.plate for _, p in placements)
    ordered = tuple(p for _, p in placements)
    coded = {row["condition"]: row.get(_CODE, "") for row in reader}
    # codes as the map writes them (``12``, ``v3``, ``~``); anything else is not one of ours
    order = (_code_order(coded) if _CODE in header
             and all(_CODE_TEXT.fullmatch(code) for code in coded.values())
             else _design_order(ordered, factors))
    return Layout(fmt, ordered, factors, plates, order=order)


def _code_order(codes: dict[str, str]) -> tuple[str, ...]:
    """Conditions in the order of their plate-map codes (``1`` … ``12``, then each control
    kind's ``v1``, ``v2`` …), which gives them back those codes and that legend."""
    from elab.domain.plate.grid import code_rank

    return tuple(sorted(codes, key=lambda condition: code_rank(codes[condition])))


def _level_key(level: str) -> tuple[int, float, str]:
    """Quantities by magnitude in base units (0.1 nM before 1 uM), other levels by name."""
    from elab.units import parse_quantity, unit_facts

    try:
        q = parse_quantity(level)
        # The cached unit facts, not pint's registry: building it costs a second per process.
        facts = unit_facts(q.unit)
        return (0, float(q.planned) * facts.factor + facts.offset, "")
    except (InputError, ValueError, TypeError):
        return (1, 0.0, level)


def _design_order(placements: tuple[Placement, ...], factors: tuple[str, ...]) -> tuple[str, ...]:
    """The order a design lists conditions in (levels ascending), so a layout read back
    gets the same legend codes as the layout that was written."""
    levels: dict[str, dict[str, str]] = {}
    for p in placements:
        levels.setdefault(p.condition, dict(p.levels))
    return tuple(sorted(levels, key=lambda c: tuple(_level_key(levels[c].get(f, ""))
                                                    for f in factors)))
