"""Scores of a full dose matrix against the reference models of no interaction.

Per cell, in fractions affected (reported ×100, percentage points): Bliss excess
``fa12 − (fa1 + fa2 − fa1·fa2)``, HSA ``fa12 − max(fa1, fa2)``, Loewe ``fa12 − y`` on the
median-effect isoboles, and ZIP δ (:mod:`.zip_score`).  Each model is computed on its own:
a numerical failure of one (an overflow, a singular system) makes that score null with a
warning naming the model and the error, and never stops the others.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import finite
from .median_effect import MedianEffect, loewe_expected

__all__ = ["matrix_entry"]

Cell = tuple[float, float]

_MODELS = ("bliss", "hsa", "loewe", "zip")


def _guarded(name: str, compute: Any, warnings: list[str]) -> dict[Cell, float]:
    """A reference model's per-cell excess; a numerical failure is a warning and nulls."""
    try:
        with np.errstate(all="ignore"):
            values: dict[Cell, float] = compute()
        return values
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        warnings.append(f"{name} could not be computed ({type(exc).__name__}: {exc}); "
                        "reported as null")
        return {}


def matrix_entry(
    fa_of: dict[Cell, float], levels_a: list[float], levels_b: list[float],
    fit_a: MedianEffect, fit_b: MedianEffect, points: list[dict[str, Any]],
    warnings: list[str],
) -> dict[str, Any]:
    from .zip_score import zip_deltas

    cells_ab = [(a, b) for a in levels_a[1:] for b in levels_b[1:]]

    def single(a: float, b: float) -> tuple[float, float]:
        return fa_of[(a, 0.0)], fa_of[(0.0, b)]

    def bliss() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - (single(a, b)[0] + single(a, b)[1]
                                         - single(a, b)[0] * single(a, b)[1])
                for a, b in cells_ab}

    def hsa() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - max(single(a, b)) for a, b in cells_ab}

    def loewe() -> dict[Cell, float]:
        return {(a, b): fa_of[(a, b)] - loewe_expected(a, b, fit_a, fit_b) for a, b in cells_ab}

    scores = {
        "bliss": _guarded("Bliss", bliss, warnings),
        "hsa": _guarded("HSA", hsa, warnings),
        "loewe": _guarded("Loewe", loewe, warnings),
        "zip": _guarded("ZIP", lambda: zip_deltas(fa_of, levels_a, levels_b), warnings),
    }
    cells = [
        {"dose_a": a, "dose_b": b, "fa": fa_of[(a, b)],
         **{k: finite(100 * v[(a, b)]) if (a, b) in v else None for k, v in scores.items()}}
        for a, b in cells_ab
    ]
    entry: dict[str, Any] = {"kind": "matrix"}
    for name in _MODELS:
        good = [v for v in scores[name].values() if math.isfinite(v)]
        entry[name] = finite(float(100 * np.mean(good))) if good else None
        if scores[name] and len(good) < len(cells_ab):
            warnings.append(f"{name}: {len(cells_ab) - len(good)} of {len(cells_ab)} cells "
                            "could not be scored (a fit did not settle); the mean is over the rest")
    entry["cells"] = cells
    entry["points"] = points
    return entry
