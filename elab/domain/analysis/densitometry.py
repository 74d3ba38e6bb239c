"""The ``densitometry`` hook: western blot band intensities normalised to a loading control.

Each lane's target intensity is divided by the loading control's intensity in the same lane
(β-actin, GAPDH, or the total protein after re-probing for a phospho-form); conditions are
the mean ± SD of their lanes, and relative values divide by the control condition's mean.

With ``match_by`` (a column such as ``time``) each condition is compared with the control
lanes of its own level: the time-matched vehicle.  A plate layout names a condition by all
its levels (``10 nM / 3 h``, and ``DMSO / 3 h`` for a vehicle crossed with time); the level of
the matching column is taken out of the name, so ``--param control=DMSO`` finds ``DMSO / 3 h``
among the 3 h lanes and ``DMSO / 24 h`` among the 24 h ones.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

from elab.errors import InputError, NotFoundError

from .base import AnalysisResult, Column, Hook, Param
from .headline import number_text
from .stats import summary
from .table import Table
from .transwell import control_of, pct_reason

__all__ = ["HOOK", "lane_key"]

Key = tuple[str, str, str]  # (matching group, condition, target)

_METHOD = (
    "Ratio = target intensity / {loading} intensity in the same lane; mean ± SD over lanes per "
    "condition and target, n counting lanes; relative ratio = ratio / mean ratio of the "
    "control condition ({control}){matched}. Intensities are used as given: background is "
    "subtracted by the imaging software before import, elab subtracts none; a band at or "
    "below 0 after that subtraction is reported as below background (no ratio), and a "
    "condition with such a lane, or a control mean of 0, gets no relative value; blank "
    "intensities are left out and warned. No test between conditions."
)


def lane_key(lane: str) -> tuple[tuple[int, float | str], ...]:
    """Lanes in the order they run on the gel: 1, 2, 10, 11 (numbers as numbers)."""
    parts = re.split(r"(\d+(?:\.\d+)?)", lane)
    return tuple((0, float(p)) if re.fullmatch(r"\d+(?:\.\d+)?", p) else (1, p)
                 for p in parts if p)


def _level_text(cell: str, unit: str) -> str:
    """A level as written: ``3 h`` stays; ``3.0`` of a column in ``h`` (a layout's ``time``
    joined as numbers) reads ``3 h`` again, as the layout's condition names write it."""
    if not unit:
        return cell
    try:
        return f"{float(cell):g} {unit}"
    except ValueError:
        return cell


def _within(condition: str, group: str) -> str:
    """``10 nM / 3 h`` in group ``3 h`` is ``10 nM``: the name without its matching level."""
    parts = [p.strip() for p in condition.split(" / ")]
    if group and len(parts) > 1 and group.strip() in parts:
        parts.remove(group.strip())
        return " / ".join(parts)
    return condition


def _bands(table: Table, match_by: str, warnings: list[str]) -> tuple[
        dict[tuple[str, str], float], dict[str, str], dict[str, str]]:
    """Band intensity per (lane, target), each lane's condition and its matching group."""
    if match_by and not table.has(match_by):
        raise NotFoundError("column to match controls by", match_by, table.names)
    groups = [_level_text(g, table.unit(match_by)) for g in table.text(match_by)] if match_by \
        else [""] * len(table)
    band: dict[tuple[str, str], float] = {}
    cond_of: dict[str, str] = {}
    group_of: dict[str, str] = {}
    for lane, cond, target, value, group in zip(
            table.text("lane"), table.text("condition"), table.text("target"),
            table.numbers("intensity"), groups, strict=True):
        cond_of[lane] = _within(cond, group)
        group_of[lane] = group
        if value != value:
            warnings.append(f"lane {lane}: {target} intensity blank; left out")
        if (lane, target) in band:
            warnings.append(f"lane {lane}: {target} given twice; the values are summed")
            band[(lane, target)] += value
        else:
            band[(lane, target)] = value
    return band, cond_of, group_of


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    loading = params["loading"]
    if not loading:
        raise InputError("densitometry needs --param loading=TARGET (e.g. beta-actin)")
    match_by = str(params["match_by"] or "").strip().lower().replace(" ", "_")
    warnings: list[str] = []
    band, cond_of, group_of = _bands(table, match_by, warnings)
    targets = sorted({t for _, t in band})
    if loading not in targets:
        raise NotFoundError("loading control", loading, targets)
    ratios, below, lane_rows = _lane_ratios(band, loading, cond_of, group_of, match_by,
                                            warnings)
    control = control_of(sorted(set(cond_of.values())), params["control"], warnings)
    results: list[dict[str, Any]] = list(lane_rows)
    headline: list[str] = []
    for key in sorted(set(ratios) | set(below),
                      key=lambda k: (k[2], lane_key(k[0]), k[1])):
        group, cond, target = key
        values = ratios.get(key, [])
        s = summary(values)
        base = summary(ratios.get((group, control, target), []))["mean"] if control else None
        if control and base is None and not below.get((group, control, target)):
            where = f" at {match_by} {group}" if match_by else ""
            warnings.append(f"{cond} / {target}{where}: no {control} lanes to compare with")
        reason = _relative_reason(key, control, base, below)
        rel = summary([v / base for v in values]) if base and not reason else None
        row = {"kind": "condition", "condition": cond, "target": target, "ratio": s,
               "relative": rel}
        if rel is None and reason:
            row["reason"] = reason
        if match_by:
            row[match_by] = group
        results.append(row)
        if cond == control:
            continue
        where = f" ({match_by} {group})" if match_by else ""
        if rel is not None and rel["mean"] is not None:
            sd = f"SD {number_text(rel['sd'])}, " if rel["sd"] is not None else ""
            headline.append(f"{target} in {cond}{where}: {number_text(rel['mean'])} × "
                            f"{control} ({sd}n = {rel['n']} lanes)")
        elif reason and control:
            headline.append(f"{target} in {cond}{where}: no relative value ({reason})")
    matched = f", matched by {match_by}" if match_by else ""
    return AnalysisResult(
        "densitometry", _METHOD.format(loading=loading, control=control or "none",
                                       matched=matched),
        results, warnings, headline=headline,
    )


