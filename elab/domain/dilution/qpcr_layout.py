"""A qPCR protocol's plate as a run proposes it: the wells of ``elab dilute qpcr``, each
naming its gene and its RNA (``SNAI1 vehicle-1``, ``GAPDH no-RT defactinib-2``).

The generic layout planner places conditions (treatment × gene) at random and numbers the
controls ``n1``/``n2``; a qPCR well's template is one RNA and its mix one gene, so the run
screen and the bench sheet show the plate the qPCR planner makes from the same design (one
well per RNA and gene, an NTC per gene, each RNA's no-RT with the genes the design names),
and the mixes of `elab dilute mix` fill exactly those wells.
"""

from __future__ import annotations

from typing import Any

from elab.domain.dilution.gene_mix import gene_factor, no_rt_genes
from elab.domain.dilution.mix import MixComponent
from elab.domain.dilution.qpcr import NTC, SAMPLE, QpcrSpec, plan_qpcr
from elab.domain.dilution.qpcr_design import qpcr_inputs_from_protocol
from elab.domain.plate.layout import Layout, Placement
from elab.domain.plate.wells import PlateFormat
from elab.errors import ElabError

__all__ = ["qpcr_layout"]


def qpcr_layout(protocol: Any, variant: str | None = None) -> Layout | None:
    """The protocol's qPCR plate, or None when it is no qPCR design that fits its plates."""
    factor = gene_factor(protocol)
    if factor is None or protocol.design.plate is None:
        return None
    try:
        found = qpcr_inputs_from_protocol(protocol, variant)
        genes = found["genes"]
        refs = tuple(r for r in found["reference"] if r in genes)
        spec = QpcrSpec(genes=genes, samples=found["samples"], components=found["components"],
                        template=MixComponent("template (cDNA)", 2.0), technical=1,
                        no_rt_genes=no_rt_genes(protocol) or refs[:1], reference=refs,
                        plate=_format(protocol.design.plate))
        plan = plan_qpcr(spec)
    except ElabError:
        return None
    placements = []
    for w in plan.wells:
        what = "NTC (water)" if w.kind == NTC else (
            w.sample if w.kind == SAMPLE else f"no-RT {w.sample}")
        levels = ((factor.name, w.gene), ("sample", w.sample))
        placements.append(Placement(w.plate, w.well, f"{w.gene} {what}", levels, w.replicate,
                                    "sample" if w.kind == SAMPLE else "negative"))
    # the columns of `elab dilute qpcr -o`: plate, well, condition, gene, sample, ...
    return Layout(plan.plate, tuple(placements), (factor.name, "sample"), plan.plates,
                  notes=plan.notes)


def _format(plate: Any) -> PlateFormat:
    from elab.domain.plate.wells import format_from_text

    return plate if isinstance(plate, PlateFormat) else format_from_text(str(plate))
