"""qPCR plates: genes × samples × technical replicates, an NTC per gene, a no-RT per sample,
a master mix per gene with overage, and where each reaction goes on a 96- or 384-well plate.

The controls follow MIQE (Bustin et al., Clin Chem 2009, 55:611): a no-template control
(NTC, water as template) for every assay, to see contamination and primer dimers, and a
no-reverse-transcription control (no-RT) for every RNA sample, to see genomic DNA.  A no-RT
is run with one assay (by default the reference gene), as the protocol says.

When the reactions do not fit one plate the plan is refused with a two-plate proposal:
every sample of a gene stays on one plate (the "sample maximisation" of Hellemans et al.,
Genome Biol 2007, 8:R19), and the reference gene goes on both plates, so each plate has the
reference that the 2^-ΔΔCt of its own targets needs without an inter-run correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from elab.domain.dilution.gene_mix import gene_component
from elab.domain.dilution.mix import MixComponent, plan_master_mix
from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.table import Plan, volume_text
from elab.domain.plate.layout import Layout, Placement
from elab.domain.plate.wells import PlateFormat, well_from_ij
from elab.errors import InfeasibleError, InputError

__all__ = [
    "QpcrDoesNotFit",
    "QpcrPlan",
    "QpcrSpec",
    "QpcrWell",
    "control_notes",
    "csv_from_qpcr",
    "layout_from_qpcr",
    "plan_qpcr",
    "text_from_qpcr",
    "wells_needed",
]

SAMPLE, NTC, NO_RT = "sample", "ntc", "no-rt"


@dataclass(frozen=True)
class QpcrSpec:
    """What the plate must hold and what goes into one reaction."""

    genes: tuple[str, ...]
    samples: tuple[str, ...]
    components: tuple[MixComponent, ...]
    template: MixComponent
    technical: int = 3
    ntc: bool = True
    no_rt_genes: tuple[str, ...] = ()
    control_replicates: int = 1
    reference: tuple[str, ...] = ()
    plate: PlateFormat = field(default_factory=lambda: PlateFormat(8, 12))
    plates: int = 1
    limits: PipetteLimits = field(default_factory=PipetteLimits)

    def __post_init__(self) -> None:
        for name, items in (("gene", self.genes), ("sample", self.samples)):
            if not items:
                raise InputError(f"a qPCR plate needs at least one {name}")
            repeated = sorted({i for i in items if items.count(i) > 1})
            if repeated:
                raise InputError(f"{name} {repeated[0]!r} is listed twice")
        unknown = [g for g in (*self.no_rt_genes, *self.reference) if g not in self.genes]
        if unknown:
            raise InputError(f"gene {unknown[0]!r} (no-RT or reference) is not one of "
                             f"{', '.join(self.genes)}")
        if self.technical < 1 or self.control_replicates < 1:
            raise InputError("technical and control replicates must be at least 1")
        if self.plates not in (1, 2):
            raise InputError("a qPCR plan is made for one plate or split over two")


@dataclass(frozen=True)
class QpcrWell:
    """One reaction: its plate and well, the assay (gene), the template and its role."""

    plate: int
    well: str
    gene: str
    sample: str
    kind: str
    replicate: int


@dataclass(frozen=True)
class QpcrPlan:
    """The wells of every plate, one master mix per gene and plate, and notes."""

    wells: tuple[QpcrWell, ...]
    mixes: tuple[tuple[int, str, Plan], ...]
    plates: int
    plate: PlateFormat
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "plates": self.plates,
            "plate": self.plate.name,
            "wells": [w.__dict__ for w in self.wells],
            "mixes": [{"plate": p, "gene": g, **plan.to_dict()} for p, g, plan in self.mixes],
            "figures": {"wells": len(self.wells), "capacity": self.plate.size * self.plates},
            "notes": list(self.notes),
        }


class QpcrDoesNotFit(InfeasibleError):
    """The reactions do not fit one plate; ``proposal`` is the two-plate plan (or None)."""

    def __init__(self, message: str, proposal: QpcrPlan | None) -> None:
        super().__init__(message)
        self.proposal = proposal


def _reactions(spec: QpcrSpec, gene: str) -> list[tuple[str, str, int]]:
    """(template, kind, replicate) of every reaction with ``gene``'s assay, in plate order:
    each sample's technical replicates side by side, then its no-RTs, then the NTCs."""
    out = [(s, SAMPLE, r) for s in spec.samples for r in range(1, spec.technical + 1)]
    if gene in spec.no_rt_genes:
        out += [(s, NO_RT, r) for s in spec.samples
                for r in range(1, spec.control_replicates + 1)]
    if spec.ntc:
        out += [("water", NTC, r) for r in range(1, spec.control_replicates + 1)]
    return out


