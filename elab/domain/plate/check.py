"""An independent checker: does a layout obey its design's rules?

Written apart from the solver on purpose, from the spec alone, so a solver bug cannot hide
behind a checker that shares its assumptions.  Returns violations as sentences; an empty list
means the layout is right.  The benchmark runs every layout through it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from elab.domain.plate.layout import EDGE_KIND, Layout
from elab.domain.plate.matrix import matrix_references, missing_references
from elab.domain.plate.spec import EMPTY, DesignSpec
from elab.domain.plate.wells import edge_distance, ij_from_well, neighbours, well_from_ij, wells

__all__ = ["check_layout"]

Well = tuple[int, int]


def _bound(n: int, lines: int) -> int:
    return max(1, math.ceil(n / max(lines, 1)))


def check_layout(layout: Layout, spec: DesignSpec) -> list[str]:
    """Every rule of ``spec`` that ``layout`` breaks, one sentence each."""
    out: list[str] = []
    fmt = spec.plate
    known = {c.name: c for c in spec.conditions()}
    seen: set[tuple[int, Well]] = set()
    for p in layout:
        ij = ij_from_well(p.well)
        if not fmt.contains(*ij):
            out.append(f"plate {p.plate} well {p.well} is off the {fmt.name} plate")
        if (p.plate, ij) in seen:
            out.append(f"plate {p.plate} well {p.well} is filled twice")
        seen.add((p.plate, ij))
        if p.kind != EDGE_KIND and p.condition not in known:
            out.append(f"plate {p.plate} well {p.well} holds unknown condition {p.condition!r}")
    out += _counts(layout, spec)
    pins = {(pin.plate, ij_from_well(pin.well)): pin.condition for pin in spec.pins}
    out += _edge(layout, spec, pins)
    for pin_key, cond in pins.items():
        at = next(
            (x for x in layout if x.plate == pin_key[0] and x.ij() == pin_key[1]), None
        )
        got = at.condition if at is not None and at.kind != EDGE_KIND else EMPTY
        if got != cond:
            out.append(
                f"plate {pin_key[0]} well {well_from_ij(*pin_key[1])} is pinned to {cond!r} "
                f"but holds {got!r}"
            )
    if spec.style != "randomised":
        return out  # blocked and column layouts put replicates side by side on purpose
    for plate in range(1, layout.plates + 1):
        out += _spread(layout, spec, plate, pins)
        out += _adjacent(layout, spec, plate)
    return out


def _counts(layout: Layout, spec: DesignSpec) -> list[str]:
    """Replicates once each, spread as the design says, one plate_by level a plate, and
    every control as many times as declared."""
    per_plate: dict[str, Counter[int]] = defaultdict(Counter)
    reps: dict[str, list[int]] = defaultdict(list)
    for p in layout:
        if p.kind == EDGE_KIND:
            continue
        per_plate[p.condition][p.plate] += 1
        if p.kind == "sample":
            reps[p.condition].append(p.replicate)
    return (_replicates(layout, spec, per_plate, reps) + _plate_levels(layout, spec)
            + _control_counts(layout, spec, per_plate) + _references(layout, spec))


def _references(layout: Layout, spec: DesignSpec) -> list[str]:
    """A dose matrix's plate of treated wells without its own 0 x 0 or single-agent wells."""
    out = []
    for plate in range(1, layout.plates + 1):
        held = {p.condition for p in layout.on_plate(plate)}
        out += [f"plate {plate} has treated wells but no {name!r} wells to read them against"
                for name in missing_references(spec, held)]
    return out


def _replicates(layout: Layout, spec: DesignSpec, per_plate: dict[str, Counter[int]],
                reps: dict[str, list[int]]) -> list[str]:
    out = []
    refs = set(matrix_references(spec))  # a matrix's references go on every plate
    for c in spec.sample_conditions():
        got = sorted(reps.get(c.name, []))
        if got != list(range(1, spec.replicates + 1)):
            out.append(
                f"condition {c.name!r} has replicates {got or 'none'}, "
                f"expected 1..{spec.replicates} once each"
            )
        plates = per_plate[c.name]
        if (spec.spread == "same" and len(plates) > 1 and spec.plate_by is None
                and c.name not in refs):
            out.append(f"replicates of {c.name!r} are split over plates {sorted(plates)}")
        if spec.spread == "plates" and layout.plates > 1:
            spread = [plates.get(q, 0) for q in _plates_of(layout, spec, c.levels)]
            if max(spread) - min(spread) > 1:
                out.append(f"replicates of {c.name!r} are unevenly spread over plates: {spread}")
    return out


