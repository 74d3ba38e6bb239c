"""The ``transwell`` hook: migrated or invaded cells counted in fields of each insert.

Fields are technical replicates of an insert, inserts are the replicates of a condition:
mean cells per field per insert first, then mean ± SD and SEM over inserts, and % of the
control condition's mean.  Uncoated reference inserts of an invasion assay give each
treatment's invasion index instead of a % of control (:mod:`.transwell_index`).
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
_INDEX_METHOD = (
    " Uncoated reference inserts ({refs}) are not compared with the control; invasion index "
    "= mean cells per field of a treatment's Matrigel-coated inserts / mean of its uncoated "
    "inserts × 100 (Albini et al. 1987), n counting inserts of each, no SD (the inserts are "
    "not paired); the treatment's index as % of the control's index."
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


def _insert_means(table: Table, warnings: list[str]) -> tuple[
        dict[str, list[float]], list[dict[str, Any]], list[str]]:
    """Mean cells per field of each insert, by condition; one result row per insert; and
    every condition named (blank fields and inserts without counts are warned)."""
    fields: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts = table.numbers("count", nonnegative=True)
    blank: dict[str, int] = defaultdict(int)
    for i, c, n in zip(table.text("insert"), table.text("condition"), counts, strict=True):
        fields[(c, i)].append(n)
        if n != n:
            blank[i] += 1
    for i, k in sorted(blank.items()):
        warnings.append(f"insert {i}: {k} blank field count(s) left out")
    per_insert: dict[str, list[float]] = defaultdict(list)
    rows: list[dict[str, Any]] = []
    for (c, i), values in sorted(fields.items()):
        s = summary(values)
        if s["mean"] is None:
            warnings.append(f"insert {i}: no counts")
            continue
        per_insert[c].append(s["mean"])
        rows.append({"kind": "insert", "insert": i, "condition": c,
                     "cells_per_field": s["mean"], "fields": s["n"]})
    return per_insert, rows, sorted({c for c, _ in fields})


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    from .transwell_index import invasion_indices, references

    warnings: list[str] = []
    per_insert, results, conditions = _insert_means(table, warnings)
    refs = references(table, params["reference"], conditions, warnings)
    coated = [c for c in conditions if c not in refs]
    control = control_of(coated, params["control"], warnings)
    base = summary(per_insert.get(control, []))["mean"] if control else None
    reason = pct_reason(control, base, "cells per field")
    if reason and control is not None:
        warnings.append(f"no % of control: {reason}")
    headline: list[str] = []
    for c, means in sorted(per_insert.items()):
        s = summary(means)
        if len(means) < 3:
            warnings.append(f"{c}: {len(means)} insert(s); SD and SEM need at least 2, 3 advised")
        if c in refs:
            results.append({"kind": "reference", "condition": c, "reference_of": refs[c],
                            "cells_per_field": s, "inserts": s["n"]})
            continue
        pct = 100.0 * s["mean"] / base if base and not reason else None
        share = qty(pct, "%")
        if pct is None:
            share["reason"] = reason
        results.append({"kind": "condition", "condition": c, "cells_per_field": s,
                        "pct_of_control": share, "inserts": s["n"]})
        if c != control:
            headline.extend(_pct_sentence(c, s, pct, control, reason))
    index_rows, index_lines = invasion_indices(per_insert, refs, control)
    results.extend(index_rows)
    method = _METHOD.format(control=control or "none")
    if refs:
        method += _INDEX_METHOD.format(refs=", ".join(f"{r} → {c or 'no condition'}"
                                                      for r, c in sorted(refs.items())))
    return AnalysisResult("transwell", method, results, warnings,
                          headline=headline + index_lines)


def _pct_sentence(c: str, s: dict[str, Any], pct: float | None, control: str | None,
                  reason: str) -> list[str]:
    if pct is not None:
        return [f"{c}: {number_text(pct)} % of {control} (n = {s['n']} inserts)"]
    if control is None:
        return []
    return [f"{c}: % of {control} not computed ({reason}); {number_text(s['mean'])} cells per "
            f"field (n = {s['n']} inserts)"]


def _draw(result: AnalysisResult) -> bytes:
    from .plots import bar_png

    rows = [r for r in result.results if r["kind"] in ("condition", "reference")]
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
    params=(
        Param("control", "", type="text", help="the control condition"),
        Param("reference", None, type="list",
              help="uncoated reference inserts (the design's kind: reference), comma-separated; "
                   "each paired with the coated condition its name contains, or as "
                   "REFERENCE=CONDITION"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "insert", "condition", "cells_per_field", "pct_of_control"),
)