def wells_needed(spec: QpcrSpec, genes: tuple[str, ...] | None = None) -> int:
    """Reactions for ``genes`` (all by default)."""
    return sum(len(_reactions(spec, g)) for g in (spec.genes if genes is None else genes))


def _split(spec: QpcrSpec) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Genes of plate 1 and plate 2: the reference on both, targets split where the fuller
    plate is emptiest; None when no split fits."""
    targets = [g for g in spec.genes if g not in spec.reference]
    ref = tuple(g for g in spec.genes if g in spec.reference)
    best: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None
    for k in range(1, len(targets)):
        one, two = (*targets[:k], *ref), (*targets[k:], *ref)
        load = max(wells_needed(spec, one), wells_needed(spec, two))
        if load <= spec.plate.size and (best is None or load < best[0]):
            best = (load, one, two)
    if best is None:
        return None
    order = {g: i for i, g in enumerate(spec.genes)}
    return (tuple(sorted(best[1], key=order.__getitem__)),
            tuple(sorted(best[2], key=order.__getitem__)))


def _place(spec: QpcrSpec, plate: int, genes: tuple[str, ...]) -> list[QpcrWell]:
    """Row by row; a sample's technical replicates are kept in one row (one multichannel
    stroke, and a row effect hits all of them alike) unless that would overflow the plate."""
    for aligned in (True, False):
        wells: list[QpcrWell] = []
        index = 0
        for gene in genes:
            for sample, kind, rep in _reactions(spec, gene):
                group = spec.technical if kind == SAMPLE else 1
                left = spec.plate.cols - index % spec.plate.cols
                if aligned and rep == 1 and group <= spec.plate.cols and left < group:
                    index += left
                i, j = divmod(index, spec.plate.cols)
                wells.append(QpcrWell(plate, well_from_ij(i, j), gene, sample, kind, rep))
                index += 1
        if index <= spec.plate.size:
            return wells
    return wells


def _mix(spec: QpcrSpec, plate: int, gene: str, count: int, plates: int) -> Plan:
    where = f" (plate {plate})" if plates > 1 else ""
    # A material declared once for all genes ("primers: SNAI1, ZEB1, ...") is this gene's.
    parts = [gene_component(c, gene, spec.genes) for c in spec.components]
    return plan_master_mix(parts, count, spec.limits, separately=spec.template,
                           title=f"{gene} master mix{where} × {count} reactions")


def _plan(spec: QpcrSpec, groups: list[tuple[str, ...]]) -> QpcrPlan:
    wells: list[QpcrWell] = []
    mixes: list[tuple[int, str, Plan]] = []
    for plate, genes in enumerate(groups, start=1):
        placed = _place(spec, plate, genes)
        wells += placed
        for gene in genes:
            count = sum(1 for w in placed if w.gene == gene)
            mixes.append((plate, gene, _mix(spec, plate, gene, count, len(groups))))
    # Counted from the wells placed: a reference on both plates brings its NTC and no-RTs
    # twice, and the headline must say what the plates hold.
    ntc = sum(1 for w in wells if w.kind == NTC)
    no_rt = sum(1 for w in wells if w.kind == NO_RT)
    tech = (f"{spec.technical} technical replicates" if spec.technical > 1
            else "1 well each")
    notes = [f"{len(wells)} reactions on {len(groups)} {spec.plate.name} plate(s): "
             f"{len(spec.genes)} genes × {len(spec.samples)} samples × {tech}"
             + (f" + {ntc} NTC" if spec.ntc else "")
             + (f" + {no_rt} no-RT ({', '.join(spec.no_rt_genes)})" if spec.no_rt_genes else "")
             + (" (the reference's samples and controls on both plates)"
                if len(groups) > 1 and spec.reference else "")]
    if spec.ntc:
        notes.append(f"NTC wells get {volume_text(spec.template.per_reaction_ul)} of water "
                     "instead of template")
    if spec.no_rt_genes:
        notes.append("no-RT wells get each sample's no-RT reaction as template")
    if len(groups) > 1 and spec.reference:
        notes.append(f"reference {', '.join(spec.reference)} is on both plates, so each plate's "
                     "targets are normalised on their own plate")
    elif len(groups) > 1:
        notes.append("no reference gene given (--reference): each plate should carry one")
    return QpcrPlan(tuple(wells), tuple(mixes), len(groups), spec.plate, tuple(notes))


def plan_qpcr(spec: QpcrSpec) -> QpcrPlan:
    """The plate plan; :class:`QpcrDoesNotFit` (with a two-plate proposal) when one plate is
    too small and two were not asked for."""
    need = wells_needed(spec)
    if spec.plates == 1 and need <= spec.plate.size:
        return _plan(spec, [spec.genes])
    groups = _split(spec)
    if spec.plates == 2:
        if groups is None:
            raise InfeasibleError(f"{need} reactions (with the reference on both plates) do "
                                  f"not fit two {spec.plate.name} plates; use a 384-well plate "
                                  "or fewer replicates")
        return _plan(spec, list(groups))
    proposal = _plan(replace(spec, plates=2), list(groups)) if groups is not None else None
    bigger = " or one 384-well plate (--plate 384)" if spec.plate.size < 384 and \
        need <= 384 else ""
    hint = f"; proposal: two plates (--plates 2){bigger}" if proposal is not None else \
        f"; not even two plates hold them{bigger or '; use fewer replicates'}"
    raise QpcrDoesNotFit(f"{need} reactions do not fit one {spec.plate.name} plate "
                         f"({spec.plate.size} wells){hint}", proposal)


def control_notes(plan: QpcrPlan, declared: dict[str, int]) -> list[str]:
    """Where the plan's NTC and no-RT counts differ from the controls the design declares."""
    counts = {NTC: sum(1 for w in plan.wells if w.kind == NTC),
              NO_RT: sum(1 for w in plan.wells if w.kind == NO_RT)}
    notes = []
    for name, count in declared.items():
        low = name.lower().replace("_", "-")
        kind = NTC if ("template" in low or "ntc" in low) else NO_RT if "rt" in low else None
        if kind is not None and count != counts[kind]:
            why = (" (add --no-rt-gene for more)" if kind == NO_RT and counts[kind] < count
                   else " (the reference's controls are on both plates)"
                   if plan.plates > 1 and counts[kind] > count else "")
            notes.append(f"the design declares {count} {name} wells; this plan has "
                         f"{counts[kind]}{why}")
    return notes


