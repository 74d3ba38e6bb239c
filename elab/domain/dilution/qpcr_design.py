"""A qPCR plate spec from a protocol: genes and samples from its design, the reaction from
its mix step, the reference gene from its ddct analysis.

The design's ``gene`` (or ``target``) factor gives the assays; every other factor's levels ×
the design's replicates are the RNA samples (``vehicle-1`` … ``defactinib-3``).  The mix step
of the chosen variant lists the per-reaction volumes (``uses`` with ``per: reaction``), so the
master mix is the protocol's own (SYBR: 10 µL 2× mix + 0.8 µL primer pair + 7.2 µL water),
never a second, different recipe.

:func:`qpcr_spec_from_protocol` is the one place a design becomes a :class:`QpcrSpec`:
``elab dilute qpcr``, ``elab plate layout`` and the run screen all plan their plate from it,
so they show the same wells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any

from elab.domain.dilution.gene_mix import no_rt_genes
from elab.domain.dilution.mix import MixComponent
from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.qpcr import QpcrSpec
from elab.domain.plate.wells import PlateFormat, format_from_text
from elab.errors import InputError
from elab.units import convert

__all__ = ["QpcrChoices", "qpcr_inputs_from_protocol", "qpcr_spec_from_protocol"]

_GENE_FACTORS = ("gene", "target", "assay", "primer")


def _mix_step(protocol: Any, variant: str | None) -> Any:
    chosen = variant or next(iter(getattr(protocol, "variants", None) or {}), None)
    steps = [s for s in protocol.steps
             if any(getattr(u, "per", None) == "reaction" and u.volume is not None
                    for u in (s.uses or []))
             and (s.variant is None or s.variant == chosen)]
    if not steps:
        raise InputError(f"protocol {protocol.id!r} has no step with per-reaction volumes "
                         f"for variant {chosen!r}")
    return steps[0]


def qpcr_inputs_from_protocol(protocol: Any, variant: str | None = None) -> dict[str, Any]:
    """``genes``, ``samples``, ``components``, ``reference``, ``mix_step`` and the design's
    declared ``controls`` (name → count), for :class:`QpcrSpec` and the checks around it."""
    design = protocol.design
    if design is None:
        raise InputError(f"protocol {protocol.id!r} has no design: block")
    gene_factor = next((f for f in design.factors if f.name.lower() in _GENE_FACTORS), None)
    if gene_factor is None:
        raise InputError(f"protocol {protocol.id!r}: the design has no gene (or target) factor")
    others = [f for f in design.factors if f is not gene_factor]
    reps = max(1, int(design.replicates or 1))
    sample_levels = {
        "-".join((*map(str, combo), str(r))) if others else f"sample-{r}":
            tuple((f.name, str(level)) for f, level in zip(others, combo, strict=True))
        for combo in product(*(f.levels for f in others)) for r in range(1, reps + 1)
    }
    samples = list(sample_levels)
    step = _mix_step(protocol, variant)
    materials = protocol.materials or {}
    components = []
    for use in step.uses:
        if getattr(use, "per", None) != "reaction" or use.volume is None:
            continue
        ul = convert(use.volume.planned, use.volume.unit, "microliter") or 0.0
        name = getattr(materials.get(use.material), "name", None) or use.material
        components.append(MixComponent(name, ul))
    reference = tuple(
        str(a.params["reference"]) for a in (protocol.analysis or [])
        if getattr(a, "hook", "") == "ddct" and (a.params or {}).get("reference")
    )
    controls = {c.name: c.count for c in (design.controls or [])}
    return {"genes": tuple(str(g) for g in gene_factor.levels), "samples": tuple(samples),
            "components": tuple(components), "reference": reference, "mix_step": step.id,
            "controls": controls, "sample_levels": sample_levels,
            "gene_factor": gene_factor.name}


@dataclass(frozen=True)
class QpcrChoices:
    """What may change of a design's qPCR plate (the command line's options); empty or None
    means the design's own."""

    genes: tuple[str, ...] = ()
    samples: tuple[str, ...] = ()
    technical: int | None = None
    no_rt_genes: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    ntc: bool = True
    control_replicates: int = 1
    plate: PlateFormat | None = None
    plates: int = 1
    template_ul: float = 2.0
    limits: PipetteLimits = field(default_factory=PipetteLimits)


def qpcr_spec_from_protocol(
    protocol: Any, variant: str | None = None, choices: QpcrChoices | None = None
) -> tuple[QpcrSpec, tuple[str, ...]]:
    """The design's qPCR plate as a spec, and the notes that say where it came from.

    One well per RNA and gene unless ``technical`` is given: the design's replicates are
    biological RNAs.  The no-RT wells go with the genes the design's no-RT control names,
    else with the reference gene of its ddct analysis."""
    chosen = choices or QpcrChoices()
    found = qpcr_inputs_from_protocol(protocol, variant)
    genes = chosen.genes or found["genes"]
    refs = chosen.reference or tuple(r for r in found["reference"] if r in genes)
    no_rt = (chosen.no_rt_genes or tuple(g for g in no_rt_genes(protocol) if g in genes)
             or refs[:1])
    template = MixComponent("template (cDNA)", chosen.template_ul)
    notes = []
    if chosen.technical is None:
        notes.append("one well per RNA and gene: the design's replicates are biological "
                     "RNAs (--technical 3 for technical triplicates)")
    notes.append(f"reaction from step {found['mix_step']}: "
                 + " + ".join(f"{c.per_reaction_ul:g} µL {c.name.split(':')[0].split(',')[0]}"
                              for c in found["components"])
                 + f" + {template.per_reaction_ul:g} µL template")
    if not no_rt:
        notes.append("no reference gene: no-RT wells left out (give --no-rt-gene or "
                     "--reference)")
    plate = chosen.plate or _design_plate(protocol.design.plate)
    spec = QpcrSpec(genes=tuple(genes), samples=tuple(chosen.samples or found["samples"]),
                    components=tuple(found["components"]), template=template,
                    technical=1 if chosen.technical is None else chosen.technical,
                    ntc=chosen.ntc, no_rt_genes=tuple(no_rt),
                    control_replicates=chosen.control_replicates, reference=tuple(refs),
                    plate=plate, plates=chosen.plates, limits=chosen.limits)
    return spec, tuple(notes)


def _design_plate(plate: Any) -> PlateFormat:
    """The design's plate (a format or its text), a 96-well plate when it names none."""
    if isinstance(plate, PlateFormat):
        return plate
    return format_from_text(str(plate)) if plate is not None else PlateFormat(8, 12)
