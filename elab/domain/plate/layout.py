"""A plate layout: which condition, factor levels, replicate and control kind sit in each well."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from elab.domain.plate.wells import PlateFormat, ij_from_well

__all__ = ["EDGE_KIND", "Layout", "Placement"]

# Kind of the wells of the outer ring filled with medium/PBS (not a sample, not a control).
EDGE_KIND = "edge"


@dataclass(frozen=True)
class Placement:
    """One filled well.  ``kind`` is ``sample``, a control kind, or ``edge`` (medium fill)."""

    plate: int
    well: str
    condition: str
    levels: tuple[tuple[str, str], ...] = ()
    replicate: int = 1
    kind: str = "sample"

    @property
    def is_control(self) -> bool:
        return self.kind not in ("sample", EDGE_KIND)

    def ij(self) -> tuple[int, int]:
        return ij_from_well(self.well)


@dataclass(frozen=True)
class Layout:
    """Filled wells of one or more plates of one format; unlisted wells are empty."""

    plate: PlateFormat
    placements: tuple[Placement, ...]
    factors: tuple[str, ...] = ()
    plates: int = 1
    notes: tuple[str, ...] = field(default=())
    order: tuple[str, ...] = ()  # condition names in design order, for legends

    def __iter__(self) -> Iterator[Placement]:
        return iter(self.placements)

    def on_plate(self, plate: int) -> list[Placement]:
        return [p for p in self.placements if p.plate == plate]

    def grid(self, plate: int = 1) -> dict[tuple[int, int], Placement]:
        """(row, col) → placement for one plate."""
        return {p.ij(): p for p in self.placements if p.plate == plate}

    def conditions(self) -> list[str]:
        """Condition names: design order when known, else samples, controls, edge as first seen."""
        rank = {"sample": 0, EDGE_KIND: 2}
        known = {name: n for n, name in enumerate(self.order)}
        seen: dict[str, tuple[int, int]] = {}
        for p in self.placements:
            seen.setdefault(p.condition, (rank.get(p.kind, 1), known.get(p.condition, 10**9)))
        return sorted(seen, key=lambda name: seen[name])

    def plate_levels(self, plate: int) -> tuple[tuple[str, str], ...]:
        """The factor levels a whole plate shares (``time 3 h`` on a plate of a time course
        laid out by time), for its title; factors with one level in the layout are left out."""
        out = []
        for factor in self.factors:
            everywhere = {dict(p.levels).get(factor) for p in self.placements} - {None}
            here = {dict(p.levels).get(factor) for p in self.on_plate(plate)} - {None}
            if len(everywhere) > 1 and len(here) == 1:
                out.append((factor, str(next(iter(here)))))
        return tuple(out)

    def plate_title(self, plate: int) -> str:
        """``plate 2 (6-well) · time 24 h``."""
        shared = ", ".join(f"{f} {v}" for f, v in self.plate_levels(plate))
        return f"plate {plate} ({self.plate.name})" + (f" · {shared}" if shared else "")

    def kind_of(self, condition: str) -> str:
        for p in self.placements:
            if p.condition == condition:
                return p.kind
        return "sample"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "plate": {"rows": self.plate.rows, "cols": self.plate.cols, "name": self.plate.name},
            "plates": self.plates,
            "factors": list(self.factors),
            "notes": list(self.notes),
            "wells": [
                {
                    "plate": p.plate,
                    "well": p.well,
                    "condition": p.condition,
                    "levels": dict(p.levels),
                    "replicate": p.replicate,
                    "kind": p.kind,
                }
                for p in self.placements
            ],
        }
