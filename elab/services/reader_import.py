"""``elab import reader`` and ``elab analyze HOOK READER_FILE``: a reader file and a layout
file in, the tidy per-well table out.

Both files come from a person, so both are read bounded (:func:`elab.files.read_bytes`);
the layout is read with :func:`layout_from_csv`, which undoes the apostrophe elab puts
before cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from elab.domain.plate.csvio import layout_from_csv
from elab.domain.reader import (
    CtRow,
    TidyPlate,
    qpcr_rows_from_bytes,
    reader_data_from_bytes,
    tidy_from_reader,
)
from elab.errors import InputError
from elab.files import read_bytes, read_text

__all__ = [
    "MAX_LAYOUT_BYTES",
    "MAX_READER_BYTES",
    "ct_rows_from_file",
    "record_values_from_file",
    "tidy_from_files",
]

MAX_READER_BYTES = 32 * 1024 * 1024  # a 1536-well kinetic XLSX is a few MB
MAX_LAYOUT_BYTES = 4 * 1024 * 1024


def tidy_from_files(
    reader_file: Path,
    layout_file: Path,
    fmt: str | None = None,
    read: int | None = None,
    plate: str | None = None,
) -> TidyPlate:
    """The reader file joined with the layout file (blank wells subtracted)."""
    data = read_bytes(reader_file, MAX_READER_BYTES, what="reader file")
    layout = layout_from_csv(read_text(layout_file, MAX_LAYOUT_BYTES, what="layout"),
                             source=str(layout_file))
    readings = reader_data_from_bytes(data, Path(reader_file).name, fmt, read)
    return tidy_from_reader(readings, layout, Path(reader_file).name, plate)


def ct_rows_from_file(
    qpcr_file: Path, fmt: str | None = None, conditions: Mapping[str, str] | None = None
) -> tuple[list[CtRow], list[str]]:
    """A qPCR export's Ct table (through allotropy, or rdmlpython for RDML) and notes."""
    data = read_bytes(qpcr_file, MAX_READER_BYTES, what="qPCR file")
    return qpcr_rows_from_bytes(data, Path(qpcr_file).name, fmt, conditions)


def record_values_from_file(
    file: Path, record: Mapping[str, object], fmt: str | None = None,
    take: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """``(field, "value unit")`` for every reading of the step's record fields an instrument
    file holds (one pair per measurement, as several readings are recorded).

    ``record`` maps each field to its unit (fields without a unit are taken only when
    ``take`` names their ASM quantity, and then in the file's own unit).
    """
    from elab.domain.reader.values import field_values, quantities_from_asm
    from elab.domain.reader.vendors import asm_from_bytes, guess_vendor

    data = read_bytes(file, MAX_READER_BYTES, what="instrument file")
    name = Path(file).name
    chosen = fmt.strip().lower().replace("_", "-") if fmt else guess_vendor(data, name)
    quantities = quantities_from_asm(asm_from_bytes(data, chosen, name))
    take = dict(take or {})
    out = []
    for field, unit in record.items():
        if not unit:
            if field in take and take[field] in quantities:
                out += [(field, f"{v:.6g}") for v, _ in quantities[take[field]]]
            continue
        if field in take or len(record) == 1 or _has_match(quantities, str(unit)):
            out += [(field, text) for text in
                    field_values(quantities, field, str(unit), take.get(field), name)]
    if not out:
        raise InputError(f"{name} holds none of the values this step records "
                         f"({', '.join(record)})")
    return out


def _has_match(quantities: Mapping[str, list[tuple[float, str]]], unit: str) -> bool:
    from elab.units import parse_unit, unit_facts

    dims = unit_facts(parse_unit(unit)).dimensionality
    return any(unit_facts(v[0][1]).dimensionality == dims for v in quantities.values())
