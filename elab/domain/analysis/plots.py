"""PNG figures through matplotlib's Agg backend, imported only when a plot is asked for."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

__all__ = ["bar_png", "figure_png"]


def figure_png(
    paint: Callable[..., None], title: str = "", panels: int = 1, size: tuple[float, float] = (6, 4)
) -> bytes:
    """Draw with ``paint(ax)`` (or ``paint(ax1, ax2...)`` for ``panels`` > 1) and return PNG."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * panels, size[1]), dpi=100, layout="constrained")
    axes: list[Any] = [fig.add_subplot(1, panels, i + 1) for i in range(panels)]
    paint(*axes)
    if title:
        fig.suptitle(title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def bar_png(
    labels: list[str], means: list[float], errors: list[float], ylabel: str, title: str
) -> bytes:
    """Bars with error bars (mean ± SEM or SD) for per-condition summaries."""

    def paint(ax: Any) -> None:
        ax.bar(range(len(means)), means, yerr=errors, capsize=3, color="tab:blue")
        ax.set_xticks(range(len(means)), labels, fontsize="small", rotation=30, ha="right")
        ax.set_ylabel(ylabel)

    return figure_png(paint, title=title)
