"""elab's own small reader: a plain 8×12 or 16×24 grid in CSV, TSV or XLSX.

What any reader can export and any person can type: metadata lines, then a header row of
column numbers ``1 … 12`` (or ``1 … 24``) and one row per plate row ``A … H`` (``A … P``).
Several grids in one file are several plates, in the file's order.  Cells are numbers
(a decimal comma is read when the delimiter is not a comma), empty (not read), or a
reader's flag word (``OVRFLW``, ``MISSED``...), kept as the well's flag with no value.
"""

from __future__ import annotations

import csv
import io
import math
import re
import string
from collections.abc import Iterator, Sequence

from elab.errors import InputError

from .model import ReaderData, Reading
from .text import text_from_bytes

__all__ = ["FLAG_WORDS", "find_grids", "grid_from_bytes", "rows_from_bytes"]

FLAG_WORDS = frozenset({
    "ovrflw", "overflow", "over", "sat", "saturated", "missed", "miss", "invalid", "err",
    "error", "range?", "out of range", "*", "****", "-", "n/a", "na", "nan",
})
_LETTERS = string.ascii_uppercase
_SHAPES = {12: 8, 24: 16}
_XLSX_MAGIC = b"PK\x03\x04"


def rows_from_bytes(data: bytes, source: str) -> tuple[list[list[str]], str, list[str]]:
    """The file as rows of cell text, its decimal separator, and notes on how it was read."""
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_rows(data, source), ".", [f"{source}: read as an XLSX workbook"]
    text, encoding = text_from_bytes(data, source)
    lines = text.splitlines()
    sample = "\n".join(lines[:200])
    if "\t" in sample:
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    notes = [] if encoding.startswith("utf-8") else [f"{source}: read as {encoding.upper()} text"]
    rows = list(csv.reader(lines, delimiter=delimiter))
    return rows, ("." if delimiter == "," else ","), notes


def _xlsx_rows(data: bytes, source: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises assorted errors on a damaged workbook
        raise InputError(f"{source}: not a readable XLSX workbook ({exc})") from None
    rows: list[list[str]] = []
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                rows.append(["" if c is None else str(c) for c in row])
                if len(rows) > 100_000:
                    raise InputError(f"{source}: over 100,000 rows; not a plate export")
            rows.append([])
    finally:
        book.close()
    return rows


def _header(row: Sequence[str]) -> tuple[int, int] | None:
    """(index of the cell holding 1, number of columns) when the row is ``1 2 … 12|24``."""
    cells = [c.strip() for c in row]
    start = next((i for i, c in enumerate(cells) if _int(c) == 1), None)
    if start is None:
        return None
    n = 0
    while start + n < len(cells) and _int(cells[start + n]) == n + 1:
        n += 1
    return (start, n) if n in _SHAPES else None


def _int(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def find_grids(rows: Sequence[Sequence[str]]) -> Iterator[tuple[int, int, int]]:
    """(header row index, first column index, number of columns) of every grid."""
    i = 0
    while i < len(rows):
        found = _header(rows[i])
        if found is None:
            i += 1
            continue
        start, ncols = found
        nrows = 0
        while (
            i + 1 + nrows < len(rows)
            and nrows < _SHAPES[ncols]
            and _row_letter(rows[i + 1 + nrows], start) == _LETTERS[nrows]
        ):
            nrows += 1
        if nrows == _SHAPES[ncols]:
            yield i, start, ncols
            i += 1 + nrows
        else:
            i += 1


def _row_letter(row: Sequence[str], start: int) -> str:
    before = [c.strip() for c in row[:start] if c.strip()]
    return before[-1].upper() if before else ""


def _value(cell: str, decimal: str, where: str) -> tuple[float | None, str]:
    text = cell.strip()
    if not text:
        return None, "empty"
    number = text.replace(",", ".") if decimal == "," else text
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", number):
        value = float(number)
        if math.isfinite(value):
            return value, ""
    if text.lower() in FLAG_WORDS or text.startswith((">", "<")):
        return None, text.upper()
    raise InputError(f"{where}: {text!r} is neither a number nor a reader flag "
                     "(OVRFLW, MISSED...)")


_UNIT_HINTS = (("lumin", "luminescence", "RLU"), ("fluor", "fluorescence", "RFU"),
               ("absorb", "absorbance", "OD"), ("od", "absorbance", "OD"))


def _quantity(rows: Sequence[Sequence[str]], first_grid: int) -> tuple[str, str]:
    words = " ".join(" ".join(r) for r in rows[:first_grid]).lower()
    for hint, quantity, unit in _UNIT_HINTS:
        if re.search(rf"\b{hint}", words):
            return quantity, unit
    return "reading", ""


def grid_from_bytes(data: bytes, source: str) -> ReaderData:
    """Every grid of the file, one plate each (``1``, ``2``... in the file's order)."""
    rows, decimal, notes = rows_from_bytes(data, source)
    grids = list(find_grids(rows))
    if not grids:
        raise InputError(f"{source}: no 8x12 or 16x24 grid (a row 1..12 or 1..24 over rows "
                         "A..H or A..P) was found")
    readings: list[Reading] = []
    plates: list[str] = []
    for number, (top, start, ncols) in enumerate(grids, start=1):
        plate = str(number)
        plates.append(plate)
        for r in range(_SHAPES[ncols]):
            row = rows[top + 1 + r]
            for c in range(ncols):
                cell = row[start + c] if start + c < len(row) else ""
                well = f"{_LETTERS[r]}{c + 1}"
                value, flag = _value(cell, decimal, f"{source} line {top + 2 + r} well {well}")
                if flag != "empty":
                    readings.append(Reading(plate, well, value, flag))
    quantity, unit = _quantity(rows, grids[0][0])
    if len(grids) > 1:
        notes.append(f"{source}: {len(grids)} grids read as plates 1-{len(grids)}")
    return ReaderData("grid", quantity, unit, tuple(readings), tuple(plates), tuple(notes))
