"""``elab dilute serial``: a serial dilution from typed numbers or from a protocol's design."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from elab.cli.dilute_options import DeadOpt, JsonOpt, MinOpt, OverOpt, ResOpt, emit, pipette_limits

if TYPE_CHECKING:
    from elab.domain.dilution import PipetteLimits, Plan
    from elab.domain.protocol.model import Protocol

__all__ = ["register"]


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

    limits = pipette_limits(min_volume, resolution, dead, overage)
    add_ul = ul_from_text(add, "--add") if add else None
    if protocol is not None:
        plans = _from_protocol(protocol, stock, add_ul, well, well_volume, compound, limits)
        if len(plans) == 1:
            emit(plans[0], as_json)
        elif as_json:  # a combination matrix: one plan per drug
            print(json.dumps([p.to_dict() for p in plans], indent=2, ensure_ascii=False))
        else:
            print("\n\n".join(_wrapped(p.text()) for p in plans))
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
    emit(plan_serial(spec), as_json)


def _wrapped(text: str) -> str:
    """A plan's title and notes folded to 80 columns (the table stays as it is: a narrow
    screen cuts it at the right edge, the plate codes beside the steps)."""
    import textwrap

    lines = text.splitlines()
    return "\n".join(textwrap.fill(line, 80, subsequent_indent="      ")
                     if k == 0 or line.startswith("note: ") else line
                     for k, line in enumerate(lines))


def _from_protocol(protocol: str, stock: str, add_ul: float | None, well: str | None,
                   well_volume: str | None, compound: str, limits: PipetteLimits
                   ) -> list[Plan]:
    """The design's plan per dosing (a combination matrix has one per drug)."""
    from elab.cli.options import library

    loaded = library().load(protocol)
    count = len(loaded.design.dosing) if loaded.design is not None else 0
    return [_planned(loaded, i, stock, add_ul, well, well_volume, compound, limits)
            for i in range(max(count, 1))]


def _planned(loaded: Protocol, index: int, stock: str, add_ul: float | None,
             well: str | None, well_volume: str | None, compound: str,
             limits: PipetteLimits) -> Plan:
    """The plan of the design's ``index``-th dosing, the overrides' lines first among its
    notes."""
    from dataclasses import replace

    from elab.cli._amounts import ul_from_text
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol
    from elab.domain.protocol.volumes import dosing_volumes
    from elab.errors import InputError

    working_ul = ul_from_text(well_volume, "--well-volume") if well_volume else None
    said: list[str] = []
    if well is not None and working_ul is None:
        final_ul = ul_from_text(well, "--well")
        dosed = (dosing_volumes(loaded, index) if loaded.design and loaded.design.dosing
                 else None)
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
        compound=compound if compound != "compound" else None, dosing_index=index,
        well_option="--well" if well is not None and well_volume is None else "--well-volume")
    plan = plan_serial(designed.spec)
    changes = [c for c in designed.changes
               if not (said and c.startswith(("--well ", "the design gives no addition")))]
    return replace(plan, notes=(*said, *changes, *plan.notes))


def _ul(ul: float) -> str:
    """A volume as people type it on the command line (``10 uL``)."""
    from elab.domain.dilution import volume_text

    return volume_text(ul).replace("µ", "u")



def register(app: typer.Typer) -> None:
    app.command("serial")(serial)
