"""``elab dilute serial|mix|seed|ratio|conc``: pipetting plans that respect the pipette.

Quantities are typed as in protocols (``10mM``, ``200 uL``, ``0.1%``); every plan prints as a
table or, with ``--json``, as ``{title, rows, notes, figures}``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from elab.domain.dilution import MixComponent, PipetteLimits, Plan
    from elab.domain.protocol.model import Protocol

__all__ = ["register"]

dilute_app = typer.Typer(help="Dilution, master-mix and seeding plans.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")]
MinOpt = Annotated[str, typer.Option("--min-volume", help="Smallest volume to pipette.")]
ResOpt = Annotated[str, typer.Option("--resolution", help="Pipette resolution.")]
DeadOpt = Annotated[str, typer.Option("--dead", help="Dead volume per tube or well drawn from.")]
OverOpt = Annotated[str, typer.Option("--overage", help="Extra made of every mix.")]


def _limits(min_volume: str, resolution: str, dead: str, overage: str) -> PipetteLimits:
    from elab.cli._amounts import fraction_from_text, ul_from_text
    from elab.domain.dilution import PipetteLimits

    return PipetteLimits(
        min_ul=ul_from_text(min_volume, "--min-volume"),
        resolution_ul=ul_from_text(resolution, "--resolution"),
        dead_ul=ul_from_text(dead, "--dead"),
        overage=fraction_from_text(overage, "--overage"),
    )


def _emit(plan: Plan, as_json: bool) -> None:
    if as_json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(plan.text())


@dilute_app.command("serial")
def serial(
    protocol: Annotated[str | None, typer.Argument(
        help="A protocol id or file whose design: gives the doses, volumes and stock.")] = None,
    stock: Annotated[str, typer.Option("--stock", help="Stock concentration (10mM); with a "
                                       "PROTOCOL, overrides its design's.")] = "",
    top: Annotated[str | None, typer.Option("--top", help="Top final concentration in the "
                                            "well.")] = None,
    fold: Annotated[float, typer.Option("--fold", help="Dilution factor between points.")] = 3.0,
    points: Annotated[int, typer.Option("--points", help="Number of concentrations.")] = 8,
    well: Annotated[str | None, typer.Option(
        "--well", help="Final volume per well, the addition included (100 uL without a "
        "PROTOCOL).")] = None,
    well_volume: Annotated[str | None, typer.Option(
        "--well-volume", help="Volume in each well before the addition (the design's "
        "working_volume); without a PROTOCOL it needs --add.")] = None,
    replicates: Annotated[int, typer.Option("--replicates", help="Wells per point.")] = 3,
    controls: Annotated[int, typer.Option("--controls", help="Vehicle-control wells.")] = 3,
    vehicle: Annotated[str, typer.Option("--vehicle", help="Solvent of the stock.")] = "DMSO",
    vehicle_final: Annotated[str, typer.Option("--vehicle-final", help="Vehicle's final % in "
                                               "every well; none for aqueous stocks.")] = "0.1%",
    add: Annotated[str | None, typer.Option("--add", help="Volume added to each well; with a "
                                            "PROTOCOL, overrides its design's.")] = None,
    compound: Annotated[str, typer.Option("--compound", help="Name for the title.")] = "compound",
    diluent: Annotated[str, typer.Option("--diluent", help="Medium or buffer.")] = "medium",
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    dead: DeadOpt = "0 uL",
    overage: OverOpt = "10%",
    as_json: JsonOpt = False,
) -> None:
    """A serial dilution holding the vehicle at one final % (intermediate plate when needed).

    With a PROTOCOL, everything comes from its design (doses, wells, vehicle, working volume,
    addition, intermediate, stock); --stock, --add, --well-volume and --well override it and
    the plan says what each one changed."""
    from elab.cli._amounts import fraction_from_text, magnitude_in, quantity, ul_from_text
    from elab.domain.dilution import SerialSpec, plan_serial

    limits = _limits(min_volume, resolution, dead, overage)
    add_ul = ul_from_text(add, "--add") if add else None
    if protocol is not None:
        _emit(_from_protocol(protocol, stock, add_ul, well, well_volume, compound, limits),
              as_json)
        return
    if not stock:
        raise typer.BadParameter("give the stock concentration", param_hint="--stock")
    if top is None:
        raise typer.BadParameter("give a PROTOCOL or the top concentration", param_hint="--top")
    if well_volume is not None:
        if add_ul is None:
            raise typer.BadParameter("give --add, the volume added onto the well volume",
                                     param_hint="--well-volume")
        well_ul = ul_from_text(well_volume, "--well-volume") + add_ul
    else:
        well_ul = ul_from_text(well or "100 uL", "--well")
    top_q = quantity(top, "concentration", "--top")
    spec = SerialSpec(
        stock=magnitude_in(stock, "concentration", top_q.unit, "--stock"),
        top=top_q.planned,
        unit=top_q.unit,
        fold=fold,
        points=points,
        well_ul=well_ul,
        wells=replicates,
        control_wells=controls,
        vehicle=vehicle,
        vehicle_fraction=fraction_from_text(vehicle_final, "--vehicle-final"),
        add_ul=add_ul,
        diluent=diluent,
        compound=compound,
        limits=limits,
    )
    _emit(plan_serial(spec), as_json)


def _from_protocol(protocol: str, stock: str, add_ul: float | None, well: str | None,
                   well_volume: str | None, compound: str, limits: PipetteLimits) -> Plan:
    """The design's plan, the overrides' lines first among its notes."""
    from dataclasses import replace

    from elab.cli._amounts import ul_from_text
    from elab.cli.options import library
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol
    from elab.domain.protocol.volumes import dosing_volumes
    from elab.errors import InputError

    loaded = library().load(protocol)
    working_ul = ul_from_text(well_volume, "--well-volume") if well_volume else None
    said: list[str] = []
    if well is not None and working_ul is None:
        final_ul = ul_from_text(well, "--well")
        dosed = dosing_volumes(loaded) if loaded.design and loaded.design.dosing else None
        added = add_ul if add_ul is not None else (dosed.addition_ul if dosed else None)
        if added is None:
            # No addition in the design: the planner chooses one inside this final volume.
            working_ul = final_ul
            said.append(f"--well {_ul(final_ul)} is the final volume; the design gives no "
                        "addition, the plan chooses one")
        else:
            working_ul = final_ul - added
            if working_ul <= 0:
                raise InputError(f"--well {_ul(final_ul)} leaves nothing in the well before "
                                 f"the {_ul(added)} addition")
            design_ul = dosed.working.ul if dosed is not None else None
            same = design_ul is not None and abs(design_ul - working_ul) < 1e-6
            said.append(
                f"--well {_ul(final_ul)} is the final volume: {_ul(working_ul)} in the well "
                f"+ {_ul(added)} added"
                + ("" if design_ul is None else " (the design's working volume, no change)"
                   if same else f", overriding the design's {_ul(design_ul)} working volume"))
    designed = serial_spec_from_protocol(
        loaded, stock=stock or None, add_ul=add_ul, well_volume_ul=working_ul, limits=limits,
        compound=compound if compound != "compound" else None,
        well_option="--well" if well is not None and well_volume is None else "--well-volume")
    plan = plan_serial(designed.spec)
    changes = [c for c in designed.changes
               if not (said and c.startswith(("--well ", "the design gives no addition")))]
    return replace(plan, notes=(*said, *changes, *plan.notes))


def _ul(ul: float) -> str:
    """A volume as people type it on the command line (``10 uL``)."""
    from elab.domain.dilution import volume_text

    return volume_text(ul).replace("µ", "u")


@dilute_app.command("mix")
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

    limits = _limits(min_volume, resolution, dead, overage)
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
    _emit(plan, as_json)


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
        _emit(plan_master_mix(list(found["components"]), reactions, limits, separately=tmpl,
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


@dilute_app.command("qpcr")
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
    plate: Annotated[str, typer.Option("--plate", help="96 or 384.")] = "96",
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
    a master mix per gene with overage, and the 96/384-well layout."""
    from pathlib import Path

    from elab.cli._amounts import ul_from_text
    from elab.domain.dilution import MixComponent, qpcr_components
    from elab.domain.dilution.qpcr import (
        QpcrDoesNotFit,
        QpcrSpec,
        control_notes,
        csv_from_qpcr,
        plan_qpcr,
        text_from_qpcr,
    )
    from elab.domain.plate.wells import format_from_text

    fmt = format_from_text(plate)
    if fmt.size not in (96, 384):
        raise typer.BadParameter("a qPCR plate has 96 or 384 wells", param_hint="--plate")
    tmpl = MixComponent("template (cDNA)", ul_from_text(template, "--template"))
    declared: dict[str, int] = {}
    design_no_rt: tuple[str, ...] = ()
    notes: list[str] = []
    if protocol is not None:
        from elab.cli.options import library
        from elab.domain.dilution.gene_mix import no_rt_genes
        from elab.domain.dilution.qpcr_design import qpcr_inputs_from_protocol

        loaded = library().load(protocol)
        found = qpcr_inputs_from_protocol(loaded, variant)
        genes = _names(gene) or found["genes"]
        samples = _names(sample) or found["samples"]
        components = found["components"]
        refs = _names(reference) or tuple(r for r in found["reference"] if r in genes)
        declared = found["controls"]
        if technical is None:
            technical = 1
            notes.append("one well per RNA and gene: the design's replicates are biological "
                         "RNAs (--technical 3 for technical triplicates)")
        design_no_rt = no_rt_genes(loaded)
        notes.append(f"reaction from step {found['mix_step']}: "
                     + " + ".join(f"{c.per_reaction_ul:g} µL {c.name.split(':')[0].split(',')[0]}"
                                  for c in components)
                     + f" + {tmpl.per_reaction_ul:g} µL template")
    else:
        genes, samples, refs = _names(gene), _names(sample), _names(reference)
        if not genes or not samples:
            raise typer.BadParameter("give a PROTOCOL, or --gene and --sample",
                                     param_hint="--gene")
        parts, _ = qpcr_components(reaction_ul=ul_from_text(reaction, "--reaction"),
                                   template_ul=tmpl.per_reaction_ul)
        components = tuple(parts)
    technical = 3 if technical is None else technical
    no_rt = _names(no_rt_gene) or tuple(g for g in design_no_rt if g in genes) or refs[:1]
    if not no_rt:
        notes.append("no reference gene: no-RT wells left out (give --no-rt-gene or --reference)")
    spec = QpcrSpec(genes=tuple(genes), samples=tuple(samples), components=tuple(components),
                    template=tmpl, technical=technical, ntc=ntc, no_rt_genes=tuple(no_rt),
                    control_replicates=control_replicates, reference=tuple(refs),
                    plate=fmt, plates=plates, limits=_limits(min_volume, resolution, dead, overage))
    try:
        plan = plan_qpcr(spec)
    except QpcrDoesNotFit as exc:
        if exc.proposal is not None:
            if as_json:
                print(json.dumps({"error": str(exc), "proposal": exc.proposal.to_dict()},
                                 indent=2, ensure_ascii=False))
            else:
                print("proposal (run again with --plates 2 for its master mixes):\n"
                      + text_from_qpcr(exc.proposal, mixes=False), end="")
        raise
    notes += control_notes(plan, declared)
    from dataclasses import replace

    plan = replace(plan, notes=(*plan.notes, *notes))
    if output is not None:
        Path(output).write_text(csv_from_qpcr(plan), encoding="utf-8")
    if as_json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(text_from_qpcr(plan), end="")


