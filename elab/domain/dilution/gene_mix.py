"""One qPCR master mix per gene (primer pair or assay), never one mix for all of them.

With SYBR Green the dye binds every double-stranded product, so a mix holding two primer
pairs is a multiplex whose Ct is the sum of both products: every Ct is meaningless.  The
source guide (000, qRT-PCR) lists the primers for the targets and a housekeeping gene in
"the qPCR reaction mix"; each gene's reaction is its own well with its own primer pair.
So a protocol's mix step (``uses`` with ``per: reaction``) is made once per level of the
design's gene factor: the component that names the genes (``primers: SNAI1, ZEB1, ...``)
becomes that gene's pair, the rest (2× mix, water) are shared by recipe, not by tube.

Each gene's reactions come from the design: every RNA sample once (the design's other
factors × its replicates), plus the controls: a control crossed with the gene factor
(``for_each: [gene]``) or a no-template control (spread evenly over the genes) gives each
gene its share, and a no-RT control goes to the genes its name or note names (``GAPDH and
ACTB``), one per RNA sample.  `elab show`, `elab dilute mix`, the bench sheet and the record
all read these numbers from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import product
from typing import Any

from elab.domain.dilution.mix import MixComponent, plan_master_mix
from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.table import Plan

__all__ = ["GeneMix", "gene_component", "gene_factor", "gene_reactions", "gene_specific",
           "mix_split_text", "no_rt_genes", "plan_gene_mixes"]

_GENE_FACTORS = ("gene", "target", "assay", "primer")


@dataclass(frozen=True)
class GeneMix:
    """One gene's master mix: the gene, its reactions and the mix plan."""

    gene: str
    reactions: int
    plan: Plan


def gene_factor(protocol: Any) -> Any | None:
    """The design's gene (target, assay) factor, or None."""
    design = getattr(protocol, "design", None)
    if design is None:
        return None
    return next((f for f in design.factors if f.name.lower() in _GENE_FACTORS), None)


def gene_specific(name: str, genes: tuple[str, ...]) -> bool:
    """A component declared once for all genes (``primers: SNAI1, ZEB1``): one per gene."""
    _, sep, listed = name.partition(":")
    return bool(sep) and sum(1 for g in genes if g in {s.strip() for s in listed.split(",")}) > 1


def gene_component(component: MixComponent, gene: str, genes: tuple[str, ...]) -> MixComponent:
    """``component`` as it goes into ``gene``'s mix: a gene-listing component becomes that
    gene's own (``forward and reverse primers (SNAI1)``)."""
    if gene_specific(component.name, genes):
        return replace(component, name=f"{component.name.split(':')[0].split(',')[0]} ({gene})")
    return component


def _named(control: Any, genes: tuple[str, ...]) -> tuple[str, ...]:
    text = f"{control.name} {getattr(control, 'note', '') or ''}"
    words = {w.strip(",.;()") for w in text.split()}
    return tuple(g for g in genes if g in words)


def _is_no_rt(control: Any) -> bool:
    return "rt" in control.name.lower().replace("_", "-").split("-")


def no_rt_genes(protocol: Any) -> tuple[str, ...]:
    """The genes the design's no-RT control is run with (those its name or note names);
    empty when it names none or the design has no no-RT control."""
    factor = gene_factor(protocol)
    if factor is None:
        return ()
    genes = tuple(str(g) for g in factor.levels)
    return next((_named(c, genes) for c in protocol.design.controls or [] if _is_no_rt(c)), ())


def gene_reactions(protocol: Any) -> dict[str, int]:
    """Reactions per gene from the design (empty without a gene factor)."""
    factor = gene_factor(protocol)
    if factor is None:
        return {}
    design = protocol.design
    genes = tuple(str(g) for g in factor.levels)
    others = [f for f in design.factors if f is not factor]
    samples = len(list(product(*(f.levels for f in others)))) * max(1, int(design.replicates))
    counts = dict.fromkeys(genes, samples)
    for control in design.controls or []:
        if factor.name in (control.for_each or []):
            for g in genes:
                counts[g] += control.count
        elif _is_no_rt(control):
            named = _named(control, genes) or genes
            for g in named:
                counts[g] += control.count // len(named)
        else:
            share, left = divmod(control.count, len(genes))
            for i, g in enumerate(genes):
                counts[g] += share + (1 if i < left else 0)
    return counts


def plan_gene_mixes(
    components: tuple[MixComponent, ...],
    reactions: dict[str, int],
    limits: PipetteLimits,
    template: MixComponent | None,
    label: str = "",
) -> tuple[GeneMix, ...]:
    """One master mix per gene, each for its own reactions + overage."""
    genes = tuple(reactions)
    where = f" ({label})" if label else ""
    return tuple(
        GeneMix(gene, n, plan_master_mix(
            [gene_component(c, gene, genes) for c in components], n, limits,
            separately=template, title=f"{gene} master mix{where} × {n} reactions"))
        for gene, n in reactions.items())


def mix_split_text(protocol: Any, step: Any, material_name: str) -> str:
    """What a per-reaction use of a step that mixes per gene adds to its line (``""`` when
    the step is no per-gene mix): the gene's own pair, or the share of each gene's mix."""
    counts = gene_reactions(protocol)
    genes = tuple(counts)
    names = [getattr(protocol.materials.get(u.material), "name", "") or u.material
             for u in step.uses if u.per == "reaction"]
    if not counts or not any(gene_specific(n, genes) for n in names):
        return ""
    each = ", ".join(f"{g} {n}" for g, n in counts.items())
    if gene_specific(material_name, genes):
        return f"; one pair per gene, each in its own mix, never two together ({each} reactions)"
    return f"; in {len(genes)} separate mixes, one per gene ({each} reactions)"
