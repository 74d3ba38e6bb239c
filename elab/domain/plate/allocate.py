"""Split a design over plates and state each plate's placement problem.

Deciding which replicates go on which plate is arithmetic (balance counts, honour the
replicate-spread rule and the pins), so it is done here once, before any well is chosen; each
plate is then an independent problem for the solver or the shuffle, which keeps the CP-SAT
models small: three 384-well plates are three one-plate models.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from elab.domain.plate.layout import EDGE_KIND, Layout, Placement
from elab.domain.plate.matrix import matrix_references, missing_references
from elab.domain.plate.spec import EMPTY, Condition, DesignSpec
from elab.domain.plate.wells import ij_from_well, is_edge, well_from_ij, wells
from elab.errors import InfeasibleError

__all__ = ["PlateProblem", "allocate", "design_order", "layout_from_assignments", "spread_bound",
           "usable_wells"]

Well = tuple[int, int]


@dataclass(frozen=True)
class PlateProblem:
    """One plate: the wells that may be filled and how many wells each condition gets."""

    plate: int
    usable: tuple[Well, ...]
    counts: Mapping[str, int]
    fixed: Mapping[Well, str]
    controls: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    control_kinds: Mapping[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> tuple[int, ...]:
        return tuple(sorted({i for i, _ in self.usable}))

    @property
    def cols(self) -> tuple[int, ...]:
        return tuple(sorted({j for _, j in self.usable}))

    @property
    def empty_count(self) -> int:
        return len(self.usable) - sum(self.counts.values())


def spread_bound(n: int, lines: int) -> int:
    """Most wells of a set of ``n`` allowed in one row (or column) of ``lines``."""
    return max(1, math.ceil(n / max(lines, 1)))


def usable_wells(spec: DesignSpec, plate: int) -> list[Well]:
    """Wells of a plate that samples and controls may use: outside the edge ring, not pinned
    empty; wells pinned to a condition are usable wherever they are."""
    pins = {ij_from_well(p.well): p.condition for p in spec.pins if p.plate == plate}
    ring = spec.edge_ring
    out = []
    for ij in wells(spec.plate):
        pinned = pins.get(ij)
        if pinned == EMPTY:
            continue
        if pinned is not None or not is_edge(*ij, spec.plate, ring):
            out.append(ij)
    return out


def _capacity_message(spec: DesignSpec, plates: int, per_plate: int) -> str:
    need = spec.sample_wells + spec.control_wells_per_plate * plates
    ring = spec.edge_ring
    fill = "empty" if spec.edge_rule == "empty" else "filled with medium"
    rings = "outer ring" if ring == 1 else f"outer {ring} rings"
    edge = f" with the {rings} {fill}" if ring else ""
    samples = len(spec.sample_conditions()) * spec.replicates
    crossed = spec.sample_wells - samples
    placed = f"{samples} samples" + (f" + {crossed} level-matched control wells"
                                     if crossed else "")
    return (
        f"the design needs {need} wells ({placed} + "
        f"{spec.control_wells_per_plate} control wells on each of {plates} plate(s)) but "
        f"{plates} {spec.plate.name} plate(s) have {per_plate * plates} usable wells{edge}"
    )


Item = tuple[str, int]  # a condition placed like a sample, and its number of wells


def _too_big(spec: DesignSpec, n: int, free: int) -> InfeasibleError:
    return InfeasibleError(
        f"a condition's {n} replicates must share a plate but a "
        f"{spec.plate.name} plate has {free} wells left after "
        f"{spec.control_wells_per_plate} control wells and the edge ring"
    )


def _spread_over(items: list[Item], n_plates: int) -> list[Counter[str]]:
    """Replicate k of an item goes to plate (offset + k) mod P, the offset advancing by each
    item's wells, so every plate gets the same number of wells within one and a condition's
    replicates land on different plates (a complete block per plate when they fit)."""
    counts: list[Counter[str]] = [Counter() for _ in range(n_plates)]
    offset = 0
    for name, n in items:
        for k in range(n):
            counts[(offset + k) % n_plates][name] += 1
        offset += n
    return counts


def _pack_same(items: list[Item], n_plates: int, free: int) -> list[Counter[str]] | None:
    """Each item whole on the least-loaded plate, in design order; None when one does not fit."""
    counts: list[Counter[str]] = [Counter() for _ in range(n_plates)]
    load = [0] * n_plates
    for name, n in items:
        p = min(range(n_plates), key=lambda q: (load[q], q))
        if load[p] + n > free:
            return None
        counts[p][name] += n
        load[p] += n
    return counts


def _spread_controls(counts: list[Counter[str]], controls: list[Item], free: int,
                     fixed: bool) -> bool:
    """Each matched control's wells one at a time to the plate with the fewest of it, then
    the least loaded: every plate of a level gets its own vehicle when there are wells enough
    (whatever the samples' spread rule; a control belongs beside the samples it is compared
    with).  False when a well finds no room."""
    load = [sum(c.values()) for c in counts]
    for name, n in controls:
        for _ in range(n):
            room = [p for p in range(len(counts)) if fixed or load[p] < free]
            if not room:
                return False
            p = min(room, key=lambda q: (counts[q][name], load[q], q))
            counts[p][name] += 1
            load[p] += 1
    return True


def _split(spec: DesignSpec, samples: list[Item], controls: list[Item], free: int,
           fixed: int | None) -> list[Counter[str]]:
    """The plates one group (the design, or one ``plate_by`` level) needs, filled: samples by
    the spread rule, then the level-matched controls spread over the group's plates."""
    if not samples and not controls:
        return [Counter() for _ in range(fixed or 1)]
    biggest = max((n for _, n in samples), default=0)
    if spec.spread == "same" and biggest > free and fixed is None:
        raise _too_big(spec, biggest, free)
    total = sum(n for _, n in samples + controls)
    plates = fixed or max(1, math.ceil(total / free))
    if spec.spread == "plates" and not fixed:
        plates = max(plates, biggest)
    while True:
        counts = (_spread_over(samples, plates) if spec.spread == "plates"
                  else _pack_same(samples, plates, 10**9 if fixed else free))
        if counts is not None and _spread_controls(counts, controls, free, bool(fixed)):
            return counts
        plates += 1


