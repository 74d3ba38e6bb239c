"""From a protocol's ``design:`` to the serial dilution that makes its dose levels.

The dose factor is the one whose levels are all concentrations; its levels must form a
geometric series (0.1, 1, 10, 100 nM is 10-fold) for one serial dilution to make them.  Each
point serves every combination of the other factors' levels times the replicates (a dose ×
time design uses each dose in every time point); the vehicle's final percentage comes from
``vehicle.final`` and the vehicle-control wells from the controls of kind ``vehicle`` (their
counts as written: three time-matched DMSO controls of three wells are nine wells).

:func:`serial_spec_from_protocol` reads the rest from the design too (working volume,
addition, intermediate, series top, stock: :mod:`elab.domain.protocol.volumes`); what the
command line overrides is said in one line each, and the route is then planned again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from elab.domain.dilution.dose_series import DoseSeries, dose_series
from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.serial import SerialSpec
from elab.domain.plate import Condition, legend_from_spec, spec_from_design
from elab.domain.protocol.model import Design, Protocol
from elab.domain.protocol.volumes import (
    WorkingVolume,
    dosing_volumes,
    vehicle_wells,
    working_volume,
)
from elab.errors import ElabError, InputError
from elab.units import QRange, convert, parse_quantity

__all__ = ["DesignedSeries", "serial_spec_from_design", "serial_spec_from_protocol"]


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _point_names(series: DoseSeries, codes: tuple[str, ...]) -> tuple[str, ...]:
    """Each point's wells' code when it has one (a plate map of doses alone), else its dose's
    place in the design's list (a dose × time plate map gives each dose a code per time)."""
    if codes and all("," not in c for c in codes) and len(set(codes)) == len(codes):
        return codes
    return tuple(str(k + 1) for k in series.positions)


def _plate_codes(design: Any, series: DoseSeries,
                 legend: Sequence[tuple[str, Condition]] | None) -> tuple[tuple[str, ...], str]:
    """(the plate map's codes of each point's wells, top first; those of the vehicle wells).

    ``legend`` is the plate map's (code, condition) list; without it, the one every layout
    of the design gets.  No plate in the design: no codes.
    """
    plate = _get(design, "plate")
    if legend is None and plate is None:
        return (), ""
    try:
        spec = spec_from_design(design, plate=plate if plate is not None else 96)
    except ElabError:  # a design the layout planner refuses has no plate map to match
        return (), ""
    if legend is None:
        legend = legend_from_spec(spec)
    factor = next((f for f in spec.factors if f.name == series.factor), None)
    if factor is None:
        return (), ""
    per_level: dict[str, list[str]] = {level: [] for level in factor.levels}
    vehicle: list[str] = []
    for code, condition in legend:
        level = dict(condition.levels).get(series.factor)
        zero = level is not None and factor.levels.index(level) in series.zeros
        if condition.kind == "sample" and level in per_level and not zero:
            per_level[level].append(code)
        elif condition.kind == "vehicle" or (condition.kind == "sample" and zero):
            vehicle.append(code)  # a 0 level's wells get the vehicle
    codes = tuple(", ".join(per_level[factor.levels[k]]) for k in series.positions)
    return (codes if all(codes) else ()), ", ".join(vehicle)


def _fraction(final: Any) -> float:
    fq = final if isinstance(final, QRange) else parse_quantity(str(final))
    return (convert(fq.planned, fq.unit, "") or 0.0) if fq.unit else fq.planned / 100


def serial_spec_from_design(
    design: Any,
    stock: str,
    well_ul: float,
    limits: PipetteLimits | None = None,
    vehicle_name: str | None = None,
    compound: str = "compound",
) -> SerialSpec:
    """A :class:`SerialSpec` making the design's dose levels from ``stock`` (``10 mM``) in
    wells of ``well_ul`` after the addition; the planner chooses the route."""
    series = dose_series(design)
    values, unit, fold, others = series.values, series.unit, series.fold, series.others
    stock_q = parse_quantity(stock, "concentration")
    vehicle = _get(design, "vehicle")
    fraction = 0.0
    name = vehicle_name or "vehicle"
    if vehicle is not None:
        fraction = _fraction(_get(vehicle, "final"))
        name = vehicle_name or str(_get(vehicle, "material", "vehicle"))
    replicates = int(_get(design, "replicates", 1) or 1)
    if isinstance(design, Design):
        controls = vehicle_wells(design)
    else:
        controls = sum(int(_get(c, "count", 1) or 1) for c in (_get(design, "controls") or [])
                       if _get(c, "kind", "vehicle") == "vehicle")
    return SerialSpec(
        stock=convert(stock_q.planned, stock_q.unit, unit) or 0.0,
        top=values[0],
        unit=unit,
        fold=round(fold, 6),
        points=len(values),
        well_ul=well_ul,
        wells=replicates * others,
        control_wells=controls + len(series.zeros) * others * replicates,
        levels=tuple(values) if series.stepped else (),
        vehicle=name,
        vehicle_fraction=fraction or 0.0,
        compound=compound,
        limits=limits or PipetteLimits(),
    )





