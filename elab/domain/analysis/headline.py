"""The headline sentences of a result: the number a reader wants first, with its interval.

Every hook says its answer the same way (``IC50 A: 1.23 µM (95 % CI 1.02–1.49)``, or
``not reached (> 30 µM)`` when the data cannot give one), so the finish screen and the run
record print these sentences as they are, with no knowledge of any hook.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["estimate_sentence", "number_text"]


def number_text(value: float) -> str:
    """A number as written in a sentence (4 significant figures, no trailing zeros)."""
    from elab.units import format_magnitude

    value = float(value)
    if not math.isfinite(value):
        return "—" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    return format_magnitude(value)


def _micro(text: str) -> str:
    """``uM`` → ``µM``: headers are typed with u, sentences are read with µ."""
    for plain, micro in (("uM", "µM"), ("uL", "µL"), ("ug", "µg"), ("um", "µm")):
        text = text.replace(plain, micro)
    return text


def _unit_text(unit: str) -> str:
    if not unit or unit in ("1", "dimensionless"):
        return ""
    return unit if unit == "%" else f" {_micro(unit)}"


def estimate_sentence(label: str, estimate: dict[str, Any] | None, reason: str = "") -> str:
    """``label: value unit (95 % CI low–high)``; a null value says why, or gives its bound."""
    estimate = estimate or {}
    value = estimate.get("value")
    unit = _unit_text(str(estimate.get("unit") or ""))
    if value is None or not math.isfinite(float(value)):
        bound = estimate.get("bound")
        if bound:
            return f"{label}: not reached ({_micro(str(bound))})"
        return f"{label}: no estimate" + (f" ({reason})" if reason else "")
    text = f"{label}: {number_text(value)}{unit}"
    ci = estimate.get("ci95")
    if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci:
        text += f" (95 % CI {number_text(ci[0])}–{number_text(ci[1])})"
    return text
