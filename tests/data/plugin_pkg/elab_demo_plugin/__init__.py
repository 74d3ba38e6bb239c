"""A third-party analysis hook: total cells per condition, in the unit-checked CSV format."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from elab.domain.analysis import AnalysisResult, Column, Hook, Param, Table


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    totals: dict[str, float] = defaultdict(float)
    for cond, n in zip(table.text("condition"), table.numbers("count"), strict=True):
        totals[cond] += n * params["scale"]
    results = [{"condition": c, "total": t} for c, t in sorted(totals.items())]
    return AnalysisResult("cell-count-total", "Total = sum of counts × scale.", results, [])


HOOK = Hook(
    name="cell-count-total",
    summary="Demo plugin: total cells per condition.",
    inputs=(Column("condition", text=True), Column("count")),
    params=(Param("scale", 1.0, help="multiply every count"),),
    analyse=_analyse,
)