def _check_free(spec: DesignSpec, free: int, usable: int) -> None:
    if free < 0 or (spec.placed_items() and free == 0):
        raise InfeasibleError(_capacity_message(spec, spec.plates or 1, usable))


def _by_level(spec: DesignSpec, free: int) -> list[Counter[str]]:
    """Plates when each level of ``spec.plate_by`` gets its own plate(s), its time-matched
    controls with it."""
    assert spec.plate_by is not None
    levels = next(f.levels for f in spec.factors if f.name == spec.plate_by)
    samples: dict[str, list[Item]] = {level: [] for level in levels}
    controls: dict[str, list[Item]] = {level: [] for level in levels}
    refs = set(matrix_references(spec))
    for cond, n in spec.placed_items():
        group = controls if cond.is_control or cond.name in refs else samples
        group[dict(cond.levels)[spec.plate_by]].append((cond.name, n))
    plates: list[Counter[str]] = []
    for level in levels:
        plates += _split(spec, samples[level], controls[level], free, None)
    if spec.plates is not None:
        if spec.plates < len(plates):
            raise InfeasibleError(
                f"one plate per {spec.plate_by} level needs {len(plates)} {spec.plate.name} "
                f"plates but {spec.plates} were given"
            )
        plates += [Counter() for _ in range(spec.plates - len(plates))]
    return plates


def allocate(spec: DesignSpec) -> list[PlateProblem]:
    """One :class:`PlateProblem` per plate, or :class:`InfeasibleError` with the numbers."""
    usable0 = len(usable_wells(spec, 1))
    free = usable0 - spec.control_wells_per_plate
    _check_free(spec, free, usable0)
    if spec.plate_by is not None:
        counts = _by_level(spec, free)
    else:
        # A dose matrix's 0 x 0 and single-agent wells are spread like matched controls.
        refs = set(matrix_references(spec))
        items = spec.placed_items()
        counts = _split(
            spec, [(c.name, n) for c, n in items if not c.is_control and c.name not in refs],
            [(c.name, n) for c, n in items if c.is_control]
            + [(c.name, n) for c, n in items if c.name in refs], free, spec.plates)
    n_plates = len(counts)
    _honour_pins(spec, counts, n_plates)
    _check_references(spec, counts)
    problems = []
    groups = tuple(tuple(g) for g in spec.compound_groups().values())
    plate_controls = spec.plate_controls()
    controls = tuple(c.name for c in spec.control_conditions())
    kinds = {c.name: c.kind for c in spec.control_conditions()}
    for p in range(n_plates):
        for c in plate_controls:
            counts[p][c.name] = c.count
        usable = usable_wells(spec, p + 1)
        if sum(counts[p].values()) > len(usable):
            raise InfeasibleError(_capacity_message(spec, n_plates, len(usable)))
        fixed = {
            ij_from_well(pin.well): pin.condition
            for pin in spec.pins
            if pin.plate == p + 1 and pin.condition != EMPTY
        }
        for name, n in Counter(fixed.values()).items():
            if n > counts[p][name]:
                raise InfeasibleError(
                    f"{n} wells of plate {p + 1} are pinned to {name!r} but it has only "
                    f"{counts[p][name]} well(s) there"
                )
        problems.append(
            PlateProblem(p + 1, tuple(usable), dict(counts[p]), fixed, controls, groups, kinds)
        )
    for pin in spec.pins:
        if pin.plate > n_plates:
            raise InfeasibleError(f"a pin names plate {pin.plate} but the design has {n_plates}")
    return problems


