"""The ``ddct`` hook: relative expression by 2^-ΔΔCt (Livak & Schmittgen 2001).

n counts biological samples: technical replicates (wells of one sample and gene) are
averaged first.  With two or more biological samples per condition, ΔCt is taken per
sample, ΔΔCt is the difference of the condition means, and its 95 % CI and Welch's t-test
on ΔCt give the uncertainty of the fold change.  With one sample per condition only the
technical spread is known, handled as the paper (and Applied Biosystems' User Bulletin #2)
does — paired per well when target and reference share a well, else
``SD(ΔCt) = sqrt(SD_target² + SD_reference²)`` — and no CI or test is claimed.

Several reference genes combine by the geometric mean of their expression, the mean of
their Cts (Vandesompele et al. 2002).  Given amplification efficiencies, every Ct is scaled
by log2(E) before the same arithmetic, which is exactly Pfaffl's (2001) efficiency-corrected
ratio E_target^ΔCt_target / E_ref^ΔCt_ref.

What the data cannot support is null with the reason: a reference gene that moves between a
condition and the control (the method assumes it does not), an undetermined Ct (censored
below the detection limit, McCall et al. 2014, so its group has no mean), a CI from zero
between-sample variance, and a range from one well.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from elab.errors import InputError

from .base import AnalysisResult, Column, Hook, Param, finite, qty
from .ddct_checks import (
    efficiencies,
    is_negative_control,
    negative_control_warnings,
    reference_shift_warnings,
    unknown_label,
    unstable_references,
)
from .ddct_reasons import NullReasons, censored_reason
from .ddct_stats import NO_VARIANCE, Dct, biological_dct, fold_estimates, pow2, technical_dct
from .headline import number_text
from .table import Table

__all__ = ["HOOK"]

_METHOD = (
    "Livak & Schmittgen (2001) 2^-ΔΔCt method{pfaffl}: ΔCt = Ct(target) − Ct(reference), the "
    "reference being the mean Ct of {refs} (the geometric mean of their expression, "
    "Vandesompele et al. 2002); ΔΔCt = ΔCt − mean ΔCt of {control}; fold change = 2^-ΔΔCt. "
    "Technical replicates are averaged first; n counts biological samples (n = {counts}); "
    "reference {genes}: {refs}. {uncertainty} Undetermined Cts are censored (the target is "
    "below the detection limit, McCall et al. 2014), not missing: a condition with one gets "
    "no fold change. A reference gene whose mean Ct in a condition differs from the control "
    "by more than {shift} cycles is not unaffected by the treatment, as the method requires "
    "(Livak & Schmittgen 2001; Vandesompele et al. 2002): that condition gets no fold change."
)
_BIOLOGICAL = (
    "Where a condition has two or more biological samples, ΔCt is taken per sample; the 95 % "
    "CI of the fold change is 2^-(CI of ΔΔCt) and conditions are compared with the control by "
    "Welch's t-test on ΔCt (two-sided; assumes independent samples and normally distributed "
    "ΔCt, not equal variances). "
)
_TECHNICAL = (
    "Where a condition has one biological sample, only technical spread is known: {pairing}; "
    "the fold change range is 2^-(ΔΔCt ± SD), and no CI or test is given."
)
_PAIRED = "paired per well (target and reference in the same well), SD of ΔCt over wells"
_UNPAIRED = "unpaired (separate tubes), SD(ΔCt) = sqrt(SD_target² + SD_reference²)"


def _rows(
    table: Table, params: dict[str, Any], warnings: list[str],
    censored: dict[tuple[str, str], list[str]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Determined sample rows, and the NTC/no-RT rows (checked, never quantified).  An
    undetermined sample well goes into ``censored`` under its (condition, gene): its Ct is
    beyond the last cycle, not unknown (McCall et al. 2014), so leaving it out would bias
    the group's mean Ct low and its expression high."""
    samples, conditions = table.text("sample"), table.text("condition")
    targets, cts = table.text("target"), table.numbers("ct")
    wells = table.text("well") if table.has("well") else [""] * len(cts)
    roles = table.text("role") if table.has("role") else [""] * len(cts)
    rows, negatives = [], []
    for s, c, t, ct, w, role in zip(samples, conditions, targets, cts, wells, roles,
                                    strict=True):
        kind = is_negative_control(s, c, role)
        if kind:
            negatives.append({"sample": s, "condition": c, "target": t, "ct": ct, "kind": kind})
            continue
        where = f"{c} / {s} / {t}{' well ' + w if w else ''}"
        if math.isnan(ct):
            warnings.append(f"{where}: undetermined Ct; censored (below the detection "
                            "limit), so this group gets no estimate")
            censored[(c, t)].append(s)
            continue
        if ct > params["max_ct"]:
            warnings.append(f"{where}: Ct {ct:.2f} above {params['max_ct']:g}; near the "
                            "detection limit")
        rows.append({"sample": s, "condition": c, "target": t, "ct": ct, "well": w})
    return rows, negatives


