"""What a plate-reader file says, whatever wrote it: one value (or a flag) per plate and well.

Every reader format ends here, so the join with a layout, blank subtraction and the tidy
table never depend on the vendor.  A well the reader could not measure keeps its flag
(``OVRFLW``, ``MISSED``) and no value: a saturated well is not a number, and putting the
detector's ceiling in its place would bias the curve without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReaderData", "Reading"]


@dataclass(frozen=True)
class Reading:
    """One well of one plate: its value, or ``None`` and the reader's flag."""

    plate: str
    well: str
    value: float | None
    flag: str = ""


@dataclass(frozen=True)
class ReaderData:
    """The readings of one read (one wavelength, one mode) of one or more plates.

    ``plates`` keeps the file's order, which is how plates are matched with the layout's
    plate numbers 1, 2, ...; ``notes`` are sentences for the person (the format guessed,
    the encoding read, the read chosen).
    """

    format: str
    quantity: str
    unit: str
    readings: tuple[Reading, ...]
    plates: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def on_plate(self, plate: str) -> dict[str, Reading]:
        """The plate's readings by well."""
        return {r.well: r for r in self.readings if r.plate == plate}