@dataclass(frozen=True)
class DesignedSeries:
    """The series a protocol's design asks for, and one line per override saying what it
    changed (``--add 1 uL overrides the design's 10 uL addition``)."""

    spec: SerialSpec
    changes: tuple[str, ...] = ()


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _ul_text(ul: float) -> str:
    from elab.domain.dilution.table import volume_text

    return volume_text(ul).replace("µ", "u")


def serial_spec_from_protocol(
    protocol: Protocol,
    *,
    stock: str | None = None,
    add_ul: float | None = None,
    well_volume_ul: float | None = None,
    limits: PipetteLimits | None = None,
    compound: str | None = None,
    well_option: str = "--well-volume",
    material_id: str | None = None,
    legend: Sequence[tuple[str, Condition]] | None = None,
    dosing_index: int = 0,
) -> DesignedSeries:
    """The design's series: doses, wells, vehicle, working volume, addition, intermediate and
    stock all from ``protocol.design``; ``stock``, ``add_ul`` and ``well_volume_ul`` (the
    volume in the well before the addition) override it, and the route is planned again.

    The points are named by the design's dose order and carry the codes of their wells on
    the plate map (``legend``, a kept layout's; else the design's), so "6" is the same dose
    in the pipetting table and on the plate.  ``dosing_index`` picks the design's dosing
    (a combination matrix has one per drug); a 0 level's wells get the vehicle."""
    design = protocol.design
    if design is None:
        raise InputError(f"protocol {protocol.id!r} has no design: block with doses")
    dosed = dosing_volumes(protocol, dosing_index) if design.dosing else None
    dosing = dosed.dosing if dosed is not None else None
    series = dose_series(design, dosing.factor if dosing else None)
    values, unit, fold, others = series.values, series.unit, series.fold, series.others
    codes, control_codes = _plate_codes(design, series, legend)
    changes: list[str] = []
    working = dosed.working if dosed is not None else working_volume(design)
    well, well_volume_ul = _well_volume(working, well_volume_ul, well_option, changes)
    declared_stock = dosed.stock if dosed is not None else None
    material = protocol.materials.get(dosing.material) if dosing else None
    if declared_stock is None and dosing is None:
        material, declared_stock = _dosed_material(protocol, unit, material_id)
    stock_q = _stock(stock, declared_stock, changes)
    addition = dosed.addition_ul if dosed is not None else None
    add_ul = _addition(add_ul, addition, changes)
    designed = (dosed is not None and addition is not None and add_ul is None
                and well_volume_ul is None)
    if dosed is not None and not designed and addition is not None:
        changes.append("the route (intermediate dilution, series top) is planned again so the "
                       "doses and the vehicle stay the design's")
    add = add_ul if add_ul is not None else addition
    if add is None:
        changes.append(f"the design gives no addition: the plan chooses one, and the "
                       f"{_ul_text(well)} is the whole well, the addition included")
    vehicle = design.vehicle
    vehicle_material = protocol.materials.get(vehicle.material) if vehicle else None
    series_top = None
    if designed and dosed is not None and dosed.series_stock is not None:
        series_top = convert(dosed.series_stock.planned, dosed.series_stock.unit, unit)
    name = compound or (material.name if material is not None else protocol.id)
    partners, shared = _partners(protocol, dosing_index) if dosed is not None else (0.0, 1)
    if partners:
        changes.append(
            f"each well also gets {_ul_text(partners)} of the other drug's working solution "
            f"(the combination matrix): {_ul_text(well)} of medium + {_ul_text(partners)} + "
            f"{_ul_text(add or 0.0)} of this one; each drug's series carries 1/{shared} of "
            "the vehicle's final percentage")
    if series.zeros:
        zero = ", ".join(str(design.factors[_factor_index(design, series.factor)].levels[k])
                         for k in series.zeros)
        changes.append(f"the {zero} level is no point of the series: its "
                       f"{len(series.zeros) * others * design.replicates} wells get the "
                       "vehicle's working solution (the vehicle control row)")
    spec = SerialSpec(
        stock=convert(stock_q.planned, stock_q.unit, unit) or 0.0,
        top=values[0],
        unit=unit,
        fold=round(fold, 6),
        points=len(values),
        well_ul=well + partners + (add or 0.0) if add is not None else well,
        wells=design.replicates * others,
        control_wells=vehicle_wells(design) + len(series.zeros) * others * design.replicates,
        levels=tuple(values) if series.stepped else (),
        vehicle=(vehicle_material.name if vehicle_material else vehicle.material)
        if vehicle else "vehicle",
        vehicle_fraction=_fraction(vehicle.final) / shared if vehicle else 0.0,
        add_ul=add,
        compound=name,
        limits=limits or PipetteLimits(),
        intermediate=dosed.intermediate if designed and dosed is not None else None,
        series_top=series_top,
        names=_point_names(series, codes),
        codes=codes,
        control_codes=control_codes,
    )
    return DesignedSeries(spec, tuple(changes))


