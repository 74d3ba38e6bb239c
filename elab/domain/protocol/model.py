"""The protocol model: frozen pydantic models that a protocol file validates into.

The models check the shape of a file and the kind of every quantity; the cross-references
(materials, equipment, ``after:`` ids, cycles) are checked by :mod:`.checks` on the whole
protocol.  Nothing here holds a registry, a session or a file handle: a validated
``Protocol`` is plain immutable data that runs, plans and records can share.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StringConstraints,
)

from elab.domain.protocol.design_model import (
    Control,
    Design,
    Dosing,
    Factor,
    HumaneEndpoints,
    Vehicle,
)
from elab.domain.protocol.fields import (
    Amount,
    Duration,
    Quantity,
    RatioField,
    Speed,
    Temperature,
    Volume,
)
from elab.domain.protocol.model_types import (
    ClockTime,
    Id,
    Model,
    ParamCount,
    PositiveInt,
    Text,
)
from elab.units import QRange

__all__ = [
    "AfterRef",
    "Analysis",
    "Control",
    "Derive",
    "Design",
    "Dosing",
    "Equipment",
    "Every",
    "Factor",
    "HumaneEndpoints",
    "Include",
    "Material",
    "Parameter",
    "Passive",
    "Program",
    "Protocol",
    "RecordSpec",
    "Regimen",
    "Repeat",
    "Solution",
    "Step",
    "Use",
    "Vehicle",
    "model_json_schema",
]


class Parameter(Model):
    """A named value a run may override with ``--param name=VALUE``."""

    default: Quantity
    range: Quantity | None = None
    description: str | None = None


class Material(Model):
    name: str
    stock: Quantity | None = None
    concentration: Quantity | None = None
    dilution: RatioField | None = None
    ratio: RatioField | None = None
    storage: Text | None = None
    supplier: str | None = None
    catalog: Text | None = None
    host: str | None = None
    clone: Text | None = None
    target: str | None = None
    fluorochrome: str | None = None
    vehicle: Id | None = None
    note: str | None = None
    # ``required``: a run cannot finish complete without this material's lot recorded
    # (a serum or an antibody whose batch changes results).
    lot: Literal["required", "optional"] = "optional"


class Equipment(Model):
    name: str
    capacity: PositiveInt = 1
    kind: str | None = None
    note: str | None = None


class AfterRef(Model):
    """A dependency with an optional time window after the step it follows ends."""

    step: Id
    window: Duration | None = None
    within: Duration | None = None

    @property
    def gap(self) -> QRange | None:
        """The allowed time between the predecessor's end and this step's start."""
        if self.window is not None:
            return self.window
        if self.within is not None:
            within: QRange = self.within
            return QRange(0.0, within.high, within.unit, f"within {within.text}")
        return None


class Passive(Model):
    """Passive time: an incubation, a wait, a centrifugation."""

    duration: Duration
    temperature: Temperature | None = None
    equipment: Id | None = None
    speed: Speed | None = None
    atmosphere: str | None = None
    note: str | None = None


class Repeat(Model):
    times: PositiveInt
    each: Duration | None = None
    note: str | None = None


class Program(Model):
    """A thermocycler or instrument stage; ``cycles`` repeats its inner ``stages``."""

    name: str | None = None
    duration: Duration | None = None
    temperature: Temperature | None = None
    cycles: PositiveInt | None = None
    stages: list[Program] | None = None


class Every(Model):
    """A time-lapse: something done every ``interval`` for a total of ``for``."""

    interval: Duration
    for_: Duration = Field(alias="for")
    hands_on: Duration | None = None
    what: str | None = None


class Regimen(Model):
    """A dosing regimen: a frequency for a time, or given days of repeating cycles."""

    frequency: (
        Literal["QD", "BID", "TID", "QW", "BIW", "TIW", "Q2W", "Q3W", "Q4W", "Q8W"] | None
    ) = None
    days: list[PositiveInt] | None = None
    cycle: Duration | None = None
    cycles: ParamCount | None = None
    on: Duration | None = None
    off: Duration | None = None
    at: list[ClockTime] | None = None
    for_: Duration | None = Field(default=None, alias="for")
    # the first event's distance from day 0, the treatment day 1 shared with the regimens
    # after the same steps: RECIST scans every 8 weeks begin at week 8, not on day 1
    start: Duration | None = None
    dose: Quantity | None = None
    # what a mg/kg dose and a mL/kg dosing volume are planned with, for the totals to make
    # (each animal is weighed on the day: `elab dose`)
    weight: Quantity | None = None
    volume: Quantity | None = None
    route: str | None = None
    material: Id | None = None
    arms: list[str] | None = None
    hands_on: Duration | None = None
    note: str | None = None


class Use(Model):
    """A material a step uses; ``per`` says whether the amount scales with the design."""

    material: Id
    amount: Amount | None = None
    volume: Volume | None = None
    per: str = "run"
    exclude: list[str] = Field(default_factory=list)
    dilution: RatioField | None = None
    note: str | None = None


class RecordSpec(Model):
    """A value to measure during the step."""

    unit: str | None = None
    kind: str | None = None
    range: Quantity | None = None
    count: PositiveInt = 1
    required: bool = False
    per: str | None = None
    type: Literal["quantity", "number", "text"] = "quantity"
    description: str | None = None


class Derive(Model):
    """A value computed from recorded values, parameters and earlier derived values.

    ``expr`` is arithmetic on their names (``protein_per_lane / protein_conc``), checked by
    :mod:`.expression` and against the declared units when the protocol loads; ``per``
    (``lysate``) computes it once per reading of the recorded values it uses.
    """

    expr: str
    unit: str
    per: str | None = None
    range: Quantity | None = None
    description: str | None = None


class Solution(Model):
    """The incubation solution of a step: antibodies with a ``dilution:`` are diluted in it.

    ``volume`` per ``per`` (membrane, slide, well) × ``count`` of them; each use of a diluted
    material then needs ``volume / dilution`` per membrane.
    """

    volume: Volume
    per: str = "membrane"
    count: PositiveInt = 1
    diluent: Id | None = None
    note: str | None = None


class Step(Model):
    id: Id
    title: str
    text: str | None = None
    after: list[Id | AfterRef] | None = None
    before: Id | None = None
    replace: bool = False
    hands_on: Duration | None = None
    temperature: Temperature | None = None
    incubate: Passive | None = None
    wait: Passive | None = None
    centrifuge: Passive | None = None
    repeat: Repeat | None = None
    program: list[Program] | None = None
    every: Every | None = None
    regimen: Regimen | None = None
    dose: Quantity | None = None
    route: str | None = None
    uses: list[Use] = Field(default_factory=list)
    equipment: list[Id] = Field(default_factory=list)
    record: dict[str, RecordSpec] = Field(default_factory=dict)
    derive: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Derive
    ] = Field(default_factory=dict)
    solution: Solution | None = None
    until: str | None = None
    optional: bool = False
    variant: Id | None = None
    note: str | None = None
    # who does the step: the lab's people (in working hours), the patient (self-dosing at
    # home) or the animal facility; the last two follow their clock and take no lab hours
    by: Literal["lab", "patient", "facility"] = "lab"
    # one copy per level of this design factor (arms.py); ``arm`` is the copy's level
    for_each: str | None = None
    arm: Text | None = None

    @property
    def passive(self) -> Passive | None:
        return self.incubate or self.wait or self.centrifuge

    def booked_equipment(self) -> list[str]:
        """Every equipment id the step uses, its own list first."""
        names = list(self.equipment)
        for passive in (self.incubate, self.wait, self.centrifuge):
            if passive is not None and passive.equipment and passive.equipment not in names:
                names.append(passive.equipment)
        return names


class Analysis(Model):
    hook: str
    input: str | list[str] | None = None
    params: dict[str, Text | int | float | bool] = Field(default_factory=dict)
    note: str | None = None


class Include(Model):
    protocol: str
    after: Id | None = None
    prefix: Id | None = None


class Protocol(Model):
    """A validated protocol: immutable, self-contained, ready to run."""

    id: Id
    title: str
    version: Text
    summary: str | None = None
    source: str | None = None
    notes: str | None = None
    cytometer: str | None = None
    assay: str | None = None
    tags: list[str] = Field(default_factory=list)
    extends: str | None = None
    include: list[Include] = Field(default_factory=list)
    variants: dict[Id, str] = Field(default_factory=dict)
    parameters: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Parameter
    ] = Field(default_factory=dict)
    materials: dict[Id, Material] = Field(default_factory=dict)
    equipment: dict[Id, Equipment] = Field(default_factory=dict)
    design: Design | None = None
    steps: list[Step] = Field(min_length=1)
    analysis: list[Analysis] = Field(default_factory=list)

    def step(self, step_id: str) -> Step:
        """The step with this id; NotFoundError with the closest ids otherwise."""
        for step in self.steps:
            if step.id == step_id:
                return step
        from elab.errors import NotFoundError

        raise NotFoundError("step", step_id, [s.id for s in self.steps])

    def active_steps(self, variant: str | None = None) -> list[Step]:
        """The steps of the base protocol plus those of the selected variant."""
        return [s for s in self.steps if s.variant is None or s.variant == variant]


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of the protocol file format (for editors and `elab schema`)."""
    schema = Protocol.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://elab.invalid/protocol.schema.json"
    schema["title"] = "elab protocol"
    return schema
