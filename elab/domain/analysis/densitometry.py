"""The ``densitometry`` hook: western blot band intensities normalised to a loading control.

Each lane's target intensity is divided by the loading control's intensity in the same lane
(β-actin, GAPDH, or the total protein after re-probing for a phospho-form); conditions are
the mean ± SD of their lanes, and relative values divide by the control condition's mean.

The loading band corrects for what was loaded and transferred onto one membrane, so when
several membranes are exported together (a ``membrane`` column: E-cadherin and vimentin with
β-actin on A, N-cadherin with β-actin on B) each target is divided by the loading band of its
own membrane; a loading band given twice in a lane with no membrane column to say which is
which gives no ratio rather than a sum of two membranes' bands.

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
from dataclasses import dataclass, field
from typing import Any

from elab.errors import InputError, NotFoundError

from .base import AnalysisResult, Column, Hook, Param
from .headline import number_text
from .stats import summary
from .table import Table
from .transwell import control_of, pct_reason

__all__ = ["HOOK", "lane_key"]

Key = tuple[str, str, str]  # (matching group, condition, target)
Band = tuple[str, str, str]  # (lane, membrane, target)

_METHOD = (
    "Ratio = target intensity / {loading} intensity in the same lane and on the same membrane "
    "(a target whose membrane has no {loading} band in that lane gets no ratio); mean ± SD "
    "over lanes per "
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


def _bands(table: Table, match_by: str, loading: str, warnings: list[str]) -> tuple[
        dict[Band, float], dict[Band, tuple[str, str]], set[Band]]:
    """Band intensity per (lane, membrane, target), each band's matching group and condition,
    and the bands given more than once.

    Each row keeps its own group and membrane: ``match_by=membrane`` groups E-cadherin with
    membrane A however many membranes the lane ran on.  A target probed on two membranes is
    named ``E-cadherin (membrane A)`` so its lanes are never pooled across membranes.
    """
    if match_by and not table.has(match_by):
        raise NotFoundError("column to match controls by", match_by, table.names)
    groups = [_level_text(g, table.unit(match_by)) for g in table.text(match_by)] if match_by \
        else [""] * len(table)
    membranes = _membranes(table)
    band: dict[Band, float] = {}
    where: dict[Band, tuple[str, str]] = {}
    twice: set[Band] = set()
    for lane, cond, target, value, group, membrane in zip(
            table.text("lane"), table.text("condition"), table.text("target"),
            table.numbers("intensity"), groups, membranes, strict=True):
        key = (lane, membrane, target)
        where[key] = (group, _within(cond, group))
        if value != value:
            warnings.append(f"lane {lane}: {target} intensity blank; left out")
        if key in band:
            twice.add(key)
            if target != loading:
                warnings.append(f"lane {lane}: {target} given twice{_on(membrane)}; "
                                "the values are summed")
            band[key] += value
        else:
            band[key] = value
    return _named_by_membrane(band, where, twice, loading)


def _membranes(table: Table) -> list[str]:
    """The membrane of each row; a blank cell beside filled ones is refused with its row,
    since read as a membrane of its own it would divide the lane's targets by no loading band
    and quietly drop the lane from its condition's mean."""
    if not table.has("membrane"):
        return [""] * len(table)
    membranes = table.text("membrane")
    if any(membranes):
        for row, membrane in enumerate(membranes, start=2):
            if not membrane:
                raise InputError(f"{table.source}: row {row}: membrane is blank while other rows "
                                 "name one; write the membrane the band was imaged on")
    return membranes


def _on(membrane: str) -> str:
    return f" on membrane {membrane}" if membrane else ""


def _named_by_membrane(band: dict[Band, float], where: dict[Band, tuple[str, str]],
                       twice: set[Band], loading: str
                       ) -> tuple[dict[Band, float], dict[Band, tuple[str, str]], set[Band]]:
    """A target found on more than one membrane renamed ``target (membrane X)``."""
    on: dict[str, set[str]] = defaultdict(set)
    for _, membrane, target in band:
        on[target].add(membrane)
    shared = {t for t, ms in on.items() if len(ms) > 1 and t != loading}
    if not shared:
        return band, where, twice

    def renamed(k: Band) -> Band:
        return (k[0], k[1], f"{k[2]} (membrane {k[1]})") if k[2] in shared else k

    return ({renamed(k): v for k, v in band.items()}, {renamed(k): v for k, v in where.items()},
            {renamed(k) for k in twice})


def _analyse(table: Table, params: dict[str, Any]) -> AnalysisResult:
    loading = params["loading"]
    if not loading:
        raise InputError("densitometry needs --param loading=TARGET (e.g. beta-actin)")
    match_by = str(params["match_by"] or "").strip().lower().replace(" ", "_")
    warnings: list[str] = []
    band, where, twice = _bands(table, match_by, loading, warnings)
    targets = sorted({t for _, _, t in band})
    if loading not in targets:
        raise NotFoundError("loading control", loading, targets)
    lanes = _lane_ratios(band, where, twice, loading, match_by, warnings)
    control = control_of(sorted({c for _, c in where.values()}), params["control"], warnings)
    results: list[dict[str, Any]] = list(lanes.rows)
    headline: list[str] = []
    for key in sorted(set(lanes.ratios) | set(lanes.below) | set(lanes.unloaded),
                      key=lambda k: (k[2], lane_key(k[0]), k[1])):
        row, sentence = _condition(key, lanes, control, match_by, warnings)
        results.append(row)
        if sentence:
            headline.append(sentence)
    matched = f", matched by {match_by}" if match_by else ""
    return AnalysisResult(
        "densitometry", _METHOD.format(loading=loading, control=control or "none",
                                       matched=matched),
        results, warnings, headline=headline,
    )


