"""The floor: a seeded shuffle that honours capacity, edge and pins and nothing else.

The benchmark prints it beside the solver so the solver's time and quality have a baseline
measured in the same run; tests use it to show the checker catches what the solver avoids.
"""

from __future__ import annotations

import random

from elab.domain.plate.allocate import allocate, layout_from_assignments
from elab.domain.plate.layout import Layout
from elab.domain.plate.spec import DesignSpec

__all__ = ["layout_by_shuffle"]


def layout_by_shuffle(spec: DesignSpec) -> Layout:
    """Same plate allocation as the solver, wells chosen by a seeded shuffle."""
    assignments = []
    for problem in allocate(spec):
        rng = random.Random(spec.seed * 7919 + problem.plate)
        fixed = dict(problem.fixed)
        remaining = dict(problem.counts)
        for name in fixed.values():
            remaining[name] -= 1
        free = [w for w in problem.usable if w not in fixed]
        rng.shuffle(free)
        items = [name for name, n in sorted(remaining.items()) for _ in range(n)]
        assignment = dict(fixed)
        assignment.update(zip(free, items, strict=False))
        assignments.append(assignment)
    return layout_from_assignments(spec, assignments, ("seeded shuffle: rules not enforced",))
