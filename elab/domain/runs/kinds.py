"""What can happen in a run: one frozen dataclass per kind of event.

Each class carries the stable name its events are stored under (``TYPE``) and turns into
and out of the stored payload.  The payload keys are the stored format: they are the ones
elab has always written, so a log made by any earlier version reads as these classes and a
log made now reads in an earlier version.  A key an older log left out takes its default; a
key holding the wrong type (a list where a step id belongs, text where a number does) makes
the event :class:`Unreadable`, which the fold passes over and ``runs status``, the record
and ``runs verify`` report.

The services decide *what* happened and hand these objects to the log; the fold, the
record and the undo rules read them back, so the payload's shape is known in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from types import UnionType
from typing import Any, ClassVar, TypeAlias, Union, get_args, get_origin, get_type_hints

__all__ = [
    "KINDS",
    "Aborted",
    "AnalysisDone",
    "Attached",
    "Completed",
    "Corrected",
    "DeviationNoted",
    "LotRecorded",
    "NoteAdded",
    "Paused",
    "Resumed",
    "Retracted",
    "RunEvent",
    "RunStarted",
    "Signed",
    "StepDone",
    "StepSkipped",
    "StepStarted",
    "TimerStarted",
    "TimerStopped",
    "Unreadable",
    "ValueRecorded",
    "decode",
]


class _Kind:
    """Shared plumbing: the payload is the fields by name, optional ones left out if unset."""

    TYPE: ClassVar[str]
    # Fields written only when they hold something (older logs never had them).
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, key, *_ in _fields_of(type(self)):
            value = getattr(self, name)
            if name in self.OPTIONAL and value in (None, "", (), {}):
                continue
            out[key] = _plain(value)
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Any:
        """The event a stored payload holds; keys it lacks take the field's default.

        Built as eventsourcing rebuilds its stored events, with ``object.__new__`` and the
        instance dictionary rather than ``__init__``: a long run reads 100,000 of these,
        and a frozen dataclass's ``__init__`` would double the time its fold takes.
        """
        values = {}
        for name, key, default, factory, types, items in _fields_of(cls):
            value = payload.get(key, _ABSENT)
            if value is _ABSENT:
                values[name] = factory() if factory is not None else default
            elif items is not None:  # a tuple field: a JSON list of one type
                if not (type(value) is list and all(_fits(x, items) for x in value)):
                    raise _wrong(key, value)
                values[name] = tuple(value)
            elif isinstance(value, types) and (type(value) is not bool or bool in types):
                values[name] = value  # (JSON's true and false are not numbers here)
            else:
                raise _wrong(key, value)
        event = object.__new__(cls)
        event.__dict__.update(values)
        return event


_ABSENT = object()
_Types = tuple[type, ...]
_FieldSpec = tuple[str, str, Any, Callable[[], Any] | None, _Types, _Types | None]
_FIELDS: dict[type, tuple[_FieldSpec, ...]] = {}


def _fits(value: Any, types: tuple[type, ...]) -> bool:
    """``isinstance``, except that JSON's true and false are not numbers here."""
    return isinstance(value, types) and (type(value) is not bool or bool in types)


def _wrong(key: str, value: Any) -> ValueError:
    return ValueError(f"{key} is {type(value).__name__}: {value!r:.60}")


def _fields_of(cls: type) -> tuple[_FieldSpec, ...]:
    """Each field's name, stored key, default and accepted types, worked out once per class
    (a wrong type is damage, and must not reach the fold, a screen or a record as if it were
    a step id or a number)."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _FIELDS[cls] = tuple(
            (f.name, f.metadata.get("key", f.name),
             None if f.default is MISSING else f.default,
             None if f.default_factory is MISSING else f.default_factory,
             *_types(hints[f.name]))
            for f in fields(cls)
        )
    return found


def _types(hint: Any) -> tuple[tuple[type, ...], tuple[type, ...] | None]:
    """The types a field accepts from JSON, and for a ``tuple[X, ...]`` field its items'."""
    if get_origin(hint) is tuple:
        return (list,), _types(get_args(hint)[0])[0]
    parts = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
    accepted: list[type] = []
    for part in parts:
        if part is float:  # JSON has no separate integers for a float field
            accepted += [int, float]
        elif part is Mapping or get_origin(part) in (Mapping, dict):
            accepted.append(Mapping)
        else:
            accepted.append(part)
    return tuple(accepted), None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class RunStarted(_Kind):
    """The run began on this protocol content (kept whole, with its SHA-256)."""

    TYPE: ClassVar[str] = "run_started"
    protocol: str = ""
    title: str = ""
    version: str | int = ""
    path: str = ""
    content: Mapping[str, Any] = field(default_factory=dict)
    sha256: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    variant: str | None = None


@dataclass(frozen=True)
class StepStarted(_Kind):
    TYPE: ClassVar[str] = "step_started"
    step: str = ""


@dataclass(frozen=True)
class StepDone(_Kind):
    TYPE: ClassVar[str] = "step_done"
    step: str = ""


@dataclass(frozen=True)
class StepSkipped(_Kind):
    TYPE: ClassVar[str] = "step_skipped"
    step: str = ""
    note: str = ""


@dataclass(frozen=True)
class TimerStarted(_Kind):
    """A timer counting the step's planned time (``max_s`` None: open-ended)."""

    TYPE: ClassVar[str] = "timer_started"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"label"})
    step: str = ""
    min_s: float = 0.0
    max_s: float | None = None
    label: str = ""


