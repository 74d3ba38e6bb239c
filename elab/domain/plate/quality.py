"""Layout quality: how each condition's wells spread over rows, columns and edge distance.

The report a scientist reads before trusting a layout: a condition packed into one row or
hugging the edge is where plate effects turn into false results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from elab.domain.plate.layout import EDGE_KIND, Layout
from elab.domain.plate.wells import edge_distance, row_name

__all__ = ["ConditionQuality", "quality_report", "text_from_quality"]


@dataclass(frozen=True)
class ConditionQuality:
    condition: str
    kind: str
    wells: int
    plates: int
    rows: int
    cols: int
    min_edge: int
    mean_edge: float
    row_names: str
    col_names: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def quality_report(layout: Layout) -> list[ConditionQuality]:
    """One entry per condition, in the layout's condition order."""
    out = []
    for name in layout.conditions():
        cells = [p for p in layout if p.condition == name and p.kind != EDGE_KIND]
        if not cells:
            continue
        ijs = [p.ij() for p in cells]
        dist = [edge_distance(i, j, layout.plate) for i, j in ijs]
        rows = sorted({i for i, _ in ijs})
        cols = sorted({j for _, j in ijs})
        out.append(
            ConditionQuality(
                condition=name,
                kind=cells[0].kind,
                wells=len(cells),
                plates=len({p.plate for p in cells}),
                rows=len(rows),
                cols=len(cols),
                min_edge=min(dist),
                mean_edge=round(sum(dist) / len(dist), 2),
                row_names="".join(row_name(i) for i in rows),
                col_names=",".join(str(j + 1) for j in cols),
            )
        )
    return out


def text_from_quality(report: list[ConditionQuality]) -> str:
    """A fixed-width table for the terminal."""
    width = max([len("condition"), *(len(q.condition) for q in report)])
    lines = [
        f"{'condition':<{width}}  kind       wells plates rows cols edge(min/mean)",
    ]
    for q in report:
        lines.append(
            f"{q.condition:<{width}}  {q.kind:<10} {q.wells:>5} {q.plates:>6} {q.rows:>4} "
            f"{q.cols:>4} {q.min_edge:>4}/{q.mean_edge:<5g}"
        )
    return "\n".join(lines)
