"""The ``ddct`` hook: relative expression by the 2^-ΔΔCt method (Livak & Schmittgen 2001).

Replicates are handled the way the paper (and Applied Biosystems' User Bulletin #2) does:

- *paired* (both genes measured in the same well, shown by a ``well`` column shared by the
  target and reference rows; or several biological samples per condition): ΔCt is taken per
  well (or per sample, from its averaged technical replicates) and its mean and SD are over
  those ΔCt values;
- *unpaired* (separate tubes, one sample per condition): the target and reference Cts are
  averaged separately and ``SD(ΔCt) = sqrt(SD_target² + SD_reference²)``.

Several reference genes combine by the geometric mean of their expression, i.e. the mean of
their Cts.  ΔΔCt = ΔCt − mean ΔCt of the control condition; subtracting that constant adds
no error, so SD(ΔΔCt) = SD(ΔCt) and the fold change range is 2^-(ΔΔCt ± SD).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Any

from elab.errors import InputError, NotFoundError

from .base import AnalysisResult, Column, Hook, Param, finite
from .table import Table

__all__ = ["HOOK"]

_METHOD = (
    "Livak 2^-ΔΔCt method: ΔCt = Ct(target) − Ct(reference) (mean Ct of the reference genes, "
    "their geometric-mean expression), ΔΔCt = ΔCt − mean ΔCt of the control condition, fold "
    "change = 2^-ΔΔCt with range 2^-(ΔΔCt ± SD); {pairing}."
)
_PAIRED = "paired replicates: ΔCt per {unit}, SD over the ΔCt values"
_UNPAIRED = "unpaired replicates: SD(ΔCt) = sqrt(SD_target² + SD_reference²)"

Key = tuple[str, str]  # (condition, target)


def _sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else math.nan


def _rows(table: Table, params: dict[str, Any], warnings: list[str]) -> list[dict[str, Any]]:
    samples, conditions = table.text("sample"), table.text("condition")
    targets, cts = table.text("target"), table.numbers("ct")
    wells = table.text("well") if table.has("well") else [""] * len(cts)
    rows = []
    for s, c, t, ct, w in zip(samples, conditions, targets, cts, wells, strict=True):
        where = f"{c} / {s} / {t}{' well ' + w if w else ''}"
        if math.isnan(ct):
            warnings.append(f"{where}: undetermined Ct; left out")
            continue
        if ct > params["max_ct"]:
            warnings.append(
                f"{where}: Ct {ct:.2f} above "
                f"{params['max_ct']:g}; near the detection limit"
            )
        rows.append({"sample": s, "condition": c, "target": t, "ct": ct, "well": w})
    return rows


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    warnings: list[str] = []
    references = params["reference"]
    control = params["control"]
    if not references:
        raise InputError("ddct needs --param reference=GENE (one or more, comma-separated)")
    if not control:
        raise InputError("ddct needs --param control=CONDITION (the calibrator)")
    rows = _rows(table, params, warnings)
    genes = sorted({r["target"] for r in rows})
    conditions = sorted({r["condition"] for r in rows})
    for ref in references:
        if ref not in genes:
            raise NotFoundError("reference gene", ref, genes)
    if control not in conditions:
        raise NotFoundError("control condition", control, conditions)
    targets = [g for g in genes if g not in references]
    if not targets:
        raise InputError("every gene in the table is a reference gene; nothing to quantify")

    # Technical replicates: spread check per (condition, sample, gene).
    reps: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for r in rows:
        reps[(r["condition"], r["sample"], r["target"])].append(r["ct"])
    for (c, s, g), values in sorted(reps.items()):
        if len(values) > 1 and max(values) - min(values) > params["max_spread"]:
            warnings.append(
                f"{c} / {s} / {g}: replicate Cts spread {max(values) - min(values):.2f} cycles "
                f"(> {params['max_spread']:g})"
            )

    mode = params["mode"]
    samples_per = {c: {r["sample"] for r in rows if r["condition"] == c} for c in conditions}
    by_well = table.has("well") and mode != "unpaired"
    dct: dict[Key, tuple[float, float, int]] = {}
    unit = "well"
    for c in conditions:
        for g in targets:
            if by_well:
                pairs = _paired_by(rows, c, g, references, "well")
                unit = "well"
            elif len(samples_per[c]) > 1 and mode != "unpaired":
                pairs = _paired_by(rows, c, g, references, "sample")
                unit = "sample"
            else:
                pairs = None
            if pairs is not None:
                if not pairs:
                    warnings.append(f"{c} / {g}: no {unit} has both the target and the reference")
                    continue
                dct[(c, g)] = (statistics.fmean(pairs), _sd(pairs), len(pairs))
            else:
                if mode == "paired":
                    raise InputError("mode=paired needs a 'well' column or several samples")
                t = [r["ct"] for r in rows if r["condition"] == c and r["target"] == g]
                ref = _reference_cts(rows, c, references)
                if not t or not ref:
                    warnings.append(f"{c} / {g}: missing target or reference Cts; skipped")
                    continue
                sd = math.sqrt(_sd(t) ** 2 + _sd(ref) ** 2)
                dct[(c, g)] = (statistics.fmean(t) - statistics.fmean(ref), sd, len(t))
    paired = by_well or (any(len(samples_per[c]) > 1 for c in conditions) and mode != "unpaired")
    results = []
    for (c, g), (mean, sd, n) in sorted(dct.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (control, g) not in dct:
            warnings.append(f"{g}: no ΔCt for the control {control!r}; no ΔΔCt")
            continue
        ddct = mean - dct[(control, g)][0]
        fold = 2.0 ** -ddct
        spread = sd if math.isfinite(sd) else 0.0
        results.append({
            "condition": c,
            "target": g,
            "dct": {"value": mean, "sd": finite(sd)},
            "ddct": {"value": ddct, "sd": finite(sd)},
            "fold_change": fold,
            "fold_change_range": [2.0 ** -(ddct + spread), 2.0 ** -(ddct - spread)],
            "n": n,
        })
    pairing = _PAIRED.format(unit=unit) if paired else _UNPAIRED
    return AnalysisResult("ddct", _METHOD.format(pairing=pairing), results, warnings,
                          plot_data={"control": control})


def _reference_cts(
    rows: list[dict[str, Any]], condition: str, refs: tuple[str, ...]
) -> list[float]:
    """Reference Cts of a condition; with several genes, the per-replicate mean across them."""
    per_gene = [[r["ct"] for r in rows if r["condition"] == condition and r["target"] == g]
                for g in refs]
    if len(refs) == 1:
        return per_gene[0]
    width = min(len(v) for v in per_gene)
    return [statistics.fmean(v[i] for v in per_gene) for i in range(width)]


def _paired_by(
    rows: list[dict[str, Any]], condition: str, gene: str, refs: tuple[str, ...], key: str
) -> list[float]:
    """ΔCt per well or per sample: mean target Ct − mean of the reference genes' mean Cts."""
    cts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["condition"] == condition:
            unit = r["well"] if key == "well" else r["sample"]
            if key == "well":
                unit = f"{r['sample']}/{unit}"
            cts[(unit, r["target"])].append(r["ct"])
    units = sorted({u for u, _ in cts})
    out = []
    for u in units:
        if (u, gene) not in cts or any((u, ref) not in cts for ref in refs):
            continue
        ref = statistics.fmean(statistics.fmean(cts[(u, g)]) for g in refs)
        out.append(statistics.fmean(cts[(u, gene)]) - ref)
    return out


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    def paint(ax: Any) -> None:
        labels = [f"{r['target']}\n{r['condition']}" for r in result.results]
        folds = [r["fold_change"] for r in result.results]
        lo = [f - r["fold_change_range"][0] for f, r in zip(folds, result.results, strict=True)]
        hi = [r["fold_change_range"][1] - f for f, r in zip(folds, result.results, strict=True)]
        ax.bar(range(len(folds)), folds, yerr=[lo, hi], capsize=3, color="tab:blue")
        ax.set_xticks(range(len(folds)), labels, fontsize="small")
        ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
        ax.set_ylabel("fold change (2^-ΔΔCt)")

    return figure_png(paint, title="Relative expression")


HOOK = Hook(
    name="ddct",
    summary="qPCR relative expression by 2^-ΔΔCt (Livak), paired or unpaired replicates.",
    inputs=(
        Column("sample", text=True, help="biological sample (technical replicates share it)"),
        Column("condition", text=True, help="treatment or group; one is the control"),
        Column("target", text=True, help="gene name"),
        Column("ct", help="threshold cycle; 'Undetermined' or empty when not detected"),
        Column("well", optional=True, text=True,
               help="well id; target and reference in the same well are paired"),
    ),
    params=(
        Param("reference", None, type="list", help="housekeeping gene(s), comma-separated"),
        Param("control", "", type="text", help="the calibrator condition"),
        Param("mode", "auto", type="choice", choices=("auto", "paired", "unpaired"),
              help="pairing of target and reference replicates"),
        Param("max_ct", 35.0, help="warn for Cts above this"),
        Param("max_spread", 0.5, help="warn when technical replicates spread more (cycles)"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("condition", "target", "dct", "ddct", "fold_change", "fold_change_range", "n"),
)
