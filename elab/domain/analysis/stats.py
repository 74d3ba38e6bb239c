"""Small summaries shared by the hooks: mean, SD (n − 1) and SEM, NaN-free for JSON."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from typing import Any

__all__ = ["summary"]


def summary(values: Iterable[float]) -> dict[str, Any]:
    """``{"mean", "sd", "sem", "n"}`` of the finite values; SD and SEM are None for n < 2."""
    data = [float(v) for v in values if math.isfinite(v)]
    n = len(data)
    if n == 0:
        return {"mean": None, "sd": None, "sem": None, "n": 0}
    try:
        mean = statistics.fmean(data)
        if n < 2:
            return {"mean": mean, "sd": None, "sem": None, "n": 1}
        sd = statistics.stdev(data)
    except OverflowError:  # values near the float limit: no summary rather than a crash
        return {"mean": None, "sd": None, "sem": None, "n": n}
    return {"mean": mean, "sd": sd, "sem": sd / math.sqrt(n), "n": n}
