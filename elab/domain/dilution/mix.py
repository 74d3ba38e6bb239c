"""Master mixes and single dilutions: qPCR mixes with overage, Matrigel to a working
concentration from a lot's stock, antibodies by ratio (1:1000 in 5 mL).

A mix is made for ``n × (1 + overage)`` reactions so the last well is not short; the template
is never in the mix (each sample's own), and the plan says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.table import Plan, Row, conc_text, volume_text
from elab.errors import InputError
from elab.units import Ratio

__all__ = ["MixComponent", "plan_dilution", "plan_master_mix", "plan_ratio", "qpcr_components"]


@dataclass(frozen=True)
class MixComponent:
    """A component and its volume in one reaction."""

    name: str
    per_reaction_ul: float
    final: str = ""


def qpcr_components(
    reaction_ul: float = 20.0,
    template_ul: float = 2.0,
    mix_fold: float = 2.0,
    primer_stock_um: float = 10.0,
    primer_final_um: float = 0.4,
) -> tuple[list[MixComponent], MixComponent]:
    """(mix components, template) of a SYBR Green qPCR reaction: 1× master mix, forward and
    reverse primer, water to volume; the template is added to each well separately."""
    if primer_final_um > primer_stock_um:
        raise InputError(
            f"primer final {primer_final_um:g} µM is above its {primer_stock_um:g} µM stock"
        )
    sybr = reaction_ul / mix_fold
    primer = reaction_ul * primer_final_um / primer_stock_um
    water = reaction_ul - template_ul - sybr - 2 * primer
    if water < 0:
        raise InputError(
            f"a {reaction_ul:g} µL reaction cannot hold {template_ul:g} µL template, "
            f"{sybr:g} µL {mix_fold:g}× mix and 2 × {primer:g} µL primers"
        )
    parts = [
        MixComponent(f"SYBR Green master mix {mix_fold:g}×", sybr, "1×"),
        MixComponent(f"forward primer {primer_stock_um:g} µM", primer, f"{primer_final_um:g} µM"),
        MixComponent(f"reverse primer {primer_stock_um:g} µM", primer, f"{primer_final_um:g} µM"),
        MixComponent("nuclease-free water", water),
    ]
    return parts, MixComponent("template (cDNA)", template_ul)


def plan_master_mix(
    components: list[MixComponent],
    reactions: int,
    limits: PipetteLimits | None = None,
    separately: MixComponent | None = None,
    title: str = "Master mix",
) -> Plan:
    """Totals for ``reactions × (1 + overage)``; every volume checked against the minimum."""
    lim = limits or PipetteLimits()
    if reactions < 1:
        raise InputError("a master mix needs at least one reaction")
    made = reactions * (1 + lim.overage)
    rows = []
    for c in components:
        if c.per_reaction_ul <= 0:
            continue
        total = lim.nearest(c.per_reaction_ul * made)
        lim.check(total, f"{c.name} for {made:g} reactions")
        rows.append(Row("mix", c.name, total, final=c.final,
                        per=f"{volume_text(c.per_reaction_ul)} per reaction"))
    mix_per = sum(c.per_reaction_ul for c in components)
    total_mix = sum(r.volume_ul for r in rows)
    notes = [f"made for {reactions} reactions + {lim.overage * 100:g} % = {made:g} reactions; "
             f"{volume_text(total_mix)} in all"]
    if separately is not None:
        lim.check(separately.per_reaction_ul, f"{separately.name} per well")
        rows.append(Row("each well", "master mix", mix_per, separately.name,
                        separately.per_reaction_ul, mix_per + separately.per_reaction_ul,
                        per=f"each of {reactions} wells"))
        each = volume_text(separately.per_reaction_ul)
        notes.append(f"{separately.name} is not in the mix: add {each} to each well")
    return Plan(title, tuple(rows), tuple(notes),
                {"reactions": reactions, "made_for": made, "total_ul": total_mix})


def _with_predilution(
    name: str, ratio: float, volume_ul: float, diluent: str, lim: PipetteLimits, final: str
) -> tuple[list[Row], list[str]]:
    """Rows for ``volume_ul`` of a 1:``ratio`` dilution, pre-diluting (1:10 steps) when the
    stock volume would be below the minimum."""
    rows: list[Row] = []
    notes: list[str] = []
    pre = 1.0
    while volume_ul / (ratio / pre) < lim.min_ul and ratio / pre > 10:
        pre *= 10
    source = name
    if pre > 1:
        take = lim.min_ul
        rows.append(Row("pre-dilution", name, take, diluent, lim.nearest(take * (pre - 1)),
                        take * pre, f"1:{pre:g}"))
        notes.append(f"{volume_text(volume_ul / ratio)} of {name} is below the {lim.min_ul:g} µL "
                     f"minimum: pre-dilute 1:{pre:g} first")
        source = "pre-dilution"
    take = lim.nearest(volume_ul * pre / ratio)
    lim.check(take, f"{name} for {volume_text(volume_ul)}")
    rows.append(Row("dilution", source, take, diluent, lim.nearest(volume_ul - take),
                    volume_ul, final))
    return rows, notes


def plan_ratio(name: str, ratio: Ratio, volume_ul: float, diluent: str = "blocking buffer",
               limits: PipetteLimits | None = None) -> Plan:
    """An antibody (or any reagent) at ``1:N`` in ``volume_ul``: 1:1000 in 5 mL → 5 µL."""
    lim = limits or PipetteLimits()
    factor = ratio.dilution_factor
    if factor < 1:
        raise InputError(f"ratio {ratio} is not a dilution")
    rows, notes = _with_predilution(name, factor, volume_ul, diluent, lim, f"1:{factor:g}")
    return Plan(f"{name} 1:{factor:g} in {volume_text(volume_ul)} {diluent}", tuple(rows),
                tuple(notes), {"factor": factor})


def plan_dilution(
    name: str,
    stock: float,
    final: float,
    unit: str,
    per_unit_ul: float,
    count: int = 1,
    diluent: str = "serum-free medium",
    limits: PipetteLimits | None = None,
) -> Plan:
    """``count`` × ``per_unit_ul`` (+ overage) of ``name`` at ``final`` from ``stock`` (C1V1):
    Matrigel from a lot's 9.2 mg/mL to 200 µg/mL, 50 µL per insert."""
    lim = limits or PipetteLimits()
    if stock < final:
        raise InputError(
            f"the {name} stock ({conc_text(stock, unit)}) is weaker than the "
            f"{conc_text(final, unit)} wanted"
        )
    if final <= 0 or per_unit_ul <= 0 or count < 1:
        raise InputError("final concentration, volume and count must be positive")
    volume = lim.nearest(per_unit_ul * count * (1 + lim.overage) + lim.dead_ul)
    rows, notes = _with_predilution(name, stock / final, volume, diluent, lim,
                                    conc_text(final, unit))
    rows.append(Row("use", "dilution", per_unit_ul, per=f"each of {count}"))
    notes.insert(0, f"{count} × {volume_text(per_unit_ul)} + {lim.overage * 100:g} % overage"
                 + (f" + {volume_text(lim.dead_ul)} dead volume" if lim.dead_ul else ""))
    return Plan(f"{name} to {conc_text(final, unit)} from {conc_text(stock, unit)}",
                tuple(rows), tuple(notes), {"volume_ul": volume, "factor": stock / final})
