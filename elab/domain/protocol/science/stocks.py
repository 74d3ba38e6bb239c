"""Checks 10 and 11: what a step that adds a drug by volume puts in each well.

``design.dosing`` describes a dose series, and :mod:`.arithmetic` computes it.  Most assays
of the library give one concentration instead (``treatment: [vehicle, defactinib]`` at
``$defactinib_conc``) and add the drug in a step's ``uses:`` (``0.5 uL per well``).  Two
mistakes hid there, each passing ``elab validate --strict`` (review 14, R1 and R2):

- ``stock``: the material's ``stock:`` itself added by volume: 0.5 µL of the 10 mM stock into
  500 µL is 10 µM, ten times the 1 µM the step's text declares, because the 1000× working
  stock the text names was never made.  The final concentration is ``stock × volume /
  (the well's volume + the step's additions)``, and it must match what the step declares:
  a concentration parameter named for the material that the step's words refer to
  (``$defactinib_conc``);
- ``vehicle-arms``: every arm must get the same fraction of the vehicle.  A drug dissolved
  in the vehicle (``vehicle: dmso``) brings its own: DMSO added to every well beside a DMSO
  stock gives the drug wells 0.2 % and the vehicle wells 0.1 %, so the comparison measures
  the solvent as well as the drug.

The well's volume is the step's own per-sample volumes that are not additions (the fresh
medium the drug is premixed into), else the design's ``working_volume`` or its plate's
usual one.  Steps the design's ``dosing`` covers are left to :mod:`.arithmetic`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from elab.domain.protocol.counting import counts_samples
from elab.domain.protocol.model import Design, Protocol, Step, Use
from elab.domain.protocol.science.common import level_values, shown
from elab.domain.protocol.science.finding import Report
from elab.domain.protocol.volumes import working_volume
from elab.errors import QuantityError
from elab.units import QRange, check_kind, convert, format_magnitude, parse_quantity

__all__ = ["check_stock_additions", "check_vehicle_arms"]

#: How far (relative) a final concentration or a vehicle fraction may be from another.
TOLERANCE = 0.10
_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_WORDS = frozenset({"title", "text", "note"})
#: A concentration written before a material's id: "1 uM defactinib", "100 nM of paclitaxel".
_STATED = r"(\d+(?:\.\d+)?)\s*([pnuµμm]M)\s+(?:of\s+)?"


def _node(report: Report, step: Step) -> object:
    """The step as written, found by its id (an arm's copy ``treat.3h`` by ``treat``)."""
    steps = report.tree.get("steps")
    if not isinstance(steps, list):
        return None
    for written in (step.id, step.id.split(".")[0]):
        for node in steps:
            if isinstance(node, Mapping) and node.get("id") == written:
                return node
    return None


@dataclass(frozen=True)
class _Added:
    """One per-sample addition of a step: a drug, a working stock or the vehicle itself."""

    index: int  # of the use in the step
    use: Use
    ul: float
    vehicle: bool  # brings the design's vehicle (is it, or is dissolved in it)


def _ul(value: QRange | None) -> float | None:
    if value is None:
        return None
    try:
        return convert(value.planned, value.unit, "microliter")
    except QuantityError:
        return None


def _is_addition(protocol: Protocol, use: Use) -> bool:
    material = protocol.materials.get(use.material)
    vehicle = protocol.design.vehicle if protocol.design else None
    return (material is not None and (material.stock is not None or material.vehicle is not None)
            ) or (vehicle is not None and use.material == vehicle.material)


def _brings_vehicle(protocol: Protocol, use: Use) -> bool:
    vehicle = protocol.design.vehicle if protocol.design else None
    if vehicle is None:
        return False
    material = protocol.materials.get(use.material)
    return use.material == vehicle.material or (
        material is not None and material.vehicle == vehicle.material)


def _step_volumes(protocol: Protocol, step: Step) -> tuple[float | None, list[_Added]]:
    """The well's volume before the additions and the step's per-sample additions."""
    design = protocol.design
    assert design is not None
    base = 0.0
    added: list[_Added] = []
    for j, use in enumerate(step.uses):
        ul = _ul(use.volume)
        if ul is None or not counts_samples(use.per):
            continue
        if _is_addition(protocol, use):
            added.append(_Added(j, use, ul, _brings_vehicle(protocol, use)))
        else:
            base += ul
    if base <= 0:
        found = working_volume(design)
        return (found.ul if found is not None else None), added
    return base, added


def _steps(protocol: Protocol) -> list[tuple[int, Step, float, list[_Added]]]:
    design = protocol.design
    if design is None:
        return []
    dosed_steps = {d.step for d in design.dosing}
    dosed = {d.material for d in design.dosing}
    out = []
    for i, step in enumerate(protocol.steps):
        if step.id in dosed_steps or any(u.material in dosed for u in step.uses):
            continue  # the design's dosing: :mod:`.arithmetic` computes it
        base, added = _step_volumes(protocol, step)
        if base is not None and added:
            out.append((i, step, base, added))
    return out


def _words(node: object) -> list[str]:
    """The sentences of a step as written (the protocol's own have ``$name`` replaced)."""
    if isinstance(node, Mapping):
        return [w for key, value in node.items()
                for w in ([value] if key in _WORDS and isinstance(value, str)
                          else _words(value) if key == "uses" else [])]
    if isinstance(node, list):
        return [w for item in node for w in _words(item)]
    return []


def _declared(
    protocol: Protocol, step_node: object, addition: _Added, stock_parameter: str | None
) -> list[tuple[str, QRange]]:
    """What the step says the well should hold: the concentration parameter named for the
    material that its words refer to, else the concentration levels of the arms the use
    reaches, else a concentration its words state before the material's id."""
    material = addition.use.material
    words = " ".join(_words(step_node))
    for name in _REF.findall(words):
        parameter = protocol.parameters.get(name)
        if (parameter is not None and material.lower() in name.lower()
                and name != stock_parameter):
            return [(f"${name}", parameter.default)]
    if levels := _levels(protocol, addition):
        return levels
    stated = re.search(_STATED + re.escape(material), words, re.IGNORECASE)
    if stated is None:
        return []
    try:
        return [(f"the step's text ({stated[0]!r})", parse_quantity(f"{stated[1]} {stated[2]}"))]
    except (QuantityError, ValueError):
        return []


def _stock_parameter(report: Report, material: str) -> str | None:
    """The parameter the material's ``stock:`` is written as (``$defactinib_stock``): the
    words name it as what is diluted, not as what the well should hold."""
    materials = report.tree.get("materials")
    node = materials.get(material) if isinstance(materials, Mapping) else None
    stock = node.get("stock") if isinstance(node, Mapping) else None
    found = _REF.fullmatch(stock.strip()) if isinstance(stock, str) else None
    return found[1] if found else None


def _levels(protocol: Protocol, addition: _Added) -> list[tuple[str, QRange]]:
    """The non-zero concentration levels the use is not excluded from."""
    design = protocol.design
    assert design is not None
    found = []
    for factor in design.factors:
        for level, value in zip(factor.levels, level_values(factor), strict=True):
            if value is None or value.planned == 0 or str(level) in addition.use.exclude:
                continue
            try:
                check_kind(value, "concentration")
            except QuantityError:
                continue
            found.append((f"level {str(level)!r} of factor {factor.name!r}", value))
    return found


def check_stock_additions(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None:
        return
    for i, step, base, added in _steps(protocol):
        for addition in added:
            material = protocol.materials.get(addition.use.material)
            if material is None or material.stock is None:
                continue
            stock_parameter = _stock_parameter(report, addition.use.material)
            for declared in _declared(protocol, _node(report, step), addition, stock_parameter):
                _compare(report, design, (i, step, base, added), addition, material.stock,
                         declared)


def _compare(
    report: Report,
    design: Design,
    where: tuple[int, Step, float, list[_Added]],
    addition: _Added,
    stock: QRange,
    declared: tuple[str, QRange],
) -> None:
    i, step, base, added = where
    name, value = declared
    try:
        stock_in = convert(stock.planned, stock.unit, value.unit)
    except QuantityError:
        return  # a mass stock against a molar parameter: nothing to compare without a MW
    if stock_in is None:
        return
    arms = [names for names in _arms(design).values()
            if not names & set(addition.use.exclude)]
    if not arms:
        return
    total = base + sum(a.ul for a in added if not arms[0] & set(a.use.exclude))
    final = stock_in * addition.ul / total
    if value.planned > 0 and abs(final - value.planned) <= TOLERANCE * value.planned:
        return
    adds = (f"step {step.id!r} adds {addition.use.material} from its "
            f"{shown(stock.planned, stock.unit)} stock: {shown(stock.planned, stock.unit)} × "
            f"{format_magnitude(addition.ul)} µL / {format_magnitude(total)} µL = "
            f"{shown(final, value.unit)} in each {step.id} well, but {name} is "
            f"{shown(value.planned, value.unit)}")
    report.error(adds + _what_to_do(stock_in, value, addition),
                 "steps", i, "uses", addition.index, "volume")


def _what_to_do(stock_in: float, value: QRange, addition: _Added) -> str:
    """The way out: a declared 0 means the wells should get none (the page reads "Add 0 µM
    drug" while each well gets the stock's share), else a working stock of the right fold."""
    if value.planned <= 0:
        return (f" (a {addition.use.material} declared at 0 is not added: exclude those "
                "arms from the use, or declare the concentration the wells get)")
    fold = stock_in / value.planned
    return (f" (the stock is {format_magnitude(fold)}× of it: dilute it to a working stock "
            f"first, such as 1000× {shown(value.planned, value.unit)} = "
            f"{shown(value.planned * 1000, value.unit)} in the vehicle)")


def check_vehicle_arms(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None or design.vehicle is None:
        return
    vehicle = design.vehicle
    try:
        declared = convert(vehicle.final.planned, vehicle.final.unit, "")
    except QuantityError:
        declared = None  # not a fraction: the loader's located error says so
    for i, step, base, added in _steps(protocol):
        given = {arm: f for arm, f in _arm_fractions(design, base, added).items() if f[0] > 0}
        if not given:
            continue
        target = next((a for a in added if a.use.material == vehicle.material), added[0])
        where = ("steps", i, "uses", target.index, "volume")
        low = min(given.items(), key=lambda kv: _share(kv[1]))
        high = max(given.items(), key=lambda kv: _share(kv[1]))
        if _share(high[1]) - _share(low[1]) > TOLERANCE * _share(high[1]):
            report.error(
                f"step {step.id!r} gives the arms different {vehicle.material}:"
                f" {high[0]} gets {_fraction(high[1])}, {low[0]} {_fraction(low[1])}; a drug"
                f" dissolved in {vehicle.material} brings its own, so the vehicle's use"
                " must leave out the drug arms (exclude:) for every arm to get the same"
                f" {vehicle.final}", *where)
        elif declared and abs(_share(high[1]) - declared) > TOLERANCE * declared:
            report.error(
                f"step {step.id!r} gives every arm {_fraction(high[1])} of"
                f" {vehicle.material}; the design says {vehicle.final}", *where)


def _share(parts: tuple[float, float]) -> float:
    return parts[0] / parts[1]


def _fraction(parts: tuple[float, float]) -> str:
    vehicle, total = parts
    return (f"{format_magnitude(vehicle)} µL in {format_magnitude(total)} µL ="
            f" {format_magnitude(round(vehicle / total * 100, 3))} % v/v")


def _arm_fractions(
    design: Design, base: float, added: list[_Added]
) -> dict[str, tuple[float, float]]:
    """Each arm's vehicle volume and well volume: the arms are the design's conditions
    and its controls, each left out of a use that excludes one of its names."""
    out: dict[str, tuple[float, float]] = {}
    for arm, names in _arms(design).items():
        gets = [a for a in added if not names & set(a.use.exclude)]
        out[arm] = (sum(a.ul for a in gets if a.vehicle), base + sum(a.ul for a in gets))
    return out


def _arms(design: Design) -> dict[str, set[str]]:
    """Each arm by name with the names a use's ``exclude:`` may leave it out by."""
    arms: dict[str, set[str]] = {
        " / ".join(c.values()): set(c.values()) for c in design.conditions()
    }
    for control in design.controls:
        arms[control.name] = {control.name, control.kind}
    return arms