@dataclass(frozen=True)
class TimerStopped(_Kind):
    TYPE: ClassVar[str] = "timer_stopped"
    step: str = ""
    elapsed_s: float | None = None


@dataclass(frozen=True)
class ValueRecorded(_Kind):
    """A reading as typed (``text``) and as understood (``value`` in ``unit``).

    ``in_range`` is the service's verdict against the step's declared range when it was
    recorded; None when there was no range or the value is not a number.  ``sample`` names
    the design's sample the reading belongs to (``0.1 nM / 3 h #1``) when the value is read
    once per sample; logs written before it have none, and their readings keep their order.
    """

    TYPE: ClassVar[str] = "value_recorded"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"sample"})
    step: str = ""
    name: str = ""
    value: float | str | None = None
    unit: str = ""
    text: str = ""
    in_range: bool | None = None
    sample: str = ""


@dataclass(frozen=True)
class Corrected(ValueRecorded):
    """A new reading for the value event ``corrects``; the original stays in the log."""

    TYPE: ClassVar[str] = "correction"
    corrects: int = 0
    reason: str = ""


@dataclass(frozen=True)
class LotRecorded(_Kind):
    TYPE: ClassVar[str] = "lot_recorded"
    material: str = ""
    lot: str = ""
    expiry: str | None = None


@dataclass(frozen=True)
class DeviationNoted(_Kind):
    """A departure from the protocol: ``manual`` (said by a person) or ``auto`` (found)."""

    TYPE: ClassVar[str] = "deviation"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"expected", "actual"})
    step: str | None = None
    kind: str = "manual"
    note: str = ""
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class NoteAdded(_Kind):
    TYPE: ClassVar[str] = "note"
    step: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Attached(_Kind):
    """A file kept with the run; its bytes are stored by their SHA-256."""

    TYPE: ClassVar[str] = "attachment"
    name: str = ""
    filename: str = ""
    sha256: str = ""
    size: int = 0


@dataclass(frozen=True)
class Paused(_Kind):
    TYPE: ClassVar[str] = "paused"


@dataclass(frozen=True)
class Resumed(_Kind):
    TYPE: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class Completed(_Kind):
    TYPE: ClassVar[str] = "completed"


@dataclass(frozen=True)
class Aborted(_Kind):
    TYPE: ClassVar[str] = "aborted"
    note: str | None = None


@dataclass(frozen=True)
class AnalysisDone(_Kind):
    """One analysis hook's outcome at completion (or run again after it with ``runs analyze``):
    its result, or the error that stopped it."""

    TYPE: ClassVar[str] = "analysis_done"
    OPTIONAL: ClassVar[frozenset[str]] = frozenset(
        {"result", "import_notes", "plot_png", "plot_error", "error", "files", "values"}
    )
    hook: str = ""
    inputs: tuple[str, ...] = ()
    # Every attachment it read, the plate layout joined to a reader's export included:
    # ``{"name", "filename", "seq", "sha256"}`` each (events before it have none).
    files: tuple[Mapping[str, Any], ...] = ()
    # Each ``@STEP.VALUE`` parameter: ``{"ref": "@read.blank_od", "seqs": [5, 6]}``, the
    # value events whose mean it took.
    values: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    result: Mapping[str, Any] | None = None
    import_notes: tuple[str, ...] = field(default=(), metadata={"key": "import"})
    plot_png: str | None = None
    plot_error: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Signed(_Kind):
    """An electronic signature over the run's head (``v`` is the signed statement's form)."""

    TYPE: ClassVar[str] = "signed"
    signer: str = ""
    printed_name: str = ""
    meaning: str = ""
    at: str = ""
    head_seq: int = 0
    head_hash: str = ""
    key_sha256: str = ""
    signature: str = ""
    v: int = 1


@dataclass(frozen=True)
class Retracted(_Kind):
    """An undo: the events ``retracts`` are folded as if they had not happened."""

    TYPE: ClassVar[str] = "retracted"
    retracts: tuple[int, ...] = ()
    what: str = ""


@dataclass(frozen=True)
class Unreadable:
    """A stored event whose payload is not what its type says (damage, or a foreign kind)."""

    type: str
    reason: str

    TYPE: ClassVar[str] = ""


RunEvent: TypeAlias = (
    RunStarted
    | StepStarted
    | StepDone
    | StepSkipped
    | TimerStarted
    | TimerStopped
    | ValueRecorded
    | Corrected
    | LotRecorded
    | DeviationNoted
    | NoteAdded
    | Attached
    | Paused
    | Resumed
    | Completed
    | Aborted
    | AnalysisDone
    | Signed
    | Retracted
)

KINDS: Mapping[str, type[_Kind]] = {
    cls.TYPE: cls
    for cls in (
        RunStarted, StepStarted, StepDone, StepSkipped, TimerStarted, TimerStopped,
        ValueRecorded, Corrected, LotRecorded, DeviationNoted, NoteAdded, Attached, Paused,
        Resumed, Completed, Aborted, AnalysisDone, Signed, Retracted,
    )
}


def decode(type_: str, payload: Mapping[str, Any]) -> RunEvent | Unreadable:
    """The typed event a stored ``type_`` and payload stand for."""
    cls = KINDS.get(type_)
    if cls is None:
        return Unreadable(type_, f"unknown event type {type_!r}")
    if "__unreadable__" in payload:
        return Unreadable(type_, "its payload is not JSON")
    try:
        event: RunEvent = cls.from_payload(payload)
    except (TypeError, ValueError) as exc:
        return Unreadable(type_, str(exc))
    return event
