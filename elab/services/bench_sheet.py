"""The bench sheet of a run: its plate layout and the pipetting table of one step.

The run screen shows these beside the step the scientist is doing.  The pipetting table of
the dosing step is the design's dilution plan (:func:`serial_spec_from_protocol`), so its
volumes, wells and vehicle fraction are those of ``elab dilute serial PROTOCOL``.  The layout
is the one the run recorded (an attachment named ``layout``) when there is one; otherwise one
is proposed from the protocol's design with a seed taken from the run id
(:func:`~elab.services.plates.run_seed`), so the same run always proposes the same plate, and
the scientist keeps it by attaching it to the run (then the record draws exactly that plate).
The proposal is planned by :func:`~elab.services.plates.plan_layout`, as ``elab plate layout
PROTOCOL --seed SEED`` plans it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from elab.domain.plate import (
    Layout,
    csv_from_layout,
    layout_from_csv,
    legend_from_layout,
    spec_from_design,
)
from elab.domain.protocol.amounts import step_materials
from elab.domain.runs import RunState
from elab.errors import ElabError, QuantityError
from elab.units import convert

if TYPE_CHECKING:
    from elab.domain.dilution import Plan

__all__ = ["LAYOUT_NAME", "Sheet", "layout_csv", "recorded_layout", "run_layout", "step_sheet"]

LAYOUT_NAME = "layout"


def recorded_layout(state: RunState, read: Callable[[str], bytes]) -> Layout | None:
    """The layout CSV the run attached last, if it did and it reads as a layout."""
    from elab.services.record_parts import LAYOUT_NAMES

    found = [a.data for a in state.attachments if a.data.name.lower() in LAYOUT_NAMES]
    if not found:
        return None
    try:
        text = bytes(read(found[-1].sha256)).decode("utf-8-sig")
        return layout_from_csv(text, source=f"attachment {found[-1].name}")
    except (ElabError, UnicodeDecodeError, ValueError):
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
    from elab.domain.dilution.qpcr_layout import qpcr_layout

    try:
        qpcr = qpcr_layout(state.protocol, state.variant)
    except ElabError:  # a qPCR design whose plate does not fit: the generic proposal
        qpcr = None
    if qpcr is not None:  # each well one gene and one RNA, as `elab dilute qpcr` plans it
        return qpcr, False
    from elab.services.plates import plan_layout, run_seed

    spec = spec_from_design(design, seed=run_seed(state.run_id))
    return plan_layout(spec, time_limit=time_limit_s).layout, False


def layout_csv(layout: Layout) -> bytes:
    return csv_from_layout(layout).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """The pipetting table of a step: its materials scaled to the design (the amounts of
    `elab show`; a row with no name continues the material above), and dilutions."""

    materials: tuple[tuple[str, str], ...]
    dilution: str = ""
    note: str = ""
    series: Plan | None = None  # the plan ``dilution`` prints, for a screen to lay out


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


def step_sheet(state: RunState, step_id: str, layout: Layout | None = None) -> Sheet:
    """What to pipette at ``step_id``; the dose series when it adds the design's compound.

    The series' rows carry the codes of ``layout`` (the plate map shown beside them; without
    it, the codes any layout of the design gets), so one code is one dose on the sheet."""
    protocol = state.protocol
    step = protocol.step(step_id)
    rows = [row for material in step_materials(protocol, step_id, state.variant)
            for row in ((material.name, material.headline),
                        *(("", line) for line in material.details))]
    compound = None
    dose_unit = _dose_unit(protocol.design) if protocol.design is not None else None
    for use in step.uses:
        material = protocol.materials.get(use.material)
        stock = material.stock if material is not None else None
        if (compound is None and dose_unit is not None and stock is not None
                and _convertible(stock.unit, dose_unit)):
            compound = (use.material, material)
    design = protocol.design
    if design is not None and design.dosing and dose_unit is not None:
        dosed = [d for d in design.dosing if d.step in (None, step_id)
                 and any(u.material == d.material for u in step.uses)]
        compound = (dosed[0].material, protocol.materials.get(dosed[0].material)) if dosed else None
    if compound is None or design is None:
        return Sheet(tuple(rows))
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol

    material_id, material = compound
    try:
        designed = serial_spec_from_protocol(
            protocol, compound=material.name if material is not None else material_id,
            material_id=material_id,
            legend=legend_from_layout(layout) if layout is not None else None)
        plan = plan_serial(designed.spec)
    except ElabError as exc:
        return Sheet(tuple(rows), note=f"no dilution plan for {material_id}: {exc}")
    return Sheet(tuple(rows), dilution=plan.text(), note="\n".join(designed.changes),
                 series=plan)
