"""Import layouts written in wellmap's TOML format, so existing layouts can be reused.

Supported: ``[expt]``, ``[plate.NAME]`` (each a plate), ``[row.A]``, ``[col.1]``,
``[irow.A]``/``[icol.1]`` (treated as row/col), ``[block.WxH.A1]`` and ``[well.A1]``, with
keys that list several wells (``'A,C'``, ``'A-D'``, ``'A1,A3,...,A11'``).  Later, more specific
tables win, as in wellmap: well > block > row/col > plate > expt.  The ``condition`` of a well
is its ``condition`` (or ``control``) key when present, else its values joined by `` / ``;
``control = "vehicle"`` marks a control kind.  ``[meta]`` (includes, paths) is refused.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from elab.domain.plate.layout import Layout, Placement
from elab.domain.plate.spec import CONTROL_KINDS
from elab.domain.plate.wells import (
    PlateFormat,
    col_from_name,
    format_from_text,
    ij_from_well,
    row_from_name,
    well_from_ij,
)
from elab.errors import InputError

__all__ = ["layout_from_wellmap"]

_RESERVED = {"replicate", "control", "condition"}


def _expand(pattern: str, parse: Any, fmt: str) -> list[Any]:
    """``'A,C'``, ``'A-D'``, ``'A,C,...,G'`` → items parsed by ``parse``."""
    parts = [p.strip() for p in str(pattern).split(",")]
    out: list[Any] = []
    if "..." in parts:
        k = parts.index("...")
        if k < 2 or k != len(parts) - 2:
            raise InputError(f"wellmap pattern {pattern!r}: '...' needs two items before it")
        a, b, last = parse(parts[k - 2]), parse(parts[k - 1]), parse(parts[-1])
        out.extend(parse(p) for p in parts[: k - 2])
        out.extend(_progression(a, b, last, pattern))
        return out
    for part in parts:
        if "-" in part:
            lo, hi = (parse(x) for x in part.split("-", 1))
            out.extend(_span(lo, hi))
        else:
            out.append(parse(part))
    return out


def _span(lo: Any, hi: Any) -> list[Any]:
    if isinstance(lo, tuple):
        return [
            (i, j)
            for i in range(min(lo[0], hi[0]), max(lo[0], hi[0]) + 1)
            for j in range(min(lo[1], hi[1]), max(lo[1], hi[1]) + 1)
        ]
    return list(range(min(lo, hi), max(lo, hi) + 1))


def _progression(a: Any, b: Any, last: Any, pattern: str) -> list[Any]:
    if isinstance(a, tuple):
        di, dj = b[0] - a[0], b[1] - a[1]
        out, cur = [], a
        for _ in range(10000):
            out.append(cur)
            if cur == last:
                return out
            cur = (cur[0] + di, cur[1] + dj)
        raise InputError(f"wellmap pattern {pattern!r} does not reach its last well")
    step = b - a
    if step == 0 or (last - a) % step:
        raise InputError(f"wellmap pattern {pattern!r} does not reach its last item")
    return list(range(a, last + step, step))


def _values(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if not isinstance(v, dict)}


def _plate_wells(doc: dict[str, Any], fmt: PlateFormat) -> dict[tuple[int, int], dict[str, Any]]:
    """Apply one plate's tables in precedence order; returns well → merged values."""
    cells: dict[tuple[int, int], dict[str, Any]] = {}

    def put(ij: tuple[int, int], values: dict[str, Any]) -> None:
        if not fmt.contains(*ij):
            raise InputError(f"wellmap well {well_from_ij(*ij)} is off a {fmt.name} plate")
        cells.setdefault(ij, {}).update(values)

    # As in wellmap, rows and columns describe the wells where a described row meets a
    # described column (all rows, or all columns, when only the other kind is given).
    row_tables = [(k, t) for kind in ("irow", "row") for k, t in (doc.get(kind) or {}).items()]
    col_tables = [(k, t) for kind in ("icol", "col") for k, t in (doc.get(kind) or {}).items()]
    row_vals: dict[int, dict[str, Any]] = {}
    col_vals: dict[int, dict[str, Any]] = {}
    for key, table in row_tables:
        for i in _expand(key, row_from_name, "row"):
            row_vals.setdefault(i, {}).update(_values(table))
    for key, table in col_tables:
        for j in _expand(key, col_from_name, "col"):
            col_vals.setdefault(j, {}).update(_values(table))
    if row_vals or col_vals:
        rows = sorted(row_vals) if row_vals else range(fmt.rows)
        cols = sorted(col_vals) if col_vals else range(fmt.cols)
        for i in rows:
            for j in cols:
                put((i, j), {**row_vals.get(i, {}), **col_vals.get(j, {})})
    blocks = []
    for size, tables in (doc.get("block") or {}).items():
        m = re.fullmatch(r"(\d+)x(\d+)", size)
        if not m:
            raise InputError(f"wellmap block size {size!r} is not WIDTHxHEIGHT")
        w, h = int(m[1]), int(m[2])
        for key, table in tables.items():
            blocks.append((w * h, w, h, key, _values(table)))
    for _, w, h, key, vals in sorted(blocks, key=lambda b: -b[0]):
        for i0, j0 in _expand(key, ij_from_well, "block"):
            for di in range(h):
                for dj in range(w):
                    put((i0 + di, j0 + dj), vals)
    for key, table in (doc.get("well") or {}).items():
        for ij in _expand(key, ij_from_well, "well"):
            put(ij, _values(table))
    return cells


