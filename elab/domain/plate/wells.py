"""Well algebra: plate formats, well names and the geometry the layout rules talk about.

Pure functions on (row, column) indices, 0-based, named ``x_from_y`` as wellmap names them, so
that the solver, the checker, the renderers and the CSV reader agree on one meaning of ``B3``.
Rows past Z are named AA, AB... (1536-well plates), columns are 1-based in names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from elab.errors import InputError

__all__ = [
    "FORMATS",
    "PlateFormat",
    "col_from_name",
    "edge_distance",
    "format_from_text",
    "ij_from_well",
    "is_edge",
    "neighbours",
    "row_from_name",
    "row_name",
    "well_from_ij",
    "wells",
]

# Standard SBS formats: wells -> (rows, columns).
FORMATS: dict[int, tuple[int, int]] = {
    6: (2, 3),
    12: (3, 4),
    24: (4, 6),
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
    1536: (32, 48),
}

_WELL_RE = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})\s*$")


@dataclass(frozen=True)
class PlateFormat:
    """A plate's grid; any rows × columns, standard or not."""

    rows: int
    cols: int

    def __post_init__(self) -> None:
        if not (1 <= self.rows <= 702 and 1 <= self.cols <= 999):
            raise InputError(f"a plate of {self.rows} × {self.cols} wells is not possible")

    @property
    def size(self) -> int:
        return self.rows * self.cols

    @property
    def name(self) -> str:
        standard = FORMATS.get(self.size)
        if standard == (self.rows, self.cols):
            return f"{self.size}-well"
        return f"{self.rows}×{self.cols}"

    def contains(self, i: int, j: int) -> bool:
        return 0 <= i < self.rows and 0 <= j < self.cols

    def __str__(self) -> str:
        return self.name


def format_from_text(text: str | int) -> PlateFormat:
    """``96`` or ``"96"`` or ``"8x12"`` (rows × columns) → a :class:`PlateFormat`."""
    raw = str(text).strip().lower().removesuffix("-well").removesuffix("well").strip()
    if m := re.fullmatch(r"(\d+)\s*[x×*]\s*(\d+)", raw):
        return PlateFormat(int(m[1]), int(m[2]))
    if raw.isdigit() and int(raw) in FORMATS:
        return PlateFormat(*FORMATS[int(raw)])
    known = ", ".join(str(n) for n in FORMATS)
    raise InputError(f"unknown plate format {text!r} (use {known} or ROWSxCOLS such as 5x7)")


def row_name(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    if i < 0:
        raise InputError(f"row index {i} is negative")
    if i < 26:
        return chr(ord("A") + i)
    return chr(ord("A") + i // 26 - 1) + chr(ord("A") + i % 26)


def row_from_name(name: str) -> int:
    """A → 0, Z → 25, AA → 26 (case-insensitive)."""
    text = name.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,2}", text):
        raise InputError(f"{name!r} is not a row name")
    if len(text) == 1:
        return ord(text) - ord("A")
    return (ord(text[0]) - ord("A") + 1) * 26 + ord(text[1]) - ord("A")


def col_from_name(name: str | int) -> int:
    """``"1"`` → 0 (columns are 1-based in names)."""
    text = str(name).strip()
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"{name!r} is not a column number")
    return int(text) - 1


def well_from_ij(i: int, j: int) -> str:
    """(0, 0) → ``A1``; (15, 23) → ``P24``."""
    if j < 0:
        raise InputError(f"column index {j} is negative")
    return f"{row_name(i)}{j + 1}"


def ij_from_well(well: str, plate: PlateFormat | None = None) -> tuple[int, int]:
    """``A1`` (or ``a01``) → (0, 0); checked against ``plate`` when one is given."""
    m = _WELL_RE.match(well)
    if not m or int(m[2]) < 1:
        raise InputError(f"{well!r} is not a well name like A1 or P24")
    i, j = row_from_name(m[1]), int(m[2]) - 1
    if plate is not None and not plate.contains(i, j):
        last = well_from_ij(plate.rows - 1, plate.cols - 1)
        raise InputError(f"well {well.strip()} is not on a {plate.name} plate (A1…{last})")
    return i, j


def wells(plate: PlateFormat) -> Iterator[tuple[int, int]]:
    """Every (row, column) of a plate, row by row."""
    for i in range(plate.rows):
        for j in range(plate.cols):
            yield i, j


def edge_distance(i: int, j: int, plate: PlateFormat) -> int:
    """0 for the outer ring, 1 for the ring inside it, and so on."""
    return min(i, j, plate.rows - 1 - i, plate.cols - 1 - j)


def is_edge(i: int, j: int, plate: PlateFormat, width: int) -> bool:
    """Whether a well lies in the outer ``width`` rings."""
    return edge_distance(i, j, plate) < width


def neighbours(i: int, j: int, plate: PlateFormat) -> Iterator[tuple[int, int]]:
    """The wells sharing a side with (i, j)."""
    for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        if plate.contains(i + di, j + dj):
            yield i + di, j + dj
