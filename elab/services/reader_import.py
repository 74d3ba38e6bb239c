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
from elab.files import read_bytes, read_text

__all__ = ["MAX_LAYOUT_BYTES", "MAX_READER_BYTES", "ct_rows_from_file", "tidy_from_files"]

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
    """A qPCR export's Ct table (through allotropy) and notes."""
    data = read_bytes(qpcr_file, MAX_READER_BYTES, what="qPCR file")
    return qpcr_rows_from_bytes(data, Path(qpcr_file).name, fmt, conditions)
