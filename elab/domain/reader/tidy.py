"""A reader's readings joined with the plate layout: one tidy row per well, blanks subtracted.

The layout (``elab plate layout -o``) says what each well held: condition, design factor
levels (``dose`` = ``4 uM``), replicate and control kind.  The file's plates are the
layout's plates 1, 2, ... in the file's order.  The blank of a plate is the mean of its
``blank`` control wells (medium, no cells: the reader's and the medium's own signal) and
is subtracted from every reading of that plate, as in the MTT assay's analysis (Riss et al.,
Assay Guidance Manual, "Cell Viability Assays", 2013/2016; Mosmann 1983).  Flagged wells
(``OVRFLW``, ``MISSED``) and layout wells the file did not read stay in the table with an
empty response and their flag, and are counted in a warning.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from elab.domain.plate.layout import Layout, Placement
from elab.errors import InputError, QuantityError
from elab.safe_text import safe_cell
from elab.units import convert, format_magnitude, parse_quantity

from .model import ReaderData, Reading

__all__ = ["TidyPlate", "TidyRow", "csv_from_tidy", "records_from_tidy", "tidy_from_reader"]


@dataclass(frozen=True)
class TidyRow:
    """One layout well with its reading."""

    placement: Placement
    raw: float | None
    flag: str
    response: float | None


@dataclass(frozen=True)
class TidyPlate:
    """The joined table, its factor units, the blanks used and what the person should know."""

    rows: tuple[TidyRow, ...]
    factors: tuple[tuple[str, str], ...]  # (factor, unit as written or "")
    quantity: str
    unit: str
    blanks: tuple[tuple[int, float | None, int], ...]  # (plate, blank, wells averaged)
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    factor_values: tuple[dict[str, str], ...] = ()


def _plate_map(data: ReaderData, layout: Layout, plate: str | None, source: str
               ) -> list[tuple[int, str]]:
    """(layout plate number, file plate name) pairs."""
    names = list(data.plates)
    if plate is not None:
        chosen = next((n for n in names if n == plate), None)
        if chosen is None and plate.isdigit() and 1 <= int(plate) <= len(names):
            chosen = names[int(plate) - 1]
        if chosen is None:
            raise InputError(f"{source}: no plate {plate!r}; it holds {', '.join(names)}")
        number = 1 if layout.plates == 1 else names.index(chosen) + 1
        return [(number, chosen)]
    if len(names) > layout.plates:
        raise InputError(f"{source} holds {len(names)} plates ({', '.join(names)}) and the "
                         f"layout {layout.plates}; pick one with --plate NAME")
    return list(enumerate(names, start=1))


def _written_unit(text: str) -> str:
    return re.sub(r"^\s*[-+\d.eE]+\s*", "", text).replace("µ", "u").replace("μ", "u")


def _factor_columns(
    layout: Layout,
) -> tuple[tuple[tuple[str, str], ...], dict[tuple[str, str], str]]:
    """Each factor's unit (that of its first quantity level) and every level as a number in
    it; a factor whose levels are not all quantities keeps its words and no unit."""
    units: list[tuple[str, str]] = []
    values: dict[tuple[str, str], str] = {}
    for factor in layout.factors:
        levels = list(dict.fromkeys(dict(p.levels).get(factor, "") for p in layout))
        filled = [lev for lev in levels if lev.strip()]
        try:
            parsed = {lev: parse_quantity(lev) for lev in filled}
            first = parsed[filled[0]] if filled else None
            if first is None or not first.unit:
                raise QuantityError("not a quantity")
            for lev, q in parsed.items():
                value = convert(q.planned, q.unit, first.unit)
                values[(factor, lev)] = format_magnitude(value) if value is not None else ""
            units.append((factor, _written_unit(first.text)))
        except (QuantityError, ValueError, TypeError):
            values.update({(factor, lev): lev for lev in filled})
            units.append((factor, ""))
    return tuple(units), values


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


SIGNIFICANT = 10
"""Significant figures kept of a reading: no plate reader resolves more (4 decimals of OD)."""


def _subtracted(raw: float, blank: float | None) -> float:
    """``raw - blank`` without binary float noise: the difference is rounded at the
    ``SIGNIFICANT``-th figure of the larger operand, the last one either could hold, so a
    well that reads the blank is exactly 0 (not -6.9e-18) and 0.06 - 0.05 is 0.01."""
    if blank is None:
        return raw
    scale = max(abs(raw), abs(blank))
    difference = raw - blank
    if scale == 0 or not math.isfinite(difference):
        return difference
    digits = SIGNIFICANT - 1 - math.floor(math.log10(scale))
    return round(difference, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def tidy_from_reader(
    data: ReaderData, layout: Layout, source: str, plate: str | None = None
) -> TidyPlate:
    """Every layout well of the plates in the file, with its reading and blank-corrected
    response."""
    pairs = _plate_map(data, layout, plate, source)
    notes: list[str] = list(data.notes)
    warnings: list[str] = []
    rows: list[TidyRow] = []
    blanks: list[tuple[int, float | None, int]] = []
    unit_text = f" {data.unit}" if data.unit else ""
    ignored = 0
    for number, name in pairs:
        readings: dict[str, Reading] = data.on_plate(name)
        wells = layout.on_plate(number)
        listed = {p.well for p in wells}
        ignored += sum(1 for w, r in readings.items() if w not in listed and r.value is not None)
        if not any(p.well in readings for p in wells):
            raise InputError(f"{source}: plate {name} has no reading in any well of layout "
                             f"plate {number}")
        found = [(p, readings.get(p.well)) for p in wells]
        blank_values = [r.value for p, r in found
                        if p.kind == "blank" and r is not None and r.value is not None]
        blank = _mean(blank_values)
        n_blank = sum(1 for p in wells if p.kind == "blank")
        named = f"plate {number}" if name == str(number) else f"plate {number} ({name})"
        if blank is not None:
            notes.append(f"{named}: blank {format_magnitude(blank)}{unit_text} "
                         f"(mean of {len(blank_values)} blank wells) subtracted")
        elif n_blank:
            warnings.append(f"plate {number}: none of its {n_blank} blank wells has a reading; "
                            "nothing was subtracted")
        else:
            notes.append(f"{named}: no blank wells in the layout; "
                         "nothing subtracted")
        blanks.append((number, blank, len(blank_values)))
        for p, r in found:
            raw = r.value if r is not None else None
            flag = r.flag if r is not None else "not read"
            response = None if raw is None else _subtracted(raw, blank)
            rows.append(TidyRow(p, raw, flag, response))
    if len(pairs) < layout.plates:
        warnings.append(f"{source} holds {len(pairs)} plate(s); layout plates "
                        f"{len(pairs) + 1}-{layout.plates} have no readings")
    flagged: dict[str, list[str]] = {}
    for row in rows:
        if row.raw is None:
            flagged.setdefault(row.flag, []).append(f"{row.placement.well}@{row.placement.plate}")
    for flag, names in sorted(flagged.items()):
        shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
        what = "well" if len(names) == 1 else "wells"
        warnings.append(f"{len(names)} {what} {flag} ({shown}): no value, left out of the analysis")
    if ignored:
        notes.append(f"{ignored} read wells are not in the layout (empty wells) and were left out")
    units, values = _factor_columns(layout)
    factor_values = tuple(
        {f: values.get((f, dict(r.placement.levels).get(f, "")), "") for f in layout.factors}
        for r in rows
    )
    return TidyPlate(tuple(rows), units, data.quantity, data.unit, tuple(blanks),
                     tuple(notes), tuple(warnings), factor_values)


def _header(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit else name


def records_from_tidy(tidy: TidyPlate) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows as dicts (numbers as floats, missing as None) and each column's unit."""
    units = {f: u for f, u in tidy.factors if u}
    units.update({"raw": tidy.unit, "blank": tidy.unit, "response": tidy.unit})
    blank_of = {plate: blank for plate, blank, _ in tidy.blanks}
    records = []
    for row, levels in zip(tidy.rows, tidy.factor_values, strict=True):
        p = row.placement
        record: dict[str, Any] = {"plate": p.plate, "well": p.well, "condition": p.condition}
        record.update(levels)
        record.update({
            "replicate": p.replicate,
            "control": "" if p.kind == "sample" else p.kind,
            "raw": row.raw,
            "blank": blank_of.get(p.plate),
            "response": row.response,
            "flag": row.flag,
        })
        records.append(record)
    return records, {k: v for k, v in units.items() if v}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # SIGNIFICANT figures: no reader resolves more, and 0.06 - 0.05 prints as 0.01;
        # a negative zero prints as 0.
        return f"{value + 0.0:.{SIGNIFICANT}g}" if math.isfinite(value) else ""
    return str(value)


def csv_from_tidy(tidy: TidyPlate) -> str:
    """The tidy table as CSV, units in the headers, every cell through :func:`safe_cell`."""
    records, units = records_from_tidy(tidy)
    names = list(records[0]) if records else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(_header(n, units.get(n, ""))) for n in names])
    for record in records:
        writer.writerow([safe_cell(_cell(record[n])) for n in names])
    return out.getvalue()
