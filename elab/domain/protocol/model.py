"""The protocol model: frozen pydantic models that a protocol file validates into.

The models check the shape of a file and the kind of every quantity; the cross-references
(materials, equipment, ``after:`` ids, cycles) are checked by :mod:`.checks` on the whole
protocol.  Nothing here holds a registry, a session or a file handle: a validated
``Protocol`` is plain immutable data that runs, plans and records can share.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)

from elab.domain.protocol.fields import (
    ID_PATTERN,
    Amount,
    Duration,
    Quantity,
    RatioField,
    Speed,
    Temperature,
    Volume,
)
from elab.units import QRange, parse_quantity

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

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
Text = Annotated[str, BeforeValidator(lambda v: v if v is None else str(v))]
PositiveInt = Annotated[int, Field(ge=1, le=1_000_000)]
CountInt = Annotated[int, Field(ge=0, le=1_000_000)]


def _count(value: Any, info: ValidationInfo) -> int:
    """A whole number, or ``$name`` of a parameter whose value is one (``cycles: $cycles``)."""
    if isinstance(value, str) and value.strip().startswith("$"):
        name = value.strip()[1:]
        params: dict[str, QRange] = (info.context or {}).get("parameters", {})
        if name not in params:
            from elab.errors import did_you_mean

            hint = did_you_mean(name, params)
            raise ValueError(
                f"unknown parameter ${name}" + (f" (did you mean {hint}?)" if hint else "")
            )
        value = params[name].planned
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{value!r} is not a whole number")
    if not 1 <= int(value) <= 1_000_000:
        raise ValueError(f"{int(value)} is not between 1 and 1000000")
    return int(value)


#: A repeat count that a run may set through a parameter (``cycles: $cycles``).
ParamCount = Annotated[
    int,
    PlainValidator(_count),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\$"}]}
    ),
]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Parameter(_Model):
    """A named value a run may override with ``--param name=VALUE``."""

    default: Quantity
    range: Quantity | None = None
    description: str | None = None


class Material(_Model):
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


class Equipment(_Model):
    name: str
    capacity: PositiveInt = 1
    kind: str | None = None
    note: str | None = None


class Factor(_Model):
    name: str
    levels: list[Text | int | float] = Field(min_length=1)
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


class Control(_Model):
    """A control condition, ``count`` samples of it.

    ``for_each`` crosses it with factors: one copy per level (a vehicle per time point, the
    time-matched control), ``count`` samples per level, each carrying its level like the
    treated samples do, so layouts put it beside them and analyses compare within the level.
    """

    name: str
    kind: Literal[
        "vehicle", "untreated", "blank", "positive", "negative", "standard", "fmo", "reference"
    ] = "vehicle"
    count: CountInt = 1
    for_each: Annotated[list[str], BeforeValidator(_names)] = Field(default_factory=list)
    note: str | None = None


class Vehicle(_Model):
    material: str
    final: Quantity


class Dosing(_Model):
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


class HumaneEndpoints(_Model):
    """Limits at which an animal leaves the study, whatever the schedule says."""

    tumour_volume: Quantity | None = None
    tumour_diameter: Quantity | None = None
    weight_loss: Quantity | None = None
    source: str | None = None
    note: str | None = None


class Design(_Model):
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


class AfterRef(_Model):
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


class Passive(_Model):
    """Passive time: an incubation, a wait, a centrifugation."""

    duration: Duration
    temperature: Temperature | None = None
    equipment: Id | None = None
    speed: Speed | None = None
    atmosphere: str | None = None
    note: str | None = None


class Repeat(_Model):
    times: PositiveInt
    each: Duration | None = None
    note: str | None = None


class Program(_Model):
    """A thermocycler or instrument stage; ``cycles`` repeats its inner ``stages``."""

    name: str | None = None
    duration: Duration | None = None
    temperature: Temperature | None = None
    cycles: PositiveInt | None = None
    stages: list[Program] | None = None


class Every(_Model):
    """A time-lapse: something done every ``interval`` for a total of ``for``."""

    interval: Duration
    for_: Duration = Field(alias="for")
    hands_on: Duration | None = None
    what: str | None = None


class Regimen(_Model):
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
    dose: Quantity | None = None
    route: str | None = None
    material: Id | None = None
    arms: list[str] | None = None
    hands_on: Duration | None = None
    note: str | None = None


class Use(_Model):
    """A material a step uses; ``per`` says whether the amount scales with the design."""

    material: Id
    amount: Amount | None = None
    volume: Volume | None = None
    per: str = "run"
    exclude: list[str] = Field(default_factory=list)
    dilution: RatioField | None = None
    note: str | None = None


class RecordSpec(_Model):
    """A value to measure during the step."""

    unit: str | None = None
    kind: str | None = None
    range: Quantity | None = None
    count: PositiveInt = 1
    required: bool = False
    per: str | None = None
    type: Literal["quantity", "number", "text"] = "quantity"
    description: str | None = None


class Derive(_Model):
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


class Solution(_Model):
    """The incubation solution of a step: antibodies with a ``dilution:`` are diluted in it.

    ``volume`` per ``per`` (membrane, slide, well) × ``count`` of them; each use of a diluted
    material then needs ``volume / dilution`` per membrane.
    """

    volume: Volume
    per: str = "membrane"
    count: PositiveInt = 1
    diluent: Id | None = None
    note: str | None = None


class Step(_Model):
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


class Analysis(_Model):
    hook: str
    input: str | list[str] | None = None
    params: dict[str, Text | int | float | bool] = Field(default_factory=dict)
    note: str | None = None


class Include(_Model):
    protocol: str
    after: Id | None = None
    prefix: Id | None = None


class Protocol(_Model):
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
