"""The ``transwell`` hook: migrated or invaded cells counted in fields of each insert.

Fields are technical replicates of an insert, inserts are the replicates of a condition:
mean cells per field per insert first, then mean ± SD and SEM over inserts, and % of the
control condition's mean.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .base import AnalysisResult, Column, Hook, Param, qty
from .headline import number_text
from .stats import summary
from .table import Table

__all__ = ["HOOK", "control_of", "pct_reason"]

_METHOD = (
    "Cells per field averaged per insert (fields are technical replicates); per condition "
    "mean ± SD and SEM of the insert means, n counting inserts; % of control = condition mean / "
    "mean of the control condition ({control}) × 100, not computed when the control mean is 0. "
    "Counts are used as given (no background subtracted); blank fields are left out and "
    "warned; no test between conditions."
)


def pct_reason(control: str | None, base: float | None, unit: str) -> str:
    """Why no % of control can be given, or "" when it can (a 0 mean cannot be divided by)."""
    if control is None:
        return "no control condition"
    if base is None:
        return f"no {control} values"
    if base == 0:
        return f"the {control} mean is 0 {unit}; a % of 0 is undefined"
    return ""


def control_of(conditions: list[str], wanted: str, warnings: list[str]) -> str | None:
    """The control condition: the one named, else one called control/vehicle/untreated."""
    from elab.errors import NotFoundError

    if wanted:
        if wanted not in conditions:
            raise NotFoundError("control condition", wanted, conditions)
        return wanted
    for name in conditions:
        if name.lower() in ("control", "ctrl", "vehicle", "untreated", "dmso", "nt"):
            return name
    warnings.append("no control condition given (--param control=NAME); no % of control")
    return None


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    fields: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts = table.numbers("count", nonnegative=True)
    warnings: list[str] = []
    blank: dict[str, int] = defaultdict(int)
    for i, c, n in zip(table.text("insert"), table.text("condition"), counts, strict=True):
        fields[(c, i)].append(n)
        if n != n:
            blank[i] += 1
    for i, k in sorted(blank.items()):
        warnings.append(f"insert {i}: {k} blank field count(s) left out")
    per_insert: dict[str, list[float]] = defaultdict(list)
    results: list[dict[str, Any]] = []
    for (c, i), counts in sorted(fields.items()):
        s = summary(counts)
        if s["mean"] is None:
            warnings.append(f"insert {i}: no counts")
            continue
        per_insert[c].append(s["mean"])
        results.append({"kind": "insert", "insert": i, "condition": c,
                        "cells_per_field": s["mean"], "fields": s["n"]})
    control = control_of(sorted({c for c, _ in fields}), params["control"], warnings)
    base = summary(per_insert.get(control, []))["mean"] if control else None
    reason = pct_reason(control, base, "cells per field")
    if reason and control is not None:
        warnings.append(f"no % of control: {reason}")
    headline: list[str] = []
    for c, means in sorted(per_insert.items()):
        s = summary(means)
        pct = 100.0 * s["mean"] / base if base and not reason else None
        if len(means) < 3:
            warnings.append(f"{c}: {len(means)} insert(s); SD and SEM need at least 2, 3 advised")
        share = qty(pct, "%")
        if pct is None:
            share["reason"] = reason
        results.append({"kind": "condition", "condition": c, "cells_per_field": s,
                        "pct_of_control": share, "inserts": s["n"]})
        if c == control:
            continue
        if pct is None:
            if control is not None:
                headline.append(f"{c}: % of {control} not computed ({reason}); "
                                f"{number_text(s['mean'])} cells per field "
                                f"(n = {s['n']} inserts)")
            continue
        headline.append(f"{c}: {number_text(pct)} % of {control} (n = {s['n']} inserts)")
    return AnalysisResult("transwell", _METHOD.format(control=control or "none"), results,
                          warnings, headline=headline)


def _draw(result: AnalysisResult) -> bytes:
    from .plots import bar_png

    rows = [r for r in result.results if r["kind"] == "condition"]
    return bar_png(
        [r["condition"] for r in rows],
        [r["cells_per_field"]["mean"] for r in rows],
        [r["cells_per_field"]["sem"] or 0.0 for r in rows],
        "cells per field (mean ± SEM of inserts)", "Transwell",
    )


HOOK = Hook(
    name="transwell",
    summary="Transwell migration/invasion: cells per field per insert, mean ± SD/SEM, % control.",
    inputs=(
        Column("insert", text=True),
        Column("condition", text=True),
        Column("field", text=True),
        Column("count", help="cells counted in the field"),
    ),
    params=(Param("control", "", type="text", help="the control condition"),),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "insert", "condition", "cells_per_field", "pct_of_control"),
)
