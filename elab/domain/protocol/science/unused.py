"""Check 3: declarations nothing uses.

A material no step, regimen, design or other material names is either forgotten at the
bench (the vehicle never given to the vehicle arm) or clutter; equipment nobody books is not
planned for; a parameter no ``$name`` refers to changes nothing when a run sets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.finding import Report

__all__ = ["check_unused"]

_REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def check_unused(protocol: Protocol, report: Report) -> None:
    used = _used_materials(protocol)
    for name in protocol.materials:
        if name not in used:
            report.warning(f"material {name!r} is declared but no step, regimen or design"
                           " uses it", "materials", name)
    booked = {e for step in protocol.steps for e in step.booked_equipment()}
    for name in protocol.equipment:
        if name not in booked:
            report.warning(f"equipment {name!r} is declared but no step books it",
                           "equipment", name)
    referenced = {m for text in _strings(report.tree) for m in _REF.findall(text)}
    referenced |= _derive_names(protocol)
    for name in protocol.parameters:
        if name not in referenced:
            report.warning(f"parameter {name!r} changes nothing: no step, design or analysis"
                           f" refers to ${name}", "parameters", name)


def _derive_names(protocol: Protocol) -> set[str]:
    """Names the ``derive:`` expressions read: a parameter used there changes their values."""
    from elab.domain.protocol.expression import parse_expression
    from elab.errors import QuantityError

    names: set[str] = set()
    for step in protocol.steps:
        for spec in step.derive.values():
            try:
                names |= set(parse_expression(spec.expr).names)
            except QuantityError:
                continue  # reported by the load checks
    return names


def _used_materials(protocol: Protocol) -> set[str]:
    used = {use.material for step in protocol.steps for use in step.uses}
    used |= {s.solution.diluent for s in protocol.steps if s.solution and s.solution.diluent}
    used |= {s.regimen.material for s in protocol.steps if s.regimen and s.regimen.material}
    used |= {m.vehicle for m in protocol.materials.values() if m.vehicle}
    design = protocol.design
    if design is not None:
        if design.vehicle is not None:
            used.add(design.vehicle.material)
        used |= {d.material for d in design.dosing}
    return used


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key == "parameters":
                continue  # a parameter's own description does not use it
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
