"""The field types and base model every part of the protocol model is built from."""

from __future__ import annotations

from typing import Annotated, Any

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

from elab.domain.protocol.fields import ID_PATTERN
from elab.units import QRange

__all__ = ["ClockTime", "CountInt", "Id", "Model", "ParamCount", "PositiveInt", "Text"]

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


class Model(BaseModel):
    """Frozen, and strict about keys: a misspelt key is an error at its line."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
