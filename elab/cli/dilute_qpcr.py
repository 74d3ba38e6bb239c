"""``elab dilute mix|qpcr``: master mixes (one per gene for a qPCR design) and qPCR plates."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from elab.cli.dilute_options import DeadOpt, JsonOpt, MinOpt, OverOpt, ResOpt, emit, pipette_limits

if TYPE_CHECKING:
    from elab.domain.dilution import MixComponent, PipetteLimits
    from elab.domain.dilution.qpcr import QpcrPlan
    from elab.domain.protocol.model import Protocol

__all__ = ["register"]


def mix(
    reactions: Annotated[int | None, typer.Option("--reactions", help=(
        "Number of reactions; with a protocol that mixes per gene, of each gene's mix "
        "(default: each gene's reactions in the design)."))] = None,
    protocol: Annotated[str | None, typer.Argument(
        help="A protocol whose mix step (uses per reaction) gives the reaction.")] = None,
    variant: Annotated[str | None, typer.Option(
        "--variant", help="The protocol variant whose mix step is used.")] = None,
    component: Annotated[list[str], typer.Option(
        "--component", help="NAME=VOLUME per reaction (a custom mix instead of qPCR).")] = [],  # noqa: B006
    reaction: Annotated[str, typer.Option("--reaction", help="qPCR reaction volume.")] = "20 uL",
    template: Annotated[str, typer.Option("--template", help="Template per well, "
                                          "added separately.")] = "2 uL",
    mix_fold: Annotated[float, typer.Option("--mix-fold", help="SYBR mix is N×.")] = 2.0,
    primer_stock: Annotated[str, typer.Option("--primer-stock")] = "10 uM",
    primer_final: Annotated[str, typer.Option("--primer-final")] = "0.4 uM",
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    dead: DeadOpt = "0 uL",
    overage: OverOpt = "10%",
    as_json: JsonOpt = False,
) -> None:
    """A master mix for N reactions + overage (qPCR SYBR mix by default)."""
    from elab.cli._amounts import magnitude_in, ul_from_text
    from elab.domain.dilution import MixComponent, plan_master_mix, qpcr_components

    limits = pipette_limits(min_volume, resolution, dead, overage)
    if protocol is not None:
        from elab.cli.options import library
        from elab.domain.dilution.qpcr_design import qpcr_inputs_from_protocol

        loaded = library().load(protocol)
        found = qpcr_inputs_from_protocol(loaded, variant)
        tmpl = MixComponent("template (cDNA)", ul_from_text(template, "--template"))
        _emit_gene_mixes(loaded, found, reactions, limits, tmpl, as_json)
        return
    if reactions is None:
        raise typer.BadParameter("give --reactions (or a PROTOCOL)", param_hint="--reactions")
    if component:
        parts = []
        for item in component:
            name, sep, vol = item.partition("=")
            if not sep or not name.strip():
                raise typer.BadParameter(f"{item!r} is not NAME=VOLUME", param_hint="--component")
            parts.append(MixComponent(name.strip(), ul_from_text(vol, "--component")))
        plan = plan_master_mix(parts, reactions, limits, title=f"Master mix × {reactions}")
    else:
        parts, tmpl = qpcr_components(
            reaction_ul=ul_from_text(reaction, "--reaction"),
            template_ul=ul_from_text(template, "--template"),
            mix_fold=mix_fold,
            primer_stock_um=magnitude_in(primer_stock, "molar", "micromolar", "--primer-stock"),
            primer_final_um=magnitude_in(primer_final, "molar", "micromolar", "--primer-final"),
        )
        plan = plan_master_mix(parts, reactions, limits, separately=tmpl,
                               title=f"qPCR master mix × {reactions} reactions")
    emit(plan, as_json)


def _emit_gene_mixes(protocol: Protocol, found: dict[str, Any], reactions: int | None,
                     limits: PipetteLimits, tmpl: MixComponent, as_json: bool) -> None:
    """One master mix per gene of the protocol's design (a SYBR mix with two primer pairs is
    a multiplex: every Ct meaningless), or one mix when the design has no gene factor."""
    from elab.domain.dilution import plan_master_mix
    from elab.domain.dilution.gene_mix import gene_reactions, plan_gene_mixes

    step = found["mix_step"]
    counts = gene_reactions(protocol)
    if not counts:
        if reactions is None:
            raise typer.BadParameter("give --reactions", param_hint="--reactions")
        emit(plan_master_mix(list(found["components"]), reactions, limits, separately=tmpl,
                              title=f"Master mix ({step}) × {reactions} reactions"), as_json)
        return
    if reactions is not None:
        counts = dict.fromkeys(counts, reactions)
    mixes = plan_gene_mixes(found["components"], counts, limits, tmpl, label=step)
    if as_json:
        print(json.dumps({"step": step, "mixes": [{"gene": m.gene, **m.plan.to_dict()}
                                                  for m in mixes]},
                         indent=2, ensure_ascii=False))
        return
    each = (f"--reactions {reactions} is each gene's mix" if reactions is not None
            else "each gene's reactions in the design")
    print(f"{len(mixes)} master mixes, one per gene: each holds one primer pair (assay) only "
          f"({each})\n")
    for m in mixes:
        print(m.plan.text() + "\n")


def _names(values: list[str] | None) -> tuple[str, ...]:
    """``--gene A,B --gene C`` → ``(A, B, C)``."""
    return tuple(n.strip() for v in values or [] for n in v.split(",") if n.strip())


def qpcr(
    protocol: Annotated[str | None, typer.Argument(
        help="A protocol id or file: genes, samples and the reaction from its design.")] = None,
    gene: Annotated[list[str] | None, typer.Option(
        "--gene", help="Genes (assays), comma-separated or repeated.")] = None,
    sample: Annotated[list[str] | None, typer.Option(
        "--sample", help="RNA samples (cDNA templates), comma-separated or repeated.")] = None,
    technical: Annotated[int | None, typer.Option("--technical", help=(
        "Technical replicates (default 3; with a PROTOCOL 1, its replicates being "
        "biological)."))] = None,
    no_rt_gene: Annotated[list[str] | None, typer.Option(
        "--no-rt-gene", help="Assay(s) run on each sample's no-RT (default: the reference).")]
        = None,
    ntc: Annotated[bool, typer.Option("--ntc/--no-ntc", help="An NTC per gene.")] = True,
    control_replicates: Annotated[int, typer.Option(
        "--control-replicates", help="Wells per NTC and per no-RT.")] = 1,
    reference: Annotated[list[str] | None, typer.Option(
        "--reference", help="Reference gene(s), on every plate when split.")] = None,
    plate: Annotated[str | None, typer.Option(
        "--plate", help="96 or 384 (default: the design's, else 96).")] = None,
    plates: Annotated[int, typer.Option("--plates", help="1, or 2 to split.")] = 1,
    variant: Annotated[str | None, typer.Option(
        "--variant", help="The protocol variant whose mix step gives the reaction.")] = None,
    reaction: Annotated[str, typer.Option("--reaction", help="Reaction volume (no "
                                          "protocol: SYBR mix).")] = "20 uL",
    template: Annotated[str, typer.Option("--template", help="cDNA per well, added "
                                          "separately.")] = "2 uL",
    output: Annotated[str | None, typer.Option("-o", "--output",
                                               help="Write the plate layout CSV.")] = None,
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    dead: DeadOpt = "0 uL",
    overage: OverOpt = "10%",
    as_json: JsonOpt = False,
) -> None:
    """qPCR plate: genes × samples × technical replicates + NTC per gene + no-RT per sample,
    a master mix per gene with overage, and the 96/384-well layout (with a PROTOCOL, the
    plate `elab plate layout PROTOCOL` shows)."""
    from pathlib import Path

    from elab.cli._amounts import ul_from_text
    from elab.domain.dilution.qpcr import text_from_qpcr
    from elab.domain.plate import csv_from_layout, format_from_text

    fmt = format_from_text(plate) if plate is not None else None
    if fmt is not None and fmt.size not in (96, 384):
        raise typer.BadParameter("a qPCR plate has 96 or 384 wells", param_hint="--plate")
    template_ul = ul_from_text(template, "--template")
    limits = pipette_limits(min_volume, resolution, dead, overage)
    genes, samples, refs = _names(gene), _names(sample), _names(reference)
    if protocol is not None:
        from elab.cli.options import library
        from elab.domain.dilution.qpcr_design import QpcrChoices
        from elab.domain.dilution.qpcr_layout import layout_from_qpcr_design, plan_qpcr_design

        loaded = library().load(protocol)
        choices = QpcrChoices(genes=genes, samples=samples, technical=technical,
                              no_rt_genes=_names(no_rt_gene), reference=refs, ntc=ntc,
                              control_replicates=control_replicates, plate=fmt, plates=plates,
                              template_ul=template_ul, limits=limits)
        plan = _proposing(lambda: plan_qpcr_design(loaded, variant, choices), as_json)
        layout = layout_from_qpcr_design(loaded, plan, variant)
    else:
        from elab.domain.dilution import MixComponent, qpcr_components
        from elab.domain.dilution.qpcr import QpcrSpec, layout_from_qpcr, plan_qpcr

        if not genes or not samples:
            raise typer.BadParameter("give a PROTOCOL, or --gene and --sample",
                                     param_hint="--gene")
        parts, _ = qpcr_components(reaction_ul=ul_from_text(reaction, "--reaction"),
                                   template_ul=template_ul)
        no_rt = _names(no_rt_gene) or refs[:1]
        spec = QpcrSpec(genes=genes, samples=samples, components=tuple(parts),
                        template=MixComponent("template (cDNA)", template_ul),
                        technical=3 if technical is None else technical, ntc=ntc,
                        no_rt_genes=no_rt, control_replicates=control_replicates,
                        reference=refs, plate=fmt or format_from_text(96), plates=plates,
                        limits=limits)
        plan = _proposing(lambda: plan_qpcr(spec), as_json)
        if not no_rt:
            plan = replace(plan, notes=(*plan.notes, "no reference gene: no-RT wells left out "
                                        "(give --no-rt-gene or --reference)"))
        layout = layout_from_qpcr(plan)
    if output is not None:
        Path(output).write_text(csv_from_layout(layout), encoding="utf-8")
    if as_json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(text_from_qpcr(plan), end="")


def _proposing(planned: Callable[[], QpcrPlan], as_json: bool) -> QpcrPlan:
    """The plan; when it does not fit, the two-plate proposal printed before the error."""
    from elab.domain.dilution.qpcr import QpcrDoesNotFit, text_from_qpcr

    try:
        return planned()
    except QpcrDoesNotFit as exc:
        if exc.proposal is not None:
            if as_json:
                print(json.dumps({"error": str(exc), "proposal": exc.proposal.to_dict()},
                                 indent=2, ensure_ascii=False))
            else:
                print("proposal (run again with --plates 2 for its master mixes):\n"
                      + text_from_qpcr(exc.proposal, mixes=False), end="")
        raise

def register(app: typer.Typer) -> None:
    app.command("mix")(mix)
    app.command("qpcr")(qpcr)
