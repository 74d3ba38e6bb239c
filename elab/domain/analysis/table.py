"""Tidy CSV tables with units in their headers: ``dose [nM]``, ``area [um^2]``.

Instruments and spreadsheets export tidy CSV: one header row, one observation per row.  A
column's unit, when given, sits in brackets after its name and is checked by pint; a hook
declares the unit it computes in and the reader converts, so ``time [min]`` and
``time [h]`` give the same migration rate.  Names are compared in lower case with spaces
and hyphens read as underscores (``Body weight [g]`` is ``body_weight``).  Empty cells and
the instrument words ``Undetermined``, ``NA``, ``NaN`` read as missing numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elab.errors import DimensionError, InputError, QuantityError
from elab.units import QRange, check_kind, convert, parse_unit

if TYPE_CHECKING:
    from .base import Column

__all__ = ["MISSING_WORDS", "Table", "concat_tables", "read_table", "table_from_records"]

MISSING_WORDS = frozenset({"", "na", "nan", "n/a", "undetermined", "undet", "-", "none"})
MAX_MAGNITUDE = 1e30  # far beyond any lab value; keeps squares and logs finite
_HEADER_RE = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*(?:\[(?P<unit>[^\[\]]*)\])?\s*$")


def _name_from_header(text: str) -> str:
    """``Body weight`` → ``body_weight``: the name a hook asks for."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


@dataclass(frozen=True)
class Table:
    """Columns of cell text by name, each with its unit (pint spelling and as written)."""

    columns: dict[str, tuple[str, ...]]
    units: dict[str, str]
    shown_units: dict[str, str]
    source: str = "<table>"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str) -> list[str]:
        """The cells of a label column, stripped."""
        return [c.strip() for c in self._column(name)]

    def numbers(self, name: str, *, nonnegative: bool = False) -> list[float]:
        """The cells of a number column; missing cells are NaN, anything else is an error.

        With ``nonnegative`` a negative value (a count, a diameter) is an error too.
        """
        out: list[float] = []
        for row, cell in enumerate(self._column(name), start=2):
            text = cell.strip()
            if text.lower() in MISSING_WORDS:
                out.append(math.nan)
                continue
            try:
                value = float(text)
            except ValueError:
                raise InputError(
                    f"{self.source}: row {row}: {name} {text!r} is not a number"
                ) from None
            if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                raise InputError(f"{self.source}: row {row}: {name} {text!r} is out of range")
            if nonnegative and value < 0:
                raise InputError(f"{self.source}: row {row}: {name} {text!r} cannot be negative")
            out.append(value)
        return out

    def unit(self, name: str) -> str:
        """The column's unit as the user wrote it (``nM``), or ``""``."""
        return self.shown_units.get(name, "")

    def _column(self, name: str) -> tuple[str, ...]:
        try:
            return self.columns[name]
        except KeyError:
            raise InputError(f"{self.source}: no column {name!r}") from None

    def checked(self, inputs: Sequence[Column], hook: str = "") -> Table:
        """This table with the declared columns present and converted to their units."""
        columns = dict(self.columns)
        units = dict(self.units)
        shown = dict(self.shown_units)
        for col in inputs:
            present = [n for n in (col.name, *col.alternatives) if n in columns]
            if not present:
                if col.optional:
                    continue
                wanted = " or ".join(repr(n) for n in (col.name, *col.alternatives))
                have = ", ".join(self.names) or "none"
                who = f"{hook} needs" if hook else "needs"
                raise InputError(f"{self.source}: {who} a column {wanted} (columns: {have})")
            for name in present:
                if col.text:
                    continue
                self._check_unit(col, name, columns, units, shown)
        return Table(columns, units, shown, self.source)

    def _check_unit(
        self,
        col: Column,
        name: str,
        columns: dict[str, tuple[str, ...]],
        units: dict[str, str],
        shown: dict[str, str],
    ) -> None:
        have = units.get(name, "")
        try:
            if col.unit is not None and name == col.name:
                target = parse_unit(col.unit)
                if have and have != target:
                    values = [convert(v, have, target) for v in self.numbers(name)]
                    columns[name] = tuple(repr(v) for v in values)
                units[name], shown[name] = target, col.unit
            elif col.kind is not None and have:
                check_kind(QRange(1.0, 1.0, have, shown.get(name, have)), col.kind)
        except DimensionError as exc:
            raise DimensionError(f"{self.source}: column {name!r}: {exc}") from exc