def _spread_warnings(rows: list[dict[str, Any]], limit: float) -> list[str]:
    reps: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for r in rows:
        reps[(r["condition"], r["sample"], r["target"])].append(r["ct"])
    return [
        f"{c} / {s} / {g}: replicate Cts spread {max(v) - min(v):.2f} cycles (> {limit:g})"
        for (c, s, g), v in sorted(reps.items())
        if len(v) > 1 and max(v) - min(v) > limit
    ]


def _checked_names(table: Table, params: dict[str, Any]) -> tuple[
        tuple[str, ...], str, list[str], list[str]]:
    """Reference genes, control, conditions and targets, checked against the table's labels
    (undetermined wells included: a gene that never amplified is known, just not measured)."""
    references = params["reference"]
    control = params["control"]
    if not references:
        raise InputError("ddct needs --param reference=GENE (one or more, comma-separated)")
    if not control:
        raise InputError("ddct needs --param control=CONDITION (the calibrator)")
    labelled = [(s, c, t) for s, c, t in zip(table.text("sample"), table.text("condition"),
                                             table.text("target"), strict=True)
                if not is_negative_control(s, c)]
    genes = sorted({t for _, _, t in labelled})
    conditions = sorted({c for _, c, _ in labelled})
    for ref in references:
        if ref not in genes:
            raise unknown_label("reference gene", "genes", ref, genes)
    if control not in conditions:
        raise unknown_label("control condition", "conditions", control, conditions)
    targets = [g for g in genes if g not in references]
    if not targets:
        raise InputError("every gene in the table is a reference gene; nothing to quantify")
    return references, control, conditions, targets


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    warnings: list[str] = []
    censored: dict[tuple[str, str], list[str]] = defaultdict(list)
    raw, negatives = _rows(table, params, warnings, censored)
    references, control, conditions, targets = _checked_names(table, params)
    warnings += negative_control_warnings(negatives, raw, params["ntc_ct"], params["ntc_gap"])
    warnings += reference_shift_warnings(raw, references, params["max_ref_shift"])
    warnings += _spread_warnings(raw, params["max_spread"])
    eff = efficiencies(str(params["efficiency"] or ""), sorted({r["target"] for r in raw}))
    rows = [{**r, "ct": r["ct"] * math.log2(eff[r["target"]])} for r in raw]
    single_samples = all(
        len({r["sample"] for r in rows if r["condition"] == c}) < 2 for c in conditions)
    if params["mode"] == "paired" and not table.has("well") and single_samples:
        raise InputError("mode=paired needs a 'well' column or several samples")
    dct: dict[tuple[str, str], Dct] = {}
    technical_pairing: set[str] = set()
    for c in conditions:
        n_samples = len({r["sample"] for r in rows if r["condition"] == c})
        for g in targets:
            if n_samples > 1:  # biological replicates: mode only pairs technical ones
                found = biological_dct(rows, c, g, references)
            else:
                by_well = table.has("well") and params["mode"] != "unpaired"
                found = technical_dct(rows, c, g, references, by_well)
                technical_pairing.add(_PAIRED if by_well else _UNPAIRED)
            if found is None:
                if not censored_reason(censored, c, g, references):
                    warnings.append(f"{c} / {g}: no sample has both the target and the "
                                    "reference; skipped")
                continue
            dct[(c, g)] = found
    why = NullReasons(censored, references, control,
               unstable_references(raw, references, control, params["max_ref_shift"]),
               params["max_ref_shift"])
    results, headline = _results(dct, conditions, targets, why, warnings)
    single = sorted({c for (c, _), d in dct.items() if d.n < 2})
    if single:
        warnings.append(f"{', '.join(single)}: one biological sample; the SD is between "
                        "technical replicates, so no CI or test is given")
    return AnalysisResult("ddct", _method(params, references, control, dct, technical_pairing),
                          results, warnings, plot_data={"control": control}, headline=headline)