def _runs(wells: list[QpcrWell]) -> list[tuple[str, QpcrWell, int]]:
    """Consecutive wells holding the same reaction: (first-last, the well, count)."""
    out: list[tuple[str, QpcrWell, int]] = []
    start = 0
    for i in range(1, len(wells) + 1):
        a = wells[start]
        if i == len(wells) or (wells[i].gene, wells[i].sample, wells[i].kind) != \
                (a.gene, a.sample, a.kind):
            last = wells[i - 1]
            span = a.well if i - 1 == start else f"{a.well}-{last.well}"
            out.append((span, a, i - start))
            start = i
    return out


def text_from_qpcr(plan: QpcrPlan, mixes: bool = True) -> str:
    """The plate(s) as runs of wells, then (unless ``mixes`` is false) each master mix."""
    lines = [*plan.notes, ""]
    labels = {SAMPLE: "", NTC: "NTC", NO_RT: "no-RT"}
    for plate in range(1, plan.plates + 1):
        wells = [w for w in plan.wells if w.plate == plate]
        lines.append(f"plate {plate} ({plan.plate.name}): {len(wells)} of {plan.plate.size} wells")
        for span, w, n in _runs(wells):
            what = w.sample if w.kind == SAMPLE else f"{labels[w.kind]} {w.sample}"
            if w.kind == NTC:
                what = "NTC (water)"
            lines.append(f"  {span:<9} {w.gene:<10} {what}" + (f"  ×{n}" if n > 1 else ""))
        lines.append("")
    for _, _, mix in plan.mixes if mixes else ():
        lines += [mix.text(), ""]
    return "\n".join(lines).rstrip() + "\n"


def layout_from_qpcr(
    plan: QpcrPlan, gene_factor: str = "gene",
    sample_levels: dict[str, tuple[tuple[str, str], ...]] | None = None,
) -> Layout:
    """The plan as a plate layout, each well naming its gene and its template
    (``SNAI1 vehicle-1``, ``GAPDH no-RT defactinib-2``, ``ZEB1 NTC (water)``); the columns
    are the design's other factors (from ``sample_levels``), the gene and the sample."""
    levels_of = sample_levels or {}
    others = tuple(dict.fromkeys(f for levels in levels_of.values() for f, _ in levels))
    placements = []
    for w in plan.wells:
        what = {SAMPLE: w.sample, NTC: "NTC (water)", NO_RT: f"no-RT {w.sample}"}[w.kind]
        levels = (*levels_of.get(w.sample, ()), (gene_factor, w.gene), ("sample", w.sample))
        placements.append(Placement(w.plate, w.well, f"{w.gene} {what}", levels, w.replicate,
                                    w.kind))
    return Layout(plan.plate, tuple(placements), (*others, gene_factor, "sample"), plan.plates,
                  notes=plan.notes)


def csv_from_qpcr(
    plan: QpcrPlan, gene_factor: str = "gene",
    sample_levels: dict[str, tuple[tuple[str, str], ...]] | None = None,
) -> str:
    """The layout file of ``elab plate layout -o`` for this plan (controls ``ntc`` and
    ``no-rt``), safe for spreadsheets."""
    from elab.domain.plate.csvio import csv_from_layout

    return csv_from_layout(layout_from_qpcr(plan, gene_factor, sample_levels))
