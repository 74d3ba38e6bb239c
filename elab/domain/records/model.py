"""The run record as a view model: everything a record shows, already decided.

A record is read by a PI, an auditor or the scientist a year later, so every judgement
(is this value out of range, is this parameter overridden, does this signature still cover
the whole run, does the chain verify) is made here, once, in plain Python.  The templates
(HTML, Markdown, PDF through HTML) only lay the values out; they never compute, so the three
formats cannot disagree and a lab's own template cannot get a judgement wrong.

Times are timezone-aware UTC datetimes; quantities are already formatted for people
(``600 µL``), because formatting belongs with the units, not with Jinja.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

__all__ = [
    "AmendmentRow",
    "AnalysisRecord",
    "AttachmentRow",
    "ChainStatus",
    "DesignRecord",
    "DeviationRow",
    "EquipmentRow",
    "EventRow",
    "InputFile",
    "MaterialRow",
    "NoteRow",
    "ParameterRow",
    "PlotImage",
    "ResultRow",
    "RunRecord",
    "SignatureRow",
    "StepRecord",
    "TimerRow",
    "ValueRow",
    "data_uri_from_png",
]


def data_uri_from_png(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI: the only kind of resource a record may load."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class ParameterRow:
    """A protocol parameter as run: its value, the protocol default, and whether overridden."""

    name: str
    value: str
    default: str
    overridden: bool
    description: str = ""
    written: str = ""  # the value as the run gave it, for ``$name`` in step texts

    @property
    def as_written(self) -> str:
        return self.written or self.value


@dataclass(frozen=True)
class ValueRow:
    """A recorded value with its expected range; ``out_of_range`` is decided by the builder."""

    name: str
    value: str
    expected: str = ""
    out_of_range: bool = False
    at: datetime | None = None
    operator: str = ""
    seq: int | None = None
    corrects: int | None = None
    reason: str = ""
    # Set on an original value that a later correction replaced: it is struck, never hidden.
    replaced_by: int | None = None
    replaced_reason: str = ""
    replaced_operator: str = ""
    replaced_at: datetime | None = None
    # the design's sample it was read for, with its word (``lysate DMSO / 3 h #2``); "" when
    # the value is not read per sample
    sample: str = ""


@dataclass(frozen=True)
class TimerRow:
    """A timer: wall-clock start, stop, the planned and the actual length in seconds."""

    started_at: datetime
    stopped_at: datetime | None
    planned_s: float | None
    actual_s: float | None


@dataclass(frozen=True)
class NoteRow:
    step: str | None
    text: str
    at: datetime | None = None
    operator: str = ""
    seq: int | None = None


@dataclass(frozen=True)
class DeviationRow:
    """A deviation: ``auto`` (a value or time outside the protocol's range) or ``manual``."""

    number: int
    step: str | None
    kind: str
    note: str
    at: datetime | None = None
    operator: str = ""
    seq: int | None = None


@dataclass(frozen=True)
class StepRecord:
    """One step as planned and as done.

    ``state`` is ``done``, ``skipped`` or ``not done``.  Planned times are the lab
    calendar's plan of the run from its start (the record's ``planned_note`` says how they
    were made, and why, if the steps were laid along the step graph without working hours);
    ``deviations`` holds the numbers of the run's
    deviations that belong to this step, so each is marked where it happened.

    ``actual_start`` is only a time someone recorded (``start-step`` or a timer): a step
    marked done without a start has ``actual_start`` None and shows "done at ...", never
    a made-up zero-length interval.  ``conditions`` are the step's instructions as run
    (hands-on time, incubation with temperature and equipment, uses with amounts, what to
    record), from the resolved protocol content stored when the run started.
    """

    id: str
    title: str
    state: str
    optional: bool = False
    text: str = ""
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    planned_duration: str = ""
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    actual_duration_s: float | None = None
    timers: tuple[TimerRow, ...] = ()
    values: tuple[ValueRow, ...] = ()
    notes: tuple[NoteRow, ...] = ()
    deviations: tuple[int, ...] = ()
    skip_note: str = ""
    operator: str = ""
    conditions: tuple[str, ...] = ()
    until: str = ""
    # values the protocol computes at this step (loading volumes from the BCA readings,
    # antibody volumes from the dilution), as the run's recorded values give them
    derived: tuple[str, ...] = ()

    @property
    def has_out_of_range(self) -> bool:
        return any(v.out_of_range for v in self.values)


@dataclass(frozen=True)
class MaterialRow:
    """A declared material and the lots used in this run (``lot`` empty when none given)."""

    id: str
    name: str
    lot: str = ""
    expiry: str = ""
    expired: bool = False
    supplier: str = ""
    catalog: str = ""
    details: str = ""  # stock, dilution, target, note: what the protocol says of it

    @property
    def lot_missing(self) -> bool:
        """No lot was ever recorded for this material: an auditor asks about each one."""
        return not self.lot


@dataclass(frozen=True)
class EquipmentRow:
    id: str
    name: str
    kind: str = ""
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentRow:
    name: str
    filename: str
    size: int
    sha256: str
    at: datetime | None = None
    seq: int | None = None
    operator: str = ""


@dataclass(frozen=True)
class PlotImage:
    """A figure embedded in the record itself, never fetched from anywhere."""

    title: str
    png: bytes = field(repr=False)

    @property
    def data_uri(self) -> str:
        return data_uri_from_png(self.png)


@dataclass(frozen=True)
class ResultRow:
    """One line of numbers behind an analysis: a label and its values by column."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class InputFile:
    """An analysis input as the run stored it: the name, the file it came from, its hash."""

    name: str
    filename: str = ""
    sha256: str = ""
    seq: int | None = None


@dataclass(frozen=True)
class AnalysisRecord:
    """One analysis as run, with what it takes to reproduce it from the record alone."""

    hook: str
    method: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[ResultRow, ...] = ()
    warnings: tuple[str, ...] = ()
    plots: tuple[PlotImage, ...] = ()
    error: str = ""
    headline: tuple[str, ...] = ()  # the hook's answer in sentences, shown first
    params: tuple[tuple[str, str], ...] = ()
    inputs: tuple[InputFile, ...] = ()
    elab_version: str = ""
    seq: int | None = None
    at: datetime | None = None
    operator: str = ""
    # Run again after completion (``elab runs analyze``): the earlier attempts it stands in
    # for stay in the log, named here by their event numbers; ``failed`` are those of them
    # that gave no result (an error such as "not run" at the finish), never called results.
    after_completion: bool = False
    replaces: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()


@dataclass(frozen=True)
class DesignRecord:
    """The design as lines of text; the plate map as SVG and as a text grid, if any.

    ``plate_svg`` is built by :mod:`elab.render.plate_map`, which escapes every text it
    writes; it is the one piece of markup a record trusts.
    """

    lines: tuple[str, ...] = ()
    samples: int | None = None
    plate_svg: str = ""
    plate_text: str = ""


@dataclass(frozen=True)
class SignatureRow:
    """A 21 CFR Part 11 style signature as shown on the record.

    ``covers_whole_run`` is False when events were appended after the signed head;
    ``valid`` is False when the Ed25519 signature or the signed head no longer checks.
    """

    signer: str
    printed_name: str
    meaning: str
    at: datetime
    head_seq: int
    head_hash: str
    covers_whole_run: bool
    valid: bool
    problem: str = ""
    key_sha256: str = ""
    seq: int | None = None
    misses: tuple[int, ...] = ()  # events after the signed head that it does not cover


@dataclass(frozen=True)
class ChainStatus:
    """What ``runs verify`` says about the run's events: ``ok``, or every problem found.

    ``first_damaged`` is the first event no longer to be trusted (0: the whole run), so a
    signature over it is shown invalid; signatures' own problems are on their rows.
    """

    ok: bool
    head_seq: int
    head_hash: str
    events: int
    problem: str = ""
    first_damaged: int | None = None

    @property
    def label(self) -> str:
        return "verified" if self.ok else "NOT VERIFIED"


@dataclass(frozen=True)
class EventRow:
    """One event of the log, so every sequence number the record refers to is printed."""

    seq: int
    at: datetime
    type: str
    operator: str = ""
    step: str = ""
    hash: str = ""


@dataclass(frozen=True)
class AmendmentRow:
    """Something added after the run was completed, and the signatures it came after."""

    seq: int
    at: datetime
    kind: str
    what: str
    operator: str = ""
    step: str = ""
    postdates: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunRecord:
    """The whole record of one run, ready to lay out."""

    run_id: str
    protocol_id: str
    protocol_title: str
    protocol_version: str
    protocol_sha256: str
    state: str
    operators: tuple[str, ...]
    started_at: datetime | None
    ended_at: datetime | None
    chain: ChainStatus
    generated_at: datetime
    variant: str = ""
    variant_label: str = ""
    summary: str = ""
    parameters: tuple[ParameterRow, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    deviations: tuple[DeviationRow, ...] = ()
    run_notes: tuple[NoteRow, ...] = ()
    materials: tuple[MaterialRow, ...] = ()
    equipment: tuple[EquipmentRow, ...] = ()
    attachments: tuple[AttachmentRow, ...] = ()
    design: DesignRecord | None = None
    analyses: tuple[AnalysisRecord, ...] = ()
    signatures: tuple[SignatureRow, ...] = ()
    events: tuple[EventRow, ...] = ()
    amendments: tuple[AmendmentRow, ...] = ()
    completed_seq: int | None = None
    protocol_yaml: str = ""
    elab_version: str = ""
    local_tz: tzinfo | None = None  # times are shown in UTC and, beside them, in this zone
    planned_note: str = ""  # how the steps' planned times were made, in a sentence
    # False when the steps were laid along the step graph without working hours (the note
    # then says why), which a reader must not miss
    planned_on_calendar: bool = False

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def out_of_range_count(self) -> int:
        return sum(1 for s in self.steps for v in s.values if v.out_of_range)

    @property
    def missing_lots(self) -> tuple[MaterialRow, ...]:
        return tuple(m for m in self.materials if m.lot_missing)

    @property
    def stale_signatures(self) -> tuple[SignatureRow, ...]:
        return tuple(s for s in self.signatures if not s.covers_whole_run or not s.valid)
