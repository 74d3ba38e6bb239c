"""A plate spec written as a file: frozen pydantic models, errors at ``FILE:LINE:COL``.

``elab plate layout --spec plate.yaml`` reads what ``--factor``, ``--control``, ``--pin`` and
the layout options say on the command line, in a file a lab can keep beside its protocols:

    plate: 96
    factors:
      - {name: dose, levels: [0.1 uM, 1 uM, 10 uM]}
    replicates: 3
    controls:
      - {name: vehicle, kind: vehicle, count: 3}
    edge: medium
    pins:
      - {well: A1, condition: vehicle}

The file is read by the protocol loader's safe YAML reader (JSON is YAML too), so every
value keeps its place; pydantic checks the shape (all errors at once, unknown keys with a
did-you-mean) and the design's own rules (:class:`~elab.domain.plate.DesignSpec`) are then
reported at the top of the file.  ``elab schema --plate`` prints the JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from elab.domain.plate.spec import CONTROL_KINDS, Control, DesignSpec, Factor, Pin
from elab.domain.plate.wells import format_from_text
from elab.errors import (
    ElabError,
    Location,
    ProtocolError,
    ProtocolErrors,
    did_you_mean,
)

__all__ = [
    "ControlEntry",
    "FactorEntry",
    "PinEntry",
    "PlateSpecFile",
    "plate_spec_schema",
    "spec_from_file",
    "spec_from_mapping",
]

_STRICT = ConfigDict(frozen=True, extra="forbid")
Count = Annotated[int, Field(ge=1)]
Level = str | int | float


class FactorEntry(BaseModel):
    """An experimental factor: its name and levels (``0.1 uM``, or numbers with ``unit``)."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1)]
    levels: Annotated[list[Level], Field(min_length=1)]
    unit: str | None = None

    @field_validator("levels")
    @classmethod
    def _distinct(cls, levels: list[Level]) -> list[Level]:
        if len({str(v) for v in levels}) != len(levels):
            raise ValueError("a level is repeated")
        return levels

    def texts(self) -> tuple[str, ...]:
        """The levels as written; a bare number takes the factor's unit."""
        def text(level: Level) -> str:
            if self.unit and not isinstance(level, str):
                return f"{level:g} {self.unit}"
            return str(level).strip()

        return tuple(text(v) for v in self.levels)


class ControlEntry(BaseModel):
    """A control condition carried by every plate, ``count`` wells per plate; with
    ``for_each`` (factor names) one copy per level instead, ``count`` wells per copy."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1)]
    kind: Annotated[str, Field(json_schema_extra={"enum": list(CONTROL_KINDS)})] = "vehicle"
    count: Count = 1
    for_each: list[str] | str = []

    def crossed(self) -> tuple[str, ...]:
        return (self.for_each,) if isinstance(self.for_each, str) else tuple(self.for_each)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in CONTROL_KINDS:
            hint = did_you_mean(kind, CONTROL_KINDS)
            raise ValueError(f"{kind!r} is not a control kind ({', '.join(CONTROL_KINDS)})"
                             + (f"; did you mean {hint}?" if hint else ""))
        return kind


class PinEntry(BaseModel):
    """A well fixed by hand: ``condition`` (or ``empty``) in ``well`` of plate ``plate``."""

    model_config = _STRICT

    well: Annotated[str, Field(pattern=r"^[A-Za-z]{1,2}[0-9]{1,2}$")]
    condition: Annotated[str, Field(min_length=1)]
    plate: Count = 1


class PlateSpecFile(BaseModel):
    """What a layout is asked to hold, and the rules it is laid out by."""

    model_config = _STRICT

    plate: int | str = 96
    factors: list[FactorEntry] = []
    replicates: Count = 3
    controls: list[ControlEntry] = []
    edge: Literal["empty", "medium", "use"] | None = None
    edge_width: Annotated[int, Field(ge=0)] = 1
    spread: Literal["same", "plates"] = "same"
    plates: Count | None = None
    pins: list[PinEntry] = []
    seed: int = 0
    compound: str | None = None
    plate_by: str | None = None
    style: Literal["randomised", "blocked", "by-column"] = "randomised"

    def design_spec(self) -> DesignSpec:
        """The :class:`DesignSpec`, whose own rules (unique names, known pins) apply here."""
        return DesignSpec(
            factors=tuple(Factor(f.name, f.texts()) for f in self.factors),
            replicates=self.replicates,
            controls=tuple(Control(c.name, c.kind, c.count, c.crossed())
                           for c in self.controls),
            plate=format_from_text(self.plate),
            edge=self.edge,
            edge_width=self.edge_width,
            spread=self.spread,
            plates=self.plates,
            pins=tuple(Pin(p.condition, p.well.upper(), p.plate) for p in self.pins),
            seed=self.seed,
            compound=self.compound,
            plate_by=self.plate_by,
            style=self.style,
        )


def plate_spec_schema() -> dict[str, Any]:
    """The JSON Schema of a plate spec file."""
    return PlateSpecFile.model_json_schema()


def spec_from_file(path: Path) -> DesignSpec:
    """The design spec written in ``path``; ProtocolErrors lists every error at its place."""
    from elab.domain.protocol.yamlsource import load_yaml, read_text

    return spec_from_mapping(load_yaml(read_text(path), str(path)), str(path))


def spec_from_mapping(tree: Mapping[str, Any], file: str) -> DesignSpec:
    """The design spec of a parsed document; positions come from a located tree."""
    from elab.domain.protocol.yamlsource import locate

    top = Location(file, 1, 1)
    try:
        model = PlateSpecFile.model_validate(dict(tree))
    except ValidationError as exc:
        raise ProtocolErrors([_located(item, tree, top, locate)
                              for item in exc.errors(include_url=False)]) from None
    try:
        return model.design_spec()
    except ElabError as exc:  # the design's own rules: names unique, pins on known conditions
        raise ProtocolErrors([ProtocolError(str(exc), top)]) from None


def _located(item: Any, tree: Mapping[str, Any], top: Location, locate: Any) -> ProtocolError:
    path: list[str | int] = [p for p in item["loc"] if isinstance(p, str | int)]
    if item["type"] == "extra_forbidden":
        key = str(path[-1])
        hint = did_you_mean(key, _keys_at(path[:-1]))
        message = f"unknown key {key!r}" + (f" (did you mean {hint}?)" if hint else "")
        return ProtocolError(message, locate(tree, path, key=True) or top)
    if item["type"] == "missing":
        return ProtocolError(f"missing required key {path[-1]!r}",
                             locate(tree, path[:-1]) or top)
    message = str(item["msg"]).removeprefix("Value error, ")
    where = ".".join(str(p) for p in path)
    return ProtocolError(f"{where}: {message}" if where else message,
                         locate(tree, path) or top)


def _keys_at(path: Sequence[str | int]) -> list[str]:
    """The keys accepted at ``path``, for did-you-mean."""
    named = [p for p in path if isinstance(p, str)]
    model: type[BaseModel] = PlateSpecFile
    entries: dict[str, type[BaseModel]] = {
        "factors": FactorEntry, "controls": ControlEntry, "pins": PinEntry,
    }
    if named and named[-1] in entries:
        model = entries[named[-1]]
    return list(model.model_fields)