def _check_references(spec: DesignSpec, counts: list[Counter[str]]) -> None:
    """A dose matrix over several plates: each plate of treated wells with its own 0 x 0
    vehicle and single-agent wells, or a plain refusal saying what would lay it out."""
    for p, plate in enumerate(counts, start=1):
        missing = missing_references(spec, {name for name, n in plate.items() if n > 0})
        if missing:
            edge = "the edge wells (--edge use), " if spec.edge_ring else ""
            raise InfeasibleError(
                f"the dose matrix takes {len(counts)} {spec.plate.name} plates, and plate {p} "
                f"would have no {missing[0]!r} wells: with {spec.replicates} replicate(s) "
                "its 0 x 0 vehicle and single-agent wells cannot be on every plate to "
                f"normalise against; use {edge}a larger plate or more replicates, so the "
                "matrix fits one plate or each plate gets its own")


def _honour_pins(spec: DesignSpec, counts: list[Counter[str]], n_plates: int) -> None:
    """Move replicates so that each pinned sample's plate carries that condition."""
    controls = {c.name for c in spec.plate_controls()}
    want = Counter((p.condition, p.plate - 1) for p in spec.pins if p.condition != EMPTY)
    for (name, p), n in want.items():
        if name in controls or p >= n_plates:
            continue
        while counts[p][name] < n:
            donors = [q for q in range(n_plates) if q != p and counts[q][name] > want[(name, q)]]
            if not donors:
                raise InfeasibleError(f"{n} wells are pinned to {name!r} on plate {p + 1}, "
                                      f"more than its {spec.replicates} replicates")
            q = max(donors, key=lambda d: counts[d][name])
            counts[q][name] -= 1
            counts[p][name] += 1


def layout_from_assignments(
    spec: DesignSpec, assignments: list[dict[Well, str]], notes: tuple[str, ...] = ()
) -> Layout:
    """Number replicates and add edge fill: turn per-plate well → condition maps into a Layout."""
    conds = {c.name: c for c in spec.conditions()}
    placements: list[Placement] = []
    seen: Counter[str] = Counter()
    for p, assignment in enumerate(assignments, start=1):
        per_plate: Counter[str] = Counter()
        for ij in sorted(assignment):
            cond = conds[assignment[ij]]
            if cond.is_control and not cond.levels:
                per_plate[cond.name] += 1
                rep = per_plate[cond.name]
            else:
                seen[cond.name] += 1
                rep = seen[cond.name]
            placements.append(
                Placement(p, well_from_ij(*ij), cond.name, cond.levels, rep, cond.kind)
            )
        if spec.edge_rule == "medium":
            for ij in wells(spec.plate):
                if is_edge(*ij, spec.plate, spec.edge_ring) and ij not in assignment:
                    placements.append(Placement(p, well_from_ij(*ij), "medium", (), 0, EDGE_KIND))
    placements.sort(key=lambda x: (x.plate, ij_from_well(x.well)))
    factors = [f.name for f in spec.factors]
    if spec.plate_by is not None:
        factors.sort(key=lambda f: f != spec.plate_by)
    order = tuple(c.name for c in design_order(spec))
    if len(assignments) > 1 and matrix_references(spec):
        notes = (*notes, f"the dose matrix takes {len(assignments)} plates: its 0 x 0 vehicle "
                 "and single-agent wells are spread over them so each plate has its own")
    return Layout(spec.plate, tuple(placements), tuple(factors), len(assignments), notes, order)


def design_order(spec: DesignSpec) -> list[Condition]:
    """The conditions in the order a layout of ``spec`` lists (and codes) them.

    With ``plate_by`` the plate's factor comes first: a plate's conditions then get
    consecutive codes (1-4 on the 3 h plate, 5-8 on the 24 h one), and the CSV read back
    orders them the same.
    """
    order = spec.conditions()
    by = spec.plate_by
    if by is not None:
        levels = next(f.levels for f in spec.factors if f.name == by)
        order.sort(key=lambda c: levels.index(dict(c.levels).get(by, levels[0])))
    return order
