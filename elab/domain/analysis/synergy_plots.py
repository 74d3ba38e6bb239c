"""Figures of a combination analysis: Fa–CI plot, isobologram at fa 0.5/0.75/0.9, heat map."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import AnalysisResult
from .plots import figure_png

__all__ = ["draw_synergy"]


def draw_synergy(result: AnalysisResult) -> bytes:
    """Three panels: CI against fa, the normalised isobologram, and the fa matrix (if any)."""
    data = result.plot_data
    matrix = data["levels"] is not None

    def paint(ax_ci: Any, ax_iso: Any, *rest: Any) -> None:
        _fa_ci(ax_ci, data)
        _isobologram(ax_iso, data)
        if rest:
            _heat_map(rest[0], data)

    return figure_png(paint, title="Drug combination", panels=3 if matrix else 2, size=(4.5, 4))


def _fa_ci(ax: Any, data: dict[str, Any]) -> None:
    pts = [(p["fa"], p["ci"]) for p in data["points"] if p["ci"] is not None]
    if pts:
        fa, ci = zip(*pts, strict=True)
        ax.scatter(fa, ci, s=14)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction affected (fa)")
    ax.set_ylabel("combination index (CI)")
    ax.set_title("Fa–CI plot")


def _isobologram(ax: Any, data: dict[str, Any]) -> None:
    """Each combination at (d_a/Dx_a, d_b/Dx_b) for its own fa; below the line is synergy."""
    fit_a, fit_b = data["fit_a"], data["fit_b"]
    ax.plot([0, 1], [1, 0], color="grey", linestyle="--", linewidth=1)
    for p in data["points"]:
        if p["ci"] is None:
            continue
        dx_a, dx_b = fit_a.dose_for(p["fa"]), fit_b.dose_for(p["fa"])
        ax.scatter(p["dose_a"] / dx_a, p["dose_b"] / dx_b, s=14, color="tab:blue")
    ax.set_xlim(0, 1.5)
    ax.set_ylim(0, 1.5)
    ax.set_xlabel("d_a / Dx_a")
    ax.set_ylabel("d_b / Dx_b")
    ax.set_title("Normalised isobologram")


def _heat_map(ax: Any, data: dict[str, Any]) -> None:
    levels_a, levels_b = data["levels"]
    grid = np.array([[data["fa"][(a, b)] for a in levels_a] for b in levels_b])
    image = ax.imshow(grid, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(levels_a)), [f"{v:.3g}" for v in levels_a], rotation=90,
                  fontsize="x-small")
    ax.set_yticks(range(len(levels_b)), [f"{v:.3g}" for v in levels_b], fontsize="x-small")
    unit_a, unit_b = data["units"]
    ax.set_xlabel(f"dose A [{unit_a or '1'}]")
    ax.set_ylabel(f"dose B [{unit_b or '1'}]")
    ax.set_title("fa by dose")
    ax.figure.colorbar(image, ax=ax)