@dilute_app.command("seed")
def seed(
    count: Annotated[str, typer.Option("--count", help="Cells per mL counted (1.2e6/mL).")],
    cells: Annotated[str, typer.Option("--cells", help="Cells per well (5e4, 3000-5000).")],
    well: Annotated[str, typer.Option("--well", help="Volume per well.")],
    wells: Annotated[int, typer.Option("--wells", help="Number of wells.")],
    viability: Annotated[str, typer.Option("--viability", help="Viable fraction (92%).")] = "100%",
    live: Annotated[bool, typer.Option("--live", help="The count is of live cells.")] = False,
    medium: Annotated[str, typer.Option("--medium")] = "medium",
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    dead: DeadOpt = "0 uL",
    overage: OverOpt = "10%",
    as_json: JsonOpt = False,
) -> None:
    """Cell suspension per well from a count and viability."""
    from elab.cli._amounts import quantity, ul_from_text
    from elab.domain.dilution import plan_seeding
    from elab.errors import InputError
    from elab.units import convert

    text = count.strip().removesuffix("/mL").removesuffix("/ml").strip()
    try:
        per_ml = float(text)
    except ValueError:
        q = quantity(count, "cell_density", "--count")
        per_ml = convert(q.planned, q.unit, "cell / milliliter") or 0.0
    vq = quantity(viability, "dimensionless", "--viability")
    via = (convert(vq.planned, vq.unit, "") if vq.unit else vq.planned) or 0.0
    if via > 1 and not vq.unit:
        via /= 100
    cq = quantity(cells.replace("cells", "").strip(), "dimensionless", "--cells")
    if cq.low is None or cq.high is None:
        raise InputError("--cells needs a number or a range such as 3000-5000")
    plan = plan_seeding(per_ml, via, cq.planned, ul_from_text(well, "--well"), wells,
                        _limits(min_volume, resolution, dead, overage), medium, live,
                        range_text=cq.text if cq.low != cq.high else "")
    _emit(plan, as_json)


