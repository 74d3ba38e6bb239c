"""Layouts written in wellmap's TOML format, read by wellmap itself.

wellmap (Kundert 2021, https://wellmap.rtfd.io) owns its format: patterns such as
``'A,C,...,G'``, blocks, the interleaved ``[irow]``/``[icol]`` groups, ``[plate.NAME]``,
``[meta] include`` and the precedence between groups.  Reading the file with
``wellmap.load`` means a layout lands in the wells wellmap says, whatever the format grows;
this module only turns wellmap's table (one row per well) into a :class:`Layout`.

The ``condition`` of a well is its ``condition`` (or ``control``) value when present, else
the values that differ between wells joined by `` / ``; ``control = "vehicle"`` (or another
control kind) marks a control; ``replicate`` numbers the well, else wells of a condition are
counted in order.  ``plate_format`` in ``[expt]`` names the plate; without it the smallest of
96, 384 and 1536 wells that holds every well is taken.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from elab.domain.plate.layout import Layout, Placement
from elab.domain.plate.spec import CONTROL_KINDS
from elab.domain.plate.wells import PlateFormat, format_from_text, well_from_ij
from elab.errors import InputError

__all__ = ["layout_from_wellmap"]

# wellmap's own columns: where the well is, not what is in it.
_POSITION = frozenset({"plate", "path", "well", "well0", "row", "col", "row_i", "col_j"})
_RESERVED = frozenset({"replicate", "control", "condition", "plate_format"})


def layout_from_wellmap(path: Path) -> Layout:
    """The layout of a wellmap TOML file; a file wellmap refuses is an InputError."""
    table = _load(path)
    rows = table.to_dict("records")
    fmt = _plate_format(rows, path)
    names = list(dict.fromkeys(str(r.get("plate", "")) for r in rows))
    keys = [k for k in table.columns if k not in _POSITION and k not in _RESERVED]
    values = [{k: _text(v) for k, v in r.items() if k not in _POSITION and _present(v)}
              for r in rows]
    # The condition is named by the values that differ between wells, not by constants such
    # as the experimenter's name.
    varying = [k for k in keys if len({v.get(k) for v in values}) > 1] or keys
    counts: dict[tuple[int, str], int] = {}
    placements: list[Placement] = []
    for row, vals in sorted(zip(rows, values, strict=True), key=lambda rv: _order(rv[0], names)):
        number = names.index(str(row.get("plate", ""))) + 1
        ij = (int(row["row_i"]), int(row["col_j"]))
        if not fmt.contains(*ij):
            raise InputError(f"{path}: well {row['well']} is off a {fmt.name} plate")
        control = vals.get("control", "").strip().lower()
        condition = vals.get("condition") or vals.get("control") or " / ".join(
            vals[k] for k in varying if k in vals
        )
        counts[(number, condition)] = counts.get((number, condition), 0) + 1
        replicate = _replicate(vals.get("replicate"), counts[(number, condition)], path)
        factors = tuple((k, vals[k]) for k in keys if k in vals)
        kind = control if control in CONTROL_KINDS else "sample"
        placements.append(
            Placement(number, well_from_ij(*ij), condition, factors, replicate, kind)
        )
    return Layout(fmt, tuple(placements), tuple(keys), len(names))


def _load(path: Path) -> Any:
    import wellmap

    try:
        table = wellmap.load(path)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {exc}") from exc
    except wellmap.LayoutError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(str(path)) else f"{path}: {message}") \
            from exc
    if table.empty:
        raise InputError(f"{path} assigns no wells")
    return table


def _order(row: Mapping[str, Any], names: list[str]) -> tuple[int, int, int]:
    return names.index(str(row.get("plate", ""))), int(row["row_i"]), int(row["col_j"])


def _present(value: Any) -> bool:
    """Whether a cell holds a value (wellmap leaves NaN where a well lacks the key)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    """A cell as the layout shows it: wells without the key hold NaN, so pandas turns the
    column's integers into floats; a whole float is shown as the integer it was written as."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _replicate(value: str | None, counted: int, path: Path) -> int:
    if value is None:
        return counted
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{path}: replicate {value!r} is not a whole number") from None


def _plate_format(rows: list[dict[str, Any]], path: Path) -> PlateFormat:
    named = {_text(r["plate_format"]) for r in rows if _present(r.get("plate_format"))}
    if len(named) > 1:
        raise InputError(f"{path}: plate_format is given as {sorted(named)}; one format only")
    if named:
        try:
            return format_from_text(named.pop())
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from exc
    max_i = max(int(r["row_i"]) for r in rows)
    max_j = max(int(r["col_j"]) for r in rows)
    for size in (96, 384, 1536):
        fmt = format_from_text(size)
        if fmt.contains(max_i, max_j):
            return fmt
    raise InputError(f"{path}: its wells do not fit a 1536-well plate")