def _null_row(condition: str, gene: str, d: Dct | None, reason: str,
              censored: bool) -> dict[str, Any]:
    """No fold change; the ΔCt is kept unless undetermined wells of this group bias it."""
    return {
        "condition": condition,
        "target": gene,
        "dct": {"value": None if d is None or censored else d.mean,
                "sd": None if d is None or censored else finite(d.sd)},
        "ddct": {"value": None, "sd": None, "ci95": [None, None]},
        "fold_change": {**qty(None, "1"), "ci95": [None, None]},
        "fold_change_range": [None, None],
        "p_value": None,
        "test": None,
        "n": 0 if d is None else d.n,
        "technical": 0 if d is None else d.technical,
        "reason": reason,
        "ci_reason": reason,
    }


def _results(
    dct: dict[tuple[str, str], Dct], conditions: list[str], targets: list[str],
    why: NullReasons, warnings: list[str],
) -> tuple[list[dict[str, Any]], list[str]]:
    results: list[dict[str, Any]] = []
    headline: list[str] = []
    control = why.control
    for g in targets:
        for c in conditions:
            d, ref = dct.get((c, g)), dct.get((control, g))
            reason = why(c, g)
            if reason:
                own = censored_reason(why.censored, c, g, why.references)
                results.append(_null_row(c, g, d, reason, bool(own)))
                warnings.append(f"{g} in {c}: no fold change; {reason}")
            elif d is None:
                continue
            elif ref is None:
                warnings.append(f"{g}: no ΔCt for the control {control!r}; no ΔΔCt")
                continue
            else:
                results.append(_row(c, g, d, ref, c == control))
            if c != control:
                n_control = ref.n if ref is not None else 0
                headline.append(_sentence(results[-1], control, n_control))
    return results, headline


def _row(c: str, g: str, d: Dct, ref: Dct, is_control: bool) -> dict[str, Any]:
    est = fold_estimates(d, ref, is_control)
    return {
        "condition": c,
        "target": g,
        "dct": {"value": d.mean, "sd": finite(d.sd)},
        "ddct": {"value": est["ddct"], "sd": finite(d.sd), "ci95": est["ddct_ci"]},
        "fold_change": {**qty(pow2(-est["ddct"]), "1"), "ci95": est["fold_ci"]},
        "fold_change_range": est["range"],
        "p_value": est["p"],
        "test": est["test"],
        "n": d.n,
        "technical": d.technical,
        "reason": None,
        "ci_reason": est["ci_reason"],
    }


def _sentence(row: dict[str, Any], control: str, n_control: int) -> str:
    fold = row["fold_change"]
    head = f"{row['target']} in {row['condition']} vs {control}"
    if fold["value"] is None:
        return f"{head}: no fold change ({row['reason']}), n = {row['n']} vs {n_control}"
    text = f"{head}: {number_text(fold['value'])}-fold"
    lo, hi = fold["ci95"]
    if lo is not None and hi is not None:
        text += f" (95 % CI {number_text(lo)}–{number_text(hi)})"
    elif row["ci_reason"] == NO_VARIANCE:
        text += " (no CI: no between-sample variance)"
    if row["p_value"] is not None:
        text += f", Welch t-test p = {row['p_value']:.3g}"
    return text + f", n = {row['n']} vs {n_control}"


