"""Check 1: what each well really receives, from the design's volumes and the steps' additions.

The design's ``dosing`` says how a drug reaches its final concentrations: a dilution series
in the vehicle from ``series_stock`` (at most the stock), each point diluted
``intermediate`` in medium when given, then ``addition`` of it into ``working_volume``.  So
every well holds ``fraction = addition / (working_volume + all additions) / intermediate``
of neat vehicle, and the top dose is ``series_stock × fraction``.  A step that adds another
volume than the design is read as written: the arithmetic follows the bench, not the plan.
"""

from __future__ import annotations

from elab.domain.protocol.model import Dosing, Protocol
from elab.domain.protocol.science.common import (
    factor_named,
    level_values,
    magnitude_in,
    shown,
    uses_of,
)
from elab.domain.protocol.science.finding import Report
from elab.domain.protocol.volumes import working_volume
from elab.errors import QuantityError
from elab.units import convert, format_magnitude

__all__ = ["PIPETTABLE_UL", "TOLERANCE", "check_arithmetic"]

#: Below this volume (µL) a pipette's error is too large: make an intermediate dilution.
PIPETTABLE_UL = 0.5
#: How far (relative) a computed concentration or vehicle fraction may be from the design's.
TOLERANCE = 0.10


def check_arithmetic(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None or not design.dosing:
        return
    found_volume = working_volume(design)
    if found_volume is None:
        report.error(
            "design.dosing needs design.working_volume (the volume in each well before"
            " the additions) or a plate format to compute final concentrations",
            "design",
            "dosing",
        )
        return
    working = found_volume.ul
    additions: list[tuple[int, Dosing, float, tuple[str | int, ...]]] = []
    for index, dosing in enumerate(design.dosing):
        found = _addition(protocol, index, dosing, report)
        if found is not None and found[0] <= 0:  # every fraction below divides by it
            report.error(f"{dosing.material}: an addition of {format_magnitude(found[0])} µL"
                         " puts none of the series in the well (it must be more than 0 µL)",
                         *found[1])
        elif found is not None:
            additions.append((index, dosing, *found))
    total = working + sum(a for _, _, a, _ in additions)
    vehicle_parts: list[str] = []
    vehicle_fraction = 0.0
    for index, dosing, added, where in additions:
        dilution = dosing.intermediate.dilution_factor if dosing.intermediate else 1.0
        fraction = added / total / dilution
        vehicle_fraction += fraction
        via = f" / {format_magnitude(dilution)} (intermediate {dosing.intermediate})" if (
            dosing.intermediate
        ) else ""
        vehicle_parts.append(f"{format_magnitude(added)} µL{via}")
        if added < PIPETTABLE_UL:
            report.warning(
                f"{dosing.material}: {format_magnitude(added)} µL per well cannot be pipetted"
                f" reliably (under {PIPETTABLE_UL} µL); add an intermediate dilution in"
                " medium and a larger addition",
                *where,
            )
        _top_dose(protocol, index, dosing, fraction, added, total, report, where)
    _vehicle(protocol, vehicle_fraction, vehicle_parts, total, working, report, additions)


def _addition(
    protocol: Protocol, index: int, dosing: Dosing, report: Report
) -> tuple[float, tuple[str | int, ...]] | None:
    """The volume added per well and where it is written (the step's use, else the design)."""
    design_path: tuple[str | int, ...] = ("design", "dosing", index, "addition")
    uses = [
        (i, j, use)
        for i, step, j, use in uses_of(protocol, dosing.material)
        if use.volume is not None and (dosing.step is None or step.id == dosing.step)
    ]
    declared = magnitude_in(dosing.addition, "microliter") if dosing.addition else None
    if uses:
        i, j, use = uses[0]
        assert use.volume is not None
        added = magnitude_in(use.volume, "microliter")
        if added is None:
            return None
        # A volume other than the design's is the volumes check's error; the arithmetic
        # follows the bench.
        where: tuple[str | int, ...] = ("steps", i, "uses", j, "volume")
        return added, where
    if declared is None:
        report.error(
            f"dosing of {dosing.material}: no step adds it with a volume and the design"
            " gives no addition volume",
            "design",
            "dosing",
            index,
        )
        return None
    return declared, design_path


def _top_dose(
    protocol: Protocol,
    index: int,
    dosing: Dosing,
    fraction: float,
    added: float,
    total: float,
    report: Report,
    where: tuple[str | int, ...],
) -> None:
    material = protocol.materials.get(dosing.material)
    stock = dosing.stock or (material.stock if material else None)
    top_series = dosing.series_stock or stock
    found = factor_named(protocol, dosing.factor)
    if found is None:
        report.error(f"dosing names factor {dosing.factor!r}, which the design does not have",
                     "design", "dosing", index, "factor")
        return
    if top_series is None:
        report.warning(f"dosing of {dosing.material}: no stock concentration to compute"
                       " the doses from", "design", "dosing", index)
        return
    unit = top_series.unit
    levels = [v for v in (magnitude_in(q, unit) for q in level_values(found[1]) if q) if v]
    if not levels:
        return
    if stock is not None and dosing.series_stock is not None:
        stock_value = magnitude_in(stock, unit)
        if stock_value is not None and top_series.planned > stock_value * (1 + TOLERANCE):
            report.error(
                f"the dilution series of {dosing.material} starts at {top_series}, above its"
                f" stock of {stock}",
                "design", "dosing", index, "series_stock",
            )
    top_level = max(levels)
    top_final = top_series.planned * fraction
    if abs(top_final - top_level) > TOLERANCE * top_level:
        dilution = dosing.intermediate.dilution_factor if dosing.intermediate else 1.0
        via = f" / {format_magnitude(dilution)}" if dosing.intermediate else ""
        hint = (
            " (the series needs a top point of "
            f"{shown(top_level / fraction, unit)}: an intermediate dilution)"
            if top_final > top_level
            else f" (the series needs a top point of {shown(top_level / fraction, unit)})"
        )
        report.error(
            f"{dosing.material}: {shown(top_series.planned, unit)} × {format_magnitude(added)} µL"
            f" / {format_magnitude(total)} µL{via} = {shown(top_final, unit)} in the well,"
            f" but the top dose of {dosing.factor!r} is {shown(top_level, unit)}{hint}",
            *where,
        )


def _vehicle(
    protocol: Protocol,
    fraction: float,
    parts: list[str],
    total: float,
    working: float,
    report: Report,
    additions: list[tuple[int, Dosing, float, tuple[str | int, ...]]],
) -> None:
    design = protocol.design
    if design is None or design.vehicle is None or not additions:
        return
    try:
        declared = convert(design.vehicle.final.planned, design.vehicle.final.unit, "")
    except QuantityError:
        return  # no fraction: the loader's located error names the kind it should be
    if declared is None or declared <= 0:
        return
    if abs(fraction - declared) > TOLERANCE * declared:
        added = " + ".join(parts)
        report.error(
            f"vehicle ({design.vehicle.material}): ({added}) / {format_magnitude(total)} µL"
            f" ({format_magnitude(working)} µL in the well + additions) ="
            f" {format_magnitude(fraction * 100)} % v/v per well; the design says"
            f" {design.vehicle.final}",
            *additions[0][3],
        )


