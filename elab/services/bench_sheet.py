"""The bench sheet of a run: its plate layout and the pipetting table of one step.

The run screen shows these beside the step the scientist is doing.  The layout is the one
the run recorded (an attachment named ``layout``) when there is one; otherwise one is
proposed from the protocol's design with a seed taken from the run id
(:func:`~elab.services.plates.run_seed`), so the same run always proposes the same plate,
and the scientist keeps it by attaching it to the run (then the record draws exactly that
plate).  The proposal is planned by :func:`~elab.services.plates.plan_layout`, as
``elab plate layout PROTOCOL --seed SEED`` plans it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from elab.domain.plate import Layout, csv_from_layout, layout_from_csv, spec_from_design
from elab.domain.protocol.describe import scaled_use
from elab.domain.runs import RunState
from elab.errors import ElabError, QuantityError
from elab.units import convert

__all__ = ["LAYOUT_NAME", "Sheet", "layout_csv", "recorded_layout", "run_layout", "step_sheet"]

LAYOUT_NAME = "layout"
DEFAULT_WELL_UL = 100.0


def recorded_layout(state: RunState, read: Callable[[str], bytes]) -> Layout | None:
    """The layout CSV the run attached last, if it did and it reads as a layout."""
    from elab.services.records import LAYOUT_NAMES

    found = [a for a in state.attachments if str(a.get("name", "")).lower() in LAYOUT_NAMES]
    if not found:
        return None
    try:
        text = bytes(read(str(found[-1]["sha256"]))).decode("utf-8-sig")
        return layout_from_csv(text, source=f"attachment {found[-1]['name']}")
    except (ElabError, KeyError, UnicodeDecodeError, ValueError):
        return None


def run_layout(
    state: RunState, read: Callable[[str], bytes], time_limit_s: float = 20.0
) -> tuple[Layout | None, bool]:
    """(layout, recorded): the run's recorded plate, else one proposed from its design."""
    recorded = recorded_layout(state, read)
    if recorded is not None:
        return recorded, True
    design = state.protocol.design
    if design is None or design.plate is None:
        return None, False
    from elab.services.plates import plan_layout, run_seed

    spec = spec_from_design(design, seed=run_seed(state.run_id))
    return plan_layout(spec, time_limit=time_limit_s).layout, False


def layout_csv(layout: Layout) -> bytes:
    return csv_from_layout(layout).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """The pipetting table of a step: its materials scaled to the design, and dilutions."""

    materials: tuple[tuple[str, str], ...]
    dilution: str = ""
    note: str = ""


def _well_ul(state: RunState) -> float:
    """The working volume of a well: the per-well medium the protocol puts in first."""
    for step in state.protocol.steps:
        for use in step.uses:
            if use.per == "well" and use.volume is not None:
                return convert(use.volume.planned, use.volume.unit, "microliter") or 0.0
    return DEFAULT_WELL_UL


def _convertible(from_unit: str, to_unit: str) -> bool:
    try:
        return convert(1.0, from_unit, to_unit) is not None
    except QuantityError:
        return False


def _dose_unit(design: object) -> str | None:
    """The unit of the design's dose series: one factor whose levels are all concentrations
    above zero (a matrix with 0 levels, or a standard curve, is not a serial dilution)."""
    for factor in getattr(design, "factors", []):
        levels = factor.level_quantities()
        if levels and all(q is not None and q.planned > 0 for q in levels):
            unit = levels[0].unit if levels[0] is not None else ""
            if _convertible(unit, "molar") or _convertible(unit, "milligram / milliliter"):
                return unit
    return None


def step_sheet(state: RunState, step_id: str) -> Sheet:
    """What to pipette at ``step_id``; the dose series when it adds the design's compound."""
    protocol = state.protocol
    step = protocol.step(step_id)
    rows = []
    compound = None
    dose_unit = _dose_unit(protocol.design) if protocol.design is not None else None
    for use in step.uses:
        material = protocol.materials.get(use.material)
        _, shown = scaled_use(use, protocol)
        rows.append((material.name if material else use.material, shown))
        stock = material.stock if material is not None else None
        if (compound is None and dose_unit is not None and stock is not None
                and _convertible(stock.unit, dose_unit)):
            compound = (use.material, material)
    if compound is None or protocol.design is None:
        return Sheet(tuple(rows))
    from elab.domain.dilution import plan_serial, serial_spec_from_design

    material_id, material = compound
    assert material is not None and material.stock is not None
    vehicle = protocol.design.vehicle
    vehicle_material = protocol.materials.get(vehicle.material) if vehicle else None
    try:
        spec = serial_spec_from_design(
            protocol.design, material.stock.text, _well_ul(state),
            vehicle_name=vehicle_material.name if vehicle_material else None,
            compound=material.name,
        )
        plan = plan_serial(spec)
    except ElabError as exc:
        return Sheet(tuple(rows), note=f"no dilution plan for {material_id}: {exc}")
    return Sheet(tuple(rows), dilution=plan.text())
