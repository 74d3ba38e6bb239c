"""A protocol's lysates as a gel plan's groups: what the densitometry compares together.

The group is the factor the densitometry hook matches controls by (``match_by: time``: each
lane over the DMSO lanes of its own time point), else the design's ``plate_by``, else the
whole design; a group's units are its replicates (``#1``, ``#2``...: p-FAK's 6-well plates,
each with its own DMSO well).  Samples are named as everywhere else (``10 nM / 24 h #2``,
:func:`~elab.domain.protocol.samples.sample_names`).  The gel comes from the protocol's
material ``gel`` (``15-well`` in its name), the count it uses from its electrophoresis step.
"""

from __future__ import annotations

import re
from typing import Any

from elab.domain.plate.gels import GelGroup, GelPlan, GelSpec, plan_gels
from elab.errors import InputError

__all__ = ["gel_plan_from_protocol", "group_factor", "protocol_gels"]

_WELLS = re.compile(r"(\d+)\s*-?\s*wells?\b", re.IGNORECASE)


def group_factor(protocol: Any) -> str | None:
    """The factor whose levels are compared apart: densitometry's ``match_by``, else the
    design's ``plate_by``."""
    for hook in protocol.analysis or []:
        if hook.hook == "densitometry" and (hook.params or {}).get("match_by"):
            return str(hook.params["match_by"])
    design = protocol.design
    return design.plate_by if design is not None else None


def protocol_gels(protocol: Any) -> tuple[int | None, int | None]:
    """(wells per gel from the ``gel`` material's name, gels its steps use), None if unsaid."""
    material = (protocol.materials or {}).get("gel")
    found = _WELLS.search(getattr(material, "name", "") or "")
    counts = [u.amount.planned for s in protocol.steps for u in s.uses
              if u.material == "gel" and u.amount is not None and not u.amount.unit]
    return (int(found.group(1)) if found else None, int(counts[0]) if counts else None)


def _groups(protocol: Any, by: str | None) -> tuple[GelGroup, ...]:
    from elab.domain.plate.design import spec_from_design
    from elab.domain.protocol.samples import sample_names

    design = protocol.design
    names = sample_names(design)
    if not names:
        raise InputError(f"protocol {protocol.id!r}: its design names no samples to run")
    levels = {c.name: dict(c.levels) for c in
              spec_from_design(design, plate=design.plate or 96).conditions()}
    groups: dict[str, dict[str, list[str]]] = {}
    for name in names:
        condition, _, replicate = name.rpartition(" #")
        level = levels.get(condition, {}).get(by) if by else None
        group = f"{by} {level}" if level is not None else (condition if by else "all samples")
        unit = f"{level} #{replicate}" if level is not None else f"#{replicate}"
        groups.setdefault(group, {}).setdefault(unit, []).append(name)
    return tuple(GelGroup(g, tuple((u, tuple(s)) for u, s in units.items()))
                 for g, units in groups.items())


def gel_plan_from_protocol(protocol: Any, *, wells: int | None = None, ladder: int = 1,
                           gels: int | None = None) -> GelPlan:
    """The protocol's lysates on gels, the gel its materials name unless ``wells`` is given;
    the notes say when the gels its steps use cannot keep the comparisons together."""
    if protocol.design is None:
        raise InputError(f"protocol {protocol.id!r} has no design: block to run on gels")
    named_wells, used = protocol_gels(protocol)
    by = group_factor(protocol)
    spec = GelSpec(_groups(protocol, by), wells or named_wells or 15, ladder, gels, by)
    plan = plan_gels(spec)
    notes = list(plan.notes)
    if wells is None and named_wells is None:
        notes.append("the protocol's gel names no well count: 15 wells assumed (--wells)")
    if gels is None and used is not None and used < len(plan.gels):
        notes.append(f"the protocol's steps use {used} gels; keeping the comparisons together "
                     f"takes {len(plan.gels)} (--gels {used} shows which replicate is split)")
    return GelPlan(plan.gels, plan.kept, spec, tuple(notes))
