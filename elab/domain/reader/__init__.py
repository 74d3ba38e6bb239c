"""Plate-reader exports to tidy per-well data: elab's grid reader, vendor files through
allotropy, and the join with a plate layout (blank subtraction included)."""

from .grid import grid_from_bytes
from .model import ReaderData, Reading
from .qpcr import CtRow, csv_from_ct, ct_records, qpcr_rows_from_bytes
from .tidy import TidyPlate, TidyRow, csv_from_tidy, records_from_tidy, tidy_from_reader
from .vendors import GRID, guess_format, reader_data_from_bytes, reader_formats

__all__ = [
    "GRID",
    "CtRow",
    "ReaderData",
    "Reading",
    "TidyPlate",
    "TidyRow",
    "csv_from_ct",
    "csv_from_tidy",
    "ct_records",
    "grid_from_bytes",
    "guess_format",
    "qpcr_rows_from_bytes",
    "reader_data_from_bytes",
    "reader_formats",
    "records_from_tidy",
    "tidy_from_reader",
]
