"""The invasion index of a Matrigel transwell assay: coated inserts over uncoated ones.

Cells crossing a Matrigel-coated insert reflect both how well they move and how well they
degrade and cross the matrix; the same cells and drug on an uncoated insert measure the
movement alone.  Their ratio, the invasion index (Albini et al. 1987; the matrigel-invasion
protocol's note "cells through Matrigel / cells through an uncoated insert of the same cells
and drug"), separates invasion from migration, so a drug that only slows the cells is not read
as blocking invasion.  The uncoated inserts are references of one treatment each, never
conditions to compare with the coated vehicle: 150 cells per field through an uncoated insert
is not "250 % of vehicle".

Which inserts are uncoated references: the design's controls of kind ``reference`` (passed as
``--param reference=...`` by the run, or given by hand), a ``control`` column of the layout
reading ``reference``, or a condition whose name has the word ``uncoated``.  Each reference
is paired with the coated condition whose name it contains (``uncoated defactinib`` with
``defactinib``), or as written ``uncoated A=drug A``.  A coated condition given two
references, or a reference given twice or paired with itself, is refused: which index is the
right one is the scientist's to say.
"""

from __future__ import annotations

from typing import Any

from elab.errors import InputError

from .headline import number_text
from .stats import summary
from .table import Table

__all__ = ["invasion_indices", "references"]


def _pair(reference: str, coated: list[str]) -> str | None:
    """The coated condition whose name appears, as whole words, in the reference's name (the
    longest such name, so ``uncoated drug B`` pairs with ``drug B``, not ``drug``)."""
    words = reference.lower().split()
    found = []
    for name in coated:
        part = name.lower().split()
        if part and any(words[i:i + len(part)] == part for i in range(len(words))):
            found.append(name)
    return max(found, key=len) if found else None


def _named(table: Table, given: tuple[str, ...] | None, conditions: list[str]) -> dict[str, str]:
    """Reference name → the coated condition written for it ("" when to be paired by name)."""
    out = _given(given)
    if table.has("control"):
        for cond, kind in zip(table.text("condition"), table.text("control"), strict=True):
            if kind.lower() == "reference":
                out.setdefault(cond, "")
    for cond in conditions:
        if "uncoated" in cond.lower().split():
            out.setdefault(cond, "")
    return out


def references(table: Table, given: tuple[str, ...] | None, conditions: list[str],
               warnings: list[str]) -> dict[str, str]:
    """Each uncoated reference present in the data → the coated condition it belongs to
    ("" when none matches: the reference is kept out of the comparisons and warned)."""
    named = _named(table, given, conditions)
    coated = [c for c in conditions if c not in named]
    out: dict[str, str] = {}
    for ref, cond in named.items():
        if ref not in conditions:
            if given and any(i.partition("=")[0].strip() == ref for i in given):
                warnings.append(f"reference {ref!r} has no inserts in the data")
            continue
        cond = cond or _pair(ref, coated) or ""
        if cond and cond not in coated:
            warnings.append(f"reference {ref!r}: {cond!r} is not a coated condition of the "
                            "data; no invasion index")
            cond = ""
        elif not cond:
            warnings.append(f"reference {ref!r}: no coated condition of the same cells and "
                            "drug found in its name; write reference=NAME=CONDITION")
        out[ref] = cond
    _one_reference_each(out)
    return out


def _given(given: tuple[str, ...] | None) -> dict[str, str]:
    """``reference=NAME=CONDITION`` items as written; a reference paired with itself or
    given twice is refused (its index would be 100 % or one of two quietly dropped)."""
    out: dict[str, str] = {}
    for item in given or ():
        ref, _, cond = (p.strip() for p in item.partition("="))
        if cond and cond == ref:
            raise InputError(f"reference {ref!r} is paired with itself; write "
                             "reference=UNCOATED=COATED (uncoated vehicle=vehicle)")
        if ref in out and out[ref] != cond:
            raise InputError(f"reference {ref!r} is given twice ({out[ref] or 'by name'}, "
                             f"{cond or 'by name'}); give it once")
        out[ref] = cond
    return out


def _one_reference_each(refs: dict[str, str]) -> None:
    """A coated condition has one uncoated reference: two would give it two contradictory
    invasion indexes, one of them silently taking the other condition's place."""
    by_condition: dict[str, list[str]] = {}
    for ref, cond in refs.items():
        if cond:
            by_condition.setdefault(cond, []).append(ref)
    for cond, two in by_condition.items():
        if len(two) > 1:
            names = ", ".join(repr(r) for r in two)
            raise InputError(f"{cond!r} is given {len(two)} references ({names}); give each "
                             "coated condition one, as reference=NAME=CONDITION")


def invasion_indices(per_insert: dict[str, list[float]], refs: dict[str, str],
                     control: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """One ``invasion_index`` row per coated condition with an uncoated reference, and the
    headline sentences: index = mean cells per field of the coated inserts / mean of the
    uncoated inserts × 100 (n counting inserts of each), and each treatment's index as a %
    of the control's index."""
    rows: list[dict[str, Any]] = []
    for ref, cond in sorted(refs.items(), key=lambda kv: (kv[1] != control, kv[1])):
        if not cond:
            continue
        coated, uncoated = summary(per_insert.get(cond, [])), summary(per_insert.get(ref, []))
        row: dict[str, Any] = {"kind": "invasion_index", "condition": cond, "reference": ref,
                               "coated": coated["mean"], "uncoated": uncoated["mean"],
                               "inserts": coated["n"], "reference_inserts": uncoated["n"],
                               "index": {"value": None, "unit": "%"}}
        reason = _index_reason(coated["mean"], uncoated["mean"], cond, ref)
        if reason:
            row["index"]["reason"] = reason
        else:
            row["index"]["value"] = 100.0 * coated["mean"] / uncoated["mean"]
        rows.append(row)
    base = next((r["index"]["value"] for r in rows if r["condition"] == control), None)
    for r in rows:
        if base and r["index"]["value"] is not None and r["condition"] != control:
            r["index_pct_of_control"] = {"value": 100.0 * r["index"]["value"] / base,
                                         "unit": "%"}
    return rows, [_index_sentence(r, control) for r in rows]


def _index_reason(coated: float | None, uncoated: float | None, cond: str, ref: str) -> str:
    if coated is None:
        return f"no counts of {cond} inserts"
    if uncoated is None:
        return f"no counts of {ref} inserts"
    if uncoated == 0:
        return f"no cells crossed the {ref} inserts; an index over 0 is undefined"
    return ""


def _index_sentence(row: dict[str, Any], control: str | None) -> str:
    value = row["index"]["value"]
    label = f"invasion index {row['condition']}"
    if value is None:
        return f"{label}: not computed ({row['index']['reason']})"
    text = (f"{label}: {number_text(value)} % ({number_text(row['coated'])} / "
            f"{number_text(row['uncoated'])} cells per field through Matrigel / uncoated; "
            f"n = {row['inserts']} + {row['reference_inserts']} inserts)")
    relative = row.get("index_pct_of_control")
    if relative:
        text += f", {number_text(relative['value'])} % of the {control} index"
    return text
