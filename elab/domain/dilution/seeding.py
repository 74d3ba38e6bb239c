"""Cell seeding: from a count and viability to the suspension per well.

Counts are of all cells (trypan blue: live + dead) unless ``counted_live``; only live cells
are seeded.  When the suspension is denser than needed it is diluted to the seeding density
(cells per well ÷ well volume) in one tube for all wells plus overage; when it is thinner, no
dilution can help and the plan says how much to concentrate it (spin down and resuspend).
"""

from __future__ import annotations

from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.table import Plan, Row, volume_text
from elab.errors import InfeasibleError, InputError
from elab.units import format_magnitude

__all__ = ["plan_seeding"]


def plan_seeding(
    count_per_ml: float,
    viability: float,
    cells_per_well: float,
    well_ul: float,
    wells: int,
    limits: PipetteLimits | None = None,
    medium: str = "medium",
    counted_live: bool = False,
    range_text: str = "",
) -> Plan:
    """``wells`` wells of ``cells_per_well`` live cells in ``well_ul``.  ``viability`` is a
    fraction (0.92); ``range_text`` names the range the target came from (3,000–5,000)."""
    lim = limits or PipetteLimits()
    if not 0 < viability <= 1:
        raise InputError(f"viability must be between 0 and 100 %, not {viability * 100:g} %")
    if count_per_ml <= 0 or cells_per_well <= 0 or well_ul <= 0 or wells < 1:
        raise InputError("count, cells per well, well volume and wells must be positive")
    live = count_per_ml * (1 if counted_live else viability)
    density = cells_per_well / (well_ul / 1000)  # cells/mL to seed at
    total = lim.nearest(wells * well_ul * (1 + lim.overage) + lim.dead_ul)
    notes = [
        f"live cells: {format_magnitude(live)}/mL"
        + ("" if counted_live else f" ({format_magnitude(count_per_ml)}/mL × "
                                   f"{viability * 100:g} % viable)"),
        f"seed at {format_magnitude(density)} cells/mL: {format_magnitude(cells_per_well)} "
        f"cells in {volume_text(well_ul)} per well"
        + (f" (from {range_text})" if range_text else ""),
    ]
    if live < density * (1 - 1e-9):
        factor = density / live
        raise InfeasibleError(
            f"the suspension has {format_magnitude(live)} live cells/mL but seeding "
            f"{format_magnitude(cells_per_well)} cells in {volume_text(well_ul)} needs "
            f"{format_magnitude(density)}/mL: spin down and resuspend in 1/{factor:.3g} "
            "of the volume"
        )
    suspension = lim.nearest(total * density / live)
    lim.check(suspension, "cell suspension for the seeding tube")
    rows = [
        Row("seeding suspension", "cell suspension", suspension, medium,
            lim.nearest(total - suspension), total,
            f"{format_magnitude(density)} cells/mL"),
        Row("each well", "seeding suspension", well_ul,
            final=f"{format_magnitude(cells_per_well)} cells", per=f"each of {wells} wells"),
    ]
    direct = cells_per_well / live * 1000
    notes.append(f"undiluted that is {volume_text(direct)} of suspension per well, topped up to "
                 f"{volume_text(well_ul)}")
    return Plan(f"Seed {wells} wells × {format_magnitude(cells_per_well)} cells",
                tuple(rows), tuple(notes),
                {"live_per_ml": live, "density_per_ml": density, "suspension_ul": suspension,
                 "total_ul": total, "per_well_undiluted_ul": direct})
