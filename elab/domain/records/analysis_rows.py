"""An analysis hook's JSON result as the record's table of numbers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from elab.domain.records.model import AnalysisRecord, PlotImage, ResultRow
from elab.units import format_magnitude, format_quantity, parse_unit

__all__ = ["analysis_from_result"]


def _cell(value: Any) -> str:
    """One result value for a table: quantities with units and CIs, numbers to 4 figures."""
    if isinstance(value, Mapping) and "value" in value:
        number = value.get("value")
        unit = str(value.get("unit") or "")
        if number is None:
            return "—"
        text = format_quantity(float(number), parse_unit(unit) if unit else "")
        ci = value.get("ci95")
        if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci:
            text += f" (95 % CI {format_magnitude(float(ci[0]))}–{format_magnitude(float(ci[1]))})"
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_magnitude(value)
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return "—" if value is None else str(value)


def analysis_from_result(
    hook: str,
    result: Mapping[str, Any],
    plots: Iterable[PlotImage] = (),
    error: str = "",
    order: Sequence[str] = (),
) -> AnalysisRecord:
    """A hook's JSON result (``AnalysisResult.to_json()``) as a table of numbers.

    The first text-valued key of the results (``group``, ``curve``...) labels the rows; every
    other key is a column, in the hook's ``order`` (its declared result keys) where given.
    """
    rows_in = [r for r in result.get("results", []) if isinstance(r, Mapping)]
    keys: list[str] = []
    for row in rows_in:
        keys += [k for k in row if k not in keys]
    rank = {k: n for n, k in enumerate(order)}
    keys.sort(key=lambda k: rank.get(k, len(rank)))  # stored JSON sorts keys; the hook's order
    label = next((k for k in keys if all(isinstance(r.get(k, ""), str) for r in rows_in)), "")
    columns = [k for k in keys if k != label]
    rows = tuple(
        ResultRow(str(r.get(label, "")) if label else str(i + 1),
                  tuple(_cell(r.get(k)) for k in columns))
        for i, r in enumerate(rows_in)
    )
    return AnalysisRecord(
        hook=hook,
        method=str(result.get("method", "")),
        columns=(label or "#", *columns),
        rows=rows,
        warnings=tuple(str(w) for w in result.get("warnings", [])),
        plots=tuple(plots),
        error=error,
        headline=tuple(str(h) for h in result.get("headline", [])),
    )
