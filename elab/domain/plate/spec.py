"""What a plate layout is asked to hold: the :class:`DesignSpec` and the conditions it implies.

A spec is the input of every layout planner (the CP-SAT solver, the seeded shuffle) and of the
independent checker, so the rules live here once: which edge rule applies by default, which
factor names the compound, how many of each condition a layout must carry.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

from elab.domain.controls import CONTROL_KINDS
from elab.domain.plate.wells import PlateFormat, format_from_text, ij_from_well
from elab.errors import InputError

__all__ = [
    "CONTROL_KINDS",
    "STYLES",
    "Condition",
    "Control",
    "DesignSpec",
    "Factor",
    "Pin",
]

EdgeRule = Literal["empty", "medium", "use"]
Spread = Literal["same", "plates"]
Style = Literal["randomised", "blocked", "by-column"]
STYLES: tuple[Style, ...] = ("randomised", "blocked", "by-column")
_COMPOUND_WORDS = ("compound", "drug", "agent", "treatment", "inhibitor")
EMPTY = "empty"


@dataclass(frozen=True)
class Factor:
    """An experimental factor and its levels, as written (``0.1 nM``, ``24 h``, ``paclitaxel``)."""

    name: str
    levels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("a factor needs a name")
        if not self.levels:
            raise InputError(f"factor {self.name!r} has no levels")
        if len(set(self.levels)) != len(self.levels):
            raise InputError(f"factor {self.name!r} repeats a level")


@dataclass(frozen=True)
class Control:
    """A control condition carried by every plate, ``count`` wells per plate.

    With ``for_each`` (factor names) it is crossed with those factors instead: one copy per
    level (``DMSO / 3 h``), ``count`` wells per copy, each well carrying its level like a
    sample does, placed with the samples of that level rather than on every plate.
    """

    name: str
    kind: str = "vehicle"
    count: int = 1
    for_each: tuple[str, ...] = ()

    @property
    def crossed(self) -> bool:
        return bool(self.for_each)

    def __post_init__(self) -> None:
        if self.kind not in CONTROL_KINDS:
            raise InputError(
                f"control kind {self.kind!r} is not one of {', '.join(CONTROL_KINDS)}"
            )
        if self.count < 1:
            raise InputError(f"control {self.name!r} needs a count of at least 1")


@dataclass(frozen=True)
class Pin:
    """A well the user fixes: ``condition`` (or ``empty``) goes to ``well`` on plate ``plate``."""

    condition: str
    well: str
    plate: int = 1


@dataclass(frozen=True)
class Condition:
    """One thing to put in wells: a combination of factor levels, or a control."""

    name: str
    levels: tuple[tuple[str, str], ...] = ()
    kind: str = "sample"

    @property
    def is_control(self) -> bool:
        return self.kind != "sample"


@dataclass(frozen=True)
class DesignSpec:
    """A plate design: factors × levels × replicates, controls per plate and the layout rules.

    ``edge`` None means the default: the outer ring is left empty on 96- and 384-well plates
    (where evaporation skews edge wells) and used on smaller ones.  ``spread`` ``same`` keeps a
    condition's replicates on one plate; ``plates`` spreads them over plates.  ``plates`` None
    uses as few plates as the design fits on.  ``plate_by`` names a factor whose levels each
    get their own plate(s) (a time course harvested plate by plate).  ``style`` is how wells
    are chosen on a plate: ``randomised`` (CP-SAT, spread rules), ``blocked`` (a series along
    each row, replicates in the rows below, for a multichannel pipette) or ``by-column`` (the
    conditions in design order down each column); only ``randomised`` has spread rules.
    """

    factors: tuple[Factor, ...] = ()
    replicates: int = 3
    controls: tuple[Control, ...] = ()
    plate: PlateFormat = field(default_factory=lambda: format_from_text(96))
    edge: EdgeRule | None = None
    edge_width: int = 1
    spread: Spread = "same"
    plates: int | None = None
    pins: tuple[Pin, ...] = ()
    seed: int = 0
    compound: str | None = None
    plate_by: str | None = None
    style: Style = "randomised"

    def __post_init__(self) -> None:
        self._check_options()
        names = [f.name for f in self.factors]
        if len(set(names)) != len(names):
            raise InputError("two factors share a name")
        if self.compound is not None and self.compound not in names:
            raise InputError(f"compound factor {self.compound!r} is not a factor")
        if self.plate_by is not None and self.plate_by not in names:
            from elab.errors import NotFoundError

            raise NotFoundError("factor", self.plate_by, names)
        self._check_crossed(names)
        if not self.factors and not self.controls:
            raise InputError("the design has no factors and no controls: nothing to lay out")
        self._check_names()

    def _check_options(self) -> None:
        """Counts and choices that stand alone: replicates, edge, spread, style, plates."""
        if self.replicates < 1:
            raise InputError("replicates must be at least 1")
        if self.edge_width < 0:
            raise InputError("edge width cannot be negative")
        if self.edge not in (None, "empty", "medium", "use"):
            raise InputError(f"edge rule {self.edge!r} is not empty, medium or use")
        if self.spread not in ("same", "plates"):
            raise InputError(f"replicate spread {self.spread!r} is not 'same' or 'plates'")
        if self.style not in STYLES:
            raise InputError(f"layout style {self.style!r} is not one of {', '.join(STYLES)}")
        if self.style != "randomised" and self.pins:
            raise InputError(f"pinned wells need the randomised style, not {self.style}")
        if self.plates is not None and self.plates < 1:
            raise InputError("the number of plates must be at least 1")

    def _check_names(self) -> None:
        """Control names unique and not a sample's; pins name a known well and condition."""
        control_names = [c.name for c in self.controls]
        if len(set(control_names)) != len(control_names):
            raise InputError("two controls share a name")
        samples = {c.name for c in self.sample_conditions()}
        taken = {c.name for c in self.control_conditions()} & samples
        if taken or EMPTY in control_names:
            raise InputError(f"control name {sorted(taken or {EMPTY})[0]!r} is taken")
        known = {c.name for c in self.conditions()} | {EMPTY}
        for pin in self.pins:
            ij_from_well(pin.well, self.plate)
            if pin.condition not in known:
                from elab.errors import NotFoundError

                raise NotFoundError("condition", pin.condition, known)

    def _check_crossed(self, names: list[str]) -> None:
        for c in self.controls:
            for name in c.for_each:
                if name not in names:
                    from elab.errors import NotFoundError

                    raise NotFoundError("factor", name, names)
            if c.crossed and self.plate_by is not None and self.plate_by not in c.for_each:
                raise InputError(
                    f"control {c.name!r} is crossed with {', '.join(c.for_each)} but the plates "
                    f"are by {self.plate_by}: cross it with {self.plate_by} too, or drop "
                    "for_each to put it on every plate"
                )

    @property
    def edge_rule(self) -> EdgeRule:
        if self.edge is not None:
            return self.edge
        return "empty" if self.plate.size >= 96 else "use"

    @property
    def edge_ring(self) -> int:
        """Width of the ring kept free of samples (0 when the edge is used)."""
        return 0 if self.edge_rule == "use" else self.edge_width

    @property
    def compound_factor(self) -> str | None:
        """The factor naming the compound whose levels must sit on different rows/columns.

        With one factor, its levels (the doses of one compound) form a single group; with
        several, the factor named like a compound, else the first one.
        """
        if self.compound is not None:
            return self.compound
        if len(self.factors) < 2:
            return None
        for f in self.factors:
            if f.name.strip().lower() in _COMPOUND_WORDS:
                return f.name
        return self.factors[0].name

    def sample_conditions(self) -> list[Condition]:
        """Every combination of factor levels, in the order the factors list them."""
        if not self.factors:
            return []
        out = []
        for combo in itertools.product(*(f.levels for f in self.factors)):
            levels = tuple(zip((f.name for f in self.factors), combo, strict=True))
            out.append(Condition(" / ".join(combo), levels, "sample"))
        return out

    def control_conditions(self) -> list[Condition]:
        """Every control condition: one per plain control, one per level of a crossed one."""
        out = []
        for c in self.controls:
            out += self._copies(c) if c.crossed else [Condition(c.name, (), c.kind)]
        return out

    def _copies(self, control: Control) -> list[Condition]:
        levels = {f.name: f.levels for f in self.factors}
        out = []
        for combo in itertools.product(*(levels[name] for name in control.for_each)):
            pairs = tuple(zip(control.for_each, combo, strict=True))
            out.append(Condition(" / ".join((control.name, *combo)), pairs, control.kind))
        return out

    def conditions(self) -> list[Condition]:
        return self.sample_conditions() + self.control_conditions()

    def placed_items(self) -> list[tuple[Condition, int]]:
        """Conditions placed like samples, with their number of wells in the whole design:
        the samples (``replicates`` each) and the copies of crossed controls (``count``)."""
        out = [(c, self.replicates) for c in self.sample_conditions()]
        for ctl in self.controls:
            if ctl.crossed:
                out += [(c, ctl.count) for c in self._copies(ctl)]
        return out

    def plate_controls(self) -> tuple[Control, ...]:
        """The controls every plate carries (those not crossed with a factor)."""
        return tuple(c for c in self.controls if not c.crossed)

    def compound_groups(self) -> dict[str, list[str]]:
        """Compound name → its sample conditions (one group ``*`` with a single factor)."""
        samples = self.sample_conditions()
        if not samples:
            return {}
        key = self.compound_factor
        if key is None:
            return {"*": [c.name for c in samples]}
        groups: dict[str, list[str]] = {}
        for c in samples:
            groups.setdefault(dict(c.levels)[key], []).append(c.name)
        return groups

    @property
    def control_wells_per_plate(self) -> int:
        return sum(c.count for c in self.plate_controls())

    @property
    def sample_wells(self) -> int:
        """Wells placed like samples: the samples and the crossed controls' copies."""
        return sum(n for _, n in self.placed_items())