@dilute_app.command("ratio")
def ratio(
    reagent: Annotated[str, typer.Argument(help="What is diluted (anti-p-FAK).")],
    dilution: Annotated[str, typer.Argument(help="1:1000")],
    volume: Annotated[str, typer.Option("--volume", help="Final volume (5 mL).")],
    diluent: Annotated[str, typer.Option("--diluent")] = "blocking buffer",
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    as_json: JsonOpt = False,
) -> None:
    """A reagent at 1:N in a volume (antibodies)."""
    from elab.cli._amounts import ul_from_text
    from elab.domain.dilution import plan_ratio
    from elab.units import parse_ratio

    plan = plan_ratio(reagent, parse_ratio(dilution), ul_from_text(volume, "--volume"), diluent,
                      _limits(min_volume, resolution, "0 uL", "0"))
    _emit(plan, as_json)


@dilute_app.command("conc")
def conc(
    reagent: Annotated[str, typer.Argument(help="What is diluted (Matrigel).")],
    stock: Annotated[str, typer.Option("--stock", help="The lot's stock concentration.")],
    final: Annotated[str, typer.Option("--final", help="Working concentration (200 ug/mL).")],
    each: Annotated[str, typer.Option("--each", help="Volume per insert/well/tube.")],
    count: Annotated[int, typer.Option("--count", help="Number of inserts/wells/tubes.")] = 1,
    diluent: Annotated[str, typer.Option("--diluent")] = "serum-free medium",
    min_volume: MinOpt = "1 uL",
    resolution: ResOpt = "0.1 uL",
    dead: DeadOpt = "0 uL",
    overage: OverOpt = "10%",
    as_json: JsonOpt = False,
) -> None:
    """A reagent diluted to a concentration from its stock (C1·V1 = C2·V2)."""
    from elab.cli._amounts import magnitude_in, quantity, ul_from_text
    from elab.domain.dilution import plan_dilution

    fq = quantity(final, "concentration", "--final")
    plan = plan_dilution(reagent, magnitude_in(stock, "concentration", fq.unit, "--stock"),
                         fq.planned, fq.unit, ul_from_text(each, "--each"), count, diluent,
                         _limits(min_volume, resolution, dead, overage))
    _emit(plan, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(dilute_app, name="dilute")
