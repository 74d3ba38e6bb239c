"""What a qPCR reviewer checks before trusting a fold change, and the efficiencies to use.

- No-template (NTC) and no-RT controls must stay silent: one that amplifies below Ct 35, or
  within 5 cycles of the latest-amplifying sample of the same gene, means contamination or
  genomic DNA is part of every sample's signal.
- A reference gene must not respond to the treatment: a mean Ct that shifts by more than
  0.5 cycles between conditions turns the shift into a false fold change of every target
  (Vandesompele et al. 2002 choose references by exactly this kind of stability).
- Efficiencies (Pfaffl 2001) are amplification factors per cycle: 2 is 100 %.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from typing import Any

from elab.errors import InputError, NotFoundError

__all__ = ["efficiencies", "is_negative_control", "negative_control_warnings",
           "reference_shift_warnings", "unknown_label", "unstable_references"]

_NEGATIVE = re.compile(
    r"^(ntc|no[\s_-]?template([\s_-]?control)?|water|h2o|nrt|no[\s_-]?rt|-rt|minus[\s_-]?rt|"
    r"rt[\s_-]?minus|rt-)$",
    re.IGNORECASE,
)


def is_negative_control(*labels: str) -> str:
    """``NTC`` or ``no-RT`` when a sample or condition label names one, else ``""``."""
    for label in labels:
        word = label.strip()
        if _NEGATIVE.match(word):
            return "no-RT" if "rt" in word.lower() else "NTC"
    return ""


def negative_control_warnings(
    controls: list[dict[str, Any]], samples: list[dict[str, Any]], max_ct: float, gap: float,
) -> list[str]:
    """One warning per NTC/no-RT well that amplifies too early."""
    latest: dict[str, float] = {}
    for r in samples:
        latest[r["target"]] = max(latest.get(r["target"], -math.inf), r["ct"])
    out = []
    for r in controls:
        ct = r["ct"]
        if math.isnan(ct):
            continue
        where = f"{r['kind']} {r['condition']} / {r['sample']} / {r['target']}"
        last = latest.get(r["target"])
        if ct < max_ct:
            out.append(f"{where}: amplifies at Ct {ct:.2f} (< {max_ct:g}); contamination or "
                       "genomic DNA may be part of the samples' signal")
        elif last is not None and ct - last < gap:
            out.append(f"{where}: amplifies at Ct {ct:.2f}, within {gap:g} cycles of the "
                       f"samples (latest {last:.2f}); contamination or genomic DNA may be part "
                       "of the samples' signal")
    return out


def reference_shift_warnings(
    rows: list[dict[str, Any]], references: tuple[str, ...], limit: float,
) -> list[str]:
    """A reference gene whose mean Ct differs between conditions by more than ``limit``."""
    out = []
    for ref in references:
        per: dict[str, list[float]] = defaultdict(list)
        for r in rows:
            if r["target"] == ref:
                per[r["condition"]].append(r["ct"])
        means = {c: statistics.fmean(v) for c, v in sorted(per.items()) if v}
        if len(means) < 2:
            continue
        shift = max(means.values()) - min(means.values())
        if shift > limit:
            shown = ", ".join(f"{c} {m:.2f}" for c, m in means.items())
            out.append(
                f"reference {ref}: mean Ct shifts by {shift:.2f} cycles between conditions "
                f"({shown}; > {limit:g}); unless the input amounts differed by as much, it is "
                "not a stable reference and every fold change normalised to it is biased"
            )
    return out


def unstable_references(
    rows: list[dict[str, Any]], references: tuple[str, ...], control: str, limit: float,
) -> dict[str, list[tuple[str, float]]]:
    """Per condition, each reference gene whose mean Ct differs from the control's by more
    than ``limit`` cycles, with the shift: Livak & Schmittgen (2001) require an internal
    control unaffected by the treatment, or its shift becomes every target's fold change."""
    means: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["target"] in references:
            means[(r["condition"], r["target"])].append(r["ct"])
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (condition, ref), cts in sorted(means.items()):
        base = means.get((control, ref))
        if condition == control or not base:
            continue
        shift = statistics.fmean(cts) - statistics.fmean(base)
        if abs(shift) > limit:
            out[condition].append((ref, shift))
    return dict(out)


def unknown_label(kind: str, plural: str, name: str, known: list[str]) -> NotFoundError:
    """An unknown gene or condition: the did-you-mean when one is close, and always the
    labels the table has, so a typo and a wrong guess are both one look away."""
    error = NotFoundError(kind, name, known)
    error.args = (f"{error}; the table's {plural}: {', '.join(known) or 'none'}",)
    return error


def efficiencies(text: str, genes: list[str]) -> dict[str, float]:
    """``"ZEB1=1.95, GAPDH=98%"`` as amplification factors; genes not named get 2."""
    out = {g: 2.0 for g in genes}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise InputError(f"efficiency {item.strip()!r} is not GENE=VALUE (e.g. ZEB1=1.95)")
        try:
            factor = 1.0 + float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise InputError(f"efficiency of {name}: {value!r} is not a number") from None
        if not 1.0 < factor <= 2.2:
            raise InputError(f"efficiency of {name}: {factor:g} is not an amplification factor "
                             "between 1 and 2.2 (2 = 100 %)")
        if name not in out:
            raise NotFoundError("gene with an efficiency", name, genes)
        out[name] = factor
    return out