def _factor_index(design: Design, name: str) -> int:
    return next(i for i, f in enumerate(design.factors) if f.name == name)


def _partners(protocol: Protocol, index: int) -> tuple[float, int]:
    """(µL the other dosings of the same step add to each well, the dosings sharing the
    step's vehicle): a matrix's wells get every drug's addition."""
    design = protocol.design
    assert design is not None
    step = design.dosing[index].step
    others = [dosing_volumes(protocol, i) for i, d in enumerate(design.dosing)
              if i != index and d.step == step]
    added = [o.addition_ul for o in others if o is not None and o.addition_ul is not None]
    return sum(added), 1 + len(added)


def _well_volume(working: WorkingVolume | None, given: float | None, option: str,
                 changes: list[str]) -> tuple[float, float | None]:
    """The well's volume before the addition, and the override still in force (if any).

    An override equal to the design's own volume is no override: said, then dropped, so the
    design's route stands.
    """
    if given is not None and working is not None and working.source == "design" and _same(
            given, working.ul):
        changes.append(f"{option} {_ul_text(given)} is the design's working volume (no change)")
        given = None
    if given is not None:
        if working is None:
            changes.append(f"{option} {_ul_text(given)}: the design gives no working volume")
        else:
            source = "design" if working.source == "design" else working.source
            changes.append(f"{option} {_ul_text(given)} overrides the {source}'s "
                           f"{_ul_text(working.ul)} working volume")
        return given, given
    if working is None:
        raise InputError("the design gives no working_volume and no plate format: give "
                         "--well-volume")
    if working.source != "design":
        changes.append(f"working volume {_ul_text(working.ul)}: the {working.source} (the "
                       "design gives none)")
    return working.ul, None


def _stock(given: str | None, declared: QRange | None, changes: list[str]) -> QRange:
    """The stock the series starts from: ``--stock`` if given, else the design's."""
    if not given:
        if declared is None:
            raise InputError("the design gives no stock concentration for its doses: give "
                             "--stock")
        return declared
    stock = parse_quantity(given, "concentration")
    if declared is not None and _same(
            convert(stock.planned, stock.unit, declared.unit) or 0.0, declared.planned):
        changes.append(f"--stock {stock} is the design's stock (no change)")
    elif declared is not None:
        changes.append(f"--stock {stock} overrides the design's {declared} stock")
    return stock


def _addition(given: float | None, declared: float | None, changes: list[str]) -> float | None:
    """The ``--add`` override still in force: None when absent or equal to the design's."""
    if given is not None and declared is not None and _same(given, declared):
        changes.append(f"--add {_ul_text(given)} is the design's addition (no change)")
        return None
    if given is not None:
        changes.append(f"--add {_ul_text(given)} overrides the design's {_ul_text(declared)} "
                       "addition" if declared is not None
                       else f"--add {_ul_text(given)}: the design gives no addition")
    return given


def _dosed_material(
    protocol: Protocol, unit: str, material_id: str | None
) -> tuple[Any, QRange | None]:
    """Without a ``dosing`` entry: the material named, else the one material whose stock is
    in the doses' unit."""
    named = protocol.materials.get(material_id) if material_id else None
    if named is not None and named.stock is not None:
        return named, named.stock
    found = []
    for material in protocol.materials.values():
        if material.stock is None:
            continue
        try:
            convert(1.0, material.stock.unit, unit)
        except ElabError:
            continue
        found.append(material)
    return (found[0], found[0].stock) if len(found) == 1 else (None, None)
