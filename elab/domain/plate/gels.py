"""Lysates on gels: which lane of which gel each sample runs in, comparisons kept together.

A band is compared only with bands on its own membrane: transfer, antibody and exposure
differ from one membrane to the next, so a lane normalised to a control lane on another
gel carries the difference between two membranes into its ratio.  A design's lysates are
therefore laid out on gels in the units they are compared in:

- a **group** is what one control normalises (the densitometry hook's ``match_by``, else the
  design's ``plate_by``: p-FAK's time point, 4 doses × 3 replicates + 3 DMSO = 15 lysates);
- a **unit** is one replicate of a group (p-FAK's 6-well plate: the 4 doses and the DMSO
  well that carries its vehicle).

Groups are kept whole on one gel where they fit; a group larger than a gel's sample lanes
is kept as whole units; only when the gels given cannot hold the units whole is a unit
split, and the plan says which, over which gels, and how many gels would keep it whole.
Gels are filled first-fit, largest first (a bin packing heuristic), lanes in bench order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from elab.errors import InputError

__all__ = ["LADDER", "MAX_GELS", "MAX_WELLS", "Gel", "GelGroup", "GelPlan", "GelSpec", "plan_gels",
           "text_from_gels"]

LADDER = "ladder"


@dataclass(frozen=True)
class GelGroup:
    """Samples compared with each other (``time 3 h``) as units (``3 h #1``: its lysates)."""

    name: str
    units: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def samples(self) -> tuple[str, ...]:
        return tuple(s for _, samples in self.units for s in samples)


MAX_WELLS = 60  # no gel cast or bought has more
MAX_GELS = 200  # a lab's largest blot series; more is a typo in the design or --gels


@dataclass(frozen=True)
class GelSpec:
    """The groups, the gel (``wells`` per gel, the first ``ladder`` of them for the marker)
    and the gels available (None: as many as keeping the comparisons together takes)."""

    groups: tuple[GelGroup, ...]
    wells: int = 15
    ladder: int = 1
    gels: int | None = None
    group_by: str | None = None  # the factor a group is a level of, for the notes

    def __post_init__(self) -> None:
        if not 1 <= self.wells <= MAX_WELLS:
            raise InputError(f"a gel of {self.wells} wells: gels have 1 to {MAX_WELLS}")
        if self.ladder < 0 or self.wells - self.ladder < 1:
            raise InputError(f"a gel of {self.wells} wells with {self.ladder} ladder lane(s) "
                             "has no lane for a sample")
        if self.gels is not None and self.gels < 1:
            raise InputError("give at least one gel")
        names = [s for g in self.groups for s in g.samples]
        if not names:
            raise InputError("there are no samples to run")
        if len(set(names)) != len(names):
            raise InputError("a sample is listed twice")

    @property
    def lanes(self) -> int:
        """Sample lanes per gel."""
        return self.wells - self.ladder


@dataclass(frozen=True)
class Gel:
    """One gel: lane 1 first; a lane holds a sample's name or :data:`LADDER`."""

    number: int
    lanes: tuple[str, ...]


@dataclass(frozen=True)
class GelPlan:
    """The gels, what was kept together (``group``, ``unit`` or ``nothing``) and notes."""

    gels: tuple[Gel, ...]
    kept: str
    spec: GelSpec
    notes: tuple[str, ...] = field(default=())

    def gel_of(self, sample: str) -> int:
        return next(g.number for g in self.gels if sample in g.lanes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wells": self.spec.wells, "ladder": self.spec.ladder, "kept": self.kept,
            "gels": [{"gel": g.number, "lanes": [{"lane": i, "sample": s}
                                                 for i, s in enumerate(g.lanes, start=1)]}
                     for g in self.gels],
            "notes": list(self.notes),
        }


_Item = tuple[int, str, tuple[str, ...]]  # (bench order, label, samples)


def _first_fit(items: list[_Item], lanes: int) -> list[list[_Item]]:
    """Items into bins of ``lanes``: largest first, each into the first bin with room; then
    each bin, and the bins, in bench order.  None of the items may be larger than a bin."""
    bins: list[list[_Item]] = []
    for item in sorted(items, key=lambda it: (-len(it[2]), it[0])):
        room = next((b for b in bins if sum(len(i[2]) for i in b) + len(item[2]) <= lanes),
                    None)
        if room is None:
            bins.append([item])
        else:
            room.append(item)
    return sorted((sorted(b) for b in bins), key=lambda b: b[0][0])


def _items(spec: GelSpec, whole: bool) -> list[_Item]:
    """Groups that fit a gel whole (when ``whole``), else their units, in bench order."""
    out: list[_Item] = []
    for group in spec.groups:
        if whole and len(group.samples) <= spec.lanes:
            out.append((len(out), group.name, group.samples))
        else:
            out += [(len(out) + k, label, samples)
                    for k, (label, samples) in enumerate(group.units)]
    return out


def _gels(spec: GelSpec, bins: list[list[str]]) -> tuple[Gel, ...]:
    return tuple(Gel(n, (*[LADDER] * spec.ladder, *samples))
                 for n, samples in enumerate(bins, start=1))


def plan_gels(spec: GelSpec) -> GelPlan:
    """Groups whole where they fit, else whole units; split units only when the gels given
    are too few, each split named (and the gels that would keep it whole)."""
    total = len([s for g in spec.groups for s in g.samples])
    least = -(-total // spec.lanes)
    if least > MAX_GELS or (spec.gels or 0) > MAX_GELS:
        raise InputError(f"{total} samples on {max(least, spec.gels or 0)} gels: more than "
                         f"the {MAX_GELS} gels a plan lays out")
    if spec.gels is not None and spec.gels < least:
        raise InputError(f"{total} samples need at least {least} gels of {spec.lanes} sample "
                         f"lanes ({spec.wells} wells, {spec.ladder} for the ladder); "
                         f"{spec.gels} given")
    notes = _too_big(spec)
    for whole in (True, False):
        items = _items(spec, whole)
        if any(len(it[2]) > spec.lanes for it in items):
            continue
        bins = _first_fit(items, spec.lanes)
        if spec.gels is None or len(bins) <= spec.gels:
            kept = "group" if whole and len(items) == len(spec.groups) else "unit"
            plan = GelPlan(_gels(spec, [[s for it in b for s in it[2]] for b in bins]), kept,
                           spec)
            return GelPlan(plan.gels, kept, spec, (*_headline(plan), *notes, *_spans(plan)))
    return _split(spec, spec.gels or least, notes)


def _too_big(spec: GelSpec) -> list[str]:
    """A note for each group larger than a gel's sample lanes."""
    big = [g for g in spec.groups if len(g.samples) > spec.lanes]
    if not big:
        return []
    largest = max(len(g.samples) for g in big)
    return [f"{', '.join(g.name for g in big)}: {largest} samples do not fit the "
            f"{spec.lanes} sample lanes of a {spec.wells}-well gel, so each is kept as whole "
            f"replicates instead; a gel of {largest + spec.ladder} wells or more would hold "
            "each whole on one membrane"]


def _split(spec: GelSpec, count: int, notes: list[str]) -> GelPlan:
    """Too few gels for whole units: units whole where they still fit, the rest lane by lane
    into the room left, each split unit named."""
    units = _items(spec, False)
    bins: list[list[str]] = [[] for _ in range(count)]
    leftover: list[_Item] = []
    for item in sorted(units, key=lambda it: (-len(it[2]), it[0])):
        room = next((b for b in bins if len(b) + len(item[2]) <= spec.lanes), None)
        if room is None:
            leftover.append(item)
        else:
            room += item[2]
    group_of = {s: g.name for g in spec.groups for s in g.samples}
    split: list[str] = []
    for _, label, samples in sorted(leftover):
        where: list[int] = []
        for sample in samples:
            # beside its own group's lanes (and their control) where there is room
            target = max((n for n, b in enumerate(bins) if len(b) < spec.lanes),
                         key=lambda n: (any(group_of[o] == group_of[sample] for o in bins[n]),
                                        -n))
            bins[target].append(sample)
            where += [] if target + 1 in where else [target + 1]
        split.append(f"{label} over gels {_listing(where)}")
    fits = all(len(u[2]) <= spec.lanes for u in units)
    fix = f"; {len(_first_fit(units, spec.lanes))} gels keep every replicate whole" if fits \
        else "; a replicate is larger than a gel"
    plan = GelPlan(_gels(spec, bins), "nothing", spec)
    return GelPlan(plan.gels, "nothing", spec, (
        *_headline(plan), *notes,
        f"{count} gels cannot keep every replicate on one gel: {'; '.join(split)} (its lanes "
        f"are compared across membranes){fix}", *_spans(plan)))


def _headline(plan: GelPlan) -> list[str]:
    spec = plan.spec
    total = sum(len(g.samples) for g in spec.groups)
    ladder = (f"lane 1 the ladder, {spec.lanes} sample lanes" if spec.ladder == 1 else
              f"lanes 1-{spec.ladder} ladders, {spec.lanes} sample lanes" if spec.ladder
              else f"{spec.lanes} sample lanes, no ladder")
    kept = {"group": "every comparison group whole on one gel",
            "unit": "every replicate whole on one gel",
            "nothing": "some replicates split"}[plan.kept]
    gels = f"{len(plan.gels)} gel" + ("s" if len(plan.gels) > 1 else "")
    return [f"{total} samples on {gels} of {spec.wells} wells ({ladder} "
            f"each): {kept}"]


def _spans(plan: GelPlan) -> list[str]:
    """Each group spread over several gels, and whether its replicates stay whole."""
    out = []
    for group in plan.spec.groups:
        gels = list(dict.fromkeys(plan.gel_of(s) for s in group.samples))
        if len(gels) > 1:
            whole = plan.kept != "nothing" and len(group.units) > 1
            out.append(f"{group.name} spans gels {_listing(gels)}" + (
                ": each of its replicates runs whole on one gel, its control lane(s) beside "
                "its other lanes" if whole else ""))
    return out


def _listing(numbers: list[int]) -> str:
    """``1, 2 and 3``."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def text_from_gels(plan: GelPlan) -> str:
    """The notes, then each gel lane by lane."""
    lines = [*(f"note: {n}" if i else n for i, n in enumerate(plan.notes)), ""]
    for gel in plan.gels:
        used = sum(1 for s in gel.lanes if s != LADDER)
        lines.append(f"gel {gel.number}: {used} of {plan.spec.lanes} sample lanes")
        lines += [f"  lane {i:<3} {s}" for i, s in enumerate(gel.lanes, start=1)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
