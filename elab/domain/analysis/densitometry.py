"""The ``densitometry`` hook: western blot band intensities normalised to a loading control.

Each lane's target intensity is divided by the loading control's intensity in the same lane
(β-actin, GAPDH, or the total protein after re-probing for a phospho-form); conditions are
the mean ± SD of their lanes, and relative values divide by the control condition's mean.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from elab.errors import InputError, NotFoundError

from .base import AnalysisResult, Column, Hook, Param
from .stats import summary
from .table import Table
from .transwell import control_of

__all__ = ["HOOK"]

_METHOD = (
    "Ratio = target intensity / {loading} intensity in the same lane; mean ± SD over lanes per "
    "condition and target; relative ratio = ratio / mean ratio of the control condition "
    "({control})."
)


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    loading = params["loading"]
    if not loading:
        raise InputError("densitometry needs --param loading=TARGET (e.g. beta-actin)")
    band: dict[tuple[str, str], float] = {}
    cond_of: dict[str, str] = {}
    warnings: list[str] = []
    for lane, cond, target, value in zip(table.text("lane"), table.text("condition"),
                                         table.text("target"), table.numbers("intensity"),
                                         strict=True):
        cond_of[lane] = cond
        if (lane, target) in band:
            warnings.append(f"lane {lane}: {target} given twice; the values are summed")
            band[(lane, target)] += value
        else:
            band[(lane, target)] = value
    targets = sorted({t for _, t in band})
    if loading not in targets:
        raise NotFoundError("loading control", loading, targets)
    ratios: dict[tuple[str, str], list[float]] = defaultdict(list)
    lane_rows = []
    for (lane, target), value in sorted(band.items()):
        if target == loading:
            continue
        load = band.get((lane, loading))
        if not load or load != load:
            warnings.append(f"lane {lane}: no {loading} band; {target} not normalised")
            continue
        ratio = value / load
        ratios[(cond_of[lane], target)].append(ratio)
        lane_rows.append({"kind": "lane", "lane": lane, "condition": cond_of[lane],
                          "target": target, "ratio": ratio})
    control = control_of(sorted({c for c, _ in ratios}), params["control"], warnings)
    results: list[dict[str, Any]] = list(lane_rows)
    for (cond, target), values in sorted(ratios.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        s = summary(values)
        base = summary(ratios.get((control, target), []))["mean"] if control else None
        rel = None
        if base:
            rel = summary([v / base for v in values])
        results.append({"kind": "condition", "condition": cond, "target": target,
                        "ratio": s, "relative": rel})
    return AnalysisResult(
        "densitometry", _METHOD.format(loading=loading, control=control or "none"), results,
        warnings,
    )


def _draw(result: AnalysisResult) -> bytes:
    from .plots import bar_png

    rows = [r for r in result.results if r["kind"] == "condition"]
    use_rel = all(r["relative"] for r in rows)
    key = "relative" if use_rel else "ratio"
    return bar_png(
        [f"{r['target']} {r['condition']}" for r in rows],
        [r[key]["mean"] for r in rows],
        [r[key]["sd"] or 0.0 for r in rows],
        f"{'relative ' if use_rel else ''}target / loading (mean ± SD)", "Densitometry",
    )


HOOK = Hook(
    name="densitometry",
    summary="Western blot bands: target / loading control per lane, relative to control.",
    inputs=(
        Column("lane", text=True),
        Column("condition", text=True),
        Column("target", text=True),
        Column("intensity", help="background-subtracted band intensity"),
    ),
    params=(
        Param("loading", "", type="text", help="the loading-control target (e.g. beta-actin)"),
        Param("control", "", type="text", help="the control condition"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "lane", "condition", "target", "ratio", "relative"),
)
