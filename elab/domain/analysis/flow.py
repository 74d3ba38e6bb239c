"""The ``flow-frequencies`` hook: gate counts turned into % of parent and % of CD45+.

Each row is one gate of one sample: its event count and the name of its parent gate.  The
parent's count is looked up in the same sample, so % of parent needs the parent gate in the
table (or a ``parent_count`` column).  % of CD45+ (or another lineage gate, ``--param
lineage=``) is given for every gate that descends from it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .base import AnalysisResult, Column, Hook, Param, qty
from .headline import number_text
from .stats import summary
from .table import Table

__all__ = ["HOOK"]

_METHOD = (
    "% of parent = gate count / parent gate count × 100; % of {lineage} = gate count / "
    "{lineage} count × 100 for gates below {lineage}; per condition mean ± SD over samples, n "
    "counting samples; event counts are used as gated (no background subtraction); a "
    "frequency whose parent (or {lineage}) gate has fewer than {min_parent:g} events is warned "
    "(Poisson: 100 events give a 10 % CV); no test between conditions."
)


def _few(s: str, p: str, gate: str, base: float, pct: float, floor: float) -> str:
    """The warning for a frequency over a denominator too small to be precise."""
    return (f"{s}: {p!r} is {pct:.3g} % of {gate!r}, which has only {base:g} events "
            f"(< {floor:g}); the frequency is imprecise (Poisson CV of a count n is 1/√n, "
            "10 % at 100 events)")


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    lineage = params["lineage"]
    floor = float(params["min_parent"])
    samples, pops = table.text("sample"), table.text("population")
    parents, counts = table.text("parent"), table.numbers("count", nonnegative=True)
    given_parent = None
    if table.has("parent_count"):
        given_parent = table.numbers("parent_count", nonnegative=True)
    conds = table.text("condition") if table.has("condition") else [""] * len(counts)
    warnings: list[str] = []
    count: dict[tuple[str, str], float] = {}
    parent_of: dict[tuple[str, str], str] = {}
    cond_of: dict[str, str] = {}
    for i, (s, p, par, n, c) in enumerate(zip(samples, pops, parents, counts, conds,
                                              strict=True)):
        if n != n:  # NaN: an empty or 'NA' count
            warnings.append(f"{s}: gate {p!r} has no count; left out")
            continue
        count[(s, p)] = n
        parent_of[(s, p)] = par
        cond_of[s] = c
        if given_parent is not None and par and (s, par) not in count:
            count.setdefault((s, par), given_parent[i])
    results: list[dict[str, Any]] = []
    per_cond: dict[tuple[str, str], list[tuple[float | None, float | None]]] = defaultdict(list)
    for (s, p), par in sorted(parent_of.items()):
        n = count[(s, p)]
        pct_parent = None
        if par:
            base = count.get((s, par))
            if base:
                pct_parent = 100.0 * n / base
                if base < floor:
                    warnings.append(_few(s, p, par, base, pct_parent, floor))
            else:
                what = "0 events" if base == 0 else "no count"
                warnings.append(f"{s}: parent gate {par!r} of {p!r} has {what}; no % of parent")
        pct_lineage = None
        if _below(s, p, lineage, parent_of) and count.get((s, lineage)):
            pct_lineage = 100.0 * n / count[(s, lineage)]
            if count[(s, lineage)] < floor and par != lineage and p != lineage:
                warnings.append(_few(s, p, lineage, count[(s, lineage)], pct_lineage, floor))
        if n > count.get((s, par), float("inf")):
            warnings.append(f"{s}: gate {p!r} has more events than its parent {par!r}")
        results.append({"kind": "gate", "sample": s, "condition": cond_of[s], "population": p,
                        "parent": par, "count": n, "pct_parent": qty(pct_parent, "%"),
                        "pct_lineage": qty(pct_lineage, "%")})
        per_cond[(cond_of[s], p)].append((pct_parent, pct_lineage))
    if any(cond_of.values()):
        for (c, p), values in sorted(per_cond.items()):
            results.append({
                "kind": "condition", "condition": c, "population": p,
                "pct_parent": {**summary(v for v, _ in values if v is not None), "unit": "%"},
                "pct_lineage": {**summary(v for _, v in values if v is not None), "unit": "%"},
            })
    return AnalysisResult("flow-frequencies",
                          _METHOD.format(lineage=lineage, min_parent=floor), results,
                          warnings, headline=_headline(per_cond, parent_of, lineage))


def _headline(per_cond: dict[tuple[str, str], list[tuple[float | None, float | None]]],
              parent_of: dict[tuple[str, str], str], lineage: str) -> list[str]:
    """One sentence per end gate (a gate no other gate is gated from: CD8+, Treg) and
    condition: its mean % of parent and % of lineage over the samples, the numbers a TIL
    panel is read for; the gates above them are in the table."""
    parents = set(parent_of.values())
    ends = {p for _, p in parent_of if p not in parents}
    below = {p for s, p in parent_of if _below(s, p, lineage, parent_of) and p != lineage}
    if below & ends:
        ends &= below  # the lineage's own end gates, not a debris or dead-cell gate
    out = []
    for (c, p), values in sorted(per_cond.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if p not in ends:
            continue
        parent = next((par for (_, g), par in sorted(parent_of.items()) if g == p), "")
        label = f"{p} in {c}" if c else f"{p} (all samples)"
        stats = [(summary(v for v, _ in values if v is not None), parent),
                 (summary(v for _, v in values if v is not None), lineage)]
        stats = [(st, g) for st, g in stats if st["mean"] is not None and g]
        if not stats:
            out.append(f"{label}: no frequency (its parent gate has no count or 0 events "
                       "in every sample)")
            continue
        ns = sorted({st["n"] for st, _ in stats})
        out.append(f"{label}: {', '.join(_share(st, g) for st, g in stats)}; "
                   f"n = {' and '.join(str(n) for n in ns)} samples")
    return out


def _share(s: dict[str, Any], gate: str) -> str:
    """``20 % of CD4+ (SD 1.2)``: a mean frequency over samples."""
    sd = f" (SD {number_text(s['sd'])})" if s["sd"] is not None else ""
    return f"{number_text(s['mean'])} % of {gate}{sd}"


def _below(sample: str, pop: str, lineage: str, parent_of: dict[tuple[str, str], str]) -> bool:
    """Whether ``pop`` is ``lineage`` or one of its descendants in this sample's gate tree."""
    seen: set[str] = set()
    while pop and pop not in seen:
        if pop == lineage:
            return True
        seen.add(pop)
        pop = parent_of.get((sample, pop), "")
    return False


HOOK = Hook(
    name="flow-frequencies",
    summary="Flow cytometry gates: % of parent and % of CD45+ per sample and condition.",
    inputs=(
        Column("sample", text=True),
        Column("population", text=True, help="gate name, e.g. CD3+"),
        Column("parent", text=True, help="parent gate name (empty for the root)"),
        Column("count", help="events in the gate"),
        Column("parent_count", optional=True, help="events in the parent, if not a row"),
        Column("condition", optional=True, text=True),
    ),
    params=(
        Param("lineage", "CD45+", type="text", help="gate for the % of lineage column"),
        Param("min_parent", 100.0,
              help="warn when a frequency's parent gate has fewer events (100 events: 10 % "
                   "Poisson CV)"),
    ),
    analyse=_analyse,
    result_keys=("kind", "sample", "population", "parent", "count", "pct_parent",
                 "pct_lineage"),
)
