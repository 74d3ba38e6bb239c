"""The ``design:`` block: factors, replicates, controls and how doses reach the wells.

The design is the one source of an experiment's numbers (wells, layouts, dilutions, step
amounts); see docs/design.md.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from elab.domain.controls import ControlKind
from elab.domain.protocol.fields import Quantity, RatioField, Volume
from elab.domain.protocol.model_types import CountInt, Id, Model, PositiveInt, Text
from elab.units import QRange, parse_quantity

__all__ = ["Control", "Design", "Dosing", "Factor", "HumaneEndpoints", "Vehicle"]


def _level(value: Any) -> Any:
    """A level is a value: an empty one (``~``) is one located line, not one per type a
    level may have."""
    if value is None:
        raise ValueError("a level cannot be empty (write its value, such as 10 nM or DMSO)")
    return value


Level = Annotated[Text | int | float, BeforeValidator(_level)]


class Factor(Model):
    name: str
    levels: list[Level] = Field(min_length=1)
    unit: str | None = None
    expected: dict[str, Quantity] = Field(default_factory=dict)

    def level_quantities(self) -> list[QRange | None]:
        """Each level as a quantity when it is one (``10 nM``), else None (``vehicle``)."""
        out: list[QRange | None] = []
        for level in self.levels:
            try:
                out.append(parse_quantity(str(level)))
            except ValueError:
                out.append(None)
        return out


def _names(value: Any) -> Any:
    """One factor name or a list of them, read as a list."""
    return [value] if isinstance(value, str) else value


class Control(Model):
    """A control condition, ``count`` samples of it.

    ``for_each`` crosses it with factors: one copy per level (a vehicle per time point, the
    time-matched control), ``count`` samples per level, each carrying its level like the
    treated samples do, so layouts put it beside them and analyses compare within the level.
    """

    name: str
    kind: ControlKind = "vehicle"
    count: CountInt = 1
    for_each: Annotated[list[str], BeforeValidator(_names)] = Field(default_factory=list)
    note: str | None = None


class Vehicle(Model):
    material: str
    final: Quantity


class Dosing(Model):
    """How one drug reaches its final concentrations in each well.

    The levels of ``factor`` are final concentrations.  A dilution series is made in the
    design's vehicle from ``series_stock`` (its top point, at most the material's stock);
    each point is diluted ``intermediate`` in medium (when given) and ``addition`` of it goes
    into ``working_volume`` already in the well, so every well gets the same vehicle
    fraction.  The science checks read these fields, and the dilution planner can plan from
    the same ones.
    """

    material: Id
    factor: str
    stock: Quantity | None = None
    series_stock: Quantity | None = None
    intermediate: RatioField | None = None
    addition: Volume | None = None
    step: Id | None = None
    note: str | None = None


class HumaneEndpoints(Model):
    """Limits at which an animal leaves the study, whatever the schedule says."""

    tumour_volume: Quantity | None = None
    tumour_diameter: Quantity | None = None
    weight_loss: Quantity | None = None
    source: str | None = None
    note: str | None = None


class Design(Model):
    """The experimental design: the samples follow from factors × replicates + controls."""

    unit: str = "sample"
    plate: Literal[6, 12, 24, 48, 96, 384] | None = None
    factors: list[Factor] = Field(default_factory=list)
    replicates: PositiveInt = 1
    controls: list[Control] = Field(default_factory=list)
    vehicle: Vehicle | None = None
    overage: Quantity | None = None
    working_volume: Volume | None = None
    dosing: list[Dosing] = Field(default_factory=list)
    humane_endpoints: HumaneEndpoints | None = None
    # what a time course staggers when its arms take their length from a factor (arms.py)
    stagger: Literal["harvest", "treatment"] | None = None
    # Layout rules the design fixes (the command line may override them): the factor whose
    # levels each get their own plate(s), where a condition's replicates go, the well order,
    # and the outer ring (left empty, filled with medium, or used).
    plate_by: str | None = None
    spread: Literal["same", "plates"] | None = None
    layout_style: Literal["randomised", "blocked", "by-column"] | None = None
    edge: Literal["empty", "medium", "use"] | None = None
    note: str | None = None

    def control_copies(self, control: Control, excluded: frozenset[str] = frozenset()) -> int:
        """How many copies of ``control`` the design holds: one per level of its factors
        (levels in ``excluded`` left out, as a use's ``exclude:`` leaves them out)."""
        levels = {f.name: [str(v) for v in f.levels] for f in self.factors}
        return math.prod(len([v for v in levels.get(name, [""]) if v not in excluded])
                         for name in control.for_each)

    def control_samples(self, control: Control, excluded: frozenset[str] = frozenset()) -> int:
        """Samples of ``control`` in the whole design (``count`` per copy)."""
        return control.count * self.control_copies(control, excluded)

    @property
    def condition_count(self) -> int:
        return math.prod(len(f.levels) for f in self.factors) if self.factors else 1

    @property
    def sample_count(self) -> int:
        """Samples (wells, inserts, animals...) the design needs, controls included."""
        treated = self.condition_count * self.replicates if self.factors else 0
        controls = sum(self.control_samples(c) for c in self.controls)
        return max(treated + controls, 1)

    def conditions(self) -> list[dict[str, str]]:
        """Every combination of factor levels, in the order the factors are written."""
        combos: list[dict[str, str]] = [{}]
        for factor in self.factors:
            combos = [{**c, factor.name: str(level)} for c in combos for level in factor.levels]
        return combos if self.factors else []
