"""Pipetting tables: what to take, how much, into what, and what it makes.

Every planner in this package returns a :class:`Plan`, so the CLI, the run record and the TUI
show one shape: rows of source, volume, diluent, diluent volume, total and final concentration,
plus the notes that explain any step a person would not expect (an added pre-dilution).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from elab.units import format_quantity

__all__ = ["Plan", "Row", "conc_text", "volume_text"]

_LADDERS = (
    ("molar", "millimolar", "micromolar", "nanomolar", "picomolar"),
    ("milligram / milliliter", "microgram / milliliter", "nanogram / milliliter"),
)


def conc_text(value: float, unit: str) -> str:
    """A concentration in the unit of its ladder (M…pM, mg/mL…ng/mL) that reads 1–999."""
    from elab.errors import DimensionError
    from elab.units import convert

    for ladder in _LADDERS:
        try:
            values = [(convert(value, unit, u) or 0.0, u) for u in ladder]
        except DimensionError:  # another dimension: try the next ladder
            continue
        for mag, u in values:
            if abs(mag) >= 1 or u == ladder[-1]:
                return format_quantity(mag, u)
    return format_quantity(value, unit)


def volume_text(ul: float) -> str:
    """A volume in µL shown in the unit a person would pipette it in."""
    if ul == 0:
        return "0"
    if ul >= 1000:
        return format_quantity(ul / 1000, "milliliter")
    return format_quantity(round(ul, 3), "microliter")


@dataclass(frozen=True)
class Row:
    """One pipetting operation; volumes in µL, ``final`` already formatted with its unit."""

    step: str
    source: str
    volume_ul: float
    diluent: str = ""
    diluent_ul: float = 0.0
    total_ul: float = 0.0
    final: str = ""
    per: str = ""
    note: str = ""
    code: str = ""  # the wells' codes on the plate map (``6``, ``4, 8, 12``, ``v1``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    """A titled list of rows with notes; ``figures`` holds numbers scripts may want."""

    title: str
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [r.to_dict() for r in self.rows],
            "notes": list(self.notes),
            "figures": self.figures,
        }

    def text(self) -> str:
        """A fixed-width table for the terminal: the title, the table, the notes."""
        return "\n".join([self.title, *self.table(), *self.note_lines()])

    def note_lines(self) -> list[str]:
        """The rows' own notes (``  point 6: use as is``), then the plan's."""
        return [f"  {r.step}: {r.note}" for r in self.rows if r.note] + [
            f"note: {n}" for n in self.notes]

    def table(self) -> list[str]:
        """The header, its rule and one line per row, in columns as wide as their cells."""
        coded = any(r.code for r in self.rows)
        # The plate code next to the step: a narrow screen cuts the table at its right edge,
        # and the code is what ties a row to the wells on the plate map.
        head: tuple[str, ...] = ("step", *(("plate code",) if coded else ()), "source",
                                 "volume", "diluent", "diluent vol", "total", "final", "per")
        body = [
            (
                r.step,
                *((r.code,) if coded else ()),
                r.source,
                volume_text(r.volume_ul),
                r.diluent,
                volume_text(r.diluent_ul) if r.diluent else "",
                volume_text(r.total_ul) if r.total_ul else "",
                r.final,
                r.per,
            )
            for r in self.rows
        ]
        widths = [max(len(h), *(len(b[k]) for b in body)) if body else len(h)
                  for k, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        for b in body:
            lines.append("  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)).rstrip())
        return lines
