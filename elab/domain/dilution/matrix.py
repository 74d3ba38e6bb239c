"""A combination dose matrix (drug A × drug B, seed 004) with one vehicle percentage in every
well.

Each drug's series is planned by :func:`plan_serial` at half the vehicle's final percentage, so
a well with both drugs, with one drug and that drug's partner replaced by vehicle, or with
vehicle only, always holds the full percentage: the missing drug is replaced by its vehicle
working solution, added by the same volume.
"""

from __future__ import annotations

from dataclasses import replace

from elab.domain.dilution.serial import SerialSpec, plan_serial
from elab.domain.dilution.table import Plan, Row, volume_text
from elab.errors import InputError

__all__ = ["plan_matrix"]


def plan_matrix(a: SerialSpec, b: SerialSpec, replicates: int = 3) -> Plan:
    """Rows making both series, then one row per matrix cell (0 = that drug's vehicle)."""
    if a.well_ul != b.well_ul:
        raise InputError("both drugs of a matrix go into the same wells: give one well volume")
    if a.vehicle_fraction != b.vehicle_fraction or a.vehicle != b.vehicle:
        raise InputError("both drugs must use the same vehicle at the same final percentage")
    f = a.vehicle_fraction
    half_a = replace(a, vehicle_fraction=f / 2, wells=(b.points + 1) * replicates,
                     control_wells=(b.points + 1) * replicates)
    half_b = replace(b, vehicle_fraction=f / 2, wells=(a.points + 1) * replicates,
                     control_wells=(a.points + 1) * replicates)
    plan_a, plan_b = plan_serial(half_a), plan_serial(half_b)
    rows: list[Row] = []
    for name, plan in ((a.compound, plan_a), (b.compound, plan_b)):
        for r in plan.rows:
            if r.step.startswith("wells") or r.step.endswith("control"):
                continue
            rows.append(replace(r, step=f"{name} {r.step}",
                                source=r.source if r.source in (a.vehicle, a.diluent)
                                else f"{name} {r.source}"))
    fa, fb = plan_a.figures, plan_b.figures
    add_a, add_b = fa["add_ul"], fb["add_ul"]
    rest = a.limits.nearest(a.well_ul - add_a - add_b)
    if rest < 0:
        raise InputError(
            f"{volume_text(add_a)} + {volume_text(add_b)} of working solutions exceed the "
            f"{volume_text(a.well_ul)} well"
        )
    total = add_a + add_b + rest
    src_a = "working" if fa["intermediate"] else "point"
    src_b = "working" if fb["intermediate"] else "point"
    finals: list[list[tuple[float, float]]] = []
    vehicle: set[float] = set()
    for i in range(a.points + 1):
        line = []
        for j in range(b.points + 1):
            ca = fa["working"][i - 1] * add_a / total if i else 0.0
            cb = fb["working"][j - 1] * add_b / total if j else 0.0
            veh = (fa["working_vehicle"] * add_a + fb["working_vehicle"] * add_b) / total
            vehicle.add(round(veh, 12))
            line.append((ca, cb))
            text_a = half_a.c(ca) if i else "0"
            text_b = half_b.c(cb) if j else "0"
            rows.append(Row(
                f"well A{i}·B{j}",
                f"{a.compound} {src_a} {i}" if i else f"{a.compound} {src_a} vehicle",
                add_a,
                f"{b.compound} {src_b} {j}" if j else f"{b.compound} {src_b} vehicle",
                add_b,
                total,
                f"{a.compound} {text_a} + {b.compound} {text_b}"
                + (f", {veh * 100:.4g} % {a.vehicle}" if f else ""),
                f"each of {replicates} wells, with {volume_text(rest)} medium (cells)",
            ))
        finals.append(line)
    notes = [*plan_a.notes, *plan_b.notes,
             f"each drug's series carries half the {a.vehicle}; a missing drug is replaced by its "
             "vehicle working solution, so every well holds the same percentage"]
    for r in rows:
        for ul in (r.volume_ul, r.diluent_ul):
            if ul:
                a.limits.check(ul, f"step {r.step!r}")
    title = (f"{a.compound} × {b.compound} matrix: {a.points + 1} × {b.points + 1} cells, "
             f"{volume_text(a.well_ul)} wells" + (f", {a.vehicle} {f * 100:.4g} %" if f else ""))
    return Plan(title, tuple(rows), tuple(dict.fromkeys(notes)),
                {"finals": finals, "vehicle_fraction": sorted(vehicle),
                 "add_ul": [add_a, add_b]})