def _parse_header(cells: Sequence[str], source: str) -> tuple[list[str], list[str], list[str]]:
    names: list[str] = []
    units: list[str] = []
    shown: list[str] = []
    for i, cell in enumerate(cells, start=1):
        m = _HEADER_RE.match(cell)
        if not m or not m["name"]:
            raise InputError(f"{source}: header column {i} {cell!r} is not 'name' or 'name [unit]'")
        name = _name_from_header(m["name"])
        if name in names:
            raise InputError(f"{source}: column {name!r} appears twice in the header")
        unit_text = (m["unit"] or "").strip()
        try:
            unit = parse_unit(unit_text) if unit_text else ""
        except QuantityError as exc:
            raise QuantityError(f"{source}: column {name!r}: {exc}") from exc
        names.append(name)
        units.append(unit)
        shown.append(unit_text.replace("μ", "u").replace("µ", "u"))
    return names, units, shown


def read_table(path_or_text: str | Path, source: str | None = None) -> Table:
    """A tidy CSV (or tab/semicolon separated) table from a file path or the text itself.

    A ``Path``, or a one-line string naming an existing file, is read as a file; any other
    string is the CSV text.
    """
    if isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and "," not in path_or_text and Path(path_or_text).is_file()
    ):
        path = Path(path_or_text)
        text = path.read_text(encoding="utf-8-sig")
        source = source or str(path)
    else:
        text = str(path_or_text).lstrip("\ufeff")
        source = source or "<csv>"
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise InputError(f"{source}: the table is empty")
    delimiter = _delimiter(lines[0])
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    names, units, shown = _parse_header(rows[0], source)
    body = rows[1:]
    if not body:
        raise InputError(f"{source}: the table has a header but no rows")
    for n, row in enumerate(body, start=2):
        if len(row) != len(names):
            raise InputError(f"{source}: row {n} has {len(row)} cells, the header {len(names)}")
    columns = {name: tuple(row[i] for row in body) for i, name in enumerate(names)}
    return Table(columns, dict(zip(names, units, strict=True)),
                 dict(zip(names, shown, strict=True)), source)


def table_from_records(
    records: Sequence[Mapping[str, Any]],
    units: Mapping[str, str] | None = None,
    source: str = "<records>",
) -> Table:
    """A table from rows already in memory (a run's recorded values), no CSV in between.

    ``units`` maps a column to its unit as written (``{"dose": "nM"}``); it is checked
    exactly like a header unit.  Missing keys are empty cells.
    """
    if not records:
        raise InputError(f"{source}: no rows")
    names: list[str] = []
    for rec in records:
        for key in rec:
            if _name_from_header(str(key)) not in names:
                names.append(_name_from_header(str(key)))
    given = {_name_from_header(k): v for k, v in (units or {}).items()}
    header = [f"{n} [{given[n]}]" if given.get(n) else n for n in names]
    parsed, unit_list, shown = _parse_header(header, source)
    columns: dict[str, list[str]] = {n: [] for n in parsed}
    for rec in records:
        row = {_name_from_header(str(k)): v for k, v in rec.items()}
        for n in parsed:
            value = row.get(n)
            columns[n].append("" if value is None else repr(value) if isinstance(value, float)
                              else str(value))
    return Table({n: tuple(v) for n, v in columns.items()},
                 dict(zip(parsed, unit_list, strict=True)), dict(zip(parsed, shown, strict=True)),
                 source)


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def concat_tables(tables: Iterable[Table]) -> Table:
    """Several files of one experiment as one table; later units convert to the first's."""
    items = list(tables)
    if not items:
        raise InputError("no input table given")
    first = items[0]
    if len(items) == 1:
        return first
    columns = {n: list(v) for n, v in first.columns.items()}
    for other in items[1:]:
        if set(other.names) != set(first.names):
            raise InputError(
                f"{other.source}: columns {', '.join(other.names)} differ from "
                f"{first.source}: {', '.join(first.names)}"
            )
        for name in first.names:
            have, want = other.units[name], first.units[name]
            if have and want and have != want:
                try:
                    values = [convert(v, have, want) for v in other.numbers(name)]
                except DimensionError as exc:
                    raise DimensionError(f"{other.source}: column {name!r}: {exc}") from exc
                columns[name].extend(repr(v) for v in values)
            else:
                columns[name].extend(other.columns[name])
    sources = ", ".join(t.source for t in items)
    return Table({n: tuple(v) for n, v in columns.items()}, dict(first.units),
                 dict(first.shown_units), sources)
