"""A qPCR protocol's plate: the wells of ``elab dilute qpcr``, each naming its gene and its
RNA (``SNAI1 vehicle-1``, ``GAPDH no-RT defactinib-2``).

The generic layout planner places conditions (treatment × gene) at random and numbers the
controls ``n1``/``n2``; a qPCR well's template is one RNA and its mix one gene, so
``elab plate layout``, ``elab dilute qpcr``, the run screen and the bench sheet all show the
plate :func:`plan_qpcr_design` makes from the design (one well per RNA and gene, an NTC per
gene, each RNA's no-RT with the genes the design names), and the mixes of `elab dilute mix`
fill exactly those wells.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from elab.domain.dilution.gene_mix import gene_factor
from elab.domain.dilution.qpcr import QpcrPlan, control_notes, layout_from_qpcr, plan_qpcr
from elab.domain.dilution.qpcr_design import (
    QpcrChoices,
    qpcr_inputs_from_protocol,
    qpcr_spec_from_protocol,
)
from elab.domain.plate.layout import Layout

__all__ = ["layout_from_qpcr_design", "plan_qpcr_design", "qpcr_layout"]


def plan_qpcr_design(
    protocol: Any, variant: str | None = None, choices: QpcrChoices | None = None
) -> QpcrPlan:
    """The design's qPCR plan, its notes saying where the reaction came from and where the
    wells differ from the controls the design declares.  Raises
    :class:`~elab.domain.dilution.qpcr.QpcrDoesNotFit` when the plate is too small."""
    spec, notes = qpcr_spec_from_protocol(protocol, variant, choices)
    plan = plan_qpcr(spec)
    declared = {c.name: c.count for c in protocol.design.controls or []}
    return replace(plan, notes=(*plan.notes, *notes, *control_notes(plan, declared)))


def qpcr_layout(
    protocol: Any, variant: str | None = None, choices: QpcrChoices | None = None
) -> Layout | None:
    """The plate of :func:`plan_qpcr_design` as a layout; None when the protocol's design has
    no gene factor (no qPCR design).  Raises what planning raises."""
    factor = gene_factor(protocol)
    if factor is None:
        return None
    return layout_from_qpcr_design(protocol, plan_qpcr_design(protocol, variant, choices),
                                   variant)


def layout_from_qpcr_design(protocol: Any, plan: QpcrPlan, variant: str | None = None) -> Layout:
    """``plan`` as a layout whose columns are the design's factors (``treatment``, ``gene``)
    and the RNA sample, the columns ``elab plate layout -o`` writes for any design."""
    found = qpcr_inputs_from_protocol(protocol, variant)
    return layout_from_qpcr(plan, found["gene_factor"], found["sample_levels"])