def _method(params: dict[str, Any], refs: tuple[str, ...], control: str,
            dct: dict[tuple[str, str], Dct], pairing: set[str]) -> str:
    pfaffl = ""
    if str(params["efficiency"] or "").strip():
        pfaffl = (" with Pfaffl's (2001) efficiency correction (every Ct scaled by log2 E; "
                  "E = 2 for genes without a given efficiency)")
    parts = []
    if any(d.n >= 2 for d in dct.values()):
        parts.append(_BIOLOGICAL)
    if pairing:
        parts.append(_TECHNICAL.format(pairing="; ".join(sorted(pairing))))
    n: dict[str, int] = {}
    for (c, _), d in dct.items():
        n[c] = max(n.get(c, 0), d.n)
    counts = ", ".join(f"{c} {k}" for c, k in sorted(n.items())) or "none"
    return _METHOD.format(pfaffl=pfaffl, refs=", ".join(refs), control=control,
                          uncertainty="".join(parts).strip(), counts=counts,
                          shift=f"{params['max_ref_shift']:g}",
                          genes="gene" if len(refs) == 1 else "genes")


def _draw(result: AnalysisResult) -> bytes:
    from .plots import figure_png

    def paint(ax: Any) -> None:
        rows = [r for r in result.results if r["fold_change"]["value"] is not None]
        labels = [f"{r['target']}\n{r['condition']}" for r in rows]
        folds = [r["fold_change"]["value"] for r in rows]
        bars = [r["fold_change"]["ci95"] if None not in r["fold_change"]["ci95"]
                else r["fold_change_range"] if None not in r["fold_change_range"]
                else [r["fold_change"]["value"]] * 2 for r in rows]
        lo = [f - b[0] for f, b in zip(folds, bars, strict=True)]
        hi = [b[1] - f for f, b in zip(folds, bars, strict=True)]
        ax.bar(range(len(folds)), folds, yerr=[lo, hi], capsize=3, color="tab:blue")
        ax.set_xticks(range(len(folds)), labels, fontsize="small")
        ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
        # the axis label fits the page; what the bars mean goes in the title
        ax.set_ylabel("fold change (2^-ΔΔCt)")

    return figure_png(paint, title="Relative expression\nbars: 95 % CI, or 2^-(ΔΔCt ± SD) "
                                   "where there is no CI")


HOOK = Hook(
    name="ddct",
    summary="qPCR relative expression by 2^-ΔΔCt (Livak; Pfaffl with efficiencies): fold "
            "change with 95 % CI and Welch's t-test over biological samples.",
    inputs=(
        Column("sample", text=True, help="biological sample (technical replicates share it); "
               "NTC / no-RT marks a negative control"),
        Column("condition", text=True, help="treatment or group; one is the control"),
        Column("target", text=True, help="gene name"),
        Column("ct", help="threshold cycle; 'Undetermined' or empty when not detected"),
        Column("well", optional=True, text=True,
               help="well id; target and reference in the same well are paired"),
        Column("role", optional=True, text=True,
               help="the instrument's well role; NTC / no-RT marks a negative control"),
    ),
    params=(
        Param("reference", None, type="list", help="housekeeping gene(s), comma-separated"),
        Param("control", "", type="text", help="the calibrator condition"),
        Param("mode", "auto", type="choice", choices=("auto", "paired", "unpaired"),
              help="pairing of technical replicates when a condition has one sample"),
        Param("max_ct", 35.0, help="warn for Cts above this"),
        Param("max_spread", 0.5, help="warn when technical replicates spread more (cycles)"),
        Param("max_ref_shift", 0.5,
              help="a reference gene's mean Ct differing from the control's by more (cycles) "
                   "gives that condition no fold change"),
        Param("efficiency", "", type="text",
              help="amplification factors, e.g. ZEB1=1.95,GAPDH=98% (default 2 = 100 %)"),
        Param("ntc_ct", 35.0, help="an NTC/no-RT well amplifying below this Ct is flagged"),
        Param("ntc_gap", 5.0,
              help="an NTC/no-RT well within this many cycles of the samples is flagged"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("condition", "target", "dct", "ddct", "fold_change", "fold_change_range",
                 "p_value", "test", "n", "technical", "reason", "ci_reason"),
)