def layout_from_wellmap(text: str, source: str = "wellmap TOML") -> Layout:
    """Parse a wellmap TOML document into a :class:`Layout`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: {exc}") from exc
    if "meta" in doc:
        raise InputError(f"{source}: [meta] (includes, data paths) is not supported; inline it")
    expt = _values(doc.get("expt") or {})
    fmt = format_from_text(expt.pop("plate_format", None) or _guess(doc))
    plate_docs = list((doc.get("plate") or {}).items()) or [("1", {})]
    placements: list[Placement] = []
    rows_out: list[tuple[int, tuple[int, int], dict[str, Any]]] = []
    for number, (_name, plate_doc) in enumerate(plate_docs, start=1):
        merged = {k: doc.get(k) for k in ("row", "col", "irow", "icol", "block", "well")}
        cells = _plate_wells({k: v for k, v in merged.items() if v}, fmt)
        own = _plate_wells(plate_doc, fmt) if isinstance(plate_doc, dict) else {}
        plate_vals = _values(plate_doc) if isinstance(plate_doc, dict) else {}
        for ij, vals in own.items():
            cells.setdefault(ij, {}).update(vals)
        for ij in sorted(cells):
            rows_out.append((number, ij, {**expt, **plate_vals, **cells[ij]}))
    keys: list[str] = []
    for _, _, vals in rows_out:
        keys += [k for k in vals if k not in _RESERVED and k not in keys]
    # The condition is named by the values that differ between wells, not by constants such
    # as the experimenter's name.
    varying = [k for k in keys if len({str(v.get(k)) for _, _, v in rows_out}) > 1] or keys
    counts: dict[tuple[int, str], int] = {}
    for number, ij, vals in rows_out:
        factors = tuple((k, str(vals[k])) for k in keys if k in vals)
        control = str(vals.get("control", "")).strip().lower()
        kind = control if control in CONTROL_KINDS else "sample"
        condition = str(
            vals.get("condition")
            or vals.get("control")
            or " / ".join(str(vals[k]) for k in varying if k in vals)
        )
        counts[(number, condition)] = counts.get((number, condition), 0) + 1
        rep = int(vals.get("replicate", counts[(number, condition)]))
        placements.append(Placement(number, well_from_ij(*ij), condition, factors, rep, kind))
    if not placements:
        raise InputError(f"{source} assigns no wells")
    return Layout(fmt, tuple(placements), tuple(keys), len(plate_docs))


def _guess(doc: dict[str, Any]) -> int:
    """wellmap does not name a format; take the smallest of 96/384/1536 holding every key."""
    text = repr({k: doc.get(k) for k in ("row", "col", "well", "block", "plate")})
    rows = [row_from_name(r) for r in re.findall(r"'([A-Z]{1,2})\d*'", text)]
    cols = [int(c) for c in re.findall(r"'[A-Z]{0,2}(\d+)'", text)]
    max_i, max_j = max(rows, default=0), max(cols, default=1)
    for size in (96, 384, 1536):
        f = format_from_text(size)
        if max_i < f.rows and max_j <= f.cols:
            return size
    return 1536