def _lane_ratios(band: dict[tuple[str, str], float], loading: str, cond_of: dict[str, str],
                 group_of: dict[str, str], match_by: str, warnings: list[str]
                 ) -> tuple[dict[Key, list[float]], dict[Key, list[str]], list[dict[str, Any]]]:
    """Each lane's band over its loading band: the ratios by condition, the lanes below
    background, and one result row per lane (a lane without a loading band is warned)."""
    ratios: dict[Key, list[float]] = defaultdict(list)
    below: dict[Key, list[str]] = defaultdict(list)
    lane_rows = []
    for (lane, target), value in sorted(band.items(), key=lambda kv: (lane_key(kv[0][0]),
                                                                      kv[0][1])):
        if target == loading:
            continue
        load = band.get((lane, loading))
        if value != value:
            continue  # blank: warned when read
        if load is None or load != load:
            warnings.append(f"lane {lane}: no {loading} band; {target} not normalised")
            continue
        if load <= 0:
            warnings.append(f"lane {lane}: {loading} band at or below background "
                            f"({number_text(load)}); {target} not normalised")
            continue
        key = (group_of[lane], cond_of[lane], target)
        row = {"kind": "lane", "lane": lane, "condition": cond_of[lane], "target": target,
               "ratio": value / load}
        if value <= 0:
            below[key].append(lane)
            row.update(ratio=None, reason=f"below background ({number_text(value)})")
            warnings.append(f"lane {lane}: {target} at or below background "
                            f"({number_text(value)}); no ratio")
        else:
            ratios[key].append(value / load)
        if match_by:
            row[match_by] = group_of[lane]
        lane_rows.append(row)
    return ratios, below, lane_rows


def _relative_reason(key: Key, control: str | None, base: float | None,
                     below: dict[Key, list[str]]) -> str:
    """Why a condition gets no relative value: its own band, or its control's, is not there.

    A lane below background has no ratio; averaging only the other lanes would overstate the
    band, so the condition as a whole is below background rather than a confident number.
    """
    group, _, target = key
    if below.get(key):
        return f"{target} below background in lane(s) {', '.join(below[key])}"
    if below.get((group, control or "", target)) and base is None:
        return f"{target} in {control} is below background; no ratio to divide by"
    return pct_reason(control, base, "ratio")


def _draw(result: AnalysisResult) -> bytes:
    from .plots import bar_png

    rows = [r for r in result.results if r["kind"] == "condition"]
    use_rel = all(r["relative"] for r in rows)
    key = "relative" if use_rel else "ratio"
    return bar_png(
        [f"{r['target']} {r['condition']}" for r in rows],
        [math.nan if r[key]["mean"] is None else r[key]["mean"] for r in rows],  # no bar
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
        Param("match_by", "", type="text",
              help="a column (e.g. time) within whose levels each condition is compared with "
                   "the control"),
    ),
    analyse=_analyse,
    draw=_draw,
    result_keys=("kind", "lane", "condition", "target", "ratio", "relative"),
)
