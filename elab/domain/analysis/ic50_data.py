"""The ic50 hook's data: curves per group, control wells, blank subtraction, 0–100 % scaling.

A plate layout marks its control wells in a ``control`` column (``vehicle``, ``blank``,
``positive``...).  Vehicle wells (or dose 0 without a label) define 100 % and enter the
fit at dose 0; blank wells (medium without cells) are background, subtracted from every
response; a positive (full-kill) control defines 0 %.  Control rows with an empty group
serve every curve, as one set of controls usually serves a whole plate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from elab.errors import InputError

from .table import Table

__all__ = ["Curve", "curves_from_table"]

Array = npt.NDArray[np.float64]

_KINDS = {
    "vehicle": "vehicle", "untreated": "vehicle", "dmso": "vehicle", "control": "vehicle",
    "blank": "blank", "background": "blank", "medium": "blank", "no cells": "blank",
    "positive": "kill", "kill": "kill", "full kill": "kill", "full-kill": "kill",
    "full_kill": "kill", "max kill": "kill",
}

# Wells a layout fills on purpose and that are never part of a curve: the edge ring filled
# with medium (``edge: medium`` writes control kind ``edge``) to limit evaporation.  They
# are left out without a warning; a kind elab does not know still warns.
_EXPECTED_OUT = frozenset({"edge"})


@dataclass(frozen=True)
class Curve:
    """One group's points ready to fit, on the scale the results are reported in.

    ``dose``/``response`` hold the treated wells and the vehicle wells (dose 0).
    ``control`` is the 100 % level (mean vehicle response) when there are vehicle wells;
    ``zero`` the 0 % level (a full-kill control, else no signal).
    """

    group: str
    dose: Array
    response: Array
    control: float | None
    zero: float
    blank: float | None
    dropped: int


def _kind(label: str, dose: float) -> str:
    word = label.strip().lower()
    if word:
        return _KINDS.get(word, "other")
    return "vehicle" if dose == 0 else "sample"


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def curves_from_table(table: Table, params: dict[str, Any]) -> tuple[list[Curve], list[str]]:
    """Each group's curve after blank subtraction and (when asked) scaling to % of vehicle."""
    dose = table.numbers("dose")
    resp = table.numbers("response")
    groups = table.text("group") if table.has("group") else [""] * len(dose)
    labels = table.text("control") if table.has("control") else [""] * len(dose)
    kinds = [_kind(lab, d) for lab, d in zip(labels, dose, strict=True)]
    has_groups = any(groups)
    by_group: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    shared: dict[str, list[tuple[float, float]]] = defaultdict(list)
    other: dict[str, int] = defaultdict(int)
    for d, r, g, k, lab in zip(dose, resp, groups, kinds, labels, strict=True):
        if k == "other":
            if lab.strip().lower() not in _EXPECTED_OUT:
                other[lab.strip().lower()] += 1
            continue
        if has_groups and not g and k in ("vehicle", "blank", "kill"):
            shared[k].append((d, r))
        else:
            by_group[g or "all"][k].append((d, r))
    if not by_group:
        by_group["all"] = defaultdict(list)
    warnings: list[str] = [
        f"{n} wells with control kind {kind!r} left out (not vehicle, blank or positive)"
        for kind, n in sorted(other.items())
    ]
    curves = [
        _curve(name, rows, shared, params, warnings) for name, rows in sorted(by_group.items())
    ]
    return curves, warnings


def _curve(
    name: str,
    rows: dict[str, list[tuple[float, float]]],
    shared: dict[str, list[tuple[float, float]]],
    params: dict[str, Any],
    warnings: list[str],
) -> Curve:
    def responses(kind: str) -> list[float]:
        own = [r for _, r in rows.get(kind, [])]
        return own if own else [r for _, r in shared.get(kind, [])]

    blank = params.get("blank")
    if blank is None:
        blank = _mean(responses("blank"))
    offset = float(blank) if blank is not None else 0.0
    points = [(d, r) for d, r in rows.get("sample", [])]
    vehicle = rows.get("vehicle") or shared.get("vehicle", [])
    points += [(0.0, r) for _, r in vehicle]
    dose = np.array([p[0] for p in points], dtype=float)
    resp = np.array([p[1] for p in points], dtype=float) - offset
    keep = np.isfinite(dose) & np.isfinite(resp)
    dropped = int((~keep).sum())
    if dropped:
        warnings.append(f"{name}: {dropped} rows without dose or response left out")
    dose, resp = dose[keep], resp[keep]
    if (dose < 0).any():
        raise InputError(f"group {name!r} has a negative dose")
    vehicle_resp = resp[dose == 0]
    control = float(vehicle_resp.mean()) if vehicle_resp.size else None
    kill = _mean(responses("kill"))
    zero = kill - offset if kill is not None else 0.0
    if params["normalize"] == "vehicle":
        if control is None:
            raise InputError(
                f"normalize=vehicle needs rows with dose 0 (vehicle) in group {name!r}"
            )
        span = control - zero
        if span == 0 or not math.isfinite(span):
            raise InputError(
                f"the vehicle response of group {name!r} equals its 0 % level; cannot normalise"
            )
        resp = 100.0 * (resp - zero) / span
        control, zero = 100.0, 0.0
    order = np.lexsort((resp, dose))  # row order must not change the answer
    return Curve(name, dose[order], resp[order], control, zero,
                 float(blank) if blank is not None else None, dropped)
