"""``elab dilute seed|ratio|conc``: one-step plans from typed numbers (cells per well, an
antibody at 1:N, a reagent to a working concentration)."""

from __future__ import annotations

from typing import Annotated

import typer

from elab.cli.dilute_options import DeadOpt, JsonOpt, MinOpt, OverOpt, ResOpt, emit, pipette_limits

__all__ = ["register"]


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
                        pipette_limits(min_volume, resolution, dead, overage), medium, live,
                        range_text=cq.text if cq.low != cq.high else "")
    emit(plan, as_json)


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
                      pipette_limits(min_volume, resolution, "0 uL", "0"))
    emit(plan, as_json)


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
                         pipette_limits(min_volume, resolution, dead, overage))
    emit(plan, as_json)



def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
    app.command("ratio")(ratio)
    app.command("conc")(conc)
