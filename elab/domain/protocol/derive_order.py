"""The order derived values are computed in: each after the derived values it uses.

A step's ``derive:`` is a mapping, and what it means does not depend on the order its
values are written in: ``vehicle_volume = working_volume - stock_volume`` needs
``stock_volume`` computed first wherever either is written.  The order is not kept
everywhere either: a run's stored copy of its protocol is canonical JSON with sorted keys,
so a copy lists ``dmso_volume`` before the ``stock_volume`` it uses.  Resolving derived
values in the order of the file refused such a copy when the run was reopened; they are
resolved in the order of their dependencies instead (file order only breaks ties, so an
author's order is kept wherever it is known), and only values that use each other in a
circle are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.protocol.expression import parse_expression
from elab.domain.protocol.model import Derive, Protocol
from elab.errors import QuantityError

__all__ = ["Declared", "DeriveOrder", "derive_order"]


@dataclass(frozen=True)
class Declared:
    """One derived value where the protocol declares it, with the derived values it uses."""

    step: str
    step_index: int
    name: str
    spec: Derive
    uses: tuple[str, ...]  # the derived values its expression names, itself included

    @property
    def key(self) -> tuple[str, str]:
        return (self.step, self.name)


@dataclass(frozen=True)
class DeriveOrder:
    """Derived values in an order that computes each after its inputs, and the circles.

    ``ordered`` holds every value that can be computed, then those that cannot (each in a
    circle or using one), in file order.  ``circles`` maps each value on a circle to the
    names around it, ending where it began: ``('a', 'b', 'a')``.
    """

    ordered: tuple[Declared, ...]
    circles: dict[tuple[str, str], tuple[str, ...]]


def derive_order(protocol: Protocol) -> DeriveOrder:
    """The protocol's derived values in dependency order (ties in file order)."""
    declared = _declared(protocol)
    done: set[str] = set()
    pending = list(declared)
    ordered: list[Declared] = []
    while (first := next((d for d in pending if _ready(d, done)), None)) is not None:
        ordered.append(first)
        pending.remove(first)
        if not any(p.name == first.name for p in pending):
            done.add(first.name)
    circles = {d.key: circle for d in pending
               if (circle := _circle(d, pending)) is not None}
    return DeriveOrder((*ordered, *pending), circles)


def _declared(protocol: Protocol) -> list[Declared]:
    found: list[Declared] = []
    derived = {name for step in protocol.steps for name in step.derive}
    for index, step in enumerate(protocol.steps):
        for name, spec in step.derive.items():
            uses = tuple(n for n in _names(spec.expr) if n in derived)
            found.append(Declared(step.id, index, name, spec, uses))
    return found


def _names(expr: str) -> tuple[str, ...]:
    try:
        return tuple(parse_expression(expr).names)
    except QuantityError:
        return ()  # refused where the expression is checked


def _ready(value: Declared, done: set[str]) -> bool:
    """Every derived value it uses is computed (each declaration of a name, if it has two).

    A value that uses its own name is never ready: it is a circle of one."""
    return all(used in done for used in value.uses)


def _circle(start: Declared, pending: Sequence[Declared]) -> tuple[str, ...] | None:
    """The names around the circle ``start`` is on, or None if it only uses a circle."""
    uses: dict[str, set[str]] = {}
    for value in pending:
        uses.setdefault(value.name, set()).update(value.uses)
    path = [start.name]
    dead: set[str] = set()  # names from which no way leads back to ``start``

    def walk(name: str) -> bool:
        for used in sorted(uses.get(name, ())):
            if used == start.name:
                path.append(used)
                return True
            if used in uses and used not in path and used not in dead:
                path.append(used)
                if walk(used):
                    return True
                path.pop()
                dead.add(used)
        return False

    return tuple(path) if walk(start.name) else None
