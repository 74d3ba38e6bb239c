"""The design's volumes, read once: the working volume of a well and how each drug reaches it.

A design says ``working_volume`` (what is in a well before the additions: the seeded medium)
and, per dosed drug, ``addition`` (what is pipetted onto it), ``intermediate`` (each series
point diluted in medium first) and ``series_stock`` (the top point of the series in the
vehicle).  The dilution planner, the bench sheet, the step amounts of ``elab show`` and the
science checks all read these numbers from here, so they cannot disagree.

When a design gives no ``working_volume`` the plate format's usual one is taken (the lower
end of the recommended working volume of each format: Thermo Fisher, "Useful numbers for
cell culture"; Corning, "Microplate dimensions and volumes"), and the source says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from elab.domain.protocol.model import Design, Dosing, Protocol, Use
from elab.units import QRange, convert

__all__ = [
    "PLATE_WORKING_UL",
    "DosingVolumes",
    "WorkingVolume",
    "dosing_for_use",
    "dosing_volumes",
    "vehicle_wells",
    "working_volume",
]

#: Working volume (µL) per well when a design names a plate format but no working_volume.
#: 6-well 1-3 mL, 12-well 1-2 mL, 24-well 0.5-1 mL, 48-well 0.2-0.4 mL, 96-well 0.1-0.2 mL
#: (Thermo Fisher); 384-well 25-50 µL (Corning).  6-well takes the usual 2 mL.
PLATE_WORKING_UL: dict[int, float] = {
    6: 2000.0, 12: 1000.0, 24: 500.0, 48: 200.0, 96: 100.0, 384: 25.0,
}


@dataclass(frozen=True)
class WorkingVolume:
    """The volume in each well before the additions, and where it comes from."""

    ul: float
    source: str  # "design" or "96-well plate default"


@dataclass(frozen=True)
class DosingVolumes:
    """One ``dosing`` entry in numbers: volumes in µL, the intermediate as a dilution factor
    (1 when there is none), concentrations as quantities (None when the design gives none)."""

    dosing: Dosing
    index: int
    working: WorkingVolume
    addition_ul: float | None
    intermediate: float
    stock: QRange | None
    series_stock: QRange | None

    @property
    def total_ul(self) -> float | None:
        """The well after the addition (the other drugs' additions are not counted here)."""
        return None if self.addition_ul is None else self.working.ul + self.addition_ul

    @property
    def well_fraction(self) -> float | None:
        """The share of a series point that ends in the well: addition / total / intermediate."""
        total = self.total_ul
        if total is None or self.addition_ul is None or total <= 0:
            return None  # no volume in the well: nothing to be a share of
        return self.addition_ul / total / self.intermediate


def working_volume(design: Design) -> WorkingVolume | None:
    """The design's working volume, else its plate format's usual one, else None."""
    if design.working_volume is not None:
        ul = convert(design.working_volume.planned, design.working_volume.unit, "microliter")
        if ul is not None:
            return WorkingVolume(ul, "design")
    if design.plate is not None and design.plate in PLATE_WORKING_UL:
        return WorkingVolume(PLATE_WORKING_UL[design.plate], f"{design.plate}-well plate default")
    return None


def dosing_volumes(protocol: Protocol, index: int = 0) -> DosingVolumes | None:
    """The ``index``-th dosing of the design in numbers, or None without one."""
    design = protocol.design
    if design is None or not 0 <= index < len(design.dosing):
        return None
    working = working_volume(design)
    if working is None:
        return None
    dosing = design.dosing[index]
    material = protocol.materials.get(dosing.material)
    addition = (convert(dosing.addition.planned, dosing.addition.unit, "microliter")
                if dosing.addition is not None else None)
    return DosingVolumes(
        dosing=dosing,
        index=index,
        working=working,
        addition_ul=addition,
        intermediate=dosing.intermediate.dilution_factor if dosing.intermediate else 1.0,
        stock=dosing.stock or (material.stock if material is not None else None),
        series_stock=dosing.series_stock,
    )


def dosing_for_use(protocol: Protocol, step_id: str, use: Use) -> Dosing | None:
    """The dosing a step's use carries out: the dosed drug at its dosing step, or the
    design's vehicle there (what the vehicle-control wells get)."""
    design = protocol.design
    if design is None:
        return None
    for dosing in design.dosing:
        if dosing.step is not None and dosing.step != step_id:
            continue
        if use.material == dosing.material:
            return dosing
        if design.vehicle is not None and use.material == design.vehicle.material:
            return dosing
    return None


def vehicle_wells(design: Design) -> int:
    """The vehicle-control wells the design declares: each control's count, times the levels
    of the factors it is crossed with (a DMSO well per time point is three sets of wells)."""
    return sum(design.control_samples(c) for c in design.controls if c.kind == "vehicle")