def _plate_levels(layout: Layout, spec: DesignSpec) -> list[str]:
    if spec.plate_by is None:
        return []
    seen: dict[int, set[str]] = defaultdict(set)
    for p in layout:
        level = dict(p.levels).get(spec.plate_by)
        if p.kind != EDGE_KIND and level is not None:
            seen[p.plate].add(level)
    return [f"plate {plate} mixes {spec.plate_by} levels {sorted(levels)}"
            for plate, levels in sorted(seen.items()) if len(levels) > 1]


def _control_counts(layout: Layout, spec: DesignSpec,
                    per_plate: dict[str, Counter[int]]) -> list[str]:
    out = []
    for cond, n in spec.placed_items():
        got_n = sum(per_plate[cond.name].values())
        if cond.is_control and got_n != n:
            out.append(f"control {cond.name!r} has {got_n} wells, expected {n}")
    for ctl in spec.plate_controls():
        for plate in range(1, layout.plates + 1):
            n = per_plate[ctl.name].get(plate, 0)
            if n != ctl.count:
                out.append(f"plate {plate} has {n} {ctl.name!r} wells, expected {ctl.count}")
    return out


def _plates_of(layout: Layout, spec: DesignSpec, levels: tuple[tuple[str, str], ...]) -> list[
        int]:
    """The plates a condition may be spread over: all, or its ``plate_by`` level's plates."""
    everywhere = list(range(1, layout.plates + 1))
    if spec.plate_by is None:
        return everywhere
    level = dict(levels).get(spec.plate_by)
    mine = sorted({p.plate for p in layout if dict(p.levels).get(spec.plate_by) == level})
    return mine or everywhere


def _edge(layout: Layout, spec: DesignSpec, pins: dict[tuple[int, Well], str]) -> list[str]:
    out: list[str] = []
    ring = spec.edge_ring
    if not ring:
        return out
    filled = {(p.plate, p.ij()): p for p in layout}
    for plate in range(1, layout.plates + 1):
        for ij in wells(spec.plate):
            if edge_distance(*ij, spec.plate) >= ring:
                continue
            p = filled.get((plate, ij))
            if p is not None and p.kind != EDGE_KIND and (plate, ij) not in pins:
                out.append(f"plate {plate} edge well {p.well} holds {p.condition!r}")
            if spec.edge_rule == "medium" and p is None and (plate, ij) not in pins:
                out.append(f"plate {plate} edge well {well_from_ij(*ij)} is not filled with medium")
    return out


def _usable(spec: DesignSpec, plate: int, pins: dict[tuple[int, Well], str]) -> list[Well]:
    out = []
    for ij in wells(spec.plate):
        pin = pins.get((plate, ij))
        if pin == EMPTY:
            continue
        if pin is not None or edge_distance(*ij, spec.plate) >= spec.edge_ring:
            out.append(ij)
    return out


def _line_check(name: str, cells: list[Well], rows: int, cols: int, plate: int) -> list[str]:
    out = []
    n = len(cells)
    for axis, lines, label in ((0, rows, "row"), (1, cols, "column")):
        most = Counter(ij[axis] for ij in cells).most_common(1)
        if most and most[0][1] > _bound(n, lines):
            line = well_from_ij(most[0][0], 0)[:-1] if axis == 0 else str(most[0][0] + 1)
            out.append(
                f"plate {plate}: {most[0][1]} of the {n} wells of {name} share {label} {line} "
                f"(at most {_bound(n, lines)})"
            )
    return out


def _spread(
    layout: Layout, spec: DesignSpec, plate: int, pins: dict[tuple[int, Well], str]
) -> list[str]:
    usable = _usable(spec, plate, pins)
    rows = len({i for i, _ in usable})
    cols = len({j for _, j in usable})
    by_cond: dict[str, list[Well]] = defaultdict(list)
    for p in layout.on_plate(plate):
        if p.kind != EDGE_KIND:
            by_cond[p.condition].append(p.ij())
    out = []
    for name, cells in by_cond.items():
        out += _line_check(repr(name), cells, rows, cols, plate)
    for compound, members in spec.compound_groups().items():
        cells = [ij for m in members for ij in by_cond.get(m, [])]
        label = "the compound" if compound == "*" else f"compound {compound!r}"
        out += _line_check(label, cells, rows, cols, plate)
    filled = {ij for cells in by_cond.values() for ij in cells}
    empty = [ij for ij in usable if ij not in filled]
    out += _line_check("empty wells", empty, rows, cols, plate)
    return out


def _adjacent(layout: Layout, spec: DesignSpec, plate: int) -> list[str]:
    grid = layout.grid(plate)
    out = []
    for ij, p in grid.items():
        if not p.is_control:
            continue
        for nb in neighbours(*ij, spec.plate):
            q = grid.get(nb)
            if q is not None and q.is_control and q.kind == p.kind and nb > ij:
                out.append(
                    f"plate {plate}: {p.kind} controls {p.well} ({p.condition}) and "
                    f"{q.well} ({q.condition}) touch"
                )
    return out
