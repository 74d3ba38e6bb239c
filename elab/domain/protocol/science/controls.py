"""Check 8: every treatment has the control it is compared with.

A drug given in a vehicle needs a vehicle control (a control of kind ``vehicle``, a factor
level named for the vehicle, or a zero dose); with a time factor the vehicle control is
needed at every time, since cells change in culture whatever the drug does (a vehicle
control with ``for_each: time`` is one, or one named for each time).  In an arm
design, each arm that does not get a drug gets that drug's vehicle by the same route and
schedule, so the arms differ by the drug alone.
"""

from __future__ import annotations

from elab.domain.protocol.model import Design, Factor, Protocol, Regimen
from elab.domain.protocol.science.common import level_values
from elab.domain.protocol.science.finding import Report
from elab.units import QRange, check_kind

__all__ = ["check_controls"]

_VEHICLE_WORDS = {"vehicle", "dmso", "control", "untreated"}


def check_controls(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None:
        return
    if design.vehicle is not None or design.dosing:
        _vehicle_control(protocol, design, report)
    _arm_vehicles(protocol, design, report)


def _is_time(factor: Factor) -> bool:
    values = level_values(factor)
    if not values or any(v is None for v in values):
        return False
    try:
        for value in values:
            assert value is not None
            check_kind(value, "time")
    except ValueError:
        return False
    return True


def _is_vehicle_level(level: object, value: QRange | None, vehicle: str | None) -> bool:
    text = str(level).strip().lower()
    if text in _VEHICLE_WORDS or (vehicle is not None and text == vehicle.lower()):
        return True
    return value is not None and value.planned == 0


def _vehicle_control(protocol: Protocol, design: Design, report: Report) -> None:
    vehicle = design.vehicle.material if design.vehicle else None
    times = [f for f in design.factors if _is_time(f)]
    crossed = any(
        _is_vehicle_level(level, value, vehicle)
        for f in design.factors
        if f not in times
        for level, value in zip(f.levels, level_values(f), strict=True)
    )
    controls = [c for c in design.controls if c.kind == "vehicle"]
    where = ("design", "vehicle") if design.vehicle else ("design", "dosing")
    if not crossed and not controls:
        report.error("the treatments are given in a vehicle but the design has no vehicle"
                     " control (a control of kind vehicle, or a factor level for the vehicle"
                     " or a zero dose)", *where)
        return
    if crossed or not times:
        return
    for factor in times:
        if any(factor.name in c.for_each for c in controls):
            continue  # crossed with the time factor: one vehicle per time by construction
        names = " | ".join(c.name.lower().replace(" ", "") for c in controls)
        missing = [str(level) for level in factor.levels
                   if str(level).lower().replace(" ", "") not in names]
        if missing:
            index = design.factors.index(factor)
            report.error(f"vehicle controls are not time-matched: none at {', '.join(missing)}"
                         f" of factor {factor.name!r} (cross the vehicle control with it:"
                         f" for_each: {factor.name})",
                         "design", "factors", index, "levels")


def _arm_vehicles(protocol: Protocol, design: Design, report: Report) -> None:
    dosed = [(i, s.regimen) for i, s in enumerate(protocol.steps)
             if s.regimen is not None and s.regimen.material and s.regimen.arms]
    if not dosed:
        return
    for index, regimen in dosed:
        assert regimen.material is not None and regimen.arms is not None
        factor = next((f for f in design.factors
                       if set(regimen.arms) <= {str(level) for level in f.levels}), None)
        where = ("steps", index, "regimen", "arms")
        if factor is None:
            report.error(f"regimen arms {regimen.arms} are not the levels of one design factor",
                         *where)
            continue
        material = protocol.materials.get(regimen.material)
        if material is None or material.vehicle is None:
            continue
        others = {str(level) for level in factor.levels} - set(regimen.arms)
        given = _arms_given(dosed, material.vehicle, regimen)
        missing = sorted(others - given)
        if missing:
            report.error(f"{regimen.material} is given {regimen.route or ''} in"
                         f" {material.vehicle!r} to {', '.join(regimen.arms)}, but arm(s)"
                         f" {', '.join(missing)} get no matching {material.vehicle!r}",
                         *where)


def _arms_given(dosed: list[tuple[int, Regimen]], vehicle: str, like: Regimen) -> set[str]:
    return {
        arm
        for _, regimen in dosed
        if regimen.material == vehicle and regimen.route == like.route
        and regimen.frequency == like.frequency
        for arm in regimen.arms or []
    }
