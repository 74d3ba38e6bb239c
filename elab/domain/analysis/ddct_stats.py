"""ΔCt per condition and gene, and the uncertainty of ΔΔCt and the fold change.

Biological samples are the unit of replication: each sample's technical replicates are
averaged first, so three wells of one cDNA count once.  The comparison with the control is
Welch's t-test on the per-sample ΔCt (unequal variances allowed), and the 95 % CI of ΔΔCt
is the matching Welch interval; the fold change CI is 2 raised to minus its ends.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .base import finite

__all__ = ["NO_VARIANCE", "ONE_SAMPLE", "ONE_WELL", "Dct", "biological_dct", "fold_estimates",
           "pow2", "technical_dct"]


@dataclass(frozen=True)
class Dct:
    """Mean ΔCt, its SD, the number of biological samples and of technical wells behind it."""

    mean: float
    sd: float
    n: int
    technical: int


def _sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else math.nan


def _means(rows: list[dict[str, Any]], condition: str, key: str) -> dict[tuple[str, str], float]:
    """Mean Ct per (sample or well, gene) within one condition."""
    cts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["condition"] == condition:
            unit = r["sample"] if key == "sample" else f"{r['sample']}/{r['well']}"
            cts[(unit, r["target"])].append(r["ct"])
    return {k: statistics.fmean(v) for k, v in cts.items()}


def _paired(rows: list[dict[str, Any]], condition: str, gene: str, refs: tuple[str, ...],
            key: str) -> list[float]:
    means = _means(rows, condition, key)
    out = []
    for u in sorted({u for u, _ in means}):
        if (u, gene) in means and all((u, ref) in means for ref in refs):
            out.append(means[(u, gene)] - statistics.fmean(means[(u, g)] for g in refs))
    return out


def _wells(rows: list[dict[str, Any]], condition: str, gene: str) -> int:
    return sum(1 for r in rows if r["condition"] == condition and r["target"] == gene)


def biological_dct(
    rows: list[dict[str, Any]], condition: str, gene: str, refs: tuple[str, ...]
) -> Dct | None:
    """ΔCt per biological sample (technical replicates averaged), mean and SD over samples."""
    values = _paired(rows, condition, gene, refs, "sample")
    if not values:
        return None
    return Dct(statistics.fmean(values), _sd(values), len(values), _wells(rows, condition, gene))


def technical_dct(
    rows: list[dict[str, Any]], condition: str, gene: str, refs: tuple[str, ...], by_well: bool
) -> Dct | None:
    """One biological sample: ΔCt with the technical spread (paired per well or propagated)."""
    wells = _wells(rows, condition, gene)
    if by_well:
        values = _paired(rows, condition, gene, refs, "well")
        if not values:
            return None
        return Dct(statistics.fmean(values), _sd(values), 1, wells)
    target = [r["ct"] for r in rows if r["condition"] == condition and r["target"] == gene]
    per_gene = [[r["ct"] for r in rows if r["condition"] == condition and r["target"] == g]
                for g in refs]
    if not target or not all(per_gene):
        return None
    width = min(len(v) for v in per_gene)
    ref = [statistics.fmean(v[i] for v in per_gene) for i in range(width)]
    sd = math.sqrt(_sd(target) ** 2 + _sd(ref) ** 2)
    return Dct(statistics.fmean(target) - statistics.fmean(ref), sd, 1, wells)


def pow2(x: float) -> float:
    """2**x, infinite rather than an OverflowError (a Ct of 1e29 is nonsense, not a crash)."""
    return 2.0**x if x < 1000 else math.inf


def _fold_ci(lo: float, hi: float) -> list[float | None]:
    return [finite(pow2(-hi)), finite(pow2(-lo))]


NO_VARIANCE = ("no between-sample variance: every biological sample gave the same ΔCt, "
               "so the data cannot say how far the mean could be off")
ONE_SAMPLE = "one biological sample: no between-sample variance to build a CI or test from"
ONE_WELL = "one well, or no spread: no range to give"


def fold_estimates(d: Dct, ref: Dct, is_control: bool) -> dict[str, Any]:
    """ΔΔCt, the Livak range, and (with ≥ 2 biological samples) CI and Welch's test; a CI
    that would have zero width is null with ``ci_reason`` (an interval of 4–4 claims a
    certainty no finite sample gives)."""
    from scipy.stats import t as t_dist

    ddct = d.mean - ref.mean
    out: dict[str, Any] = {
        "ddct": ddct, "range": [None, None], "range_reason": ONE_WELL,
        "ddct_ci": [None, None], "fold_ci": [None, None], "p": None, "test": None,
        "ci_reason": ONE_SAMPLE if d.n < 2 or (ref.n < 2 and not is_control) else None,
    }
    if math.isfinite(d.sd) and d.sd > 0:  # a zero spread is [v, v]: no range at all
        out["range"] = [finite(pow2(-(ddct + d.sd))), finite(pow2(-(ddct - d.sd)))]
        out["range_reason"] = None
    if is_control:
        if d.n >= 2 and d.sd == 0:
            out["ci_reason"] = NO_VARIANCE
        elif d.n >= 2:
            half = float(t_dist.ppf(0.975, d.n - 1)) * d.sd / math.sqrt(d.n)
            out["ddct_ci"] = [ddct - half, ddct + half]
            out["fold_ci"] = _fold_ci(ddct - half, ddct + half)
        return out
    if d.n < 2 or ref.n < 2:
        return out
    a, b = d.sd**2 / d.n, ref.sd**2 / ref.n
    se = math.sqrt(a + b)
    out["test"] = "Welch t-test on ΔCt"
    if se == 0:
        out["test"] = None
        out["ci_reason"] = NO_VARIANCE
        return out
    df = (a + b) ** 2 / (a**2 / (d.n - 1) + b**2 / (ref.n - 1))
    half = float(t_dist.ppf(0.975, df)) * se
    out["ddct_ci"] = [ddct - half, ddct + half]
    out["fold_ci"] = _fold_ci(ddct - half, ddct + half)
    out["p"] = finite(float(2 * t_dist.sf(abs(ddct) / se, df)))
    return out