def _condition(key: Key, lanes: _Lanes, control: str | None, match_by: str,
               warnings: list[str]) -> tuple[dict[str, Any], str]:
    """A condition's result row and its headline sentence ("" for the control itself)."""
    group, cond, target = key
    values = lanes.ratios.get(key, [])
    base = summary(lanes.ratios.get((group, control, target), []))["mean"] if control else None
    if control and base is None and not lanes.below.get((group, control, target)) \
            and not lanes.unloaded.get((group, control, target)):
        where = f" at {match_by} {group}" if match_by else ""
        warnings.append(f"{cond} / {target}{where}: no {control} lanes to compare with")
    reason = _relative_reason(key, control, base, lanes)
    rel = summary([v / base for v in values]) if base and not reason else None
    row: dict[str, Any] = {"kind": "condition", "condition": cond, "target": target,
                           "ratio": summary(values), "relative": rel}
    if rel is None and reason:
        row["reason"] = reason
    if match_by:
        row[match_by] = group
    if cond == control:
        return row, ""
    where = f" ({match_by} {group})" if match_by else ""
    if rel is not None and rel["mean"] is not None:
        sd = f"SD {number_text(rel['sd'])}, " if rel["sd"] is not None else ""
        return row, (f"{target} in {cond}{where}: {number_text(rel['mean'])} × "
                     f"{control} ({sd}n = {rel['n']} lanes)")
    if reason and control:
        return row, f"{target} in {cond}{where}: no relative value ({reason})"
    return row, ""


@dataclass
class _Lanes:
    """Each lane's band over its loading band, gathered by (group, condition, target): the
    ratios, the lanes below background, the lanes with no usable loading band on the
    target's membrane (why → lanes), and one result row per lane."""

    ratios: dict[Key, list[float]] = field(default_factory=lambda: defaultdict(list))
    below: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))
    unloaded: dict[Key, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(dict))
    rows: list[dict[str, Any]] = field(default_factory=list)


def _load_reason(band: dict[Band, float], twice: set[Band], key: Band, loading: str) -> str:
    """Why the band ``key`` has no loading band to divide by, or "" when it has one."""
    lane, membrane, _ = key
    load_key = (lane, membrane, loading)
    load = band.get(load_key)
    if load_key in twice:
        if membrane:
            return f"{loading} given more than once on membrane {membrane}"
        return (f"{loading} given more than once and no membrane column says which band "
                "loads which target")
    if load is None or load != load:
        return f"no {loading} band{_on(membrane)}"
    if load <= 0:
        return f"{loading} band{_on(membrane)} at or below background ({number_text(load)})"
    return ""


def _lane_ratios(band: dict[Band, float], where: dict[Band, tuple[str, str]], twice: set[Band],
                 loading: str, match_by: str, warnings: list[str]) -> _Lanes:
    """Each band over the loading band of its own lane and membrane (blanks warned when
    read are skipped; a band without a loading band on its membrane gets no ratio)."""
    out = _Lanes()
    for k, value in sorted(band.items(), key=lambda kv: (lane_key(kv[0][0]), kv[0][1:])):
        lane, membrane, target = k
        if target == loading or value != value:
            continue
        group, cond = where[k]
        key = (group, cond, target)
        row: dict[str, Any] = {"kind": "lane", "lane": lane, "condition": cond,
                               "target": target, "ratio": None}
        if membrane:
            row["membrane"] = membrane
        if match_by:
            row[match_by] = group
        out.rows.append(row)
        why = _load_reason(band, twice, k, loading)
        if why:
            out.unloaded[key].setdefault(why, []).append(lane)
            row["reason"] = why
            warnings.append(f"lane {lane}: {target} not normalised ({why})")
        elif value <= 0:
            out.below[key].append(lane)
            row["reason"] = f"below background ({number_text(value)})"
            warnings.append(f"lane {lane}: {target} at or below background "
                            f"({number_text(value)}); no ratio")
        else:
            row["ratio"] = value / band[(lane, membrane, loading)]
            out.ratios[key].append(row["ratio"])
    return out


def _relative_reason(key: Key, control: str | None, base: float | None, lanes: _Lanes) -> str:
    """Why a condition gets no relative value: its own band, or its control's, is not there.

    A lane below background has no ratio; averaging only the other lanes would overstate the
    band, so the condition as a whole is below background rather than a confident number.
    A target with no loading band on its membrane in any lane has no ratio at all.
    """
    group, _, target = key
    if lanes.below.get(key):
        return f"{target} below background in lane(s) {', '.join(lanes.below[key])}"
    if not lanes.ratios.get(key) and lanes.unloaded.get(key):
        return "; ".join(f"lane(s) {', '.join(ls)}: {why}"
                         for why, ls in lanes.unloaded[key].items())
    control_key = (group, control or "", target)
    if lanes.below.get(control_key) and base is None:
        return f"{target} in {control} is below background; no ratio to divide by"
    if lanes.unloaded.get(control_key) and base is None:
        return f"{target} in {control} has no loading band to divide by"
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
        Column("membrane", text=True, optional=True,
               help="the membrane a band was imaged on, when several are exported together: "
                    "each target is divided by the loading band of its own membrane"),
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
    result_keys=("kind", "lane", "membrane", "condition", "target", "ratio", "relative"),
)
