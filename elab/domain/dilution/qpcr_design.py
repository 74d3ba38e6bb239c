"""A qPCR plate spec from a protocol: genes and samples from its design, the reaction from
its mix step, the reference gene from its ddct analysis.

The design's ``gene`` (or ``target``) factor gives the assays; every other factor's levels ×
the design's replicates are the RNA samples (``vehicle-1`` … ``defactinib-3``).  The mix step
of the chosen variant lists the per-reaction volumes (``uses`` with ``per: reaction``), so the
master mix is the protocol's own (SYBR: 10 µL 2× mix + 0.8 µL primer pair + 7.2 µL water),
never a second, different recipe.
"""

from __future__ import annotations

from itertools import product
from typing import Any

from elab.domain.dilution.mix import MixComponent
from elab.errors import InputError
from elab.units import convert

__all__ = ["qpcr_inputs_from_protocol"]

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
    samples = [
        "-".join((*map(str, combo), str(r))) if others else f"sample-{r}"
        for combo in product(*(f.levels for f in others)) for r in range(1, reps + 1)
    ]
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
            "controls": controls}
